package ordering

import (
	"context"
	"testing"

	ordercmd "github.com/evshop/shop/commands/ordering"
	"github.com/evshop/shop/domain/money"
	domain "github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/platform/guestorder"
)

const (
	graceID      = "96ace000-0000-4000-8000-000000000005"
	guestOrderID = "3b241101-e2bb-4255-8caf-4136c566a963"
)

// placeGuestOrder places what a guest checkout with grace@example.com places.
func (e *env) placeGuestOrder(t *testing.T, id string) {
	t.Helper()
	err := e.cmds.PlaceOrder(context.Background(), &ordercmd.PlaceOrder{OrderID: id, CustomerID: guestorder.CustomerID("grace@example.com"), Email: "grace@example.com",
		Lines:           []domain.LineDTO{{SKU: "TEE", Name: "Tee", Quantity: 1, UnitPrice: money.DTO{Amount: 1500, Currency: "EUR"}}},
		ShippingAddress: domain.AddressDTO{Name: "Grace", Line1: "2 Main", City: "Lyon", PostalCode: "69001", Country: "FR"},
		Payment:         domain.PaymentDTO{Method: "sandbox", Token: "tok_sandbox_success", Last4: "4242"}})
	if err != nil {
		t.Fatal(err)
	}
}

// TestGuestOrderLink: the signed link reads that guest order without a
// session; a tampered token, another order's token or a token for a
// customer's order used on another id are all the 404 of a missing order.
func TestGuestOrderLink(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.placeGuestOrder(t, guestOrderID)
	tok := e.links.Token(guestOrderID)
	i := len(tok) - 5 // a character of the MAC
	tampered := tok[:i] + map[bool]string{true: "B", false: "A"}[tok[i] == 'A'] + tok[i+1:]
	tests := []struct {
		name, path, token string
		status            int
	}{
		{"link without a session", "/api/orders/" + guestOrderID + "?token=" + tok, "", 200},
		{"link with someone else's session", "/api/orders/" + guestOrderID + "?token=" + tok, "bob", 200},
		{"tampered token", "/api/orders/" + guestOrderID + "?token=" + tampered, "", 404},
		{"tampered token with a session", "/api/orders/" + guestOrderID + "?token=" + tampered, "bob", 404},
		{"another order's token", "/api/orders/" + orderID + "?token=" + tok, "", 404},
		{"empty token", "/api/orders/" + guestOrderID + "?token=", "", 404},
		{"malformed id with a token", "/api/orders/nope?token=" + tok, "", 404},
		{"no token, no session", "/api/orders/" + guestOrderID, "", 401},
		{"no token, another customer", "/api/orders/" + guestOrderID, "bob", 404},
		{"a valid token of an order not placed", "/api/orders/3b241101-e2bb-4255-8caf-4136c566a964?token=" + e.links.Token("3b241101-e2bb-4255-8caf-4136c566a964"), "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, raw := e.do(t, "GET", tt.path, tt.token, "")
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, raw)
			}
			if status == 200 && (body["orderId"] != guestOrderID || body["email"] != "grace@example.com" || len(body["history"].([]any)) != 1) {
				t.Fatalf("order: %s", raw)
			}
		})
	}
}

// TestGuestOrdersAppearInTheAccount: the account that signs in with the
// guest's (verified) address lists and reads the guest orders as its own.
func TestGuestOrdersAppearInTheAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.placeGuestOrder(t, guestOrderID)
	e.sync()
	for _, tt := range []struct {
		who   string
		total float64
	}{{"grace", 1}, {"alice", 1}, {"bob", 0}} {
		status, body, raw := e.do(t, "GET", "/api/orders", tt.who, "")
		if status != 200 || body["total"].(float64) != tt.total {
			t.Fatalf("%s lists %s", tt.who, raw)
		}
		if tt.who == "grace" && body["items"].([]any)[0].(map[string]any)["orderId"] != guestOrderID {
			t.Fatalf("grace lists %s", raw)
		}
	}
	if status, _, raw := e.do(t, "GET", "/api/orders/"+guestOrderID, "grace", ""); status != 200 {
		t.Fatalf("grace reads her guest order: %d %s", status, raw)
	}
	if status, _, _ := e.do(t, "GET", "/api/orders/"+orderID, "grace", ""); status != 404 {
		t.Fatalf("grace reads alice's order: %d", status)
	}
	// The guest order's invoice too, signed in; not someone else.
	ctx := context.Background()
	if err := e.cmds.MarkOrderPaid(ctx, &ordercmd.MarkOrderPaid{OrderID: guestOrderID, PaymentID: "p-g", Amount: money.DTO{Amount: 1500, Currency: "EUR"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.cmds.IssueInvoice(ctx, &ordercmd.IssueInvoice{OrderID: guestOrderID, Number: "INV-000050", Sequence: 50}); err != nil {
		t.Fatal(err)
	}
	for who, want := range map[string]int{"grace": 200, "bob": 404, "support": 200} {
		if status, body, raw := e.do(t, "GET", "/api/orders/"+guestOrderID+"/invoice", who, ""); status != want || (want == 200 && body["number"] != "INV-000050") {
			t.Errorf("%s reads the guest order's invoice: %d (want %d) %s", who, status, want, raw)
		}
	}
}
