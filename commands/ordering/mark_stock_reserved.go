package ordering

import (
	"context"

	domain "github.com/evshop/shop/domain/ordering"
)

// MarkStockReserved is the command ordering.MarkStockReserved.v1.
type MarkStockReserved struct {
	OrderID string `json:"orderId"`
}

// CommandName is the fixed wire name.
func (MarkStockReserved) CommandName() string { return "ordering.MarkStockReserved.v1" }

// MarkStockReserved records the stock reservation (saga).
func (h *Handlers) MarkStockReserved(ctx context.Context, cmd *MarkStockReserved) error {
	return h.change(ctx, cmd.OrderID, func(o *domain.Order) error { return o.MarkStockReserved() })
}
