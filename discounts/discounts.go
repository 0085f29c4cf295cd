// Package discounts owns the shop's discount codes: their definition
// (percentage, fixed amount or free shipping; a validity window, a minimum
// basket, usage limits overall and per customer, an optional restriction to
// categories, a paused flag), the rules that decide whether a code applies
// to a basket (each refusal a typed error with a stable machine reason), and
// the life of each use: reserved when an order is placed, committed when it
// is paid, released when it is cancelled. Adapters of the Store port live in
// memstore, pgstore and sqlitestore; storetest is their contract.
package discounts

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/pricing"
)

// Kind is what a code takes off.
type Kind string

// Kinds of code.
const (
	KindPercentage   Kind = "percentage"    // PercentOff per cent of the eligible lines
	KindFixed        Kind = "fixed"         // AmountOff off the eligible lines
	KindFreeShipping Kind = "free_shipping" // no delivery charge
)

// Kinds lists every kind, for validation messages and the API document.
func Kinds() []Kind { return []Kind{KindPercentage, KindFixed, KindFreeShipping} }

// Window is when a code may be used: from From (inclusive) until Until
// (exclusive); a zero time leaves that side open.
type Window struct {
	From, Until time.Time
}

// Contains reports whether now is inside the window.
func (w Window) Contains(now time.Time) bool {
	return (w.From.IsZero() || !now.Before(w.From)) && (w.Until.IsZero() || now.Before(w.Until))
}

// Code is a discount code as the shop keeps it. Code is the normalised
// (upper-case) text buyers type, case-insensitively.
type Code struct {
	Code       string
	Kind       Kind
	PercentOff int         // 1..100 for KindPercentage, else 0
	AmountOff  money.Money // for KindFixed, else zero
	Window     Window
	// MinSubtotal is the smallest basket subtotal the code applies to; a
	// zero Money (no currency) means no minimum.
	MinSubtotal money.Money
	// MaxUses bounds the uses overall, MaxUsesPerCustomer those of one
	// customer; 0 is unlimited. A use counts from its reservation until
	// it is released.
	MaxUses            int
	MaxUsesPerCustomer int
	// Categories restricts the code to lines of these catalog categories
	// (exact names, as domain/pricing compares them); empty means every
	// line.
	Categories []string
	Paused     bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Clone returns c with its own Categories.
func (c Code) Clone() Code {
	c.Categories = slices.Clone(c.Categories)
	return c
}

// Usage counts a code's uses by state: Reserved (orders placed, not paid
// yet), Used (committed: paid) and Released (cancelled or failed
// placements). Reserved+Used is what the limits count.
type Usage struct {
	Reserved, Used, Released int
}

// Taken is the number of uses the limits count.
func (u Usage) Taken() int { return u.Reserved + u.Used }

// Entry is a code with its usage.
type Entry struct {
	Code  Code
	Usage Usage
}

// Limits of a code's fields.
const (
	MinCodeLength = 3
	MaxCodeLength = 32
	MaxCategories = pricing.MaxDiscountCategories
	// MaxLimit bounds the usage limits (an int32 in every store).
	MaxLimit = 1_000_000_000
)

var codePattern = regexp.MustCompile(`^[A-Z0-9_-]{3,32}$`)

// Normalize returns the stored form of a code a buyer or admin typed:
// trimmed and upper-case.
func Normalize(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

// ValidCode reports whether a normalised code has the allowed form.
func ValidCode(code string) bool { return codePattern.MatchString(code) }

// Errors of the Store port and of validation.
var (
	// ErrInvalid is wrapped by *InvalidError.
	ErrInvalid = errors.New("discounts: invalid code")
	// ErrDuplicate: a code with that text exists already.
	ErrDuplicate = errors.New("discounts: code exists already")
	// ErrOtherCode: the order already holds a use of another code.
	ErrOtherCode = errors.New("discounts: the order already holds another code")
)

// FieldError names one invalid field and why.
type FieldError struct{ Field, Reason string }

// InvalidError lists every invalid field of a definition or change.
type InvalidError struct{ Fields []FieldError }

func (e *InvalidError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + " " + f.Reason
	}
	return "discounts: " + strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *InvalidError) Unwrap() error { return ErrInvalid }

type fieldErrors []FieldError

func (f *fieldErrors) add(field, format string, args ...any) {
	*f = append(*f, FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
}

func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return &InvalidError{Fields: f}
}

// Spec is what an admin sends to create a code.
type Spec struct {
	Code               string
	Kind               Kind
	PercentOff         int
	AmountOff          money.Money
	Window             Window
	MinSubtotal        money.Money
	MaxUses            int
	MaxUsesPerCustomer int
	Categories         []string
	Paused             bool
}

// NewCode validates s and builds the code it describes, created at now.
func NewCode(s Spec, now time.Time) (Code, error) {
	c := Code{Code: Normalize(s.Code), Kind: s.Kind, PercentOff: s.PercentOff, AmountOff: s.AmountOff, Window: s.Window,
		MinSubtotal: s.MinSubtotal, MaxUses: s.MaxUses, MaxUsesPerCustomer: s.MaxUsesPerCustomer, Paused: s.Paused,
		CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
	var errs fieldErrors
	if !ValidCode(c.Code) {
		errs.add("code", "must be %d–%d of A-Z, 0-9, - and _", MinCodeLength, MaxCodeLength)
	}
	switch c.Kind {
	case KindPercentage:
		if c.PercentOff < 1 || c.PercentOff > 100 {
			errs.add("percentOff", "must be 1..100 for a percentage code")
		}
		if c.AmountOff != (money.Money{}) {
			errs.add("amountOff", "is only for a fixed code")
		}
	case KindFixed:
		if c.AmountOff.Currency() == "" || c.AmountOff.Amount() < 1 {
			errs.add("amountOff", "must be a positive amount for a fixed code")
		}
		if c.PercentOff != 0 {
			errs.add("percentOff", "is only for a percentage code")
		}
	case KindFreeShipping:
		if c.PercentOff != 0 {
			errs.add("percentOff", "is only for a percentage code")
		}
		if c.AmountOff != (money.Money{}) {
			errs.add("amountOff", "is only for a fixed code")
		}
	default:
		errs.add("kind", "must be one of percentage, fixed, free_shipping")
	}
	cats, catErr := normalizeCategories(s.Categories)
	if catErr != "" {
		errs.add("categories", "%s", catErr)
	}
	c.Categories = cats
	errs = append(errs, checkTerms(c)...)
	if err := errs.err(); err != nil {
		return Code{}, err
	}
	c.Window = Window{From: utc(c.Window.From), Until: utc(c.Window.Until)}
	return c, nil
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// checkTerms validates what a Change may alter: window, minimum, limits.
func checkTerms(c Code) fieldErrors {
	var errs fieldErrors
	if !c.Window.From.IsZero() && !c.Window.Until.IsZero() && !c.Window.Until.After(c.Window.From) {
		errs.add("validUntil", "must be after validFrom")
	}
	if c.MinSubtotal != (money.Money{}) {
		if c.MinSubtotal.Amount() < 1 {
			errs.add("minSubtotal", "must be a positive amount (leave it out for no minimum)")
		} else if c.Kind == KindFixed && c.AmountOff.Currency() != "" && c.MinSubtotal.Currency() != c.AmountOff.Currency() {
			errs.add("minSubtotal", "must be in the currency of amountOff (%s)", c.AmountOff.Currency())
		}
	}
	if c.MaxUses < 0 || c.MaxUses > MaxLimit {
		errs.add("maxUses", "must be 0 (unlimited) to %d", MaxLimit)
	}
	if c.MaxUsesPerCustomer < 0 || c.MaxUsesPerCustomer > MaxLimit {
		errs.add("maxUsesPerCustomer", "must be 0 (unlimited) to %d", MaxLimit)
	}
	return errs
}

// normalizeCategories validates each name as a catalog category and
// returns them trimmed, without duplicates, sorted.
func normalizeCategories(in []string) ([]string, string) {
	if len(in) > MaxCategories {
		return nil, fmt.Sprintf("must name at most %d categories", MaxCategories)
	}
	out := make([]string, 0, len(in))
	for _, s := range in {
		c, err := catalog.NewCategory(s)
		if err != nil {
			return nil, fmt.Sprintf("%q is not a category name (1–40 letters, digits, spaces, & ' or -)", s)
		}
		if !slices.Contains(out, c.String()) {
			out = append(out, c.String())
		}
	}
	slices.Sort(out)
	return out, ""
}

// Change is what an admin may alter on an existing code; nil fields stay.
// Kind, amounts and categories are fixed once created: orders already
// carry them; create a new code instead.
type Change struct {
	Paused             *bool
	Window             *Window
	MinSubtotal        *money.Money // a zero Money removes the minimum
	MaxUses            *int
	MaxUsesPerCustomer *int
}

// Apply validates ch against c and returns the changed code.
func (ch Change) Apply(c Code, now time.Time) (Code, error) {
	c = c.Clone()
	if ch.Paused != nil {
		c.Paused = *ch.Paused
	}
	if ch.Window != nil {
		c.Window = Window{From: utc(ch.Window.From), Until: utc(ch.Window.Until)}
	}
	if ch.MinSubtotal != nil {
		c.MinSubtotal = *ch.MinSubtotal
	}
	if ch.MaxUses != nil {
		c.MaxUses = *ch.MaxUses
	}
	if ch.MaxUsesPerCustomer != nil {
		c.MaxUsesPerCustomer = *ch.MaxUsesPerCustomer
	}
	if err := checkTerms(c).err(); err != nil {
		return Code{}, err
	}
	c.UpdatedAt = now.UTC()
	return c, nil
}

// Refusal is why a code does not apply. The refusals are the Err* values
// below (compare with errors.Is); Reason is a stable machine string for
// clients, Error a sentence for buyers.
type Refusal struct {
	reason, message string
	conflict        bool
}

func (r *Refusal) Error() string { return r.message }

// Reason is the stable machine name of the refusal (e.g. "used_up").
func (r *Refusal) Reason() string { return r.reason }

// Conflict reports whether the refusal comes from other buyers' uses (the
// code was fine a moment ago: HTTP 409) rather than the basket or the code
// itself (422).
func (r *Refusal) Conflict() bool { return r.conflict }

// The refusals.
var (
	ErrUnknown       = &Refusal{reason: "unknown", message: "there is no such discount code"}
	ErrPaused        = &Refusal{reason: "paused", message: "this discount code is paused"}
	ErrNotYetValid   = &Refusal{reason: "not_yet_valid", message: "this discount code is not valid yet"}
	ErrExpired       = &Refusal{reason: "expired", message: "this discount code has expired"}
	ErrMinimumNotMet = &Refusal{reason: "minimum_not_met", message: "the basket is below this code's minimum"}
	ErrUsedUp        = &Refusal{reason: "used_up", message: "this discount code has been used up", conflict: true}
	ErrCustomerLimit = &Refusal{reason: "customer_limit", message: "you have already used this discount code as often as allowed", conflict: true}
	ErrNotApplicable = &Refusal{reason: "not_applicable", message: "this discount code does not apply to anything in the basket"}
)

// Refusals lists every refusal, for documentation and tests.
func Refusals() []*Refusal {
	return []*Refusal{ErrUnknown, ErrPaused, ErrNotYetValid, ErrExpired, ErrMinimumNotMet, ErrUsedUp, ErrCustomerLimit, ErrNotApplicable}
}

// RefusalOf returns the refusal err carries, if any.
func RefusalOf(err error) (*Refusal, bool) {
	var r *Refusal
	ok := errors.As(err, &r)
	return r, ok
}

// refuse wraps a refusal with the detail a buyer needs, keeping errors.Is
// and RefusalOf working.
func refuse(r *Refusal, format string, args ...any) error {
	return fmt.Errorf("%w ("+format+")", append([]any{r}, args...)...)
}

// Basket is what a code is checked against.
type Basket struct {
	CustomerKey string
	Subtotal    money.Money
	// Categories are the catalog categories of the basket's lines.
	Categories []string
}

// Eligible decides whether c applies to b at now, given its usage and the
// uses customerUses the basket's customer already holds; it returns nil or
// a refusal. The order of the checks is the order a buyer can act on: the
// code itself, then the basket, then other buyers' uses.
func (c Code) Eligible(b Basket, u Usage, customerUses int, now time.Time) error {
	switch {
	case c.Paused:
		return ErrPaused
	case !c.Window.From.IsZero() && now.Before(c.Window.From):
		return refuse(ErrNotYetValid, "from %s", c.Window.From.Format(time.RFC3339))
	case !c.Window.Until.IsZero() && !now.Before(c.Window.Until):
		return refuse(ErrExpired, "on %s", c.Window.Until.Format(time.RFC3339))
	}
	if cur := c.currency(); cur != "" && b.Subtotal.Currency() != cur {
		return refuse(ErrNotApplicable, "it is for baskets in %s", cur)
	}
	if c.MinSubtotal != (money.Money{}) && b.Subtotal.Amount() < c.MinSubtotal.Amount() {
		return refuse(ErrMinimumNotMet, "minimum %s", c.MinSubtotal)
	}
	if !c.AppliesTo(b.Categories) {
		return refuse(ErrNotApplicable, "only for %s", strings.Join(c.Categories, ", "))
	}
	if c.MaxUses > 0 && u.Taken() >= c.MaxUses {
		return ErrUsedUp
	}
	if c.MaxUsesPerCustomer > 0 && customerUses >= c.MaxUsesPerCustomer {
		return ErrCustomerLimit
	}
	return nil
}

// currency is the one currency the code's amounts are in ("" if none).
func (c Code) currency() string {
	if c.AmountOff.Currency() != "" {
		return c.AmountOff.Currency()
	}
	return c.MinSubtotal.Currency()
}

// AppliesTo reports whether a basket with lines of these categories has a
// line the code may discount.
func (c Code) AppliesTo(categories []string) bool {
	if len(c.Categories) == 0 {
		return true
	}
	for _, want := range c.Categories {
		for _, have := range categories {
			if want == have {
				return true
			}
		}
	}
	return false
}

// State is where one order's use of a code stands.
type State string

// States of a reservation.
const (
	StateReserved  State = "reserved"  // the order is placed, not paid
	StateCommitted State = "committed" // the order is paid: the use is final
	StateReleased  State = "released"  // cancelled or never placed: the use is free again
)

// Reservation is one order's use of a code. An order holds at most one.
type Reservation struct {
	OrderID     string
	Code        string
	CustomerKey string
	State       State
	ReservedAt  time.Time
	UpdatedAt   time.Time
}

// Eligibility is the check a Store runs inside Reserve, with the code and
// its counts read under the reservation's lock.
type Eligibility func(c Code, u Usage, customerUses int) error

// Store is the port every adapter implements (memory, PostgreSQL,
// SQLite); the storetest suite pins its behaviour.
type Store interface {
	// Create adds c; ErrDuplicate if its code exists.
	Create(ctx context.Context, c Code) error
	// Update changes the code atomically: fn gets the current code and
	// returns the new one (or an error, which is returned as is). ErrUnknown
	// if there is no such code.
	Update(ctx context.Context, code string, fn func(Code) (Code, error)) (Code, error)
	// Get returns a code and its usage; ErrUnknown if none.
	Get(ctx context.Context, code string) (Code, Usage, error)
	// List returns every code with its usage, newest first.
	List(ctx context.Context) ([]Entry, error)
	// CustomerUses counts the customer's reserved and committed uses.
	CustomerUses(ctx context.Context, code, customerKey string) (int, error)

	// Reserve records r (state reserved) as one atomic step against every
	// other Reserve of the code: it reads the code and its counts, runs
	// check, and stores the use only if check returns nil. An order that
	// already holds a reserved or committed use of this code gets it back
	// unchanged, without check (a retry counts once); one holding another
	// code gets ErrOtherCode; a released use is reserved again, checked
	// like a new one. ErrUnknown if there is no such code.
	Reserve(ctx context.Context, r Reservation, check Eligibility) (Code, Reservation, error)
	// Commit makes the order's reserved use final; Release frees it. Both
	// are idempotent and ignore unknown orders. A released use is never
	// committed and a committed one never released: both calls are then
	// ignored (an order is not paid after it was cancelled, nor cancelled
	// after it was paid).
	Commit(ctx context.Context, orderID string, at time.Time) error
	Release(ctx context.Context, orderID string, at time.Time) error
	// Reservation returns the order's use; ErrNoReservation if none.
	Reservation(ctx context.Context, orderID string) (Reservation, error)
}

// ErrNoReservation: the order holds no use of any code.
var ErrNoReservation = errors.New("discounts: the order holds no discount code")
