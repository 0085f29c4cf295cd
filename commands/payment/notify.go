package payment

import (
	"context"
	"fmt"

	domain "github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/payments"
)

// ApplyNotification records what a verified gateway webhook reported about a
// payment waiting for the buyer: the buyer approved (PayPal: the shop now
// authorizes), the hold exists, the attempt failed, or the gateway cancelled
// it. Notifications about outcomes already recorded change nothing, and one
// about another provider object (a PaymentIntent, order or authorization
// the provider did not give this payment) is refused as invalid.
func (h *Handlers) ApplyNotification(ctx context.Context, n payments.Notification) error {
	if n.Kind == payments.NotifyIgnored {
		return nil
	}
	if !domain.ValidID(n.PaymentID) {
		return fmt.Errorf("%w: notification payment id", domain.ErrInvalid)
	}
	p, err := h.Load(ctx, n.PaymentID)
	if err != nil {
		return err
	}
	// References never change once given, so checking the loaded copy
	// holds for the re-decisions below.
	if !p.MatchesGateway(n.Provider, n.Ref, n.RelatedRef) {
		return fmt.Errorf("%w: %s notification about %q is not for payment %s", domain.ErrInvalid, n.Provider, n.Ref, n.PaymentID)
	}
	if n.Kind == payments.NotifyApproved {
		return h.authorize(ctx, nil, n.PaymentID, n.Ref, payments.IdempotencyKey(n.PaymentID, payments.OpAuthorize, "approved"))
	}
	return retry(ctx, func(ctx context.Context) error {
		p, err := h.Load(ctx, n.PaymentID)
		if err != nil {
			return err
		}
		switch n.Kind {
		case payments.NotifyAuthorized:
			return h.recordAuthorization(ctx, nil, p, payments.AuthorizeResult{Outcome: payments.OutcomeAuthorized, Ref: n.Ref})
		case payments.NotifyFailed:
			if !p.ShouldAuthorize() {
				return nil
			}
			err = p.RecordFailure(n.Code, n.Reason)
		case payments.NotifyVoided:
			if act, verr := p.ShouldVoid(); verr != nil || act == domain.VoidNothing {
				return nil // a capture or an earlier outcome stands
			}
			err = p.RecordVoid(p.ID(), p.OrderID(), n.Reason)
		}
		if err != nil {
			return err
		}
		return h.save(ctx, p, p.ID())
	})
}
