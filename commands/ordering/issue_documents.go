package ordering

import (
	"context"

	domain "github.com/evshop/shop/domain/ordering"
)

// IssueInvoice is the command ordering.IssueInvoice.v1: record the order's
// invoice under a number the shop's invoice sequence assigned to the order.
// The invoices process sends it in process when it hears OrderPaid.
type IssueInvoice struct {
	OrderID  string `json:"orderId"`
	Number   string `json:"number"`
	Sequence int64  `json:"sequence"`
}

// CommandName is the fixed wire name.
func (IssueInvoice) CommandName() string { return "ordering.IssueInvoice.v1" }

// IssueInvoice records the invoice; an order that has one keeps it.
func (h *Handlers) IssueInvoice(ctx context.Context, cmd *IssueInvoice) error {
	return h.change(ctx, cmd.OrderID, func(o *domain.Order) error {
		return o.IssueInvoice(cmd.Number, cmd.Sequence, h.now())
	})
}

// IssueCreditNote is the command ordering.IssueCreditNote.v1: record the
// credit note of one of the order's refunds under a number of the shop's
// credit-note sequence. The invoices process sends it in process when it
// hears OrderRefunded or OrderPartiallyRefunded.
type IssueCreditNote struct {
	OrderID  string `json:"orderId"`
	RefundID string `json:"refundId"`
	Number   string `json:"number"`
	Sequence int64  `json:"sequence"`
}

// CommandName is the fixed wire name.
func (IssueCreditNote) CommandName() string { return "ordering.IssueCreditNote.v1" }

// IssueCreditNote records the credit note; a refund that has one keeps it.
func (h *Handlers) IssueCreditNote(ctx context.Context, cmd *IssueCreditNote) error {
	return h.change(ctx, cmd.OrderID, func(o *domain.Order) error {
		return o.IssueCreditNote(cmd.RefundID, cmd.Number, cmd.Sequence, h.now())
	})
}
