package payment

import (
	"context"
	"fmt"
	"strings"

	"github.com/evshop/shop/domain/money"
	domain "github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/payments"
)

// RefundPayment is the command payment.RefundPayment.v1. RefundID (optional)
// names this refund so a redelivery is recognised; without it the id of the
// message that carried the command is used.
type RefundPayment struct {
	PaymentID string    `json:"paymentId"`
	Amount    money.DTO `json:"amount"`
	Reason    string    `json:"reason"`
	RefundID  string    `json:"refundId,omitempty"`
}

// CommandName is the fixed wire name.
func (RefundPayment) CommandName() string { return "payment.RefundPayment.v1" }

// RefundPayment gives back part or all of the capture, never more.
func (h *Handlers) RefundPayment(ctx context.Context, cmd *RefundPayment) error {
	amount, err := money.FromDTO(cmd.Amount)
	if err != nil {
		return permanent(fmt.Errorf("%w: %w", domain.ErrInvalid, err))
	}
	reason := strings.TrimSpace(cmd.Reason)
	if reason == "" || len(reason) > 500 {
		return permanent(fmt.Errorf("%w: reason must be 1..500 characters", domain.ErrInvalid))
	}
	refundID := cmd.RefundID
	if refundID == "" {
		refundID = metadata(ctx).CausationID
	}
	if refundID == "" || len(refundID) > 64 {
		return permanent(fmt.Errorf("%w: a refund id (1..64 characters) is required", domain.ErrInvalid))
	}
	return permanent(retry(ctx, func(ctx context.Context) error {
		p, err := h.Load(ctx, cmd.PaymentID)
		if err != nil {
			return err
		}
		ok, err := p.ShouldRefund(amount, refundID)
		if err != nil || !ok {
			return err
		}
		g, err := h.gateway(p)
		if err != nil {
			return err
		}
		res, err := g.Refund(ctx, payments.RefundRequest{PaymentID: p.ID(), AuthorizeRef: p.GatewayRef(), CaptureRef: p.CaptureRef(),
			Amount: amount, IdempotencyKey: payments.IdempotencyKey(p.ID(), payments.OpRefund, refundID)})
		if err != nil {
			return err
		}
		if err := p.RecordRefund(amount, reason, refundID, res.Ref); err != nil {
			return err
		}
		return h.save(ctx, p, p.ID())
	}))
}
