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
	esmem "github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/notifier"
)

// TestOrderEmailBeforeItsOrderPlaced: with the event store, the notifier
// reads an order email's order from its stream — it takes no OrderPlaced
// from the bus and keeps no copy of it — so an email whose OrderPlaced the
// bus has not brought is sent once; without the store it subscribes to
// OrderPlaced and keeps a copy, and an email arriving first, or one whose
// stream does not hold the order, is refused for the bus to retry.
func TestOrderEmailBeforeItsOrderPlaced(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		withStore bool
		inStream  bool
		wantMails int
		wantRetry bool
	}{
		{"store holds the order", true, true, 1, false},
		{"store without the order", true, false, 0, true},
		{"no store", false, true, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			orderID, email := uuid.NewString(), "early@example.com"
			placed := map[string]any{
				"orderId": orderID, "customerId": customer, "email": email,
				"lines": []map[string]any{{"sku": "MUG", "name": "Blue Mug", "category": "kitchen", "quantity": 1,
					"unitPrice": money.DTO{Amount: 1250, Currency: "EUR"}}},
				"total": money.DTO{Amount: 1250, Currency: "EUR"}, "currency": "EUR",
				"shippingAddress": map[string]any{"name": "Early", "line1": "1 Rue", "city": "Paris", "postalCode": "75001", "country": "FR"},
				"payment":         map[string]any{"method": "stripe"},
				"placedAt":        time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
			store := esmem.New()
			if tt.inStream {
				data, _ := json.Marshal(placed)
				if _, err := store.Append(ctx, "order-"+orderID, eventstore.NoStream(),
					eventstore.EventData{ID: uuid.NewString(), Type: notifier.EventOrderPlaced, Data: data}); err != nil {
					t.Fatal(err)
				}
			}
			var events []notifier.StreamReader
			if tt.withStore {
				events = append(events, store)
			}
			h := newHarness(t, nil, events...)
			cancelled := event(notifier.EventOrderCancelled, "order-"+orderID, 1, map[string]any{"orderId": orderID, "reason": "payment declined"})
			err := h.n.Handle(ctx, cancelled)
			if got := len(h.outbox.To(email)); got != tt.wantMails {
				t.Fatalf("%d mails, want %d (err %v)", got, tt.wantMails, err)
			}
			if (err != nil) != tt.wantRetry || (err != nil && !errors.Is(err, notifier.ErrNotFound)) {
				t.Fatalf("err = %v, want a retry: %v", err, tt.wantRetry)
			}
			if subscribed := slices.Contains(h.n.EmailTypes(), notifier.EventOrderPlaced); subscribed == tt.withStore {
				t.Errorf("OrderPlaced subscribed: %v, want %v", subscribed, !tt.withStore)
			}
			if err := h.n.Handle(ctx, event(notifier.EventOrderPlaced, "order-"+orderID, 0, placed)); err != nil {
				t.Fatal(err)
			}
			if _, err := h.store.Order(ctx, orderID); (err == nil) == tt.withStore {
				t.Errorf("a copy of the order kept: %v, want %v", err == nil, !tt.withStore)
			}
		})
	}
}
