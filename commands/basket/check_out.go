package basket

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	ordercmd "github.com/evshop/shop/commands/ordering"
	domain "github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/pricing"
	"github.com/evshop/shop/platform/guestorder"
)

// orderNamespace is the UUIDv5 namespace of order ids derived from
// (customer, Idempotency-Key). Changing it would break idempotency of
// in-flight retries: never change it.
var orderNamespace = uuid.MustParse("6f1c3a52-8a0e-4f55-9d6e-3b1f0c7a9e21")

// OrderIDFor derives the order id of a check-out of basket basketID (a
// customer's basket id is the customer id) with key.
func OrderIDFor(basketID, key string) string {
	return uuid.NewSHA1(orderNamespace, []byte(basketID+"\n"+key)).String()
}

// ErrPricesChanged is wrapped by PricesChanged.
var ErrPricesChanged = errors.New("basket: prices changed since the lines were added")

// PricesChanged refuses a checkout whose lines' prices are not the
// catalog's current ones. The basket has been brought up to date (its new
// version is State.Version); the buyer confirms the new prices by checking
// out again.
type PricesChanged struct {
	Lines []domain.PriceChange
}

func (e *PricesChanged) Error() string {
	skus := make([]string, len(e.Lines))
	for i, l := range e.Lines {
		skus[i] = l.SKU
	}
	return fmt.Sprintf("%v: %s", ErrPricesChanged, strings.Join(skus, ", "))
}

// Unwrap makes errors.Is(err, ErrPricesChanged) hold.
func (e *PricesChanged) Unwrap() error { return ErrPricesChanged }

// CheckOut turns a basket into an order: the customer's basket, or with
// Guest a guest basket, placed for the guest identity of Email
// (platform/guestorder).
type CheckOut struct {
	CustomerID string // the signed-in customer; empty for a guest
	// Guest is the guest basket checked out when CustomerID is empty.
	Guest           domain.ID
	Email           string
	IdempotencyKey  string
	ShippingAddress ordering.AddressDTO
	// Payment carries a gateway token (never a card number).
	Payment ordering.PaymentDTO
	// ShippingMethod is required when the shop has shipping methods.
	ShippingMethod string
	// VATID is a B2B buyer's VAT ID (optional).
	VATID   string
	IfMatch *uint64
}

// basket resolves the basket and the customer id the order is placed for.
func (cmd CheckOut) basket() (domain.ID, string, error) {
	if cmd.CustomerID != "" {
		id, err := domain.CustomerBasket(cmd.CustomerID)
		return id, id.String(), err
	}
	if !cmd.Guest.IsGuest() {
		return domain.ID{}, "", fmt.Errorf("%w: a customer or a guest basket is required", domain.ErrInvalid)
	}
	return cmd.Guest, guestorder.CustomerID(cmd.Email), nil
}

// CheckOut first compares each line's unit price with the catalog's
// current one: if any changed (or its product is gone), the basket records
// the new prices (ItemRepriced, ItemRemoved) and the checkout is refused with
// *PricesChanged, placing nothing; the buyer's next attempt finds the prices
// current. Then it prices the basket for the destination and shipping method
// (ErrUnknownCountry, ErrShippingUnavailable, ErrShippingRequired refuse it
// with the basket untouched), reserves the basket's discount code for the
// order (a DiscountRefusal refuses it), records BasketCheckedOut (which
// empties the basket and remembers the key and the code), and places the
// order from the recorded lines; the code's use is released if the order
// cannot be placed. The basket is decided first so its contents at
// check-out are fixed by one append; a retry with the same key finds the
// remembered check-out (no price check then), reserves its code again (the
// same use) and re-sends PlaceOrder, which the order stream's no-stream
// expectation makes a no-op if it already happened. So the same key never
// makes two orders, and a crash between the two appends is healed by the
// client's retry.
func (h *Handlers) CheckOut(ctx context.Context, cmd CheckOut) (orderID string, st State, err error) {
	if cmd.CustomerID == "" {
		// The guest identity is derived from the address: check it first.
		if err := ordering.ValidateEmail(cmd.Email); err != nil {
			return "", State{}, err
		}
	}
	id, customerID, err := cmd.basket()
	if err != nil {
		return "", State{}, err
	}
	if !domain.ValidIdempotencyKey(cmd.IdempotencyKey) {
		return "", State{}, fmt.Errorf("%w: Idempotency-Key must be 8–128 printable characters", domain.ErrInvalid)
	}
	// Everything PlaceOrder checks besides the lines is checked before the
	// basket is emptied, so a bad address cannot leave a cleared basket and
	// no order.
	for _, err := range []error{ordering.ValidateEmail(cmd.Email), ordering.ValidateAddress(cmd.ShippingAddress), ordering.ValidatePayment(cmd.Payment)} {
		if err != nil {
			return "", State{}, err
		}
	}
	vatID, err := ordering.NormalizeVATID(cmd.VATID)
	if err != nil {
		return "", State{}, err
	}
	if cmd.ShippingMethod == "" && len(h.pricing.Shipping.All()) > 0 {
		return "", State{}, ErrShippingRequired
	}
	orderID = OrderIDFor(id.String(), cmd.IdempotencyKey)
	ifMatch := cmd.IfMatch
	if ifMatch != nil {
		// A retry after success must not fail on the If-Match of the first
		// attempt, which the check-out itself made stale.
		if b, err := h.repo.Load(ctx, id.String()); err == nil {
			if _, done := b.CheckedOut(cmd.IdempotencyKey); done {
				ifMatch = nil
			}
		}
	}
	prices := map[string]domain.CatalogPrice{} // kept across retries of the append
	var co domain.Checkout
	var repriced []domain.PriceChange
	var discount *pricing.Discount
	reserved := false
	st, err = h.change(ctx, id, ifMatch, func(b *domain.Basket) error {
		repriced, discount = nil, nil
		if c, ok := b.CheckedOut(cmd.IdempotencyKey); ok {
			co = c
			return nil
		}
		if err := h.currentPrices(ctx, b.Lines(), prices); err != nil {
			return err
		}
		if repriced = b.Reprice(prices); len(repriced) > 0 {
			return nil // saved; refused below
		}
		lines := withCatalog(b.Lines(), prices)
		dto, hasCode := b.Discount()
		// The destination and method are checked as the order will price
		// them, before the basket is emptied.
		if _, err := h.Estimate(lines, cmd.ShippingAddress.Country, cmd.ShippingMethod, nil); err != nil {
			return err
		}
		if hasCode {
			d, err := h.reserve(ctx, dto.Code, customerID, orderID, lines)
			if err != nil {
				return err
			}
			reserved, discount = true, &d
		}
		c, err := b.CheckOut(customerID, orderID, cmd.IdempotencyKey, prices)
		co = c
		return err
	})
	if err != nil {
		if reserved {
			h.release(ctx, orderID)
		}
		return "", State{}, err
	}
	if len(repriced) > 0 {
		return "", st, &PricesChanged{Lines: repriced}
	}
	lines := make([]ordering.LineDTO, len(co.Lines))
	basketLines := make([]domain.Line, len(co.Lines))
	for i, l := range co.Lines {
		lines[i] = ordering.LineDTO{SKU: l.SKU, Name: l.Name, Category: l.Category, Quantity: l.Quantity, UnitPrice: l.UnitPrice,
			TaxClass: l.TaxClass, WeightGrams: l.WeightGrams}
		price, _ := money.FromDTO(l.UnitPrice)
		basketLines[i] = domain.Line{SKU: l.SKU, Category: l.Category, Quantity: l.Quantity, UnitPrice: price, TaxClass: l.TaxClass, WeightGrams: l.WeightGrams}
	}
	if discount == nil && co.DiscountCode != "" {
		// A retry: the same use again (or a fresh one if it was released).
		d, err := h.reserve(ctx, co.DiscountCode, customerID, co.OrderID, basketLines)
		if err != nil {
			return "", State{}, err
		}
		discount = &d
	}
	place := &ordercmd.PlaceOrder{
		OrderID: co.OrderID, CustomerID: customerID, Email: cmd.Email, Lines: lines,
		ShippingAddress: cmd.ShippingAddress, Payment: cmd.Payment,
		ShippingMethod: cmd.ShippingMethod, VATID: vatID, Guest: cmd.CustomerID == "",
	}
	if discount != nil {
		d := discount.DTO()
		place.Discount = &d
	}
	if err := h.orders.PlaceOrder(ctx, place); err != nil {
		if discount != nil {
			h.release(ctx, co.OrderID)
		}
		return "", State{}, fmt.Errorf("basket: place order %s: %w", co.OrderID, err)
	}
	return co.OrderID, st, nil
}

// reserve takes the code's use for the order.
func (h *Handlers) reserve(ctx context.Context, code, customerKey, orderID string, lines []domain.Line) (pricing.Discount, error) {
	if h.discounts == nil {
		return pricing.Discount{}, ErrNoDiscounts
	}
	in, subtotal := quoteLines(lines)
	d, err := h.discounts.Reserve(ctx, code, customerKey, orderID, in, subtotal)
	if err != nil {
		return pricing.Discount{}, fmt.Errorf("basket: reserve discount code: %w", err)
	}
	return d, nil
}

// release frees the order's use of a code; a failure is left to the
// discounts service's own expiry of unplaced reservations, as the order
// never existed.
func (h *Handlers) release(ctx context.Context, orderID string) {
	_ = h.discounts.Release(context.WithoutCancel(ctx), orderID)
}

// withCatalog gives lines the catalog's current tax class and weight.
func withCatalog(lines []domain.Line, prices map[string]domain.CatalogPrice) []domain.Line {
	out := make([]domain.Line, len(lines))
	for i, l := range lines {
		if cp, ok := prices[l.SKU]; ok && !cp.Gone {
			l.TaxClass, l.WeightGrams = cp.TaxClass, cp.WeightGrams
		}
		out[i] = l
	}
	return out
}

// currentPrices asks the catalog for the lines not in prices yet. A product
// the catalog does not sell (unknown or archived) is Gone; any other lookup
// failure fails the checkout.
func (h *Handlers) currentPrices(ctx context.Context, lines []domain.Line, prices map[string]domain.CatalogPrice) error {
	for _, l := range lines {
		if _, ok := prices[l.SKU]; ok {
			continue
		}
		p, err := h.products.Lookup(ctx, l.SKU)
		switch {
		case errors.Is(err, ErrUnknownProduct):
			prices[l.SKU] = domain.CatalogPrice{Gone: true}
		case err != nil:
			return fmt.Errorf("basket: current price of %s: %w", l.SKU, err)
		default:
			prices[l.SKU] = domain.CatalogPrice{Price: p.Price, Gone: p.Archived || p.SKU != l.SKU, TaxClass: p.TaxClass, WeightGrams: p.WeightGrams}
		}
	}
	return nil
}
