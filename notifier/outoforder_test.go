package notifier_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/notifier"
)

// TestOrderEmailReadsTheOrderFromItsStream: an order email reads its order
// from the order's stream, where OrderPlaced is the first event, so it needs
// no OrderPlaced from the bus (the notifier does not subscribe to it, and
// handing it one changes nothing) and is sent once; when the stream holds no
// well-formed OrderPlaced, the email is refused for the bus to retry (and
// dead-letter).
func TestOrderEmailReadsTheOrderFromItsStream(t *testing.T) {
	t.Parallel()
	if slices.Contains(notifier.EmailEventTypes(), notifier.EventOrderPlaced) {
		t.Fatal("the notifier subscribes to OrderPlaced")
	}
	tests := []struct {
		name      string
		first     string // the stream's first event type, "" for an empty stream
		malformed bool
		wantMails int
		wantRetry bool
	}{
		{name: "stream holds the order", first: notifier.EventOrderPlaced, wantMails: 1},
		{name: "empty stream", wantRetry: true},
		{name: "malformed OrderPlaced", first: notifier.EventOrderPlaced, malformed: true, wantRetry: true},
		{name: "stream starts with another event", first: notifier.EventOrderShipped, wantRetry: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			orderID, email := uuid.NewString(), "early@example.com"
			var placed any = map[string]any{
				"orderId": orderID, "customerId": customer, "email": email,
				"lines": []map[string]any{{"sku": "MUG", "name": "Blue Mug", "category": "kitchen", "quantity": 1,
					"unitPrice": money.DTO{Amount: 1250, Currency: "EUR"}}},
				"total": money.DTO{Amount: 1250, Currency: "EUR"}, "currency": "EUR",
				"shippingAddress": map[string]any{"name": "Early", "line1": "1 Rue", "city": "Paris", "postalCode": "75001", "country": "FR"},
				"payment":         map[string]any{"method": "stripe"},
				"placedAt":        time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
			if tt.malformed {
				placed = []int{1, 2}
			}
			h := newHarness(t, nil)
			if tt.first != "" {
				data, _ := json.Marshal(placed)
				if _, err := h.events.Append(ctx, "order-"+orderID, eventstore.NoStream(),
					eventstore.EventData{ID: uuid.NewString(), Type: tt.first, Data: data}); err != nil {
					t.Fatal(err)
				}
			}
			// Handed an OrderPlaced all the same (an old binding), the notifier
			// does nothing with it.
			if err := h.n.Handle(ctx, event(notifier.EventOrderPlaced, "order-"+orderID, 0, placed)); err != nil {
				t.Fatal(err)
			}
			cancelled := event(notifier.EventOrderCancelled, "order-"+orderID, 1, map[string]any{"orderId": orderID, "reason": "payment declined"})
			for range 2 { // a redelivery sends nothing more
				err := h.n.Handle(ctx, cancelled)
				if (err != nil) != tt.wantRetry || (err != nil && !errors.Is(err, notifier.ErrNotFound)) {
					t.Fatalf("err = %v, want a retry: %v", err, tt.wantRetry)
				}
			}
			if got := len(h.outbox.To(email)); got != tt.wantMails {
				t.Fatalf("%d mails, want %d", got, tt.wantMails)
			}
		})
	}
}
