package ordering

import (
	"context"

	domain "github.com/evshop/shop/domain/ordering"
)

// MarkPaymentAuthorized is the command ordering.MarkPaymentAuthorized.v1.
type MarkPaymentAuthorized struct {
	OrderID   string `json:"orderId"`
	PaymentID string `json:"paymentId"`
}

// CommandName is the fixed wire name.
func (MarkPaymentAuthorized) CommandName() string { return "ordering.MarkPaymentAuthorized.v1" }

// MarkPaymentAuthorized records the authorized payment (saga).
func (h *Handlers) MarkPaymentAuthorized(ctx context.Context, cmd *MarkPaymentAuthorized) error {
	return h.change(ctx, cmd.OrderID, func(o *domain.Order) error { return o.MarkPaymentAuthorized(cmd.PaymentID) })
}
