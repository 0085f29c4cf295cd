package ordering

import (
	"context"

	domain "github.com/evshop/shop/domain/ordering"
)

// IssueInvoice records the order's invoice under a number the shop's
// invoice sequence assigned to the order. Only the invoices process
// (invoices/issuer) sends it, in process, when it hears OrderPaid: it is no
// bus command, so it has no wire name and no queue.
type IssueInvoice struct {
	OrderID  string `json:"orderId"`
	Number   string `json:"number"`
	Sequence int64  `json:"sequence"`
}

// IssueInvoice records the invoice; an order that has one keeps it.
func (h *Handlers) IssueInvoice(ctx context.Context, cmd *IssueInvoice) error {
	return h.change(ctx, cmd.OrderID, func(o *domain.Order) error {
		return o.IssueInvoice(cmd.Number, cmd.Sequence, h.now())
	})
}

// IssueCreditNote records the credit note of one of the order's refunds
// under a number of the shop's credit-note sequence. Like IssueInvoice, only
// the invoices process sends it, in process, when it hears OrderRefunded or
// OrderPartiallyRefunded.
type IssueCreditNote struct {
	OrderID  string `json:"orderId"`
	RefundID string `json:"refundId"`
	Number   string `json:"number"`
	Sequence int64  `json:"sequence"`
}

// IssueCreditNote records the credit note; a refund that has one keeps it.
func (h *Handlers) IssueCreditNote(ctx context.Context, cmd *IssueCreditNote) error {
	return h.change(ctx, cmd.OrderID, func(o *domain.Order) error {
		return o.IssueCreditNote(cmd.RefundID, cmd.Number, cmd.Sequence, h.now())
	})
}
