package gateway_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	apibasket "github.com/evshop/shop/api/basket"
	"github.com/evshop/shop/api/gateway"
	apiordering "github.com/evshop/shop/api/ordering"
	basketcmd "github.com/evshop/shop/commands/basket"
	ordercmd "github.com/evshop/shop/commands/ordering"
	"github.com/evshop/shop/discounts"
	discountsmem "github.com/evshop/shop/discounts/memstore"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/platform/guestorder"
	"github.com/evshop/shop/projections/baskets"
	"github.com/evshop/shop/projections/orders"
)

// shopRoutes is the basket and orders part of the shop, in memory, behind
// the test gateway: every answer is checked against openapi.json.
type shopRoutes struct {
	routes []gateway.Route
	prices sync.Map // SKU → minor units (default 1000 EUR)
	sync   func(t *testing.T)
	codes  *discounts.Service
}

func newShopRoutes(t *testing.T) *shopRoutes {
	t.Helper()
	s := &shopRoutes{}
	store := memory.New()
	log := slog.New(slog.DiscardHandler)
	orderCmds, err := ordercmd.NewHandlers(ordercmd.Config{Store: store, PaymentMethods: []string{"stripe"}})
	if err != nil {
		t.Fatal(err)
	}
	if s.codes, err = discounts.New(discounts.Config{Store: discountsmem.New()}); err != nil {
		t.Fatal(err)
	}
	products := basketcmd.ProductLookupFunc(func(_ context.Context, sku string) (basketcmd.Product, error) {
		amount := int64(1000)
		if v, ok := s.prices.Load(sku); ok {
			amount = v.(int64)
		}
		price, _ := money.New(amount, "EUR")
		return basketcmd.Product{SKU: sku, Name: "Product " + sku, Category: "misc", Price: price, WeightGrams: 300}, nil
	})
	basketCmds, err := basketcmd.NewHandlers(basketcmd.Config{Store: store, Products: products, Orders: orderCmds, Discounts: basketcmd.DiscountService{Service: s.codes}})
	if err != nil {
		t.Fatal(err)
	}
	links, err := guestorder.NewSigner(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	basketAPI, err := apibasket.New(apibasket.Deps{Commands: basketCmds, Reader: baskets.NewMemory(), Events: store, PaymentMethods: []string{"stripe"}, Log: log, OrderLinks: links})
	if err != nil {
		t.Fatal(err)
	}
	view := orders.NewMemory()
	projector, _ := orders.NewProjector(view)
	ordersAPI, err := apiordering.New(apiordering.Deps{Reader: view, Commands: orderCmds, Events: store, Log: log, OrderLinks: links})
	if err != nil {
		t.Fatal(err)
	}
	s.sync = func(t *testing.T) {
		ctx := context.Background()
		cp, _ := view.Checkpoint(ctx)
		for ev, err := range store.ReadAll(ctx, cp, projector.Filter()) {
			if err != nil {
				t.Fatal(err)
			}
			if err := projector.Handle(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	s.routes = []gateway.Route{{Prefix: "/api/basket", Mount: basketAPI.Mount}, {Prefix: "/api/orders", Mount: ordersAPI.Mount}}
	return s
}

func checkoutBody(email string) map[string]any {
	b := map[string]any{
		"shippingAddress": map[string]string{"name": "Grace", "line1": "1 Rue de Rivoli", "line2": "", "city": "Paris", "postalCode": "75001", "country": "FR"},
		"payment":         map[string]string{"method": "stripe"},
		"shippingMethod":  "standard",
	}
	if email != "" {
		b["email"] = email
	}
	return b
}

// TestGuestCheckoutThroughTheGateway: a guest with a basket cookie applies a
// code, reads the estimate, checks out with an email (CSRF applies), reads
// the order through its signed link; a changed price answers 409 with the
// changed lines; once the address registers and verifies, the guest orders
// are the account's. Every answer is checked against openapi.json.
func TestGuestCheckoutThroughTheGateway(t *testing.T) {
	t.Parallel()
	shop := newShopRoutes(t)
	s := newStack(t, options{routes: shop.routes})
	if _, err := shop.codes.Create(context.Background(), discounts.Spec{Code: "WELCOME10", Kind: discounts.KindPercentage, PercentOff: 10}); err != nil {
		t.Fatal(err)
	}
	guest := s.browser(t)
	guest.fetchCSRF()
	wantStatus(t, guest.do("POST", "/api/basket/items", map[string]any{"sku": "MUG", "quantity": 2}), 200)
	wantStatus(t, guest.do("POST", "/api/basket/discount", map[string]any{"code": "welcome10"}), 200)
	wantProblem(t, guest.do("POST", "/api/basket/discount", map[string]any{"code": "NOPE"}), 422)
	r := guest.do("GET", "/api/basket?country=FR&shippingMethod=standard", nil)
	wantStatus(t, r, 200)
	est := r.json(t)["estimate"].(map[string]any)
	if gross := est["breakdown"].(map[string]any)["gross"].(map[string]any)["amount"]; gross != float64(1800+495) {
		t.Fatalf("estimate %s", r.body)
	}
	wantProblem(t, guest.do("GET", "/api/basket?country=XX", nil), 422)

	// CSRF applies to guests as to everyone.
	csrf := guest.csrf
	guest.csrf = ""
	guest.headers["Idempotency-Key"] = "guest-checkout-1"
	wantProblem(t, guest.do("POST", "/api/basket/checkout", checkoutBody("grace@shop.test")), 403)
	guest.csrf = csrf
	wantProblem(t, guest.do("POST", "/api/basket/checkout", checkoutBody("")), 422)
	r = guest.do("POST", "/api/basket/checkout", checkoutBody("grace@shop.test"))
	wantStatus(t, r, 202)
	answer := r.json(t)
	orderID, tok := answer["orderId"].(string), answer["statusToken"].(string)
	if answer["statusUrl"] != "/orders/"+orderID+"?token="+tok {
		t.Fatalf("answer %s", r.body)
	}

	stranger := s.browser(t)
	r = stranger.do("GET", "/api/orders/"+orderID+"?token="+tok, nil)
	wantStatus(t, r, 200)
	if o := r.json(t); o["email"] != "grace@shop.test" || o["total"].(map[string]any)["amount"] != float64(1800+495) {
		t.Fatalf("order by link %s", r.body)
	}
	i := len(tok) - 5
	tampered := tok[:i] + map[bool]string{true: "B", false: "A"}[tok[i] == 'A'] + tok[i+1:]
	wantProblem(t, stranger.do("GET", "/api/orders/"+orderID+"?token="+tampered, nil), 404)
	wantProblem(t, stranger.do("GET", "/api/orders/3b241101-e2bb-4255-8caf-4136c566a962?token="+tok, nil), 404)
	wantProblem(t, stranger.do("GET", "/api/orders/"+orderID, nil), 401)

	// A price that changed since the line was added is shown, not charged.
	wantStatus(t, guest.do("POST", "/api/basket/items", map[string]any{"sku": "TEE", "quantity": 1}), 200)
	shop.prices.Store("TEE", int64(1300))
	guest.headers["Idempotency-Key"] = "guest-checkout-2"
	r = guest.do("POST", "/api/basket/checkout", checkoutBody("grace@shop.test"))
	wantProblem(t, r, 409)
	lines := r.json(t)["changedLines"].([]any)
	if len(lines) != 1 || lines[0].(map[string]any)["sku"] != "TEE" || lines[0].(map[string]any)["newUnitPrice"].(map[string]any)["amount"] != 1300.0 {
		t.Fatalf("changed lines %s", r.body)
	}
	r = guest.do("POST", "/api/basket/checkout", checkoutBody("grace@shop.test"))
	wantStatus(t, r, 202)
	second := r.json(t)["orderId"].(string)

	// The address registers and verifies: its guest orders are the account's.
	shop.sync(t)
	grace := s.browser(t)
	grace.signUp("grace@shop.test", password)
	r = grace.do("GET", "/api/orders", nil)
	wantStatus(t, r, 200)
	var ids []string
	for _, it := range r.json(t)["items"].([]any) {
		ids = append(ids, it.(map[string]any)["orderId"].(string))
	}
	if fmt.Sprint(ids) != fmt.Sprint([]string{second, orderID}) && fmt.Sprint(ids) != fmt.Sprint([]string{orderID, second}) {
		t.Fatalf("grace's orders %v, want %s and %s", ids, orderID, second)
	}
	wantStatus(t, grace.do("GET", "/api/orders/"+orderID, nil), 200)
	other := s.browser(t)
	other.signUp("other@shop.test", password)
	wantProblem(t, other.do("GET", "/api/orders/"+orderID, nil), 404)
	if r := other.do("GET", "/api/orders", nil); !strings.Contains(string(r.body), `"total":0`) {
		t.Fatalf("another account lists %s", r.body)
	}
}
