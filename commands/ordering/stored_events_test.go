package ordering

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
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
			// Placed before pricing: no breakdown, the total is the sum of the lines.
			if err != nil || o.Status() != tt.wantStatus || o.Refunded().Amount() != tt.wantRefunded || o.Total().Amount() != 2500 || o.Breakdown() != nil {
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

// TestPlaceOrderCommandShapes: a PlaceOrder as sent before pricing (no
// shipping method, discount, VAT ID or guest flag; lines without tax class
// or weight) still places an order whose total is the sum of its lines, now
// with a breakdown; one with the new fields is priced with the configured
// shop (tax-exclusive here) and one for a destination a method does not
// serve is ErrInvalid.
func TestPlaceOrderCommandShapes(t *testing.T) {
	t.Parallel()
	old := `{"orderId":"` + orderID + `","customerId":"c0ffee00-0000-4000-8000-000000000001","email":"ada@example.com",
		"lines":[{"sku":"MUG","name":"Mug","category":"kitchen","quantity":2,"unitPrice":{"amount":1250,"currency":"EUR"}}],
		"shippingAddress":{"name":"Ada","line1":"1 Main","line2":"","city":"Paris","postalCode":"75001","country":"FR"},
		"payment":{"method":"sandbox","token":"tok_sandbox_success","last4":"4242"}}`
	withPricing := strings.Replace(old, `"payment":`, `"shippingMethod":"express","vatId":"FR12345678901","guest":true,
		"discount":{"code":"FIVE","kind":"fixed","amountOff":{"amount":500,"currency":"EUR"}},"payment":`, 1)
	pickupAbroad := strings.Replace(old, `"payment":`, `"shippingMethod":"pickup","payment":`, 1)
	exclusive, err := domain.DefaultPricing("DE")
	if err != nil {
		t.Fatal(err)
	}
	exclusive.PricesIncludeTax = false
	tests := []struct {
		name    string
		cmd     string
		pricing *domain.Pricing
		total   int64
		wantErr error
	}{
		{name: "old command, default pricing", cmd: old, total: 2500},
		// (2500 − 500) net + 20 % = 2400; express 1490 + 298 = 1788
		{name: "new fields, tax-exclusive shop", cmd: withPricing, pricing: &exclusive, total: 2400 + 1788},
		{name: "pickup abroad", cmd: pickupAbroad, wantErr: domain.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var cmd PlaceOrder
			if err := json.Unmarshal([]byte(tt.cmd), &cmd); err != nil {
				t.Fatal(err)
			}
			h, err := NewHandlers(Config{Store: memory.New(), PaymentMethods: []string{"sandbox"}, Pricing: tt.pricing})
			if err != nil {
				t.Fatal(err)
			}
			err = h.PlaceOrder(context.Background(), &cmd)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			o, err := h.Load(context.Background(), orderID)
			if err != nil {
				t.Fatal(err)
			}
			if o.Total().Amount() != tt.total || o.Breakdown() == nil || o.Breakdown().Gross.Amount != tt.total {
				t.Fatalf("total %s, breakdown %+v; want %d", o.Total(), o.Breakdown(), tt.total)
			}
		})
	}
}
