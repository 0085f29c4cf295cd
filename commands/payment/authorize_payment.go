package payment

import (
	"context"
	"errors"
	"fmt"

	"github.com/evshop/shop/commands/esrepo"
	"github.com/evshop/shop/domain/money"
	domain "github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/payments"
)

// AuthorizePayment is the command payment.AuthorizePayment.v1. Token is a
// gateway token (never a card number); Last4 is for display only.
type AuthorizePayment struct {
	PaymentID  string    `json:"paymentId"`
	OrderID    string    `json:"orderId"`
	CustomerID string    `json:"customerId"`
	Amount     money.DTO `json:"amount"`
	Method     string    `json:"method"`
	Token      string    `json:"token"`
	Last4      string    `json:"last4,omitempty"`
}

// CommandName is the fixed wire name.
func (AuthorizePayment) CommandName() string { return "payment.AuthorizePayment.v1" }

// AuthorizePayment opens the payment and asks the gateway for a hold. The
// outcome (authorized, failed, or waiting for the buyer) is appended; once
// it is known, a redelivered command changes nothing.
func (h *Handlers) AuthorizePayment(ctx context.Context, cmd *AuthorizePayment) error {
	req, err := authorizeRequest(cmd)
	if err != nil {
		return permanent(err)
	}
	return permanent(h.authorize(ctx, &req, cmd.PaymentID, cmd.Token, payments.IdempotencyKey(cmd.PaymentID, payments.OpAuthorize)))
}

func authorizeRequest(cmd *AuthorizePayment) (domain.Request, error) {
	amount, err := money.FromDTO(cmd.Amount)
	if err != nil {
		return domain.Request{}, fmt.Errorf("%w: %w", domain.ErrInvalid, err)
	}
	method, err := domain.ParseMethod(cmd.Method)
	if err != nil {
		return domain.Request{}, err
	}
	if len(cmd.Token) > 512 {
		return domain.Request{}, fmt.Errorf("%w: token too long", domain.ErrInvalid)
	}
	return domain.NewRequest(cmd.PaymentID, cmd.OrderID, cmd.CustomerID, amount, method, cmd.Last4)
}

// authorize asks the gateway for a hold. req is nil when the payment must
// already exist and wait for the buyer (a webhook telling the buyer
// approved); only then is a payment waiting for the buyer authorized.
//
// The request (PaymentRequested) is recorded together with the gateway's
// answer, in one append, not before the call: the gateway answers a
// repeated idempotency key with the same outcome, so a crash between the
// call and the append only asks again. A void that arrives meanwhile finds
// no payment, closes it (RecordVoid), and makes this append fail its
// expectation; the retry finds the payment void and releases the fresh hold
// (releaseLateHold). One append and one load per payment fewer than opening
// it first.
func (h *Handlers) authorize(ctx context.Context, req *domain.Request, paymentID, token, key string) error {
	approved := req == nil
	// The gateway's answer is kept across re-decisions: asking again would
	// return the same answer for the same key, so there is no need to.
	// gw is the gateway that answered: a payment closed by a void before it
	// was recorded names no method to find it by.
	var got *payments.AuthorizeResult
	var gw payments.Gateway
	return retry(ctx, func(ctx context.Context) error {
		p, err := h.repo.Load(ctx, paymentID)
		if err != nil {
			return err
		}
		if approved && p.Version() == 0 {
			return fmt.Errorf("%w: payment %s", esrepo.ErrNotFound, paymentID)
		}
		if !approved {
			// A no-op once the payment is open (or closed by a void).
			if err := p.Open(*req); err != nil {
				return err
			}
		}
		if got != nil && got.Outcome == payments.OutcomeAuthorized && p.Status() == domain.StatusVoided {
			return h.releaseLateHold(ctx, gw, p, got.Ref) // the void won the race for the stream
		}
		if !p.ShouldAuthorize() || (p.Status() == domain.StatusActionRequired && !approved) {
			return nil // outcome known, or still waiting for the buyer
		}
		if got == nil {
			g, err := h.gateway(p)
			if err != nil {
				return err
			}
			gw = g
			res, err := g.Authorize(ctx, payments.AuthorizeRequest{
				PaymentID: p.ID(), OrderID: p.OrderID(), CustomerID: p.CustomerID(),
				Amount: p.Amount(), Token: token, IdempotencyKey: key,
			})
			if err != nil {
				return err
			}
			got = &res
		}
		return h.recordAuthorization(ctx, gw, p, *got)
	})
}

// recordAuthorization appends the gateway's answer. If the payment was voided
// meanwhile (the saga's deadline won the race) a fresh hold is released at
// once, so no money stays blocked for a cancelled order: at gw, the gateway
// that answered (nil: the one of the payment's method).
func (h *Handlers) recordAuthorization(ctx context.Context, gw payments.Gateway, p *domain.Payment, res payments.AuthorizeResult) error {
	var err error
	switch res.Outcome {
	case payments.OutcomeAuthorized:
		err = p.RecordAuthorization(res.Ref)
	case payments.OutcomeDeclined:
		err = p.RecordFailure(res.Code, res.Reason)
	case payments.OutcomeActionRequired:
		err = p.RecordActionRequired(res.Ref)
	default:
		return fmt.Errorf("payment: gateway answered an unknown outcome %q", res.Outcome)
	}
	if errors.Is(err, domain.ErrIllegalTransition) && p.Status() == domain.StatusVoided && res.Outcome == payments.OutcomeAuthorized {
		return h.releaseLateHold(ctx, gw, p, res.Ref)
	}
	if err != nil {
		return err
	}
	return h.save(ctx, p, p.ID())
}

// releaseLateHold voids a hold that arrived after the payment was voided,
// at g, or when g is nil at the gateway of the payment's method.
func (h *Handlers) releaseLateHold(ctx context.Context, g payments.Gateway, p *domain.Payment, ref string) error {
	if g == nil {
		var err error
		if g, err = h.gateway(p); err != nil {
			return err
		}
	}
	h.log.InfoContext(ctx, "releasing an authorization that arrived after the void", "payment_id", p.ID())
	err := g.Void(ctx, payments.VoidRequest{PaymentID: p.ID(), Ref: ref, IdempotencyKey: payments.IdempotencyKey(p.ID(), payments.OpVoid, "late")})
	if errors.Is(err, payments.ErrRejected) {
		return nil // nothing left to release
	}
	return err
}

// retry re-decides after a concurrent append; every attempt reloads.
func retry(ctx context.Context, fn func(ctx context.Context) error) error {
	var err error
	for range retries {
		if err = fn(ctx); !errors.Is(err, eventstore.ErrConcurrency) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return err
}
