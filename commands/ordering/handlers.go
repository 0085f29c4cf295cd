package ordering

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/components/cqrs"
	"github.com/google/uuid"

	"github.com/evshop/shop/commands/esrepo"
	domain "github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/eventstore"
)

// Stable handler names: they name the command queues, so renaming one would
// orphan a queue.
const (
	HandlerPlaceOrder    = "ordering.place-order"
	HandlerMarkOrderPaid = "ordering.mark-order-paid"
	HandlerCancelOrder   = "ordering.cancel-order"
	HandlerShipOrder     = "ordering.ship-order"
	HandlerDeliverOrder  = "ordering.deliver-order"
)

// retries bounds how often a transition is re-decided after a concurrent
// append (saga and admin may touch one order at once).
const retries = 3

// Codec decodes every ordering event by wire name, from the
// domain's one list of them (domain.Events); the retired checkout steps
// stored in older order streams decode as esrepo.Retired.
func Codec() *esrepo.Codec {
	c := esrepo.CodecFor(domain.Events()...)
	c.Retire(domain.RetiredEventTypes()...)
	return c
}

// Handlers executes ordering commands against the event store.
type Handlers struct {
	repo     *esrepo.Repository[*domain.Order]
	now      func() time.Time
	meta     func(ctx context.Context) eventstore.Metadata
	accepted domain.PaymentMethods
	pricing  domain.Pricing
	payments *esrepo.Codec // the payment events the order follows
}

// Config configures Handlers.
type Config struct {
	Store eventstore.Store
	Now   func() time.Time // defaults to time.Now
	// Metadata supplies event metadata when ctx carries none from
	// esrepo.WithMetadata; pass messaging.EventMetadata so events appended by
	// bus-delivered commands carry the correlation and causation ids.
	Metadata func(ctx context.Context) eventstore.Metadata
	// PaymentMethods are the methods the shop accepts (its configured
	// gateways, PAYMENT_GATEWAYS); an order naming another is refused.
	PaymentMethods []string
	// Pricing is the shop's tax rates, shipping methods and tax mode; nil
	// is the embedded demo configuration for a shop in Germany with
	// tax-inclusive prices (domain.DefaultPricing("DE")).
	Pricing *domain.Pricing
}

// NewHandlers validates cfg.
func NewHandlers(cfg Config) (*Handlers, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	accepted, err := domain.NewPaymentMethods(cfg.PaymentMethods...)
	if err != nil {
		return nil, fmt.Errorf("ordering handlers: PaymentMethods: %w", err)
	}
	var prices domain.Pricing
	if cfg.Pricing != nil {
		prices = *cfg.Pricing
	} else if prices, err = domain.DefaultPricing("DE"); err != nil {
		return nil, fmt.Errorf("ordering handlers: Pricing: %w", err)
	}
	repo, err := esrepo.New(esrepo.Config[*domain.Order]{
		Store: cfg.Store, Codec: Codec(), Stream: domain.Stream, New: domain.Blank,
	})
	if err != nil {
		return nil, fmt.Errorf("ordering handlers: %w", err)
	}
	return &Handlers{repo: repo, now: cfg.Now, meta: cfg.Metadata, accepted: accepted, pricing: prices,
		payments: esrepo.CodecFor(payment.Events()...)}, nil
}

// Load returns the current order (ErrNotFound wrapped when it does not exist);
// the admin API uses it to check existence before sending a command.
func (h *Handlers) Load(ctx context.Context, orderID string) (*domain.Order, error) {
	if err := validID(orderID); err != nil {
		return nil, err
	}
	return h.repo.LoadExisting(ctx, orderID)
}

// CommandHandlers adapts every handler to Watermill's CQRS command processor,
// with the retired commands' drains.
func (h *Handlers) CommandHandlers() []cqrs.CommandHandler {
	return append([]cqrs.CommandHandler{
		cqrs.NewCommandHandler(HandlerPlaceOrder, h.PlaceOrder),
		cqrs.NewCommandHandler(HandlerMarkOrderPaid, h.MarkOrderPaid),
		cqrs.NewCommandHandler(HandlerCancelOrder, h.CancelOrder),
		cqrs.NewCommandHandler(HandlerShipOrder, h.ShipOrder),
		cqrs.NewCommandHandler(HandlerDeliverOrder, h.DeliverOrder),
	}, retiredHandlers()...)
}

func validID(id string) error {
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		return fmt.Errorf("%w: order id %q is not a UUID", domain.ErrInvalid, id)
	}
	return nil
}

// change loads the order, lets decide record events, and appends them after
// the loaded version, re-deciding on a concurrent append.
func (h *Handlers) change(ctx context.Context, orderID string, decide func(o *domain.Order) error) error {
	if err := validID(orderID); err != nil {
		return err
	}
	return esrepo.Retry(ctx, retries, func(ctx context.Context) error {
		o, err := h.repo.Load(ctx, orderID)
		if err != nil {
			return err
		}
		if err := decide(o); err != nil {
			return err
		}
		_, err = h.repo.Save(ctx, orderID, o, h.metadata(ctx))
		return err
	})
}

// IsNotFound reports whether err means the order does not exist.
func IsNotFound(err error) bool {
	return errors.Is(err, domain.ErrNotPlaced) || errors.Is(err, esrepo.ErrNotFound)
}

func (h *Handlers) metadata(ctx context.Context) eventstore.Metadata {
	if m := esrepo.MetadataFrom(ctx); m != (eventstore.Metadata{}) || h.meta == nil {
		return m
	}
	return h.meta(ctx)
}
