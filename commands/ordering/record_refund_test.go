package ordering

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/evshop/shop/domain/money"
	domain "github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/messaging"
)

func refunded(data string) eventstore.RecordedEvent {
	return eventstore.RecordedEvent{ID: "e-1", Stream: "payment-p1", Type: payment.EventPaymentRefunded, Data: json.RawMessage(data)}
}

// TestOnPaymentRefunded: the order follows its payment's refund once; what
// it cannot record is a permanent failure (dead-lettered, not retried).
func TestOnPaymentRefunded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	paid := func(h *Handlers) {
		t.Helper()
		for _, err := range []error{
			h.PlaceOrder(ctx, place()),
			h.MarkOrderPaid(ctx, &MarkOrderPaid{OrderID: orderID, PaymentID: "p1", Amount: money.DTO{Amount: 2500, Currency: "EUR"}}),
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	refund := func(amount int, id string) string {
		return fmt.Sprintf(`{"paymentId":"p1","orderId":"%s","amount":{"amount":%d,"currency":"EUR"},"reason":"broken","refundId":%q}`, orderID, amount, id)
	}
	good := refund(500, "r1")
	// Stored before refunds were named: the event id names the refund.
	legacy := `{"paymentId":"p1","orderId":"` + orderID + `","amount":{"amount":2500,"currency":"EUR"},"reason":"broken"}`
	cases := []struct {
		name       string
		paid       bool
		events     []string
		wantStatus domain.Status
		permanent  bool
	}{
		{"a partial refund makes it partially refunded", true, []string{good}, domain.StatusPartiallyRefunded, false},
		{"redelivered partial", true, []string{good, good}, domain.StatusPartiallyRefunded, false},
		{"two partials then the rest", true, []string{good, refund(700, "r2"), refund(1300, "r3")}, domain.StatusRefunded, false},
		{"the whole total at once", true, []string{refund(2500, "r1")}, domain.StatusRefunded, false},
		{"unnamed refund", true, []string{legacy, legacy}, domain.StatusRefunded, false},
		{"over-refund is permanent", true, []string{good, refund(2001, "r2")}, domain.StatusPartiallyRefunded, true},
		{"order never paid", false, []string{good}, domain.StatusPlaced, true},
		{"malformed", true, []string{`{"orderId":`}, domain.StatusPaid, true},
		{"bad amount", true, []string{`{"paymentId":"p1","orderId":"` + orderID + `","amount":{"amount":5,"currency":"euro"},"reason":"x"}`}, domain.StatusPaid, true},
		{"no such order id", true, []string{`{"paymentId":"p1","orderId":"not-a-uuid","amount":{"amount":5,"currency":"EUR"},"reason":"x"}`}, domain.StatusPaid, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h, _ := setup(t)
			if c.paid {
				paid(h)
			} else if err := h.PlaceOrder(ctx, place()); err != nil {
				t.Fatal(err)
			}
			var last error
			for _, data := range c.events {
				last = h.OnPaymentRefunded(ctx, refunded(data))
			}
			if got := messaging.IsPermanent(last); got != c.permanent || (!c.permanent && last != nil) {
				t.Fatalf("error %v, permanent %v; want permanent %v", last, got, c.permanent)
			}
			o, err := h.Load(ctx, orderID)
			if err != nil || o.Status() != c.wantStatus {
				t.Fatalf("status %v (%v), want %v", o.Status(), err, c.wantStatus)
			}
		})
	}
}
