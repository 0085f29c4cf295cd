package admindiscounts

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/api/apitest"
	"github.com/evshop/shop/discounts"
	"github.com/evshop/shop/discounts/memstore"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/platform/testenv"
)

// roleHeader stands in for the gateway's token check.
func roleHeader(c *fiber.Ctx) error {
	if r := c.Get("X-Test-Role"); r != "" {
		authn.WithPrincipal(c, authn.Principal{UserID: "u1", Roles: []authn.Role{authn.Role(r)}})
	}
	return c.Next()
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// newApp serves the API on a memory store at t0, as an admin sees it
// behind the gateway (the caller's role comes from X-Test-Role).
func newApp(t testing.TB) (*fiber.App, *discounts.Service) {
	t.Helper()
	clock := func() time.Time { return t0 }
	svc, err := discounts.New(discounts.Config{Store: memstore.New(), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	api, err := New(Config{Service: svc, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(httpx.AppConfig(slog.New(slog.DiscardHandler)))
	app.Use(roleHeader)
	api.Mount(app.Group("/api/admin/discounts"))
	return app, svc
}

type call struct {
	name, method, path, role, body string
	status                         int
	contains                       []string
}

func run(t *testing.T, app *fiber.App, tests []call) {
	t.Helper()
	for _, tt := range tests { // in order: each builds on the last
		path := "/api/admin/discounts" + tt.path
		req := httptest.NewRequest(tt.method, path, strings.NewReader(tt.body))
		if tt.body != "" && tt.name != "not JSON" {
			req.Header.Set("Content-Type", "application/json")
		}
		if tt.role != "" {
			req.Header.Set("X-Test-Role", tt.role)
		}
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		apitest.CheckJSON(t, tt.method, path, tt.body, res.StatusCode, res.Header, body)
		if res.StatusCode != tt.status {
			t.Fatalf("%s: %d %s, want %d", tt.name, res.StatusCode, body, tt.status)
		}
		for _, want := range tt.contains {
			if !strings.Contains(string(body), want) {
				t.Fatalf("%s: %s does not contain %s", tt.name, body, want)
			}
		}
		if res.StatusCode >= 400 {
			testenv.CheckProblem(t, tt.name, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
	}
}

func TestDiscountAdmin(t *testing.T) {
	t.Parallel()
	app, _ := newApp(t)
	const full = `{"code":"summer-26","kind":"fixed","amountOff":{"amount":500,"currency":"EUR"},"minSubtotal":{"amount":2500,"currency":"EUR"},
		"validFrom":"2026-03-01T00:00:00Z","validUntil":"2026-04-01T00:00:00Z","maxUses":100,"maxUsesPerCustomer":1,"categories":["Shoes","Bags"]}`
	run(t, app, []call{
		{"anonymous", "GET", "/", "", "", 401, nil},
		{"customer", "GET", "/", "customer", "", 403, nil},
		{"support may not", "GET", "/", "support", "", 403, nil},
		{"empty list", "GET", "/", "admin", "", 200, []string{`{"items":[]}`}},
		{"create", "POST", "/", "admin", full, 201, []string{`"code":"SUMMER-26"`, `"categories":["Bags","Shoes"]`,
			`"description":"5.00 EUR off on Bags, Shoes"`, `"usage":{"reserved":0,"used":0,"released":0,"remaining":100}`}},
		{"create a percentage code", "POST", "/", "admin", `{"code":"TEN","kind":"percentage","percentOff":10}`, 201, []string{`"percentOff":10`}},
		{"create a paused free-shipping code", "POST", "/", "admin", `{"code":"ship_free","kind":"free_shipping","paused":true}`, 201, []string{`"paused":true`}},
		{"duplicate in another case", "POST", "/", "admin", `{"code":"Summer-26","kind":"percentage","percentOff":5}`, 409, nil},
		{"invalid fields, all named", "POST", "/", "admin", `{"code":"x y","kind":"percentage","percentOff":0,"maxUses":-1}`, 422,
			[]string{`"field":"code"`, `"field":"percentOff"`, `"field":"maxUses"`}},
		{"unknown kind", "POST", "/", "admin", `{"code":"BOGOF","kind":"bogof"}`, 422, []string{`"field":"kind"`}},
		{"fixed without an amount", "POST", "/", "admin", `{"code":"FIX","kind":"fixed"}`, 422, []string{`"field":"amountOff"`}},
		{"bad currency", "POST", "/", "admin", `{"code":"FIX","kind":"fixed","amountOff":{"amount":5,"currency":"eur"}}`, 422, []string{`"field":"amountOff"`}},
		{"negative minimum", "POST", "/", "admin", `{"code":"MIN","kind":"free_shipping","minSubtotal":{"amount":-5,"currency":"EUR"}}`, 422, []string{`"field":"minSubtotal"`}},
		{"window backwards", "POST", "/", "admin", `{"code":"WIN","kind":"free_shipping","validFrom":"2026-04-01T00:00:00Z","validUntil":"2026-03-01T00:00:00Z"}`, 422, []string{`"field":"validUntil"`}},
		{"bad category", "POST", "/", "admin", `{"code":"CAT","kind":"free_shipping","categories":["<b>"]}`, 422, []string{`"field":"categories"`}},
		{"unknown field", "POST", "/", "admin", `{"code":"UNK","kind":"free_shipping","stackable":true}`, 422, []string{`"field":"stackable"`}},
		{"wrong type", "POST", "/", "admin", `{"code":42,"kind":"free_shipping"}`, 422, nil},
		{"not JSON", "POST", "/", "admin", `code=x`, 415, nil},
		{"malformed JSON", "POST", "/", "admin", `{"code":`, 400, nil},
		{"list, newest first, with usage", "GET", "/", "admin", "", 200, []string{`"code":"SHIP_FREE"`, `"usage":{"reserved":0`}},
		{"read in any case", "GET", "/summer-26", "admin", "", 200, []string{`"code":"SUMMER-26"`, `"minSubtotal":{"amount":2500,"currency":"EUR"}`}},
		{"read unknown", "GET", "/NOPE-NOPE", "admin", "", 404, nil},
		{"read a malformed code", "GET", "/..%2F..", "admin", "", 404, nil},
		{"pause", "PATCH", "/SUMMER-26", "admin", `{"paused":true}`, 200, []string{`"paused":true`, `"maxUses":100`}},
		{"resume, lift the limit, drop the end and the minimum", "PATCH", "/summer-26", "admin",
			`{"paused":false,"maxUses":0,"validUntil":null,"minSubtotal":null}`, 200, []string{`"paused":false`, `"maxUses":0`, `"validFrom":"2026-03-01T00:00:00Z"`}},
		{"the end and minimum are gone", "GET", "/SUMMER-26", "admin", "", 200, nil},
		{"change the window", "PATCH", "/SUMMER-26", "admin", `{"validUntil":"2026-05-01T00:00:00Z"}`, 200, []string{`"validUntil":"2026-05-01T00:00:00Z"`}},
		{"invalid change", "PATCH", "/SUMMER-26", "admin", `{"maxUsesPerCustomer":-3,"validUntil":"2026-01-01T00:00:00Z"}`, 422,
			[]string{`"field":"validUntil"`, `"field":"maxUsesPerCustomer"`}},
		{"the kind cannot change", "PATCH", "/SUMMER-26", "admin", `{"kind":"percentage"}`, 422, []string{`"field":"kind"`}},
		{"change unknown", "PATCH", "/NOPE-NOPE", "admin", `{"paused":true}`, 404, nil},
		{"change as a customer", "PATCH", "/SUMMER-26", "customer", `{"paused":true}`, 403, nil},
	})
	// What the read after the change answered, exactly.
	req := httptest.NewRequest("GET", "/api/admin/discounts/SUMMER-26", nil)
	req.Header.Set("X-Test-Role", "admin")
	res, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	var got codeDTO
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.MinSubtotal != nil || got.ValidUntil == nil || got.Paused || got.MaxUses != 0 || got.Usage.Remaining != nil {
		t.Fatalf("after the changes: %+v", got)
	}
}

// TestCheckRefusals: every refusal a buyer can get, as the check answers
// it: the reason in the problem's type, 409 when other orders hold the
// uses, 422 otherwise.
func TestCheckRefusals(t *testing.T) {
	t.Parallel()
	app, svc := newApp(t)
	ctx := context.Background()
	eur := func(a int64) money.Money { m, _ := money.New(a, "EUR"); return m }
	specs := []discounts.Spec{
		{Code: "PAUSED", Kind: discounts.KindFreeShipping, Paused: true},
		{Code: "LATER", Kind: discounts.KindFreeShipping, Window: discounts.Window{From: t0.Add(time.Hour)}},
		{Code: "OVER", Kind: discounts.KindFreeShipping, Window: discounts.Window{Until: t0}},
		{Code: "MIN50", Kind: discounts.KindPercentage, PercentOff: 20, MinSubtotal: eur(5000)},
		{Code: "SHOES", Kind: discounts.KindPercentage, PercentOff: 20, Categories: []string{"Shoes"}},
		{Code: "EUROS", Kind: discounts.KindFixed, AmountOff: eur(500)},
		{Code: "ONCE", Kind: discounts.KindFixed, AmountOff: eur(100), MaxUses: 1},
		{Code: "ONE-EACH", Kind: discounts.KindFixed, AmountOff: eur(100), MaxUsesPerCustomer: 1},
	}
	for _, s := range specs {
		if _, err := svc.Create(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for _, code := range []string{"ONCE", "ONE-EACH"} {
		if _, err := svc.Reserve(ctx, code, "cust-1", "order-"+code, eur(1000), nil, t0); err != nil {
			t.Fatal(err)
		}
	}
	basket := func(amount int, currency string, extra string) string {
		return `{"subtotal":{"amount":` + itoa(amount) + `,"currency":"` + currency + `"},"customerKey":"cust-1"` + extra + `}`
	}
	urn := func(reason string) string { return `"type":"urn:evshop:discount:` + reason + `"` }
	run(t, app, []call{
		{"applies", "POST", "/MIN50/check", "admin", basket(5000, "EUR", ""), 200, []string{`"code":"MIN50"`}},
		{"unknown", "POST", "/NOPE/check", "admin", basket(5000, "EUR", ""), 404, nil},
		{"paused", "POST", "/PAUSED/check", "admin", basket(5000, "EUR", ""), 422, []string{urn("paused"), "paused"}},
		{"not yet valid", "POST", "/LATER/check", "admin", basket(5000, "EUR", ""), 422, []string{urn("not_yet_valid"), "2026-03-01T13:00:00Z"}},
		{"expired", "POST", "/OVER/check", "admin", basket(5000, "EUR", ""), 422, []string{urn("expired")}},
		{"minimum not met", "POST", "/min50/check", "admin", basket(4999, "EUR", ""), 422, []string{urn("minimum_not_met"), "50.00 EUR"}},
		{"no line of its categories", "POST", "/SHOES/check", "admin", basket(5000, "EUR", `,"categories":["Bags"]`), 422, []string{urn("not_applicable"), "Shoes"}},
		{"a line of its categories", "POST", "/SHOES/check", "admin", basket(5000, "EUR", `,"categories":["Bags","Shoes"]`), 200, nil},
		{"another currency", "POST", "/EUROS/check", "admin", basket(5000, "USD", ""), 422, []string{urn("not_applicable"), "EUR"}},
		{"used up", "POST", "/ONCE/check", "admin", basket(5000, "EUR", ""), 409, []string{urn("used_up")}},
		{"the customer's limit", "POST", "/ONE-EACH/check", "admin", basket(5000, "EUR", ""), 409, []string{urn("customer_limit")}},
		{"another customer", "POST", "/ONE-EACH/check", "admin", `{"subtotal":{"amount":5000,"currency":"EUR"},"customerKey":"cust-2"}`, 200,
			[]string{`"usage":{"reserved":1,"used":0,"released":0}`}},
		{"no customer: the customer's limit is not checked", "POST", "/ONE-EACH/check", "admin", `{"subtotal":{"amount":5000,"currency":"EUR"}}`, 200, nil},
		{"bad subtotal", "POST", "/ONCE/check", "admin", `{"subtotal":{"amount":-1,"currency":"EUR"}}`, 422, []string{`"field":"subtotal"`}},
		{"as a customer", "POST", "/ONCE/check", "customer", basket(5000, "EUR", ""), 403, nil},
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestRefusalProblem(t *testing.T) {
	t.Parallel()
	for _, r := range discounts.Refusals() {
		p, ok := RefusalProblem(errors.Join(r))
		want := http.StatusUnprocessableEntity
		if r.Conflict() {
			want = http.StatusConflict
		}
		if !ok || p.Status != want || p.Type != ProblemTypePrefix+r.Reason() || p.Detail == "" || len(p.Errors) != 1 || p.Errors[0].Field != "code" {
			t.Errorf("%s: %+v %v", r.Reason(), p, ok)
		}
	}
	if _, ok := RefusalProblem(errors.New("database down")); ok {
		t.Error("an error that is no refusal became a refusal problem")
	}
}
