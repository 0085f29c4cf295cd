package basket

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/guestorder"
)

const address = `"shippingAddress":{"name":"Alice","line1":"1 Main St","line2":"","city":"Paris","postalCode":"75001","country":"FR"}`

func orderEvents(t *testing.T, e *env) int {
	t.Helper()
	n := 0
	for _, err := range e.store.ReadAll(context.Background(), 0, eventstore.Filter{StreamPrefixes: []string{"order-"}}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

// TestCheckoutPriceChange: a price that changed since the line was added is
// not charged: 409 problem+json with changedLines, the basket repriced (new
// ETag), no order; the retry (same key or a new one) then places the order
// at the new prices, and a replay of the successful key returns it again.
func TestCheckoutPriceChange(t *testing.T) {
	t.Parallel()
	for _, retryKey := range []string{"checkout-0001", "checkout-0002"} {
		t.Run("retry with "+retryKey, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			alice := func(r req) req { r.token = "alice"; return r }
			expect(t, "add MUG", e.do(t, alice(req{method: "POST", path: "/api/basket/items", body: `{"sku":"MUG","quantity":2}`})), 200, `"1"`)
			expect(t, "add TEE", e.do(t, alice(req{method: "POST", path: "/api/basket/items", body: `{"sku":"TEE","quantity":1}`})), 200, `"2"`)
			expect(t, "add CAP", e.do(t, alice(req{method: "POST", path: "/api/basket/items", body: `{"sku":"CAP","quantity":1}`})), 200, `"3"`)
			e.prices.Store("MUG", int64(1250))
			e.prices.Store("CAP", int64(-1))
			body := `{` + address + `,"payment":{"method":"stripe"},"shippingMethod":"standard"}`
			r := e.do(t, alice(req{method: "POST", path: "/api/basket/checkout", body: body, idemKey: "checkout-0001", ifMatch: `"3"`}))
			expect(t, "checkout at old prices", r, 409, `"5"`)
			lines, _ := r.body["changedLines"].([]any)
			if len(lines) != 2 {
				t.Fatalf("changedLines: %s", r.raw)
			}
			mug, capLine := lines[0].(map[string]any), lines[1].(map[string]any)
			if mug["sku"] != "MUG" || mug["name"] != "Product MUG" || mug["oldUnitPrice"].(map[string]any)["amount"] != 1000.0 ||
				mug["newUnitPrice"].(map[string]any)["amount"] != 1250.0 || mug["removed"] != false {
				t.Fatalf("MUG change: %v", mug)
			}
			if capLine["sku"] != "CAP" || capLine["newUnitPrice"] != nil || capLine["removed"] != true {
				t.Fatalf("CAP change: %v", capLine)
			}
			if r.body["status"] != 409.0 || r.body["type"] == nil || r.body["instance"] != "/api/basket/checkout" {
				t.Fatalf("not a problem: %s", r.raw)
			}
			if n := orderEvents(t, e); n != 0 {
				t.Fatalf("%d order events after a refused checkout", n)
			}
			g := e.do(t, alice(req{method: "GET", path: "/api/basket"}))
			expect(t, "repriced basket", g, 200, `"5"`)
			if q := quantities(g.body); len(q) != 2 || g.body["total"].(map[string]any)["amount"] != 3500.0 {
				t.Fatalf("repriced basket: %s", g.raw)
			}

			expect(t, "confirm with the stale ETag", e.do(t, alice(req{method: "POST", path: "/api/basket/checkout", body: body, idemKey: retryKey, ifMatch: `"3"`})), 412, "")
			r = e.do(t, alice(req{method: "POST", path: "/api/basket/checkout", body: body, idemKey: retryKey, ifMatch: `"5"`}))
			expect(t, "confirm", r, 202, `"6"`)
			orderID := r.body["orderId"].(string)
			o, err := e.orders.Load(context.Background(), orderID)
			if err != nil || o.Total().Amount() != 3500+495 { // standard shipping to FR
				t.Fatalf("order %v %v", o, err)
			}
			e.prices.Store("TEE", int64(5000))
			r = e.do(t, alice(req{method: "POST", path: "/api/basket/checkout", body: body, idemKey: retryKey, ifMatch: `"5"`}))
			expect(t, "replay", r, 202, "")
			if r.body["orderId"] != orderID || orderEvents(t, e) != 1 {
				t.Fatalf("replay gave %s", r.raw)
			}
		})
	}
}

func newGuestEnv(t *testing.T) (*env, *guestorder.Signer) {
	t.Helper()
	e := newEnv(t)
	links, err := guestorder.NewSigner(bytes.Repeat([]byte{42}, 32))
	if err != nil {
		t.Fatal(err)
	}
	e.deps.OrderLinks = links
	e.mount(t)
	return e, links
}

// TestGuestCheckout: without a session, the guest basket is checked out with
// an email; the answer carries a signed status link to that order.
func TestGuestCheckout(t *testing.T) {
	t.Parallel()
	e, links := newGuestEnv(t)
	body := func(email string) string {
		return `{` + address + `,"shippingMethod":"standard","payment":{"method":"sandbox","cardNumber":"` + card + `"}` + email + `}`
	}
	r := e.do(t, req{method: "POST", path: "/api/basket/checkout", body: body(`,"email":"grace@example.com"`), idemKey: "guest-key-01"})
	expect(t, "guest without a basket", r, 409, "")
	r = e.do(t, req{method: "POST", path: "/api/basket/items", body: `{"sku":"MUG","quantity":2}`})
	expect(t, "guest add", r, 200, `"1"`)
	ck := r.cookie

	tests := []struct {
		name   string
		r      req
		status int
		field  string
	}{
		{"guest without email", req{body: body(""), cookie: ck}, 422, "email"},
		{"guest with a bad email", req{body: body(`,"email":"not an address"`), cookie: ck}, 422, "email"},
		{"signed in with email", req{body: body(`,"email":"grace@example.com"`), token: "alice"}, 422, "email"},
		{"guest with a bad card", req{body: strings.Replace(body(`,"email":"grace@example.com"`), card, "4000 0000 0000 0001", 1), cookie: ck}, 422, "payment.cardNumber"},
	}
	for _, tt := range tests {
		tt.r.method, tt.r.path, tt.r.idemKey = "POST", "/api/basket/checkout", "guest-key-01"
		r := e.do(t, tt.r)
		expect(t, tt.name, r, tt.status, "")
		if errs, _ := r.body["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != tt.field {
			t.Fatalf("%s: %s", tt.name, r.raw)
		}
		if strings.Contains(r.raw, "4000") || strings.Contains(r.raw, "4242") {
			t.Fatalf("%s: card number echoed", tt.name)
		}
	}

	r = e.do(t, req{method: "POST", path: "/api/basket/checkout", body: body(`,"email":"Grace@Example.com"`), idemKey: "guest-key-01", cookie: ck})
	expect(t, "guest checkout", r, 202, `"2"`)
	orderID, _ := r.body["orderId"].(string)
	tok, _ := r.body["statusToken"].(string)
	if err := links.Verify(orderID, tok); err != nil {
		t.Fatalf("status token: %v (%s)", err, r.raw)
	}
	if r.body["statusUrl"] != "/orders/"+orderID+"?token="+tok || r.header.Get("Location") != "/api/orders/"+orderID+"?token="+tok {
		t.Fatalf("links: %s %v", r.raw, r.header)
	}
	o, err := e.orders.Load(context.Background(), orderID)
	if err != nil || o.CustomerID() != guestorder.CustomerID("grace@example.com") || o.Email() != "Grace@Example.com" || o.Total().Amount() != 2000+495 {
		t.Fatalf("order %+v %v", o, err)
	}
	r = e.do(t, req{method: "POST", path: "/api/basket/checkout", body: body(`,"email":"Grace@Example.com"`), idemKey: "guest-key-01", cookie: ck})
	expect(t, "guest replay", r, 202, "")
	if r.body["orderId"] != orderID || orderEvents(t, e) != 1 {
		t.Fatalf("replay: %s", r.raw)
	}
	r = e.do(t, req{method: "GET", path: "/api/basket", cookie: ck})
	if len(quantities(r.body)) != 0 {
		t.Fatalf("guest basket not emptied: %s", r.raw)
	}
	// Another visitor's cookie is another basket: empty, so nothing to order.
	other := e.do(t, req{method: "POST", path: "/api/basket/items", body: `{"sku":"TEE","quantity":1}`}).cookie
	r = e.do(t, req{method: "POST", path: "/api/basket/checkout", body: body(`,"email":"grace@example.com"`), idemKey: "guest-key-01", cookie: other})
	expect(t, "same key, other guest", r, 202, "")
	if r.body["orderId"] == orderID {
		t.Fatal("two guests' baskets made the same order id")
	}
}

// TestCheckoutNeedsSignInWithoutOrderLinks: a basket API without a link
// signer keeps checkout to signed-in customers.
func TestCheckoutNeedsSignInWithoutOrderLinks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do(t, req{method: "POST", path: "/api/basket/items", body: `{"sku":"MUG","quantity":2}`})
	r = e.do(t, req{method: "POST", path: "/api/basket/checkout", cookie: r.cookie, idemKey: "guest-key-01",
		body: `{` + address + `,"payment":{"method":"stripe"},"email":"grace@example.com"}`})
	expect(t, "guest checkout", r, 401, "")
}
