// Package basket is the shopping basket aggregate: lines with the catalog
// snapshot the customer saw, quantity and line limits, guest-basket merging
// and the checkout hand-over to an order. It decides and records events; it
// does no I/O.
package basket

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/pricing"
)

// Errors returned by the aggregate.
var (
	ErrInvalid          = errors.New("basket: invalid input")
	ErrTooManyLines     = errors.New("basket: too many lines")
	ErrQuantityLimit    = errors.New("basket: quantity limit exceeded")
	ErrItemNotFound     = errors.New("basket: item not in basket")
	ErrEmpty            = errors.New("basket: basket is empty")
	ErrCurrencyMismatch = errors.New("basket: all lines must share one currency")
	ErrNotGuest         = errors.New("basket: only guest baskets can be merged")
	ErrNoDiscount       = errors.New("basket: no discount code in the basket")
)

// rememberedCheckouts bounds the idempotency keys a basket remembers: enough
// for client retries, small enough to keep the aggregate light.
const rememberedCheckouts = 20

// Checkout is a past check-out remembered by idempotency key.
type Checkout struct {
	Key          string
	OrderID      string
	Lines        []LineDTO
	DiscountCode string
}

// Basket is the aggregate.
type Basket struct {
	id      string
	version uint64
	changes []Event

	lines     []Line
	checkouts []Checkout
	merged    map[string]uint64
	discount  *pricing.DiscountDTO
}

// Blank returns the basket id before any event.
func Blank(id string) *Basket { return &Basket{id: id, merged: map[string]uint64{}} }

// ID is the basket id.
func (b *Basket) ID() string { return b.id }

// Version is the number of stored events applied.
func (b *Basket) Version() uint64 { return b.version }

// Changes are the events recorded since loading.
func (b *Basket) Changes() []Event { return b.changes }

// Copy returns the basket as it is, with no changes recorded, sharing
// nothing that it or the copy could change later (esrepo.Copier). The
// repository keeps a copy instead of the basket's events, whose stream
// grows with every order of the customer, and a load applies only the
// events since: a loyal customer's basket loads as fast as a new one's.
func (b *Basket) Copy() *Basket {
	c := *b
	c.changes = nil
	c.lines = slices.Clone(b.lines)
	c.checkouts = slices.Clone(b.checkouts) // their lines are an event's: never changed
	c.merged = maps.Clone(b.merged)
	if b.discount != nil {
		d := *b.discount // replaced, never changed, by the basket; copied all the same
		c.discount = &d
	}
	return &c
}

// Lines returns a copy of the lines.
func (b *Basket) Lines() []Line { return slices.Clone(b.lines) }

// Total sums the lines (zero with no currency when empty).
func (b *Basket) Total() money.Money {
	var t money.Money
	for _, l := range b.lines {
		t, _ = t.Add(l.Subtotal()) // one currency is an invariant of AddItem
	}
	return t
}

// Discount is the discount code in the basket with the effect it was
// checked with, if any.
func (b *Basket) Discount() (pricing.DiscountDTO, bool) {
	if b.discount == nil {
		return pricing.DiscountDTO{}, false
	}
	return *b.discount, true
}

// CheckedOut returns the check-out made with key, if remembered.
func (b *Basket) CheckedOut(key string) (Checkout, bool) {
	for _, c := range b.checkouts {
		if c.Key == key {
			c.Lines = slices.Clone(c.Lines) // the basket's copies share them (Copy)
			return c, true
		}
	}
	return Checkout{}, false
}

// ApplyStored applies a stored event and counts it.
func (b *Basket) ApplyStored(e Event) {
	b.apply(e)
	b.version++
}

func (b *Basket) record(e Event) {
	b.apply(e)
	b.changes = append(b.changes, e)
}

func (b *Basket) find(sku string) int {
	return slices.IndexFunc(b.lines, func(l Line) bool { return l.SKU == sku })
}

// apply only mutates; it never fails.
func (b *Basket) apply(e Event) {
	if b.merged == nil {
		b.merged = map[string]uint64{}
	}
	switch ev := e.(type) {
	case ItemAdded:
		price, _ := money.FromDTO(ev.UnitPrice)
		b.lines = append(b.lines, Line{SKU: ev.SKU, Name: ev.Name, Category: ev.Category, Quantity: ev.Quantity, UnitPrice: price,
			TaxClass: ev.TaxClass, WeightGrams: ev.WeightGrams})
	case ItemQuantityChanged:
		if i := b.find(ev.SKU); i >= 0 {
			b.lines[i].Quantity = ev.Quantity
		}
	case ItemRemoved:
		if i := b.find(ev.SKU); i >= 0 {
			b.lines = slices.Delete(b.lines, i, i+1)
		}
	case BasketCleared:
		b.lines, b.discount = nil, nil
	case BasketCheckedOut:
		b.lines, b.discount = nil, nil
		b.checkouts = append(b.checkouts, Checkout{Key: ev.IdempotencyKey, OrderID: ev.OrderID, Lines: ev.Lines, DiscountCode: ev.DiscountCode})
		if len(b.checkouts) > rememberedCheckouts {
			b.checkouts = slices.Delete(b.checkouts, 0, len(b.checkouts)-rememberedCheckouts)
		}
	case GuestBasketMerged:
		b.merged[ev.GuestBasketID] = ev.GuestVersion
	case ItemRepriced:
		if i := b.find(ev.SKU); i >= 0 {
			b.lines[i].UnitPrice, _ = money.FromDTO(ev.UnitPrice)
		}
	case DiscountCodeApplied:
		d := ev.Discount
		b.discount = &d
	case DiscountCodeRemoved:
		b.discount = nil
	}
}

// AddItem adds q of p, or raises the quantity of the line already holding it.
func (b *Basket) AddItem(p Product, q Quantity) error {
	if p.sku.s == "" || q.n == 0 {
		return fmt.Errorf("%w: product and quantity are required", ErrInvalid)
	}
	if i := b.find(p.sku.s); i >= 0 {
		n := b.lines[i].Quantity + q.n
		if n > MaxQuantity {
			return fmt.Errorf("%w: at most %d of %s", ErrQuantityLimit, MaxQuantity, p.sku)
		}
		b.record(ItemQuantityChanged{BasketID: b.id, SKU: p.sku.s, Quantity: n})
		return nil
	}
	if len(b.lines) >= MaxLines {
		return fmt.Errorf("%w: at most %d", ErrTooManyLines, MaxLines)
	}
	if len(b.lines) > 0 && b.lines[0].UnitPrice.Currency() != p.price.Currency() {
		return ErrCurrencyMismatch
	}
	b.record(ItemAdded{BasketID: b.id, SKU: p.sku.s, Name: p.name, Category: p.category, Quantity: q.n, UnitPrice: p.price.DTO(),
		TaxClass: p.taxClass, WeightGrams: p.weightGrams})
	return nil
}

// ApplyDiscount puts discount (checked by the caller with the discounts
// service) in a basket with lines, replacing any code it held; the same code
// with the same effect again is a no-op.
func (b *Basket) ApplyDiscount(d pricing.Discount) error {
	if err := d.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if len(b.lines) == 0 {
		return ErrEmpty
	}
	dto := d.DTO()
	if b.discount != nil && reflect.DeepEqual(*b.discount, dto) {
		return nil
	}
	b.record(DiscountCodeApplied{BasketID: b.id, Code: d.Code, Discount: dto})
	return nil
}

// RemoveDiscount takes the code out; ErrNoDiscount if there is none.
func (b *Basket) RemoveDiscount() error {
	if b.discount == nil {
		return ErrNoDiscount
	}
	b.record(DiscountCodeRemoved{BasketID: b.id, Code: b.discount.Code})
	return nil
}

// ChangeQuantity sets the quantity of a line; the same quantity is a no-op.
func (b *Basket) ChangeQuantity(sku SKU, q Quantity) error {
	i := b.find(sku.s)
	if i < 0 || sku.s == "" {
		return fmt.Errorf("%w: %s", ErrItemNotFound, sku)
	}
	if q.n == 0 {
		return fmt.Errorf("%w: quantity required", ErrInvalid)
	}
	if b.lines[i].Quantity == q.n {
		return nil
	}
	b.record(ItemQuantityChanged{BasketID: b.id, SKU: sku.s, Quantity: q.n})
	return nil
}

// RemoveItem removes a line.
func (b *Basket) RemoveItem(sku SKU) error {
	if b.find(sku.s) < 0 || sku.s == "" {
		return fmt.Errorf("%w: %s", ErrItemNotFound, sku)
	}
	b.record(ItemRemoved{BasketID: b.id, SKU: sku.s})
	return nil
}

// Clear empties the basket; an empty basket stays as it is.
func (b *Basket) Clear() {
	if len(b.lines) > 0 {
		b.record(BasketCleared{BasketID: b.id, Reason: "customer"})
	}
}

// ValidIdempotencyKey reports whether k is an acceptable Idempotency-Key:
// 8–128 printable ASCII characters.
func ValidIdempotencyKey(k string) bool {
	if len(k) < 8 || len(k) > 128 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// CatalogPrice is what the catalog says of a line's product at checkout.
type CatalogPrice struct {
	Price       money.Money
	Gone        bool   // archived or no longer in the catalog
	TaxClass    string // the product's current tax class, recorded in the checkout
	WeightGrams int
}

// PriceChange is a line whose price changed since it was added: repriced to
// New, or Removed (its product is gone; New is zero).
type PriceChange struct {
	SKU      string
	Name     string
	Quantity int
	Old, New money.Money
	Removed  bool
}

// Reprice brings the lines to the catalog's current prices before a checkout:
// a changed unit price is recorded as ItemRepriced, a product gone from the
// catalog (or priced in another currency than the line now) as ItemRemoved
// with reason RemovedUnavailable. Lines missing from current are left as
// they are. It returns the changes in line order; none means every price is
// current and nothing was recorded.
func (b *Basket) Reprice(current map[string]CatalogPrice) []PriceChange {
	var out []PriceChange
	for _, l := range slices.Clone(b.lines) {
		cp, ok := current[l.SKU]
		switch {
		case !ok:
		case cp.Gone || cp.Price.Currency() != l.UnitPrice.Currency() || cp.Price.Amount() <= 0:
			b.record(ItemRemoved{BasketID: b.id, SKU: l.SKU, Reason: RemovedUnavailable})
			out = append(out, PriceChange{SKU: l.SKU, Name: l.Name, Quantity: l.Quantity, Old: l.UnitPrice, Removed: true})
		case cp.Price.Amount() != l.UnitPrice.Amount():
			b.record(ItemRepriced{BasketID: b.id, SKU: l.SKU, OldUnitPrice: l.UnitPrice.DTO(), UnitPrice: cp.Price.DTO()})
			out = append(out, PriceChange{SKU: l.SKU, Name: l.Name, Quantity: l.Quantity, Old: l.UnitPrice, New: cp.Price})
		}
	}
	return out
}

// CheckOut hands the lines to order orderID of customerID and empties the
// basket; the lines carry the tax class and weight current gives them (else
// their own), and the checkout remembers the basket's discount code. A
// guest basket is checked out too, to the guest identity the caller
// derives. A key already used returns its earlier check-out and records
// nothing, so a retried request never makes a second order.
func (b *Basket) CheckOut(customerID, orderID, key string, current map[string]CatalogPrice) (Checkout, error) {
	if c, ok := b.CheckedOut(key); ok {
		return c, nil
	}
	if !ValidIdempotencyKey(key) {
		return Checkout{}, fmt.Errorf("%w: idempotency key", ErrInvalid)
	}
	if !isUUID(customerID) || !isUUID(orderID) || b.id == "" {
		return Checkout{}, fmt.Errorf("%w: a basket is checked out by a customer to an order", ErrInvalid)
	}
	if len(b.lines) == 0 {
		return Checkout{}, ErrEmpty
	}
	lines := make([]LineDTO, len(b.lines))
	for i, l := range b.lines {
		lines[i] = l.DTO()
		if cp, ok := current[l.SKU]; ok && !cp.Gone {
			lines[i].TaxClass, lines[i].WeightGrams = cp.TaxClass, cp.WeightGrams
		}
	}
	code := ""
	if b.discount != nil {
		code = b.discount.Code
	}
	b.record(BasketCheckedOut{BasketID: b.id, CustomerID: customerID, OrderID: orderID,
		IdempotencyKey: key, Lines: lines, Total: b.Total().DTO(), DiscountCode: code})
	c, _ := b.CheckedOut(key)
	return c, nil
}

// Merge adds the lines of guest into b: quantities add up (capped at 99),
// lines beyond 50 or in another currency are dropped, since a merge at login
// must not fail. A guest basket already merged at its current version adds
// nothing, so a retried merge is harmless. The guest's discount code comes
// along unless the customer's basket has one already (the customer's stays);
// its limits per customer are checked when the order is placed, as for a
// code the customer applied. It returns how many guest lines were dropped.
func (b *Basket) Merge(guest *Basket) (dropped int, err error) {
	if !strings.HasPrefix(guest.id, GuestPrefix) || strings.HasPrefix(b.id, GuestPrefix) {
		return 0, ErrNotGuest
	}
	if v, ok := b.merged[guest.id]; (ok && v >= guest.version) || len(guest.lines) == 0 {
		return 0, nil
	}
	for _, gl := range guest.lines {
		if i := b.find(gl.SKU); i >= 0 {
			n := min(b.lines[i].Quantity+gl.Quantity, MaxQuantity)
			if n != b.lines[i].Quantity {
				b.record(ItemQuantityChanged{BasketID: b.id, SKU: gl.SKU, Quantity: n})
			}
			continue
		}
		if len(b.lines) >= MaxLines || (len(b.lines) > 0 && b.lines[0].UnitPrice.Currency() != gl.UnitPrice.Currency()) {
			dropped++
			continue
		}
		b.record(ItemAdded{BasketID: b.id, SKU: gl.SKU, Name: gl.Name, Category: gl.Category, Quantity: gl.Quantity, UnitPrice: gl.UnitPrice.DTO(),
			TaxClass: gl.TaxClass, WeightGrams: gl.WeightGrams})
	}
	if guest.discount != nil && b.discount == nil {
		b.record(DiscountCodeApplied{BasketID: b.id, Code: guest.discount.Code, Discount: *guest.discount})
	}
	b.record(GuestBasketMerged{BasketID: b.id, GuestBasketID: guest.id, GuestVersion: guest.version})
	return dropped, nil
}

// ClearMerged empties a guest basket after its lines moved to a customer.
func (b *Basket) ClearMerged() {
	if len(b.lines) > 0 {
		b.record(BasketCleared{BasketID: b.id, Reason: "merged"})
	}
}
