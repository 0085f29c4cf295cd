// Package basket holds the basket commands (one file each) and their
// Handlers: load the basket from the event store, decide, append with the
// expected revision. The HTTP edge passes the client's If-Match as that
// revision; without one, a concurrent append is retried by re-deciding.
package basket

import (
	"context"
	"errors"
	"fmt"

	"github.com/evshop/shop/commands/esrepo"
	ordercmd "github.com/evshop/shop/commands/ordering"
	domain "github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/pricing"
	"github.com/evshop/shop/eventstore"
)

// ErrUnknownProduct refuses a SKU the catalog does not sell (unknown or
// archived). ProductLookup adapters wrap it for unknown SKUs.
var ErrUnknownProduct = errors.New("basket: unknown or archived product")

// ErrPrecondition means the client's If-Match revision is stale.
var ErrPrecondition = errors.New("basket: basket changed since the given revision")

// Product is the catalog snapshot a line is added with. TaxClass ("" is
// standard) and WeightGrams price tax and shipping.
type Product struct {
	SKU         string
	Name        string
	Category    string
	Price       money.Money
	Archived    bool
	TaxClass    string
	WeightGrams int
}

// ProductLookup reads the catalog. The catalog service provides it (the lead
// adapts the catalog's Lookup to this interface).
type ProductLookup interface {
	Lookup(ctx context.Context, sku string) (Product, error)
}

// ProductLookupFunc adapts a function to ProductLookup.
type ProductLookupFunc func(ctx context.Context, sku string) (Product, error)

// Lookup calls f.
func (f ProductLookupFunc) Lookup(ctx context.Context, sku string) (Product, error) {
	return f(ctx, sku)
}

// OrderPlacer places an order. commands/ordering.Handlers satisfies it in
// process; a command-bus sender may too.
type OrderPlacer interface {
	PlaceOrder(ctx context.Context, cmd *ordercmd.PlaceOrder) error
}

// Codec decodes every basket event by wire name, from the
// domain's one list of them (domain.Events).
func Codec() *esrepo.Codec {
	return esrepo.CodecFor(domain.Events()...)
}

// Config configures Handlers.
type Config struct {
	Store    eventstore.Store
	Products ProductLookup
	Orders   OrderPlacer
	// Retries bounds re-decisions after a concurrent append when the caller
	// gave no expected revision (default 3).
	Retries int
	// Metadata supplies event metadata when ctx carries none from
	// esrepo.WithMetadata (e.g. messaging.EventMetadata).
	Metadata func(ctx context.Context) eventstore.Metadata
	// Pricing is the shop's tax rates, shipping methods and tax mode, the
	// same the ordering service places orders with; nil is the demo
	// configuration (ordering.DefaultPricing(Country)).
	Pricing *ordering.Pricing
	// Country is the shop's country (SHOP_COUNTRY), the basket estimate's
	// destination when the buyer names none; default "DE".
	Country string
	// Discounts checks codes put in the basket and reserves them at
	// checkout; nil: the shop takes no discount codes.
	Discounts Discounts
}

// Handlers executes basket commands.
type Handlers struct {
	repo      *esrepo.Repository[*domain.Basket]
	products  ProductLookup
	orders    OrderPlacer
	retries   int
	meta      func(ctx context.Context) eventstore.Metadata
	pricing   ordering.Pricing
	country   string
	discounts Discounts
}

// NewHandlers validates cfg.
func NewHandlers(cfg Config) (*Handlers, error) {
	if cfg.Products == nil || cfg.Orders == nil {
		return nil, errors.New("basket handlers: Products and Orders are required")
	}
	if cfg.Retries <= 0 {
		cfg.Retries = 3
	}
	if cfg.Country == "" {
		cfg.Country = "DE"
	}
	var prices ordering.Pricing
	if cfg.Pricing != nil {
		prices = *cfg.Pricing
	} else {
		var err error
		if prices, err = ordering.DefaultPricing(cfg.Country); err != nil {
			return nil, fmt.Errorf("basket handlers: Pricing: %w", err)
		}
	}
	if !prices.Taxes.Has(cfg.Country) {
		return nil, fmt.Errorf("basket handlers: the shop's country %q has no tax rates", cfg.Country)
	}
	repo, err := esrepo.New(esrepo.Config[*domain.Basket]{Store: cfg.Store, Codec: Codec(), Stream: domain.Stream, New: domain.Blank})
	if err != nil {
		return nil, fmt.Errorf("basket handlers: %w", err)
	}
	return &Handlers{repo: repo, products: cfg.Products, orders: cfg.Orders, retries: cfg.Retries, meta: cfg.Metadata,
		pricing: prices, country: cfg.Country, discounts: cfg.Discounts}, nil
}

// State is a basket as a command left it. The API answers writes with it so a
// client sees its own write even before the read model catches up.
type State struct {
	ID       string
	Version  uint64 // number of events in the stream; the ETag
	Lines    []domain.Line
	Total    money.Money
	Discount *pricing.DiscountDTO // the code in the basket
}

func stateOf(b *domain.Basket, version uint64) State {
	st := State{ID: b.ID(), Version: version, Lines: b.Lines(), Total: b.Total()}
	if d, ok := b.Discount(); ok {
		st.Discount = &d
	}
	return st
}

// Get loads the basket straight from the event store (used when a read
// model is not wired, and by tests).
func (h *Handlers) Get(ctx context.Context, id domain.ID) (State, error) {
	b, err := h.repo.Load(ctx, id.String())
	if err != nil {
		return State{}, err
	}
	return stateOf(b, b.Version()), nil
}

// change loads basket id, lets decide record events and appends them. With
// ifMatch the append expects exactly that version and a mismatch is
// ErrPrecondition; without it, a concurrent append is retried.
func (h *Handlers) change(ctx context.Context, id domain.ID, ifMatch *uint64, decide func(b *domain.Basket) error) (State, error) {
	if id.IsZero() {
		return State{}, fmt.Errorf("%w: basket id", domain.ErrInvalid)
	}
	var st State
	attempts := h.retries
	if ifMatch != nil {
		attempts = 1
	}
	err := esrepo.Retry(ctx, attempts, func(ctx context.Context) error {
		b, err := h.repo.Load(ctx, id.String())
		if err != nil {
			return err
		}
		if ifMatch != nil && b.Version() != *ifMatch {
			return ErrPrecondition
		}
		if err := decide(b); err != nil {
			return err
		}
		res, err := h.repo.Save(ctx, id.String(), b, h.metadata(ctx))
		if err != nil {
			return err
		}
		version := b.Version()
		if len(b.Changes()) > 0 {
			version = res.NextExpected + 1
		}
		st = stateOf(b, version)
		return nil
	})
	if ifMatch != nil && errors.Is(err, eventstore.ErrConcurrency) {
		return State{}, fmt.Errorf("%w: %w", ErrPrecondition, err)
	}
	return st, err
}

func (h *Handlers) metadata(ctx context.Context) eventstore.Metadata {
	if m := esrepo.MetadataFrom(ctx); m != (eventstore.Metadata{}) || h.meta == nil {
		return m
	}
	return h.meta(ctx)
}
