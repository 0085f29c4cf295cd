package ordering

import (
	"context"

	domain "github.com/evshop/shop/domain/ordering"
)

// ConfirmOrder is the command ordering.ConfirmOrder.v1.
type ConfirmOrder struct {
	OrderID string `json:"orderId"`
}

// CommandName is the fixed wire name.
func (ConfirmOrder) CommandName() string { return "ordering.ConfirmOrder.v1" }

// ConfirmOrder confirms the order (saga).
func (h *Handlers) ConfirmOrder(ctx context.Context, cmd *ConfirmOrder) error {
	return h.change(ctx, cmd.OrderID, func(o *domain.Order) error { return o.Confirm() })
}
