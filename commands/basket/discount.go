package basket

import (
	"context"
	"errors"
	"fmt"
	"strings"

	domain "github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/pricing"
)

// DiscountChecker tells whether a code applies to a basket, without taking
// a use. customerKey is the customer id, or the guest basket's id before a
// guest has given an email; lines are the basket's, subtotal their sum.
type DiscountChecker interface {
	Check(ctx context.Context, code, customerKey string, lines []pricing.Line, subtotal money.Money) (pricing.Discount, error)
}

// DiscountReserver takes one use of a code for an order at checkout,
// atomically against every other buyer (a retry for the same order takes
// none more), and frees it when the order cannot be placed.
type DiscountReserver interface {
	Reserve(ctx context.Context, code, customerKey, orderID string, lines []pricing.Line, subtotal money.Money) (pricing.Discount, error)
	Release(ctx context.Context, orderID string) error
}

// Discounts is both sides (package discounts implements them).
type Discounts interface {
	DiscountChecker
	DiscountReserver
}

// DiscountRefusal is how Check and Reserve say no: Reason is a stable
// machine name (one of the Reason* constants), Conflict marks refusals that
// come from other buyers' uses (used up, the customer's limit reached), as
// opposed to the code or the basket. The discounts package's refusals
// satisfy it.
type DiscountRefusal interface {
	error
	Reason() string
	Conflict() bool
}

// The refusal reasons a DiscountRefusal names.
const (
	ReasonUnknown       = "unknown"
	ReasonPaused        = "paused"
	ReasonNotYetValid   = "not_yet_valid"
	ReasonExpired       = "expired"
	ReasonMinimumNotMet = "minimum_not_met"
	ReasonUsedUp        = "used_up"
	ReasonCustomerLimit = "customer_limit"
	ReasonNotApplicable = "not_applicable"
)

// RefusalOf returns the refusal err carries, if any.
func RefusalOf(err error) (DiscountRefusal, bool) {
	var r DiscountRefusal
	return r, errors.As(err, &r)
}

// ErrNoDiscounts means the shop takes no discount codes (no Discounts wired).
var ErrNoDiscounts = errors.New("basket: this shop takes no discount codes")

// MaxCodeLength bounds a typed discount code.
const MaxCodeLength = 32

// ApplyDiscount puts a code in the basket once the discounts service has
// checked it against the basket's lines.
type ApplyDiscount struct {
	BasketID domain.ID
	Code     string
	// CustomerKey is the signed-in customer's id ("" for a guest: the
	// basket id is used, and the per-customer limit is decided at checkout).
	CustomerKey string
	IfMatch     *uint64
}

// RemoveDiscount takes the code out of the basket.
type RemoveDiscount struct {
	BasketID domain.ID
	IfMatch  *uint64
}

// quoteLines turns basket lines into pricing lines.
func quoteLines(lines []domain.Line) ([]pricing.Line, money.Money) {
	out := make([]pricing.Line, len(lines))
	var subtotal money.Money
	for i, l := range lines {
		out[i] = pricing.Line{SKU: l.SKU, Category: l.Category, Quantity: l.Quantity, UnitPrice: l.UnitPrice,
			TaxClass: pricing.TaxClass(l.TaxClass), WeightGrams: l.WeightGrams}
		if out[i].TaxClass == "" {
			out[i].TaxClass = pricing.TaxStandard
		}
		subtotal, _ = subtotal.Add(l.Subtotal()) // one currency is a basket invariant
	}
	return out, subtotal
}

// ApplyDiscount handles ApplyDiscount: the code is checked with the lines
// the basket holds when it is loaded; a refusal (DiscountRefusal) records
// nothing.
func (h *Handlers) ApplyDiscount(ctx context.Context, cmd ApplyDiscount) (State, error) {
	if h.discounts == nil {
		return State{}, ErrNoDiscounts
	}
	code := strings.TrimSpace(cmd.Code)
	if code == "" || len(code) > MaxCodeLength {
		return State{}, fmt.Errorf("%w: a discount code is 1 to %d characters", domain.ErrInvalid, MaxCodeLength)
	}
	key := cmd.CustomerKey
	if key == "" {
		key = cmd.BasketID.String()
	}
	return h.change(ctx, cmd.BasketID, cmd.IfMatch, func(b *domain.Basket) error {
		lines, subtotal := quoteLines(b.Lines())
		if len(lines) == 0 {
			return domain.ErrEmpty
		}
		d, err := h.discounts.Check(ctx, code, key, lines, subtotal)
		if err != nil {
			return fmt.Errorf("basket: check discount code: %w", err)
		}
		return b.ApplyDiscount(d)
	})
}

// RemoveDiscount handles RemoveDiscount.
func (h *Handlers) RemoveDiscount(ctx context.Context, cmd RemoveDiscount) (State, error) {
	return h.change(ctx, cmd.BasketID, cmd.IfMatch, func(b *domain.Basket) error { return b.RemoveDiscount() })
}

// Estimate is a basket's price breakdown for a destination, with the
// shipping methods that serve it.
type Estimate struct {
	Country   string
	Breakdown pricing.Breakdown
	Methods   []pricing.ShippingOffer
}

// ErrUnknownCountry is a destination the shop has no tax rates for;
// ErrShippingUnavailable a shipping method that does not serve the
// destination (or the parcel); ErrShippingRequired a checkout naming no
// method in a shop that ships.
var (
	ErrUnknownCountry      = errors.New("basket: the shop does not sell to that country")
	ErrShippingUnavailable = errors.New("basket: shipping method not available for the destination")
	ErrShippingRequired    = errors.New("basket: a shipping method is required")
)

// Country is the shop's country, the estimate's default destination.
func (h *Handlers) Country() string { return h.country }

// Estimate prices lines (from the read model or a command's State) for
// country ("" = the shop's) with shippingMethod ("" = none yet) and the
// basket's discount, exactly as the order will be priced if nothing changes.
func (h *Handlers) Estimate(lines []domain.Line, country, shippingMethod string, discount *pricing.DiscountDTO) (Estimate, error) {
	if country == "" {
		country = h.country
	}
	if !pricing.ValidCountry(country) || !h.pricing.Taxes.Has(country) {
		return Estimate{}, fmt.Errorf("%w: %q", ErrUnknownCountry, country)
	}
	in, subtotal := quoteLines(lines)
	if len(in) == 0 {
		return Estimate{}, domain.ErrEmpty
	}
	q := pricing.QuoteInput{Lines: in, Country: country, ShippingMethod: shippingMethod, PricesIncludeTax: h.pricing.PricesIncludeTax}
	if discount != nil {
		if d, err := pricing.DiscountFromDTO(*discount); err == nil {
			q.Discount = &d
		}
	}
	b, err := pricing.Quote(q, h.pricing.Taxes, h.pricing.Shipping)
	switch {
	case errors.Is(err, pricing.ErrShippingUnavailable):
		return Estimate{}, fmt.Errorf("%w: %q to %s", ErrShippingUnavailable, shippingMethod, country)
	case err != nil:
		return Estimate{}, fmt.Errorf("basket: estimate: %w", err)
	}
	weight := 0
	for _, l := range in {
		weight += l.WeightGrams * l.Quantity
	}
	// Free shipping thresholds look at the gross subtotal after discounts.
	after := subtotal
	if d := b.Subtotal; d.Currency() != "" {
		after = d
	}
	return Estimate{Country: country, Breakdown: b, Methods: h.pricing.Shipping.Available(country, weight, after)}, nil
}

// ShippingMethods lists the shop's methods (none: the shop does not ship).
func (h *Handlers) ShippingMethods() []pricing.ShippingMethod { return h.pricing.Shipping.All() }
