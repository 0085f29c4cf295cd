// Package ordering is the order aggregate: a state machine from Placed to
// Delivered (or Cancelled/Refunded) whose every transition is an event. It
// validates commands, records events and rebuilds from them; it does no I/O.
package ordering

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/pricing"
)

// Errors returned by the aggregate. The HTTP edge maps them to status codes.
var (
	// ErrIllegalTransition refuses a transition the state machine forbids.
	ErrIllegalTransition = errors.New("ordering: illegal transition")
	// ErrInvalid refuses malformed command input.
	ErrInvalid = errors.New("ordering: invalid input")
	// ErrAlreadyPlaced refuses placing an order twice.
	ErrAlreadyPlaced = errors.New("ordering: order already placed")
	// ErrNotPlaced refuses transitions on an order that does not exist.
	ErrNotPlaced = errors.New("ordering: order not placed")
	// ErrPaymentMethodNotAccepted refuses an order naming a payment method
	// the shop does not offer. It is also ErrInvalid.
	ErrPaymentMethodNotAccepted = fmt.Errorf("%w: payment method not accepted by this shop", ErrInvalid)
	// ErrRefundTooLarge refuses a refund above what is left of the total.
	// It is also ErrInvalid.
	ErrRefundTooLarge = fmt.Errorf("%w: refund exceeds what remains of the total", ErrInvalid)
)

// Limits shared with the basket.
const (
	MaxLines    = 50
	MaxQuantity = 99
	maxText     = 200
)

// Status is where an order stands. The values are wire values too (API
// bodies, read-model rows, the storefront's filters).
type Status string

// The statuses, in happy-path order, then the side exits. They are what a
// customer sees: between Placed and Paid the checkout saga reserves stock and
// takes the payment, and keeps that progress in its own stream.
const (
	StatusNone      Status = ""
	StatusPlaced    Status = "Placed"
	StatusPaid      Status = "Paid"
	StatusShipped   Status = "Shipped"
	StatusDelivered Status = "Delivered"
	StatusCancelled Status = "Cancelled"
	StatusRefunded  Status = "Refunded"
	// StatusPartiallyRefunded: some of the total went back, not all of it.
	StatusPartiallyRefunded Status = "PartiallyRefunded"
)

// Statuses lists every real status.
func Statuses() []Status {
	return []Status{StatusPlaced, StatusPaid, StatusShipped, StatusDelivered, StatusCancelled, StatusRefunded, StatusPartiallyRefunded}
}

// ParseStatus validates s.
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses() {
		if string(st) == s {
			return st, nil
		}
	}
	return StatusNone, fmt.Errorf("%w: unknown status %q", ErrInvalid, s)
}

// StatusOf tells which status an event moves an order to ("" for none).
func StatusOf(e Event) Status {
	switch e.(type) {
	case OrderPlaced:
		return StatusPlaced
	case OrderPaid:
		return StatusPaid
	case OrderShipped:
		return StatusShipped
	case OrderDelivered:
		return StatusDelivered
	case OrderCancelled:
		return StatusCancelled
	case OrderRefunded:
		return StatusRefunded
	case OrderPartiallyRefunded:
		return StatusPartiallyRefunded
	}
	return StatusNone
}

// transitions: which statuses each target may be entered from. Cancelling is
// possible until the order is paid (a capture that races a cancellation is
// refunded by the checkout saga); after that only refunds undo an
// order: partial ones, as many as needed, then the one that gives back the
// rest. A partially refunded order is still fulfilled (Ship and Deliver
// check that the step before was reached).
var transitions = map[Status][]Status{
	StatusPaid:              {StatusPlaced},
	StatusShipped:           {StatusPaid, StatusPartiallyRefunded},
	StatusDelivered:         {StatusShipped, StatusPartiallyRefunded},
	StatusCancelled:         {StatusPlaced},
	StatusRefunded:          {StatusPaid, StatusShipped, StatusDelivered, StatusPartiallyRefunded},
	StatusPartiallyRefunded: {StatusPaid, StatusShipped, StatusDelivered, StatusPartiallyRefunded},
}

// CanTransition reports whether the state machine allows from → to.
func CanTransition(from, to Status) bool {
	for _, s := range transitions[to] {
		if s == from {
			return true
		}
	}
	return false
}

// Order is the aggregate. Its fields are unexported: it changes only through
// its behaviour methods, and is rebuilt only through ApplyStored.
type Order struct {
	id      string
	version uint64
	changes []Event

	status     Status
	reached    map[Status]bool
	customerID string
	email      string
	total      money.Money
	paymentID  string
	placedAt   time.Time
	refunded   money.Money
	refundIDs  map[string]bool
	breakdown  *pricing.BreakdownDTO
}

// Blank returns the empty order with id, before any event; the repository
// replays the stream into it.
func Blank(id string) *Order { return &Order{id: id, reached: map[Status]bool{}} }

// ID is the order id.
func (o *Order) ID() string { return o.id }

// Version is the number of stored events applied.
func (o *Order) Version() uint64 { return o.version }

// Changes are the events recorded since loading.
func (o *Order) Changes() []Event { return o.changes }

// Status is the current status.
func (o *Order) Status() Status { return o.status }

// CustomerID owns the order.
func (o *Order) CustomerID() string { return o.customerID }

// Email receives the order's mail.
func (o *Order) Email() string { return o.email }

// Total is the order's total.
func (o *Order) Total() money.Money { return o.total }

// Breakdown is the priced order (nil for orders placed before pricing).
func (o *Order) Breakdown() *pricing.BreakdownDTO { return o.breakdown }

// PaymentID is the captured payment, once paid.
func (o *Order) PaymentID() string { return o.paymentID }

// Refunded is the sum of the refunds recorded so far.
func (o *Order) Refunded() money.Money { return o.refunded }

// ApplyStored applies a stored event and counts it.
func (o *Order) ApplyStored(e Event) {
	o.apply(e)
	o.version++
}

func (o *Order) record(e Event) {
	o.apply(e)
	o.changes = append(o.changes, e)
}

// apply mutates state only; it never fails so replay cannot fail.
func (o *Order) apply(e Event) {
	if o.reached == nil {
		o.reached = map[Status]bool{}
	}
	switch ev := e.(type) {
	case OrderPlaced:
		o.customerID, o.email, o.placedAt = ev.CustomerID, ev.Email, ev.PlacedAt
		if t, err := money.FromDTO(ev.Total); err == nil {
			o.total = t
		}
		o.breakdown = ev.Breakdown
	case OrderPaid:
		o.paymentID = ev.PaymentID
	case OrderPartiallyRefunded:
		o.addRefund(ev.Amount, ev.RefundID)
	case OrderRefunded:
		o.addRefund(ev.Amount, ev.RefundID)
	}
	if s := StatusOf(e); s != StatusNone {
		o.status = s
		o.reached[s] = true
	}
}

func (o *Order) addRefund(amount money.DTO, refundID string) {
	if a, err := money.FromDTO(amount); err == nil {
		if sum, err := o.refunded.Add(a); err == nil {
			o.refunded = sum
		}
	}
	if refundID != "" {
		if o.refundIDs == nil {
			o.refundIDs = map[string]bool{}
		}
		o.refundIDs[refundID] = true
	}
}

// PaymentMethods is the set of payment methods a shop accepts: its
// configured gateways. Placing an order checks the method against it; replay
// does not, so orders stored under an earlier configuration still load.
type PaymentMethods struct{ set map[string]bool }

// NewPaymentMethods validates names (sandbox, stripe, paypal; at least one).
func NewPaymentMethods(names ...string) (PaymentMethods, error) {
	set := map[string]bool{}
	for _, n := range names {
		if !knownMethod(n) {
			return PaymentMethods{}, invalid("payment method %q", n)
		}
		set[n] = true
	}
	if len(set) == 0 {
		return PaymentMethods{}, invalid("at least one payment method is required")
	}
	return PaymentMethods{set: set}, nil
}

// Accepts reports whether method is one of the set.
func (m PaymentMethods) Accepts(method string) bool { return m.set[method] }

func knownMethod(m string) bool { return m == "sandbox" || m == "stripe" || m == "paypal" }

// Pricing is how a shop prices its orders: the tax rates, the shipping
// methods and whether its prices include tax (SHOP_COUNTRY,
// TAX_RATES_FILE, SHIPPING_METHODS_FILE, PRICES_INCLUDE_TAX). Like the
// payment methods it is checked when an order is placed, never on replay.
type Pricing struct {
	Taxes            pricing.TaxTable
	Shipping         pricing.ShippingMethods
	PricesIncludeTax bool
}

// DefaultPricing is the embedded demo configuration for a shop in home
// country: tax-inclusive prices.
func DefaultPricing(home string) (Pricing, error) {
	methods, err := pricing.DefaultShippingMethods(home)
	if err != nil {
		return Pricing{}, err
	}
	return Pricing{Taxes: pricing.DefaultTaxTable(), Shipping: methods, PricesIncludeTax: true}, nil
}

// PlaceInput is what placing an order needs.
type PlaceInput struct {
	CustomerID      string
	Email           string
	Lines           []LineDTO
	ShippingAddress AddressDTO
	Payment         PaymentDTO
	// ShippingMethod is a method id; "" places the order without shipping.
	ShippingMethod string
	// Discount is a code the checkout validated and reserved.
	Discount *pricing.DiscountDTO
	// VATID is a B2B buyer's VAT ID (spaces are dropped, letters upper-cased).
	VATID string
	Guest bool
}

// Place validates in, prices it with pricing.Quote (the shipping address's
// country is the destination) and records OrderPlaced with the breakdown;
// the total is its gross. The payment method must be one the shop accepts;
// a destination without tax rates, or a shipping method that does not
// serve it, is ErrInvalid.
func (o *Order) Place(in PlaceInput, accepted PaymentMethods, prices Pricing, now time.Time) error {
	if o.status != StatusNone {
		return ErrAlreadyPlaced
	}
	if err := validatePlace(in); err != nil {
		return err
	}
	if !accepted.Accepts(in.Payment.Method) {
		return fmt.Errorf("%w: %q", ErrPaymentMethodNotAccepted, in.Payment.Method)
	}
	vatID, err := NormalizeVATID(in.VATID)
	if err != nil {
		return err
	}
	q, err := quoteInput(in, prices.PricesIncludeTax)
	if err != nil {
		return err
	}
	b, err := pricing.Quote(q, prices.Taxes, prices.Shipping)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	lines := make([]LineDTO, len(in.Lines))
	copy(lines, in.Lines)
	for i := range lines {
		lines[i].TaxClass = string(q.Lines[i].TaxClass)
	}
	var discount *pricing.DiscountDTO
	if q.Discount != nil {
		d := q.Discount.DTO()
		discount = &d
	}
	dto := b.DTO()
	o.record(OrderPlaced{
		OrderID: o.id, CustomerID: in.CustomerID, Email: in.Email, Lines: lines,
		Total: b.Gross.DTO(), Currency: b.Currency, ShippingAddress: in.ShippingAddress,
		Payment: in.Payment, PlacedAt: now.UTC(),
		ShippingMethod: in.ShippingMethod, Discount: discount, VATID: vatID, Guest: in.Guest, Breakdown: &dto,
	})
	return nil
}

// quoteInput turns validated order lines into the quote's.
func quoteInput(in PlaceInput, inclusive bool) (pricing.QuoteInput, error) {
	q := pricing.QuoteInput{Country: in.ShippingAddress.Country, ShippingMethod: in.ShippingMethod, PricesIncludeTax: inclusive}
	for i, l := range in.Lines {
		price, err := money.FromDTO(l.UnitPrice)
		if err != nil {
			return q, invalid("line %d: %v", i, err)
		}
		tc, err := pricing.ParseTaxClass(l.TaxClass)
		if err != nil {
			return q, invalid("line %d: %v", i, err)
		}
		if l.WeightGrams < 0 || l.WeightGrams > pricing.MaxWeightGrams {
			return q, invalid("line %d: weight must be 0 to %d g", i, pricing.MaxWeightGrams)
		}
		q.Lines = append(q.Lines, pricing.Line{SKU: l.SKU, Category: l.Category, Quantity: l.Quantity,
			UnitPrice: price, TaxClass: tc, WeightGrams: l.WeightGrams})
	}
	if in.Discount != nil {
		d, err := pricing.DiscountFromDTO(*in.Discount)
		if err != nil {
			return q, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		q.Discount = &d
	}
	return q, nil
}

// NormalizeVATID checks a B2B buyer's VAT ID: a two-letter country prefix
// and 2 to 13 letters or digits (EL, XI and the like included: the prefix
// is not checked against a list). Spaces, dots and dashes are dropped and
// letters upper-cased; "" stays "" (no VAT ID).
func NormalizeVATID(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	if len(s) > 40 {
		return "", invalid("VAT ID is too long")
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '.' || r == '-':
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			return "", invalid("VAT ID: letters and digits only")
		}
	}
	v := b.String()
	if len(v) < 4 || len(v) > 15 || !validCountry(v[:2]) {
		return "", invalid("VAT ID: a two-letter country prefix and 2 to 13 letters or digits")
	}
	return v, nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

func validText(s string, required bool) bool {
	if required && strings.TrimSpace(s) == "" {
		return false
	}
	return utf8.ValidString(s) && utf8.RuneCountInString(s) <= maxText && !strings.ContainsAny(s, "\x00\r\n")
}

// ValidSKU reports whether s is a well-formed SKU: 1–64 letters, digits, '-', '_' or '.'.
func ValidSKU(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'
		if !ok {
			return false
		}
	}
	return true
}

// ValidateEmail checks the address an order's mail goes to.
func ValidateEmail(email string) error {
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		return invalid("email is not an address")
	}
	return nil
}

// ValidateAddress checks a shipping address: name, line1, city, postal code
// required, country an ISO 3166 alpha-2 code.
func ValidateAddress(a AddressDTO) error {
	if !validText(a.Name, true) || !validText(a.Line1, true) || !validText(a.Line2, false) ||
		!validText(a.City, true) || !validText(a.PostalCode, true) || len(a.PostalCode) > 16 || !validCountry(a.Country) {
		return invalid("shipping address is incomplete or malformed")
	}
	return nil
}

// ValidatePayment checks the payment choice: a sandbox payment needs a token;
// stripe and paypal carry none at checkout.
func ValidatePayment(p PaymentDTO) error {
	switch p.Method {
	case "sandbox":
		if p.Token == "" {
			return invalid("payment token is required")
		}
	case "stripe", "paypal":
	default:
		return invalid("payment method %q", p.Method)
	}
	if !validText(p.Token, false) || !validLast4(p.Last4) {
		return invalid("payment details")
	}
	return nil
}

func validatePlace(in PlaceInput) error {
	if strings.TrimSpace(in.CustomerID) == "" || !validText(in.CustomerID, true) {
		return invalid("customer id is required")
	}
	if err := ValidateEmail(in.Email); err != nil {
		return err
	}
	if len(in.Lines) == 0 || len(in.Lines) > MaxLines {
		return invalid("an order has 1 to %d lines", MaxLines)
	}
	seen := map[string]bool{}
	var total money.Money
	for i, l := range in.Lines {
		if !ValidSKU(l.SKU) || seen[l.SKU] {
			return invalid("line %d: bad or duplicate sku", i)
		}
		seen[l.SKU] = true
		if !validText(l.Name, true) || !validText(l.Category, false) {
			return invalid("line %d: bad name or category", i)
		}
		if l.Quantity < 1 || l.Quantity > MaxQuantity {
			return invalid("line %d: quantity must be 1 to %d", i, MaxQuantity)
		}
		price, err := money.FromDTO(l.UnitPrice)
		if err != nil {
			return invalid("line %d: %v", i, err)
		}
		if total, err = total.Add(price.Times(l.Quantity)); err != nil {
			return invalid("line %d: %v", i, err)
		}
	}
	if total.Amount() > money.MaxAmount {
		return invalid("total too large")
	}
	if err := ValidateAddress(in.ShippingAddress); err != nil {
		return err
	}
	return ValidatePayment(in.Payment)
}

func validCountry(c string) bool {
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

func validLast4(s string) bool {
	if s == "" {
		return true
	}
	if len(s) != 4 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// transition is the shared guard of every state change: an order that has
// already reached target is left alone (redelivered saga or admin commands
// are harmless); a forbidden move is ErrIllegalTransition.
func (o *Order) transition(target Status, e Event) error {
	if o.status == StatusNone {
		return ErrNotPlaced
	}
	if o.reached[target] {
		return nil
	}
	if !CanTransition(o.status, target) {
		return fmt.Errorf("%w: %s → %s", ErrIllegalTransition, o.status, target)
	}
	o.record(e)
	return nil
}

// MarkPaid records the captured amount, which must be the order total.
func (o *Order) MarkPaid(paymentID string, amount money.Money) error {
	if !validText(paymentID, true) {
		return invalid("payment id is required")
	}
	if o.status != StatusNone && !o.reached[StatusPaid] && amount != o.total {
		return invalid("captured %s but the order total is %s", amount, o.total)
	}
	return o.transition(StatusPaid, OrderPaid{OrderID: o.id, PaymentID: paymentID, Amount: amount.DTO()})
}

// Ship records the carrier and tracking number.
func (o *Order) Ship(carrier, trackingNumber string) error {
	if !validText(carrier, true) || !validText(trackingNumber, true) || len(carrier) > 64 || len(trackingNumber) > 64 {
		return invalid("carrier and tracking number are required (≤ 64 characters)")
	}
	return o.transition(StatusShipped, OrderShipped{OrderID: o.id, Carrier: carrier, TrackingNumber: trackingNumber})
}

// Deliver records the delivery, which needs the shipment first (a partially
// refunded order may not have been shipped yet).
func (o *Order) Deliver() error {
	if o.status != StatusNone && !o.reached[StatusDelivered] && !o.reached[StatusShipped] {
		return fmt.Errorf("%w: %s → %s before shipping", ErrIllegalTransition, o.status, StatusDelivered)
	}
	return o.transition(StatusDelivered, OrderDelivered{OrderID: o.id})
}

// Cancel ends the order before it is paid.
func (o *Order) Cancel(reason string) error {
	if !validText(reason, true) {
		return invalid("a reason is required")
	}
	return o.transition(StatusCancelled, OrderCancelled{OrderID: o.id, Reason: reason})
}

// Refund records money the payment gave back. refundID names the refund (the
// refund's Idempotency-Key): one already recorded changes nothing. Refunds add
// up to at most the total: each one that leaves some of it records
// OrderPartiallyRefunded, the one that gives back the rest OrderRefunded.
func (o *Order) Refund(amount money.Money, reason, refundID string) error {
	if o.status == StatusNone {
		return ErrNotPlaced
	}
	if !validText(reason, true) {
		return invalid("a reason is required")
	}
	if !validText(refundID, true) || len(refundID) > 64 {
		return invalid("a refund id (1–64 characters) is required")
	}
	if o.refundIDs[refundID] {
		return nil
	}
	if !CanTransition(o.status, StatusPartiallyRefunded) {
		return fmt.Errorf("%w: %s → refund", ErrIllegalTransition, o.status)
	}
	if amount.Currency() != o.total.Currency() || amount.Amount() <= 0 {
		return invalid("a refund is a positive amount in %s", o.total.Currency())
	}
	sum, err := o.refunded.Add(amount)
	if err != nil {
		return invalid("%v", err)
	}
	if sum.Amount() > o.total.Amount() {
		return fmt.Errorf("%w: %s asked, %d of %s left", ErrRefundTooLarge, amount, o.total.Amount()-o.refunded.Amount(), o.total)
	}
	if sum.Amount() == o.total.Amount() {
		d := sum.DTO()
		o.record(OrderRefunded{OrderID: o.id, Amount: amount.DTO(), Reason: reason, RefundID: refundID, RefundedTotal: &d})
		return nil
	}
	o.record(OrderPartiallyRefunded{OrderID: o.id, Amount: amount.DTO(), Reason: reason, RefundID: refundID, RefundedTotal: sum.DTO()})
	return nil
}

// RemainingRefundable is what may still be refunded.
func (o *Order) RemainingRefundable() int64 { return o.total.Amount() - o.refunded.Amount() }
