package discounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/evshop/shop/domain/money"
)

// Config configures a Service.
type Config struct {
	Store Store
	// Now is the clock of creations, changes and the Redeemer; default
	// time.Now.
	Now func() time.Time
}

// Service manages codes and their uses.
type Service struct {
	store Store
	now   func() time.Time
}

// New checks cfg and fills its defaults.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("discounts: Store is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{store: cfg.Store, now: cfg.Now}, nil
}

// Create validates spec and adds the code; ErrDuplicate if it exists.
func (s *Service) Create(ctx context.Context, spec Spec) (Code, error) {
	c, err := NewCode(spec, s.now())
	if err != nil {
		return Code{}, err
	}
	if err := s.store.Create(ctx, c); err != nil {
		return Code{}, err
	}
	return c, nil
}

// Get returns a code (typed in any case) and its usage.
func (s *Service) Get(ctx context.Context, code string) (Code, Usage, error) {
	code = Normalize(code)
	if !ValidCode(code) {
		return Code{}, Usage{}, ErrUnknown
	}
	return s.store.Get(ctx, code)
}

// List returns every code with its usage, newest first.
func (s *Service) List(ctx context.Context) ([]Entry, error) { return s.store.List(ctx) }

// Update pauses or resumes a code, or changes its window, minimum or limits.
func (s *Service) Update(ctx context.Context, code string, ch Change) (Code, error) {
	code = Normalize(code)
	if !ValidCode(code) {
		return Code{}, ErrUnknown
	}
	now := s.now()
	return s.store.Update(ctx, code, func(c Code) (Code, error) { return ch.Apply(c, now) })
}

// Check tells whether code applies to a basket of this customer, subtotal
// and line categories at now, without taking a use: the basket shows the
// answer, the reservation at checkout decides. customerKey may be empty
// (nobody signed in yet); the per-customer limit is then not checked.
func (s *Service) Check(ctx context.Context, code, customerKey string, subtotal money.Money, categories []string, now time.Time) (Code, error) {
	c, u, err := s.Get(ctx, code)
	if err != nil {
		return Code{}, err
	}
	uses := 0
	if customerKey != "" && c.MaxUsesPerCustomer > 0 {
		if uses, err = s.store.CustomerUses(ctx, c.Code, customerKey); err != nil {
			return Code{}, err
		}
	}
	b := Basket{CustomerKey: customerKey, Subtotal: subtotal, Categories: categories}
	if err := c.Eligible(b, u, uses, now); err != nil {
		return Code{}, err
	}
	return c, nil
}

// MaxOrderIDLength and MaxCustomerKeyLength bound what Reserve stores.
const (
	MaxOrderIDLength     = 128
	MaxCustomerKeyLength = 320
)

// Reserve takes one use of code for orderID, atomically against every
// other reservation: the code's rules are checked as by Check, and the
// limits count every reserved and committed use. A retry for the same
// order returns the same use and counts once. customerKey (the account, or
// a guest's e-mail) is required.
func (s *Service) Reserve(ctx context.Context, code, customerKey, orderID string, subtotal money.Money, categories []string, now time.Time) (Code, error) {
	var errs fieldErrors
	if orderID == "" || len(orderID) > MaxOrderIDLength {
		errs.add("orderId", "must be 1–%d characters", MaxOrderIDLength)
	}
	if customerKey == "" || len(customerKey) > MaxCustomerKeyLength {
		errs.add("customerKey", "must be 1–%d characters", MaxCustomerKeyLength)
	}
	if err := errs.err(); err != nil {
		return Code{}, err
	}
	code = Normalize(code)
	if !ValidCode(code) {
		return Code{}, ErrUnknown
	}
	r := Reservation{OrderID: orderID, Code: code, CustomerKey: customerKey, State: StateReserved, ReservedAt: now.UTC(), UpdatedAt: now.UTC()}
	b := Basket{CustomerKey: customerKey, Subtotal: subtotal, Categories: categories}
	c, _, err := s.store.Reserve(ctx, r, func(c Code, u Usage, customerUses int) error {
		return c.Eligible(b, u, customerUses, now)
	})
	if err != nil {
		return Code{}, err
	}
	return c, nil
}

// Commit makes the order's use final (the order was paid). Idempotent; a
// no-op for an order without a code, and for one whose use was released.
func (s *Service) Commit(ctx context.Context, orderID string) error {
	if err := s.store.Commit(ctx, orderID, s.now()); err != nil {
		return fmt.Errorf("discounts: commit %s: %w", orderID, err)
	}
	return nil
}

// Release frees the order's use (cancelled, or never placed). Idempotent;
// a no-op for an order without a code, and for one whose use was
// committed.
func (s *Service) Release(ctx context.Context, orderID string) error {
	if err := s.store.Release(ctx, orderID, s.now()); err != nil {
		return fmt.Errorf("discounts: release %s: %w", orderID, err)
	}
	return nil
}

// Reservation returns the order's use of a code; ErrNoReservation if none.
func (s *Service) Reservation(ctx context.Context, orderID string) (Reservation, error) {
	return s.store.Reservation(ctx, orderID)
}

// Redeemer is the service as the basket and the checkout use it: the
// rules at the service's clock, by code, customer, order, subtotal and
// line categories.
type Redeemer struct{ s *Service }

// Redeemer returns the checkout's view of s.
func (s *Service) Redeemer() Redeemer { return Redeemer{s: s} }

// Check tells whether code applies to the basket now (see Service.Check).
func (r Redeemer) Check(ctx context.Context, code, customerKey string, subtotal money.Money, categories []string) (Code, error) {
	return r.s.Check(ctx, code, customerKey, subtotal, categories, r.s.now())
}

// Reserve takes a use of code for the order now (see Service.Reserve).
func (r Redeemer) Reserve(ctx context.Context, code, customerKey, orderID string, subtotal money.Money, categories []string) (Code, error) {
	return r.s.Reserve(ctx, code, customerKey, orderID, subtotal, categories, r.s.now())
}

// Release frees the order's use (a placement that failed).
func (r Redeemer) Release(ctx context.Context, orderID string) error {
	return r.s.Release(ctx, orderID)
}

// Describe is a short human description of what the code takes off, e.g.
// "10% off", "5.00 EUR off", "free shipping".
func (c Code) Describe() string {
	var what string
	switch c.Kind {
	case KindPercentage:
		what = fmt.Sprintf("%d%% off", c.PercentOff)
	case KindFixed:
		what = c.AmountOff.String() + " off"
	case KindFreeShipping:
		what = "free shipping"
	}
	if len(c.Categories) > 0 {
		what += " on " + strings.Join(c.Categories, ", ")
	}
	return what
}
