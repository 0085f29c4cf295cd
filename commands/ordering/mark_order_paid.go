package ordering

import (
	"context"
	"fmt"

	"github.com/evshop/shop/domain/money"
	domain "github.com/evshop/shop/domain/ordering"
)

// MarkOrderPaid is the command ordering.MarkOrderPaid.v1.
type MarkOrderPaid struct {
	OrderID   string    `json:"orderId"`
	PaymentID string    `json:"paymentId"`
	Amount    money.DTO `json:"amount"`
}

// CommandName is the fixed wire name.
func (MarkOrderPaid) CommandName() string { return "ordering.MarkOrderPaid.v1" }

// MarkOrderPaid records the captured payment (saga). An order cancelled
// while its capture was in flight stays cancelled: the saga hears of the
// cancellation too and refunds the capture, so there is nothing to retry.
func (h *Handlers) MarkOrderPaid(ctx context.Context, cmd *MarkOrderPaid) error {
	amount, err := money.FromDTO(cmd.Amount)
	if err != nil {
		return fmt.Errorf("%w: amount: %w", domain.ErrInvalid, err)
	}
	return h.change(ctx, cmd.OrderID, func(o *domain.Order) error {
		if o.Status() == domain.StatusCancelled {
			return nil
		}
		return o.MarkPaid(cmd.PaymentID, amount)
	})
}
