package ordering

import (
	"context"
	"fmt"

	"github.com/evshop/shop/domain/money"
	domain "github.com/evshop/shop/domain/ordering"
)

// RefundOrder is the command ordering.RefundOrder.v1.
type RefundOrder struct {
	OrderID string    `json:"orderId"`
	Amount  money.DTO `json:"amount"`
	Reason  string    `json:"reason"`
}

// CommandName is the fixed wire name.
func (RefundOrder) CommandName() string { return "ordering.RefundOrder.v1" }

// RefundOrder refunds the order (staff).
func (h *Handlers) RefundOrder(ctx context.Context, cmd *RefundOrder) error {
	amount, err := money.FromDTO(cmd.Amount)
	if err != nil {
		return fmt.Errorf("%w: amount: %w", domain.ErrInvalid, err)
	}
	return h.change(ctx, cmd.OrderID, func(o *domain.Order) error { return o.Refund(amount, cmd.Reason) })
}
