package ordering

import (
	"context"
	"encoding/json"
	"testing"

	domain "github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
)

// TestStoredEventsStillLoad: order events as stored before payment methods
// were restricted and refunds were named — a sandbox order, and an
// OrderRefunded of part of the total without refundId or refundedTotal —
// load in a shop that now accepts Stripe only, and keep their meaning.
func TestStoredEventsStillLoad(t *testing.T) {
	t.Parallel()
	placed := `{"orderId":"` + orderID + `","customerId":"c0ffee00-0000-4000-8000-000000000001","email":"ada@example.com",
		"lines":[{"sku":"MUG","name":"Mug","category":"kitchen","quantity":2,"unitPrice":{"amount":1250,"currency":"EUR"}}],
		"total":{"amount":2500,"currency":"EUR"},"currency":"EUR",
		"shippingAddress":{"name":"Ada","line1":"1 Main","line2":"","city":"Paris","postalCode":"75001","country":"FR"},
		"payment":{"method":"sandbox","token":"tok_sandbox_success","last4":"4242"},"placedAt":"2026-01-02T03:04:05Z"}`
	tests := []struct {
		name         string
		stored       []eventstore.EventData
		wantStatus   domain.Status
		wantRefunded int64
	}{
		{"a sandbox order goes on", []eventstore.EventData{{ID: "00000000-0000-4000-8000-000000000001", Type: domain.EventOrderPlaced, Data: json.RawMessage(placed)}}, domain.StatusPlaced, 0},
		{"an order stopped at a retired checkout step reads as Placed and gets paid", []eventstore.EventData{
			{ID: "00000000-0000-4000-8000-000000000001", Type: domain.EventOrderPlaced, Data: json.RawMessage(placed)},
			{ID: "00000000-0000-4000-8000-000000000002", Type: domain.EventOrderStockReserved, Data: json.RawMessage(`{"orderId":"` + orderID + `"}`)},
			{ID: "00000000-0000-4000-8000-000000000003", Type: domain.EventOrderPaymentAuthorized, Data: json.RawMessage(`{"orderId":"` + orderID + `","paymentId":"p1"}`)},
			{ID: "00000000-0000-4000-8000-000000000004", Type: domain.EventOrderConfirmed, Data: json.RawMessage(`{"orderId":"` + orderID + `"}`)},
		}, domain.StatusPlaced, 0},
		{"an old partial refund is Refunded", []eventstore.EventData{
			{ID: "00000000-0000-4000-8000-000000000001", Type: domain.EventOrderPlaced, Data: json.RawMessage(placed)},
			{ID: "00000000-0000-4000-8000-000000000002", Type: domain.EventOrderStockReserved, Data: json.RawMessage(`{"orderId":"` + orderID + `"}`)},
			{ID: "00000000-0000-4000-8000-000000000003", Type: domain.EventOrderPaymentAuthorized, Data: json.RawMessage(`{"orderId":"` + orderID + `","paymentId":"p1"}`)},
			{ID: "00000000-0000-4000-8000-000000000004", Type: domain.EventOrderConfirmed, Data: json.RawMessage(`{"orderId":"` + orderID + `"}`)},
			{ID: "00000000-0000-4000-8000-000000000005", Type: domain.EventOrderPaid, Data: json.RawMessage(`{"orderId":"` + orderID + `","paymentId":"p1","amount":{"amount":2500,"currency":"EUR"}}`)},
			{ID: "00000000-0000-4000-8000-000000000006", Type: domain.EventOrderRefunded, Data: json.RawMessage(`{"orderId":"` + orderID + `","amount":{"amount":500,"currency":"EUR"},"reason":"broken"}`)},
		}, domain.StatusRefunded, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			store := memory.New()
			if _, err := store.Append(ctx, domain.Stream(orderID), eventstore.NoStream(), tt.stored...); err != nil {
				t.Fatal(err)
			}
			h, err := NewHandlers(Config{Store: store, PaymentMethods: []string{"stripe"}})
			if err != nil {
				t.Fatal(err)
			}
			o, err := h.Load(ctx, orderID)
			if err != nil || o.Status() != tt.wantStatus || o.Refunded().Amount() != tt.wantRefunded || o.Total().Amount() != 2500 {
				t.Fatalf("loaded %v refunded %v total %v (%v)", o.Status(), o.Refunded(), o.Total(), err)
			}
			if tt.wantStatus == domain.StatusPlaced {
				if err := h.MarkOrderPaid(ctx, &MarkOrderPaid{OrderID: orderID, PaymentID: "p1", Amount: o.Total().DTO()}); err != nil {
					t.Fatalf("a stored sandbox order cannot go on: %v", err)
				}
			}
		})
	}
}
