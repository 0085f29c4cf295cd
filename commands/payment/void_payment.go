package payment

import (
	"context"
	"errors"
	"fmt"
	"strings"

	domain "github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/payments"
)

// VoidPayment is the command payment.VoidPayment.v1. OrderID is optional; it
// lets the saga void a payment whose AuthorizePayment has not arrived yet.
type VoidPayment struct {
	PaymentID string `json:"paymentId"`
	OrderID   string `json:"orderId,omitempty"`
	Reason    string `json:"reason"`
}

// CommandName is the fixed wire name.
func (VoidPayment) CommandName() string { return "payment.VoidPayment.v1" }

// VoidPayment releases the hold. Failed or voided payments need nothing; a
// payment not yet opened is closed so a late AuthorizePayment finds it void.
func (h *Handlers) VoidPayment(ctx context.Context, cmd *VoidPayment) error {
	if !domain.ValidID(cmd.PaymentID) || (cmd.OrderID != "" && !domain.ValidID(cmd.OrderID)) {
		return permanent(fmt.Errorf("%w: ids", domain.ErrInvalid))
	}
	reason := strings.TrimSpace(cmd.Reason)
	if reason == "" || len(reason) > 500 {
		return permanent(fmt.Errorf("%w: reason must be 1..500 characters", domain.ErrInvalid))
	}
	return permanent(retry(ctx, func(ctx context.Context) error {
		p, err := h.repo.Load(ctx, cmd.PaymentID)
		if err != nil {
			return err
		}
		act, err := p.ShouldVoid()
		if err != nil || act == domain.VoidNothing {
			return err
		}
		if act == domain.VoidAtGateway {
			g, err := h.gateway(p)
			if err != nil {
				return err
			}
			err = g.Void(ctx, payments.VoidRequest{PaymentID: p.ID(), Ref: p.GatewayRef(), IdempotencyKey: payments.IdempotencyKey(p.ID(), payments.OpVoid)})
			// A hold the gateway no longer knows (expired, cancelled by the
			// buyer) is released all the same.
			if err != nil && !errors.Is(err, payments.ErrRejected) {
				return err
			}
		}
		if err := p.RecordVoid(cmd.PaymentID, cmd.OrderID, reason); err != nil {
			return err
		}
		return h.save(ctx, p, cmd.PaymentID)
	}))
}
