package ordering

import (
	"context"

	domain "github.com/evshop/shop/domain/ordering"
)

// ConfirmOrder is the command ordering.ConfirmOrder.v1.
type ConfirmOrder struct {
	OrderID string `json:"orderId"`
	// PaymentID, when set, lets ConfirmOrder record the authorization itself
	// if it overtakes MarkPaymentAuthorized (see the handler).
	PaymentID string `json:"paymentId,omitempty"`
}

// CommandName is the fixed wire name.
func (ConfirmOrder) CommandName() string { return "ordering.ConfirmOrder.v1" }

// ConfirmOrder confirms the order (saga).
func (h *Handlers) ConfirmOrder(ctx context.Context, cmd *ConfirmOrder) error {
	return h.change(ctx, cmd.OrderID, func(o *domain.Order) error {
		// The saga sends MarkPaymentAuthorized and ConfirmOrder at once, on two
		// queues. When ConfirmOrder arrives first it records the authorization
		// of the same payment itself, and the late MarkPaymentAuthorized is a
		// no-op, instead of failing and relying on retries to win the race.
		if cmd.PaymentID != "" && o.Status() == domain.StatusStockReserved {
			if err := o.MarkPaymentAuthorized(cmd.PaymentID); err != nil {
				return err
			}
		}
		return o.Confirm()
	})
}
