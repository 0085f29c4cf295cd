package notifier_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/notifier"
	"github.com/evshop/shop/platform/guestorder"
)

// TestGuestOrderEmailsCarryTheStatusLink: a guest order's confirmation
// carries the signed link to its status page (the only way a guest sees the
// order); a customer's order carries none.
func TestGuestOrderEmailsCarryTheStatusLink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, customerID, email string
		link                    bool
	}{
		{"guest", guestorder.CustomerID("grace@example.com"), "grace@example.com", true},
		{"customer", customer, "bob@example.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			ctx := context.Background()
			orderID := uuid.NewString()
			placedEv := event(notifier.EventOrderPlaced, "order-"+orderID, 0, map[string]any{
				"orderId": orderID, "customerId": tt.customerID, "email": tt.email, "guest": tt.link,
				"lines": []map[string]any{{"sku": "MUG", "name": "Blue Mug", "category": "kitchen", "quantity": 1,
					"unitPrice": money.DTO{Amount: 1250, Currency: "EUR"}}},
				"total": money.DTO{Amount: 1250, Currency: "EUR"}, "currency": "EUR",
				"shippingAddress": map[string]any{"name": "Grace", "line1": "1 Rue", "city": "Paris", "postalCode": "75001", "country": "FR"},
				"payment":         map[string]any{"method": "stripe"},
				"placedAt":        time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)})
			paid := event(notifier.EventOrderPaid, "order-"+orderID, 2, map[string]any{"orderId": orderID, "paymentId": "p1", "amount": money.DTO{Amount: 1250, Currency: "EUR"}})
			// The confirmation goes out when the paid order's invoice is numbered.
			invoiced := event(notifier.EventInvoiceIssued, "order-"+orderID, 3, map[string]any{"orderId": orderID, "number": "INV-000001"})
			for _, ev := range []eventstore.RecordedEvent{placedEv, paid, invoiced} {
				if err := h.handle(ctx, ev); err != nil {
					t.Fatal(err)
				}
			}
			got := h.outbox.To(tt.email)
			if len(got) != 1 {
				t.Fatalf("%d mails", len(got))
			}
			re := regexp.MustCompile(`https://shop\.example/orders/` + orderID + `\?token=([A-Za-z0-9._-]+)`)
			m := re.FindStringSubmatch(got[0].Text)
			if !tt.link {
				if m != nil || strings.Contains(got[0].HTML, "token=") {
					t.Fatalf("a customer's email carries a status link:\n%s", got[0].Text)
				}
				return
			}
			if m == nil || !strings.Contains(got[0].HTML, m[0]) {
				t.Fatalf("no status link:\n%s", got[0].Text)
			}
			if err := h.links.Verify(orderID, m[1]); err != nil {
				t.Fatalf("the link's token: %v", err)
			}
		})
	}
}
