package ordering

import (
	"context"
	"errors"
	"fmt"

	"github.com/evshop/shop/domain/money"
	domain "github.com/evshop/shop/domain/ordering"
	payment "github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/messaging"
)

// HandlerRecordRefunds names the event queue on which the order learns that
// its payment was refunded. Stable, like the command handler names.
const HandlerRecordRefunds = "ordering.record-refunds"

// RefundEvents returns the event handler that records a payment's refund on
// its order, whoever asked for it (the staff order API, the payment API).
// This is the only way an order is refunded: the money moves first, the
// order follows — PartiallyRefunded until the whole total is back, then
// Refunded.
func (h *Handlers) RefundEvents() messaging.EventHandler {
	return messaging.TypedEventHandler{Name: HandlerRecordRefunds, Codec: h.payments, Events: []messaging.Event{payment.PaymentRefunded{}},
		Handle: h.onPaymentRefunded}.EventHandler()
}

// OnPaymentRefunded records a payment's refund on its order, once per refund
// id (a redelivery changes nothing). An order already Refunded stays as it
// is: before partial refunds existed the first refund made an order
// Refunded, and a later one of those orders shows in the payment's ledger.
func (h *Handlers) OnPaymentRefunded(ctx context.Context, e eventstore.RecordedEvent) error {
	ev, err := messaging.DecodeRecorded(h.payments, e)
	if err != nil {
		return err
	}
	return h.onPaymentRefunded(ctx, e, ev)
}

func (h *Handlers) onPaymentRefunded(ctx context.Context, e eventstore.RecordedEvent, decoded messaging.Event) error {
	ev, ok := decoded.(payment.PaymentRefunded)
	if !ok {
		return nil
	}
	amount, err := money.FromDTO(ev.Amount)
	if err != nil {
		return messaging.Permanent(fmt.Errorf("ordering: %s %s: amount: %w", e.Type, e.ID, err))
	}
	reason := ev.Reason
	if reason == "" {
		reason = "refunded"
	}
	refundID := ev.RefundID
	if refundID == "" {
		refundID = e.ID // stored before refunds were named: the event is the refund
	}
	err = h.change(ctx, ev.OrderID, func(o *domain.Order) error {
		if o.Status() == domain.StatusRefunded {
			return errAlreadyRefunded
		}
		if o.Status() == domain.StatusCancelled {
			// A capture that raced the order's cancellation, given back
			// by the checkout saga: the order was never paid, so there is
			// nothing to record on it.
			return errNeverPaid
		}
		return o.Refund(amount, reason, refundID)
	})
	switch {
	case errors.Is(err, errAlreadyRefunded), errors.Is(err, errNeverPaid):
		return nil
	case errors.Is(err, domain.ErrInvalid), errors.Is(err, domain.ErrIllegalTransition):
		// The money went back but the order cannot say so (say it was
		// never paid): retrying will not change that; dead-letter it for
		// staff to see.
		return messaging.Permanent(err)
	}
	return err
}

var (
	errAlreadyRefunded = errors.New("order already refunded")
	errNeverPaid       = errors.New("order cancelled before it was paid")
)
