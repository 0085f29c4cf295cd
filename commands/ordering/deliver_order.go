package ordering

import (
	"context"

	domain "github.com/evshop/shop/domain/ordering"
)

// DeliverOrder is the command ordering.DeliverOrder.v1.
type DeliverOrder struct {
	OrderID string `json:"orderId"`
}

// CommandName is the fixed wire name.
func (DeliverOrder) CommandName() string { return "ordering.DeliverOrder.v1" }

// DeliverOrder records the delivery (staff).
func (h *Handlers) DeliverOrder(ctx context.Context, cmd *DeliverOrder) error {
	return h.change(ctx, cmd.OrderID, func(o *domain.Order) error { return o.Deliver() })
}
