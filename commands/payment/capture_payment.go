package payment

import (
	"context"

	"github.com/evshop/shop/payments"
)

// CapturePayment is the command payment.CapturePayment.v1.
type CapturePayment struct {
	PaymentID string `json:"paymentId"`
}

// CommandName is the fixed wire name.
func (CapturePayment) CommandName() string { return "payment.CapturePayment.v1" }

// CapturePayment takes the held amount. A payment already captured is a
// no-op without a gateway call; two concurrent captures share one
// idempotency key, so the gateway captures once and the loser's append
// conflicts, reloads and finds the capture.
func (h *Handlers) CapturePayment(ctx context.Context, cmd *CapturePayment) error {
	return permanent(retry(ctx, func(ctx context.Context) error {
		p, err := h.Load(ctx, cmd.PaymentID)
		if err != nil {
			return err
		}
		ok, err := p.ShouldCapture()
		if err != nil || !ok {
			return err
		}
		g, err := h.gateway(p)
		if err != nil {
			return err
		}
		res, err := g.Capture(ctx, payments.CaptureRequest{PaymentID: p.ID(), Ref: p.GatewayRef(), Amount: p.Amount(),
			IdempotencyKey: payments.IdempotencyKey(p.ID(), payments.OpCapture)})
		if err != nil {
			return err
		}
		if err := p.RecordCapture(res.Ref); err != nil {
			return err
		}
		return h.save(ctx, p, p.ID())
	}))
}
