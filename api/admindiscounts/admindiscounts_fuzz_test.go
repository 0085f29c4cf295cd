package admindiscounts

import (
	"strings"
	"testing"

	"github.com/evshop/shop/discounts"

	"github.com/evshop/shop/platform/testenv"
)

// FuzzDiscountAdminRequests sends arbitrary bodies and codes to every route
// as an admin: no panic, never a 5xx, every refusal a 4xx problem.
func FuzzDiscountAdminRequests(f *testing.F) {
	routes := []struct{ method, path string }{
		{"GET", "/api/admin/discounts"},
		{"POST", "/api/admin/discounts"},
		{"GET", "/api/admin/discounts/{code}"},
		{"PATCH", "/api/admin/discounts/{code}"},
		{"POST", "/api/admin/discounts/{code}/check"},
	}
	seeds := []struct {
		route uint8
		code  string
		body  string
	}{
		{1, "", `{"code":"TEN","kind":"percentage","percentOff":10}`},
		{1, "", `{"code":"FIX","kind":"fixed","amountOff":{"amount":9223372036854775807,"currency":"EUR"},"maxUses":99999999999}`},
		{1, "", `{"code":"W","kind":"free_shipping","validFrom":"0000-01-01T00:00:00Z","validUntil":"9999-12-31T23:59:59Z"}`},
		{3, "TEN", `{"validFrom":null,"minSubtotal":{"amount":1,"currency":"XXX"},"maxUses":-1}`},
		{3, "TEN", `{"validUntil":"not a time"}`},
		{4, "TEN", `{"subtotal":{"amount":100,"currency":"EUR"},"categories":["Shoes"],"customerKey":"c"}`},
		{4, "../../etc", `{"subtotal":null}`},
	}
	for _, s := range seeds {
		f.Add(s.route, s.code, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, route uint8, code string, body []byte) {
		app, svc := newApp(t)
		if _, err := svc.Create(t.Context(), discountSpec()); err != nil {
			t.Fatal(err)
		}
		r := routes[int(route)%len(routes)]
		target := strings.ReplaceAll(r.path, "{code}", code)
		res := testenv.Serve(app, testenv.HTTPRequest{Method: r.method, Target: target, Body: body,
			Header: [][2]string{{"X-Test-Role", "admin"}, {"Content-Type", "application/json"}}})
		testenv.CheckHostile(t, r.method+" "+target, res)
	})
}

func discountSpec() discounts.Spec {
	return discounts.Spec{Code: "TEN", Kind: discounts.KindPercentage, PercentOff: 10, MaxUses: 5}
}
