package ordering

import (
	"context"

	domain "github.com/evshop/shop/domain/ordering"
)

// CancelOrder is the command ordering.CancelOrder.v1.
type CancelOrder struct {
	OrderID string `json:"orderId"`
	Reason  string `json:"reason"`
}

// CommandName is the fixed wire name.
func (CancelOrder) CommandName() string { return "ordering.CancelOrder.v1" }

// CancelOrder cancels the order with a reason (saga or staff).
func (h *Handlers) CancelOrder(ctx context.Context, cmd *CancelOrder) error {
	return h.change(ctx, cmd.OrderID, func(o *domain.Order) error { return o.Cancel(cmd.Reason) })
}
