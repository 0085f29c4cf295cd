package payment

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/ThreeDotsLabs/watermill/components/cqrs"

	"github.com/evshop/shop/commands/esrepo"
	domain "github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/payments"
)

// Stable handler names: they name the command queues.
const (
	HandlerAuthorizePayment = "payment.authorize-payment"
	HandlerCapturePayment   = "payment.capture-payment"
	HandlerVoidPayment      = "payment.void-payment"
	HandlerRefundPayment    = "payment.refund-payment"
)

// retries bounds re-decisions after a concurrent append (saga, webhook and
// admin may touch one payment at once).
const retries = 5

// Gateways picks the gateway adapter of a payment method.
type Gateways interface {
	For(method string) (payments.Gateway, bool)
}

// Codec decodes every payment event by wire name, from the
// domain's one list of them (domain.Events).
func Codec() *esrepo.Codec {
	return esrepo.CodecFor(domain.Events()...)
}

// Config configures Handlers.
type Config struct {
	Store    eventstore.Store
	Gateways Gateways
	Logger   *slog.Logger
}

// Handlers executes payment commands.
type Handlers struct {
	repo     *esrepo.Repository[*domain.Payment]
	gateways Gateways
	log      *slog.Logger
}

// NewHandlers validates cfg.
func NewHandlers(cfg Config) (*Handlers, error) {
	if cfg.Gateways == nil {
		return nil, errors.New("payment handlers: Gateways is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	repo, err := esrepo.New(esrepo.Config[*domain.Payment]{Store: cfg.Store, Codec: Codec(), Stream: domain.Stream, New: domain.Blank})
	if err != nil {
		return nil, fmt.Errorf("payment handlers: %w", err)
	}
	return &Handlers{repo: repo, gateways: cfg.Gateways, log: cfg.Logger.With("component", "payment")}, nil
}

// CommandHandlers adapts every handler to Watermill's CQRS command processor.
func (h *Handlers) CommandHandlers() []cqrs.CommandHandler {
	return []cqrs.CommandHandler{
		cqrs.NewCommandHandler(HandlerAuthorizePayment, h.AuthorizePayment),
		cqrs.NewCommandHandler(HandlerCapturePayment, h.CapturePayment),
		cqrs.NewCommandHandler(HandlerVoidPayment, h.VoidPayment),
		cqrs.NewCommandHandler(HandlerRefundPayment, h.RefundPayment),
	}
}

// Load returns the payment (esrepo.ErrNotFound wrapped when it has no stream).
func (h *Handlers) Load(ctx context.Context, paymentID string) (*domain.Payment, error) {
	if !domain.ValidID(paymentID) {
		return nil, fmt.Errorf("%w: payment id", domain.ErrInvalid)
	}
	return h.repo.LoadExisting(ctx, paymentID)
}

func (h *Handlers) gateway(p *domain.Payment) (payments.Gateway, error) {
	g, ok := h.gateways.For(string(p.Method()))
	if !ok {
		// Configuration, not input: retrying after a deploy may succeed.
		return nil, fmt.Errorf("payment: no gateway configured for method %q", p.Method())
	}
	return g, nil
}

func metadata(ctx context.Context) eventstore.Metadata {
	if m := esrepo.MetadataFrom(ctx); m != (eventstore.Metadata{}) {
		return m
	}
	return messaging.EventMetadata(ctx)
}

// save appends p's changes; nothing to append is fine.
func (h *Handlers) save(ctx context.Context, p *domain.Payment, id string) error {
	_, err := h.repo.Save(ctx, id, p, metadata(ctx))
	return err
}

// permanent marks input errors so the bus dead-letters at once instead of
// retrying what can never succeed.
func permanent(err error) error {
	if errors.Is(err, domain.ErrInvalid) || errors.Is(err, domain.ErrIllegalTransition) ||
		errors.Is(err, domain.ErrRefundTooLarge) || errors.Is(err, payments.ErrRejected) || errors.Is(err, esrepo.ErrNotFound) {
		return messaging.Permanent(err)
	}
	return err
}
