package basket

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/evshop/shop/discounts"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/authn"
)

func eur(n int64) money.Money { m, _ := money.New(n, "EUR"); return m }

func (e *env) createCode(t *testing.T, spec discounts.Spec) {
	t.Helper()
	if _, err := e.codes.Create(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
}

func amount(t *testing.T, m any, path ...string) float64 {
	t.Helper()
	for _, p := range path {
		mm, ok := m.(map[string]any)
		if !ok {
			t.Fatalf("no %s in %v", p, m)
		}
		m = mm[p]
	}
	f, ok := m.(float64)
	if !ok {
		t.Fatalf("%v is not a number", m)
	}
	return f
}

// TestBasketEstimate: GET /api/basket prices the basket for the shop's
// country by default, or ?country= and ?shippingMethod=; bad ones are 422.
func TestBasketEstimate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := func(r req) req { r.token = "alice"; return r }
	r := e.do(t, alice(req{method: "GET", path: "/api/basket"}))
	expect(t, "empty", r, 200, "")
	if r.body["estimate"] != nil || r.body["discount"] != nil {
		t.Fatalf("empty basket: %s", r.raw)
	}
	expect(t, "add", e.do(t, alice(req{method: "POST", path: "/api/basket/items", body: `{"sku":"MUG","quantity":2}`})), 200, `"1"`)
	tests := []struct {
		query       string
		status      int
		country     string
		gross, tax  float64
		methods     int
		field       string
		hasShipping bool
	}{
		// 2000 gross: DE 19 % → 319; FR 20 % → 333.
		{"", 200, "DE", 2000, 319, 3, "", false},
		{"?country=FR", 200, "FR", 2000, 333, 2, "", false},
		{"?country=DE&shippingMethod=standard", 200, "DE", 2495, 319 + 79, 3, "", true},
		{"?country=FR&shippingMethod=express", 200, "FR", 3490, 333 + 248, 2, "", true},
		{"?country=FR&shippingMethod=pickup", 422, "", 0, 0, 0, "shippingMethod", false},
		{"?country=JP", 422, "", 0, 0, 0, "country", false},
		{"?country=fr", 422, "", 0, 0, 0, "country", false},
		{"?country=FRA", 422, "", 0, 0, 0, "country", false},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := e.do(t, alice(req{method: "GET", path: "/api/basket" + tt.query}))
			expect(t, tt.query, r, tt.status, "")
			if tt.status != 200 {
				if errs, _ := r.body["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != tt.field {
					t.Fatalf("%s", r.raw)
				}
				return
			}
			est := r.body["estimate"].(map[string]any)
			if est["country"] != tt.country || amount(t, est, "breakdown", "gross", "amount") != tt.gross || amount(t, est, "breakdown", "tax", "amount") != tt.tax {
				t.Fatalf("estimate %s", r.raw)
			}
			if ms := est["shippingMethods"].([]any); len(ms) != tt.methods {
				t.Fatalf("methods %v", ms)
			}
			if _, ok := est["breakdown"].(map[string]any)["shipping"]; ok != tt.hasShipping {
				t.Fatalf("shipping in %s", r.raw)
			}
		})
	}
	// A write answers with an estimate even when its query is bad.
	r = e.do(t, alice(req{method: "PATCH", path: "/api/basket/items/MUG?country=JP", body: `{"quantity":3}`}))
	expect(t, "write with a bad country", r, 200, `"2"`)
	if est, _ := r.body["estimate"].(map[string]any); est == nil || est["country"] != "DE" {
		t.Fatalf("write estimate: %s", r.raw)
	}
}

// TestDiscountCodes: POST/DELETE /api/basket/discount, each refusal with its
// reason (409 for used up, else 422), and the estimate and the order with
// the code.
func TestDiscountCodes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	now := time.Now()
	for _, spec := range []discounts.Spec{
		{Code: "TEN", Kind: discounts.KindPercentage, PercentOff: 10},
		{Code: "OLD", Kind: discounts.KindPercentage, PercentOff: 10, Window: discounts.Window{Until: now.Add(-time.Hour)}},
		{Code: "SOON", Kind: discounts.KindPercentage, PercentOff: 10, Window: discounts.Window{From: now.Add(time.Hour)}},
		{Code: "HALTED", Kind: discounts.KindPercentage, PercentOff: 10, Paused: true},
		{Code: "BIG", Kind: discounts.KindFixed, AmountOff: eur(500), MinSubtotal: eur(10000)},
		{Code: "BOOKS", Kind: discounts.KindPercentage, PercentOff: 10, Categories: []string{"books"}},
		{Code: "GONE", Kind: discounts.KindPercentage, PercentOff: 10, MaxUses: 1},
		{Code: "SHIPFREE", Kind: discounts.KindFreeShipping},
	} {
		e.createCode(t, spec)
	}
	// GONE's only use goes to someone else's order.
	if _, err := e.codes.Reserve(context.Background(), "GONE", "someone", "order-x", eur(5000), []string{"misc"}, now); err != nil {
		t.Fatal(err)
	}
	alice := func(r req) req { r.token = "alice"; return r }
	expect(t, "code on an empty basket", e.do(t, alice(req{method: "POST", path: "/api/basket/discount", body: `{"code":"TEN"}`})), 409, "")
	expect(t, "add", e.do(t, alice(req{method: "POST", path: "/api/basket/items", body: `{"sku":"MUG","quantity":2}`})), 200, `"1"`)
	refusals := []struct {
		body   string
		status int
		reason string
	}{
		{`{"code":"NOPE"}`, 422, "unknown"},
		{`{"code":"OLD"}`, 422, "expired"},
		{`{"code":"SOON"}`, 422, "not_yet_valid"},
		{`{"code":"HALTED"}`, 422, "paused"},
		{`{"code":"BIG"}`, 422, "minimum_not_met"},
		{`{"code":"BOOKS"}`, 422, "not_applicable"},
		{`{"code":"GONE"}`, 409, "used_up"},
		{`{"code":""}`, 422, ""},
		{`{"code":"x","extra":1}`, 422, ""},
		{`{"code":"THIS-CODE-IS-FAR-TOO-LONG-TO-BE-ONE"}`, 422, ""},
	}
	for _, tt := range refusals {
		r := e.do(t, alice(req{method: "POST", path: "/api/basket/discount", body: tt.body}))
		expect(t, tt.body, r, tt.status, "")
		if tt.reason != "" && (r.body["reason"] != tt.reason || r.body["detail"] == "" || r.body["instance"] != "/api/basket/discount") {
			t.Fatalf("%s: %s", tt.body, r.raw)
		}
	}
	r := e.do(t, alice(req{method: "POST", path: "/api/basket/discount", body: `{"code":"ten"}`, ifMatch: `"1"`}))
	expect(t, "apply", r, 200, `"2"`)
	if d := r.body["discount"].(map[string]any); d["code"] != "TEN" || d["percentOff"] != 10.0 {
		t.Fatalf("discount %s", r.raw)
	}
	if g := amount(t, r.body, "estimate", "breakdown", "gross", "amount"); g != 1800 {
		t.Fatalf("estimate with the code: %s", r.raw)
	}
	r = e.do(t, alice(req{method: "GET", path: "/api/basket?country=FR&shippingMethod=standard"}))
	if amount(t, r.body, "estimate", "breakdown", "gross", "amount") != 1800+495 || r.body["estimate"].(map[string]any)["breakdown"].(map[string]any)["discountCode"] != "TEN" {
		t.Fatalf("GET with the code: %s", r.raw)
	}
	expect(t, "remove", e.do(t, alice(req{method: "DELETE", path: "/api/basket/discount"})), 200, `"3"`)
	expect(t, "remove again", e.do(t, alice(req{method: "DELETE", path: "/api/basket/discount"})), 404, "")
	expect(t, "free shipping", e.do(t, alice(req{method: "POST", path: "/api/basket/discount", body: `{"code":"SHIPFREE"}`})), 200, `"4"`)

	r = e.do(t, alice(req{method: "POST", path: "/api/basket/checkout", idemKey: "checkout-code-1",
		body: `{` + address + `,"shippingMethod":"express","vatId":"fr 12 345678901","payment":{"method":"stripe"}}`}))
	expect(t, "checkout", r, 202, "")
	o, err := e.orders.Load(context.Background(), r.body["orderId"].(string))
	if err != nil || o.Total().Amount() != 2000 {
		t.Fatalf("order with free express shipping: %v %v", o.Total(), err)
	}
	for ev := range e.store.ReadAll(context.Background(), 0, eventstore.Filter{EventTypes: []string{ordering.EventOrderPlaced}}) {
		var p ordering.OrderPlaced
		_ = json.Unmarshal(ev.Data, &p)
		if p.ShippingMethod != "express" || p.VATID != "FR12345678901" || p.Discount == nil || p.Discount.Code != "SHIPFREE" || p.Guest {
			t.Fatalf("placed %s", ev.Data)
		}
	}
	if _, u, _ := e.codes.Get(context.Background(), "SHIPFREE"); u.Reserved != 1 {
		t.Fatalf("usage %+v", u)
	}
}

func TestCheckoutShippingAndVATRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := func(r req) req { r.token = "alice"; return r }
	expect(t, "add", e.do(t, alice(req{method: "POST", path: "/api/basket/items", body: `{"sku":"MUG","quantity":2}`})), 200, `"1"`)
	jp := `"shippingAddress":{"name":"Alice","line1":"1-1","line2":"","city":"Tokyo","postalCode":"100-0001","country":"JP"}`
	tests := []struct {
		name, body, field string
	}{
		{"no method", `{` + address + `,"payment":{"method":"stripe"}}`, "shippingMethod"},
		{"pickup abroad", `{` + address + `,"shippingMethod":"pickup","payment":{"method":"stripe"}}`, "shippingMethod"},
		{"unknown method", `{` + address + `,"shippingMethod":"drone","payment":{"method":"stripe"}}`, "shippingMethod"},
		{"a country the shop does not sell to", `{` + jp + `,"shippingMethod":"standard","payment":{"method":"stripe"}}`, "shippingAddress.country"},
		{"a malformed VAT ID", `{` + address + `,"shippingMethod":"standard","vatId":"1","payment":{"method":"stripe"}}`, "vatId"},
	}
	for _, tt := range tests {
		r := e.do(t, alice(req{method: "POST", path: "/api/basket/checkout", idemKey: "checkout-ship-1", body: tt.body}))
		expect(t, tt.name, r, 422, "")
		if errs, _ := r.body["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != tt.field {
			t.Fatalf("%s: %s", tt.name, r.raw)
		}
	}
	if r := e.do(t, alice(req{method: "GET", path: "/api/basket"})); len(quantities(r.body)) != 1 || orderEvents(t, e) != 0 {
		t.Fatalf("a refused checkout changed something: %s", r.raw)
	}
}

// TestCodeLimitRace: 50 buyers race for a code limited to 10 uses: exactly
// 10 orders carry it and the other 40 checkouts are refused with 409
// used_up, their baskets left as they were.
func TestCodeLimitRace(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const buyers, limit = 50, 10
	v := verifier{}
	for i := range buyers {
		v[fmt.Sprint("buyer", i)] = authn.Principal{UserID: fmt.Sprintf("b0000000-0000-4000-8000-%012d", i), Email: fmt.Sprintf("b%d@example.com", i), Roles: []authn.Role{authn.RoleCustomer}}
	}
	e.deps.Verifier = v
	e.mount(t)
	e.createCode(t, discounts.Spec{Code: "TEN4TEN", Kind: discounts.KindPercentage, PercentOff: 10, MaxUses: limit})
	for i := range buyers {
		tok := fmt.Sprint("buyer", i)
		expect(t, "add", e.do(t, req{method: "POST", path: "/api/basket/items", body: `{"sku":"MUG","quantity":1}`, token: tok}), 200, `"1"`)
		expect(t, "code", e.do(t, req{method: "POST", path: "/api/basket/discount", body: `{"code":"TEN4TEN"}`, token: tok}), 200, `"2"`)
	}
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for i := range buyers {
		wg.Go(func() {
			r := e.do(t, req{method: "POST", path: "/api/basket/checkout", token: fmt.Sprint("buyer", i), idemKey: fmt.Sprintf("race-key-%03d", i),
				body: `{` + address + `,"shippingMethod":"standard","payment":{"method":"stripe"}}`})
			if r.status == 409 && r.body["reason"] != "used_up" {
				t.Errorf("buyer %d: %s", i, r.raw)
			}
			mu.Lock()
			statuses[r.status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if statuses[202] != limit || statuses[409] != buyers-limit {
		t.Fatalf("answers %v, want %d × 202 and %d × 409", statuses, limit, buyers-limit)
	}
	withCode := 0
	for ev := range e.store.ReadAll(context.Background(), 0, eventstore.Filter{EventTypes: []string{ordering.EventOrderPlaced}}) {
		var p ordering.OrderPlaced
		_ = json.Unmarshal(ev.Data, &p)
		if p.Discount != nil && p.Discount.Code == "TEN4TEN" {
			withCode++
		}
	}
	if withCode != limit {
		t.Fatalf("%d orders carry the code, want %d", withCode, limit)
	}
	if _, u, _ := e.codes.Get(context.Background(), "TEN4TEN"); u.Reserved != limit {
		t.Fatalf("usage %+v", u)
	}
}
