package gateway_test

import (
	"testing"

	"github.com/evshop/shop/api/gateway"
	"github.com/evshop/shop/api/shipping"
	"github.com/evshop/shop/domain/pricing"
)

// TestShippingMethodsMatchTheDocument: GET /api/shipping/methods answers
// what openapi.json says (apitest.Check runs on every request), priced
// methods for a served country and 422 problems for bad input.
func TestShippingMethodsMatchTheDocument(t *testing.T) {
	t.Parallel()
	methods, err := pricing.DefaultShippingMethods("DE")
	if err != nil {
		t.Fatal(err)
	}
	api, err := shipping.New(shipping.Deps{Taxes: pricing.DefaultTaxTable(), Methods: methods, PricesIncludeTax: true})
	if err != nil {
		t.Fatal(err)
	}
	s := newStack(t, options{backend: "memory", routes: []gateway.Route{{Prefix: "/api/shipping", Mount: api.Mount}}})
	b := s.browser(t)
	r := b.do("GET", "/api/shipping/methods?country=DE&weightGrams=2500&subtotal=1000", nil)
	wantStatus(t, r, 200)
	if m := r.json(t); len(m["methods"].([]any)) != 3 {
		t.Fatalf("methods to DE: %s", r.body)
	}
	for _, q := range []string{"country=JP", "country=DE&weightGrams=x", ""} {
		wantProblem(t, b.do("GET", "/api/shipping/methods?"+q, nil), 422)
	}
}
