package basket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/evshop/shop/api/apitest"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"

	basketcmd "github.com/evshop/shop/commands/basket"
	ordercmd "github.com/evshop/shop/commands/ordering"
	"github.com/evshop/shop/discounts"
	discountsmem "github.com/evshop/shop/discounts/memstore"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/authn/authntest"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/projections/baskets"
)

const (
	aliceID = "a11ce000-0000-4000-8000-000000000001"
	card    = "4242 4242 4242 4242"
)

// verifier is a tiny test Verifier: the token is the principal's name.
type verifier = authntest.Verifier

type env struct {
	app       *fiber.App
	store     *memory.Store
	projector *baskets.Projector
	view      *baskets.Memory
	orders    *ordercmd.Handlers
	deps      Deps
	// prices overrides the catalog's price of a SKU (default 1000 EUR); a
	// negative one means archived.
	prices sync.Map
	// codes is the discounts service the basket checks and reserves codes with.
	codes *discounts.Service
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvAccepting(t, false, []string{"sandbox", "stripe", "paypal"}, []string{"sandbox", "stripe", "paypal"})
}

// newEnvCookies is newEnv for an HTTPS shop (secure) or a plain-HTTP one.
func newEnvCookies(t *testing.T, secure bool) *env {
	return newEnvAccepting(t, secure, []string{"sandbox", "stripe", "paypal"}, []string{"sandbox", "stripe", "paypal"})
}

// newEnvAccepting builds the API (secure: for HTTPS) accepting apiMethods in
// front of an ordering service accepting orderMethods (the same list in a
// real shop).
func newEnvAccepting(t *testing.T, secure bool, apiMethods, orderMethods []string) *env {
	t.Helper()
	store := memory.New()
	orders, err := ordercmd.NewHandlers(ordercmd.Config{Store: store, PaymentMethods: orderMethods})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{store: store, orders: orders}
	products := basketcmd.ProductLookupFunc(func(_ context.Context, sku string) (basketcmd.Product, error) {
		if sku == "GHOST" {
			return basketcmd.Product{}, basketcmd.ErrUnknownProduct
		}
		amount := int64(1000)
		if v, ok := e.prices.Load(sku); ok {
			amount = v.(int64)
		}
		price, _ := money.New(max(amount, 1), "EUR")
		return basketcmd.Product{SKU: sku, Name: "Product " + sku, Category: "misc", Price: price, Archived: amount < 0}, nil
	})
	codes, err := discounts.New(discounts.Config{Store: discountsmem.New()})
	if err != nil {
		t.Fatal(err)
	}
	e.codes = codes
	cmds, err := basketcmd.NewHandlers(basketcmd.Config{Store: store, Products: products, Orders: orders, Discounts: basketcmd.DiscountService{Service: codes}})
	if err != nil {
		t.Fatal(err)
	}
	view := baskets.NewMemory()
	projector, _ := baskets.NewProjector(view)
	tokenizer := TokenizerFunc(func(_ context.Context, n string) (Card, error) {
		if n != card {
			return Card{}, errors.New("sandbox: not a valid test card number")
		}
		return Card{Token: "tok_sandbox_success", Last4: "4242"}, nil
	})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.projector, e.view, e.deps = projector, view, Deps{Commands: cmds, Reader: view, Events: store, Tokenizer: tokenizer, PaymentMethods: apiMethods, Log: log, SecureCookie: secure,
		Verifier: verifier{"alice": {UserID: aliceID, Email: "alice@example.com", Roles: []authn.Role{authn.RoleCustomer}}}}
	e.mount(t)
	return e
}

func (e *env) mount(t *testing.T) {
	t.Helper()
	api, err := New(e.deps)
	if err != nil {
		t.Fatal(err)
	}
	e.app = fiber.New(httpx.AppConfig(e.deps.Log))
	api.Mount(e.app.Group("/api/basket"))
}

// withReader serves GET from another read model.
func (e *env) withReader(t *testing.T, r Reader) {
	t.Helper()
	e.deps.Reader = r
	e.mount(t)
}

// catchUp runs the projector over everything appended so far, as the relay
// would.
func (e *env) catchUp(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	cp, _ := e.view.Checkpoint(ctx)
	for ev, err := range e.store.ReadAll(ctx, cp, e.projector.Filter()) {
		if err != nil {
			t.Fatal(err)
		}
		if err := e.projector.Handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
}

type req struct {
	method, path, body string
	token, ifMatch     string
	ifNoneMatch        string
	idemKey            string
	cookie             *http.Cookie
}

type resp struct {
	status int
	etag   string
	body   map[string]any
	raw    string
	header http.Header
	cookie *http.Cookie
}

func (e *env) do(t *testing.T, r req) resp {
	t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	if r.body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	if r.ifMatch != "" {
		hr.Header.Set("If-Match", r.ifMatch)
	}
	if r.ifNoneMatch != "" {
		hr.Header.Set("If-None-Match", r.ifNoneMatch)
	}
	if r.idemKey != "" {
		hr.Header.Set(HeaderIdempotencyKey, r.idemKey)
	}
	if r.cookie != nil {
		hr.AddCookie(r.cookie)
	}
	res, err := e.app.Test(hr, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	// Every answer is one the API's document gives (and every request it
	// accepted one the document accepts).
	check := httptest.NewRequest(r.method, strings.TrimSuffix(r.path, "/"), nil)
	check.Header = hr.Header.Clone()
	check.Header.Set("X-CSRF-Token", "t") // the gateway's check, not this API's
	var sent []byte
	if r.body != "" {
		sent = []byte(r.body)
	}
	apitest.Check(t, check, sent, res.StatusCode, res.Header, raw)
	out := resp{status: res.StatusCode, etag: res.Header.Get("ETag"), raw: string(raw), header: res.Header}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &out.body)
	}
	for _, c := range res.Cookies() {
		if c.Name == GuestCookie || c.Name == GuestCookieSecure {
			out.cookie = c
		}
	}
	return out
}

func quantities(b map[string]any) map[string]float64 {
	out := map[string]float64{}
	lines, _ := b["lines"].([]any)
	for _, l := range lines {
		m := l.(map[string]any)
		out[m["sku"].(string)] = m["quantity"].(float64)
	}
	return out
}

func expect(t *testing.T, step string, got resp, status int, etag string) {
	t.Helper()
	if got.status != status {
		t.Fatalf("%s: status %d, want %d: %s", step, got.status, status, got.raw)
	}
	if etag != "" && got.etag != etag {
		t.Fatalf("%s: ETag %q, want %q", step, got.etag, etag)
	}
	if status >= 400 && got.header.Get("Content-Type") != httpx.ContentTypeProblem {
		t.Fatalf("%s: error without problem+json: %s", step, got.header.Get("Content-Type"))
	}
}

// TestJourney: add → change → remove → checkout over HTTP, with ETags,
// a stale If-Match, the read model serving GET, and an idempotent checkout.
func TestJourney(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := func(r req) req { r.token = "alice"; return r }

	r := e.do(t, alice(req{method: "GET", path: "/api/basket"}))
	expect(t, "empty GET", r, 200, `"0"`)

	r = e.do(t, alice(req{method: "POST", path: "/api/basket/items", body: `{"sku":"MUG","quantity":2}`}))
	expect(t, "add MUG", r, 200, `"1"`)
	r = e.do(t, alice(req{method: "POST", path: "/api/basket/items", body: `{"sku":"TEE","quantity":1}`, ifMatch: `"1"`}))
	expect(t, "add TEE", r, 200, `"2"`)

	r = e.do(t, alice(req{method: "PATCH", path: "/api/basket/items/MUG", body: `{"quantity":5}`, ifMatch: `"2"`}))
	expect(t, "change MUG", r, 200, `"3"`)
	if q := quantities(r.body); q["MUG"] != 5 || q["TEE"] != 1 {
		t.Fatalf("after change: %v", q)
	}
	if total := r.body["total"].(map[string]any); total["amount"].(float64) != 6000 || total["currency"] != "EUR" {
		t.Fatalf("total %v", total)
	}

	r = e.do(t, alice(req{method: "PATCH", path: "/api/basket/items/MUG", body: `{"quantity":7}`, ifMatch: `"2"`}))
	expect(t, "stale If-Match", r, 412, "")
	r = e.do(t, alice(req{method: "PATCH", path: "/api/basket/items/MUG", body: `{"quantity":7}`, ifMatch: `"banana"`}))
	expect(t, "foreign If-Match", r, 412, "")

	r = e.do(t, alice(req{method: "DELETE", path: "/api/basket/items/TEE", ifMatch: `W/"3"`}))
	expect(t, "remove TEE", r, 200, `"4"`)

	e.catchUp(t)
	r = e.do(t, alice(req{method: "GET", path: "/api/basket"}))
	expect(t, "GET from read model", r, 200, `"4"`)
	if q := quantities(r.body); len(q) != 1 || q["MUG"] != 5 {
		t.Fatalf("read model: %v", q)
	}

	checkoutBody := `{"shippingAddress":{"name":"Alice","line1":"1 Main St","line2":"","city":"Paris","postalCode":"75001","country":"FR"},
		"payment":{"method":"sandbox","cardNumber":"` + card + `"},"shippingMethod":"standard"}`
	r = e.do(t, alice(req{method: "POST", path: "/api/basket/checkout", body: checkoutBody}))
	expect(t, "checkout without key", r, 400, "")
	r = e.do(t, alice(req{method: "POST", path: "/api/basket/checkout", body: checkoutBody, idemKey: "bad key"}))
	expect(t, "checkout with bad key", r, 400, "")
	r = e.do(t, alice(req{method: "POST", path: "/api/basket/checkout", idemKey: "checkout-0001",
		body: strings.Replace(checkoutBody, card, "4000 0000 0000 0001", 1)}))
	expect(t, "checkout with bad card", r, 422, "")
	if strings.Contains(r.raw, "4000") {
		t.Fatalf("card number echoed: %s", r.raw)
	}

	r = e.do(t, alice(req{method: "POST", path: "/api/basket/checkout", body: checkoutBody, idemKey: "checkout-0001"}))
	expect(t, "checkout", r, 202, `"5"`)
	orderID, _ := r.body["orderId"].(string)
	if orderID == "" || r.header.Get("Location") != "/api/orders/"+orderID {
		t.Fatalf("checkout answer %s %v", r.raw, r.header)
	}
	r = e.do(t, alice(req{method: "POST", path: "/api/basket/checkout", body: checkoutBody, idemKey: "checkout-0001"}))
	expect(t, "checkout replay", r, 202, "")
	if r.body["orderId"] != orderID {
		t.Fatalf("same key gave order %v, want %s", r.body["orderId"], orderID)
	}
	o, err := e.orders.Load(context.Background(), orderID)
	if err != nil || o.Total().Amount() != 5000 || o.Email() != "alice@example.com" {
		t.Fatalf("order %v %v", o, err)
	}
	n := 0
	for ev := range e.store.ReadAll(context.Background(), 0, eventstore.Filter{StreamPrefixes: []string{"order-"}}) {
		if strings.Contains(string(ev.Data), "4242 4242") || strings.Contains(string(ev.Data), "4242424242424242") {
			t.Fatalf("card number stored in %s", ev.Type)
		}
		n++
	}
	if n != 1 {
		t.Fatalf("%d order events, want exactly one OrderPlaced", n)
	}

	e.catchUp(t)
	r = e.do(t, alice(req{method: "GET", path: "/api/basket"}))
	expect(t, "basket after checkout", r, 200, `"5"`)
	if len(quantities(r.body)) != 0 {
		t.Fatalf("basket not emptied: %s", r.raw)
	}
	r = e.do(t, alice(req{method: "POST", path: "/api/basket/checkout", body: checkoutBody, idemKey: "checkout-0002"}))
	expect(t, "checkout empty basket", r, 409, "")
}

func TestGuestBasketAndMerge(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do(t, req{method: "GET", path: "/api/basket"})
	expect(t, "anonymous GET", r, 200, `"0"`)
	if r.cookie != nil {
		t.Fatal("a read must not mint a guest cookie")
	}
	r = e.do(t, req{method: "POST", path: "/api/basket/items", body: `{"sku":"MUG","quantity":2}`})
	expect(t, "guest add", r, 200, `"1"`)
	ck := r.cookie
	if ck == nil || !ck.HttpOnly || ck.Value == "" {
		t.Fatalf("guest cookie %+v", ck)
	}
	r = e.do(t, req{method: "POST", path: "/api/basket/items", body: `{"sku":"TEE","quantity":1}`, cookie: ck})
	expect(t, "guest add again", r, 200, `"2"`)
	if strings.Contains(r.raw, ck.Value) {
		t.Fatal("the guest token must not appear in bodies")
	}
	r = e.do(t, req{method: "POST", path: "/api/basket/merge", cookie: ck})
	expect(t, "merge needs sign-in", r, 401, "")
	r = e.do(t, req{method: "POST", path: "/api/basket/items", body: `{"sku":"MUG","quantity":1}`, token: "alice"})
	expect(t, "alice add", r, 200, `"1"`)
	r = e.do(t, req{method: "POST", path: "/api/basket/merge", token: "alice", cookie: ck})
	expect(t, "merge", r, 204, "")
	if r.cookie == nil || r.cookie.MaxAge >= 0 && r.cookie.Value != "" {
		t.Fatalf("guest cookie not cleared: %+v", r.cookie)
	}
	e.catchUp(t)
	r = e.do(t, req{method: "GET", path: "/api/basket", token: "alice"})
	if q := quantities(r.body); q["MUG"] != 3 || q["TEE"] != 1 {
		t.Fatalf("merged basket %v", q)
	}
	r = e.do(t, req{method: "GET", path: "/api/basket", cookie: ck})
	if len(quantities(r.body)) != 0 {
		t.Fatalf("guest basket not emptied: %s", r.raw)
	}
	r = e.do(t, req{method: "GET", path: "/api/basket", cookie: &http.Cookie{Name: GuestCookie, Value: "../../etc"}})
	expect(t, "garbage cookie reads as empty", r, 200, `"0"`)
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tests := []struct {
		r      req
		status int
	}{
		{req{method: "POST", path: "/api/basket/items", body: `{"sku":"MUG"`}, 400},
		{req{method: "POST", path: "/api/basket/items", body: `{"sku":"MUG","quantity":1,"price":1}`}, 422},
		{req{method: "POST", path: "/api/basket/items", body: `{"sku":"MUG","quantity":100}`}, 422},
		{req{method: "POST", path: "/api/basket/items", body: `{"sku":"MUG","quantity":"2"}`}, 422},
		{req{method: "POST", path: "/api/basket/items", body: `{"sku":"a b","quantity":1}`}, 422},
		{req{method: "POST", path: "/api/basket/items", body: `{"sku":"GHOST","quantity":1}`}, 422},
		{req{method: "PATCH", path: "/api/basket/items/MUG", body: `{"quantity":0}`, token: "alice"}, 422},
		{req{method: "PATCH", path: "/api/basket/items/NOPE", body: `{"quantity":1}`, token: "alice"}, 404},
		{req{method: "DELETE", path: "/api/basket/items/NOPE", token: "alice"}, 404},
		{req{method: "POST", path: "/api/basket/checkout", body: `{}`, idemKey: "abcdefgh12"}, 401},
		{req{method: "POST", path: "/api/basket/checkout", token: "alice", idemKey: "abcdefgh12",
			body: `{"shippingAddress":{"name":"A","line1":"x","line2":"","city":"y","postalCode":"1","country":"FR"},"payment":{"method":"stripe","cardNumber":"4242"}}`}, 422},
		{req{method: "POST", path: "/api/basket/checkout", token: "alice", idemKey: "abcdefgh12",
			body: `{"shippingAddress":{"name":"A","line1":"x","line2":"","city":"y","postalCode":"1","country":"France"},"payment":{"method":"stripe"}}`}, 422},
		{req{method: "GET", path: "/api/basket", token: "forged"}, 401},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprint(i, tt.r.method, tt.r.path), func(t *testing.T) {
			expect(t, tt.r.body, e.do(t, tt.r), tt.status, "")
		})
	}
}

// TestCheckoutOnlyWithAcceptedMethods: a shop taking Stripe refuses a
// checkout naming the sandbox (or any other method it does not offer) with
// 422 problem+json, and no order stream exists. Behind the API, the order
// itself refuses such a method (a domain error, also 422).
func TestCheckoutOnlyWithAcceptedMethods(t *testing.T) {
	t.Parallel()
	address := `"shippingAddress":{"name":"Alice","line1":"1 Main St","line2":"","city":"Paris","postalCode":"75001","country":"FR"}`
	tests := []struct {
		name                     string
		apiMethods, orderMethods []string
		payment                  string
		status                   int
	}{
		{"sandbox in a stripe shop", []string{"stripe"}, []string{"stripe"}, `{"method":"sandbox","cardNumber":"` + card + `"}`, 422},
		{"paypal in a stripe shop", []string{"stripe"}, []string{"stripe"}, `{"method":"paypal"}`, 422},
		{"unknown method", []string{"stripe"}, []string{"stripe"}, `{"method":"cash"}`, 422},
		{"no method", []string{"stripe", "paypal"}, []string{"stripe", "paypal"}, `{}`, 422},
		{"the API refuses before the order is asked", []string{"stripe"}, []string{"sandbox", "stripe"}, `{"method":"sandbox","cardNumber":"` + card + `"}`, 422},
		{"the order refuses what the API let through", []string{"stripe", "paypal"}, []string{"stripe"}, `{"method":"paypal"}`, 422},
		{"stripe in a stripe shop", []string{"stripe"}, []string{"stripe"}, `{"method":"stripe"}`, 202},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnvAccepting(t, false, tt.apiMethods, tt.orderMethods)
			alice := func(r req) req { r.token = "alice"; return r }
			expect(t, "add", e.do(t, alice(req{method: "POST", path: "/api/basket/items", body: `{"sku":"MUG","quantity":2}`})), 200, `"1"`)
			r := e.do(t, alice(req{method: "POST", path: "/api/basket/checkout", idemKey: "checkout-0001", body: `{` + address + `,"shippingMethod":"standard","payment":` + tt.payment + `}`}))
			expect(t, "checkout", r, tt.status, "")
			if strings.Contains(r.raw, "4242") {
				t.Fatalf("card number echoed: %s", r.raw)
			}
			orders := 0
			for _, err := range e.store.ReadAll(context.Background(), 0, eventstore.Filter{StreamPrefixes: []string{"order-"}}) {
				if err != nil {
					t.Fatal(err)
				}
				orders++
			}
			if want := map[bool]int{true: 1, false: 0}[tt.status == 202]; orders != want {
				t.Fatalf("%d order events recorded, want %d", orders, want)
			}
		})
	}
}
