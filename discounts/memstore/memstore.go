// Package memstore is the in-memory adapter of discounts.Store (embedded
// mode and tests). One mutex makes every Reserve atomic.
package memstore

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/evshop/shop/discounts"
)

// Store keeps codes and reservations in maps.
type Store struct {
	mu           sync.Mutex
	codes        map[string]discounts.Code
	reservations map[string]discounts.Reservation // by order id
	byCode       map[string]map[string]bool       // code → order ids, so counting a code's uses reads only its own
}

// New returns an empty store.
func New() *Store {
	return &Store{codes: map[string]discounts.Code{}, reservations: map[string]discounts.Reservation{}, byCode: map[string]map[string]bool{}}
}

var _ discounts.Store = (*Store)(nil)

// Create adds c.
func (s *Store) Create(ctx context.Context, c discounts.Code) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.codes[c.Code]; ok {
		return discounts.ErrDuplicate
	}
	s.codes[c.Code] = c.Clone()
	return nil
}

// Update changes a code with fn.
func (s *Store) Update(ctx context.Context, code string, fn func(discounts.Code) (discounts.Code, error)) (discounts.Code, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.codes[code]
	if !ok {
		return discounts.Code{}, discounts.ErrUnknown
	}
	c, err := fn(c.Clone())
	if err != nil {
		return discounts.Code{}, err
	}
	c.Code = code
	s.codes[code] = c.Clone()
	return c, nil
}

// Get returns a code and its usage.
func (s *Store) Get(ctx context.Context, code string) (discounts.Code, discounts.Usage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.codes[code]
	if !ok {
		return discounts.Code{}, discounts.Usage{}, discounts.ErrUnknown
	}
	return c.Clone(), s.usage(code), nil
}

func (s *Store) usage(code string) discounts.Usage {
	var u discounts.Usage
	for id := range s.byCode[code] {
		switch s.reservations[id].State {
		case discounts.StateReserved:
			u.Reserved++
		case discounts.StateCommitted:
			u.Used++
		case discounts.StateReleased:
			u.Released++
		}
	}
	return u
}

func (s *Store) customerUses(code, customerKey string) int {
	n := 0
	for id := range s.byCode[code] {
		if r := s.reservations[id]; r.CustomerKey == customerKey && r.State != discounts.StateReleased {
			n++
		}
	}
	return n
}

// List returns every code with its usage, newest first.
func (s *Store) List(ctx context.Context) ([]discounts.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]discounts.Entry, 0, len(s.codes))
	for code, c := range s.codes {
		out = append(out, discounts.Entry{Code: c.Clone(), Usage: s.usage(code)})
	}
	slices.SortFunc(out, func(a, b discounts.Entry) int {
		return cmp.Or(b.Code.CreatedAt.Compare(a.Code.CreatedAt), cmp.Compare(a.Code.Code, b.Code.Code))
	})
	return out, nil
}

// CustomerUses counts the customer's reserved and committed uses.
func (s *Store) CustomerUses(ctx context.Context, code, customerKey string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.customerUses(code, customerKey), nil
}

// Reserve records a use if check allows it.
func (s *Store) Reserve(ctx context.Context, r discounts.Reservation, check discounts.Eligibility) (discounts.Code, discounts.Reservation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.codes[r.Code]
	if !ok {
		return discounts.Code{}, discounts.Reservation{}, discounts.ErrUnknown
	}
	if cur, ok := s.reservations[r.OrderID]; ok && cur.State != discounts.StateReleased {
		if cur.Code != r.Code {
			return discounts.Code{}, discounts.Reservation{}, discounts.ErrOtherCode
		}
		return c.Clone(), cur, nil
	}
	if err := check(c.Clone(), s.usage(r.Code), s.customerUses(r.Code, r.CustomerKey)); err != nil {
		return discounts.Code{}, discounts.Reservation{}, err
	}
	if prev, ok := s.reservations[r.OrderID]; ok { // released: it may now hold another code
		delete(s.byCode[prev.Code], r.OrderID)
	}
	r.State = discounts.StateReserved
	s.reservations[r.OrderID] = r
	if s.byCode[r.Code] == nil {
		s.byCode[r.Code] = map[string]bool{}
	}
	s.byCode[r.Code][r.OrderID] = true
	return c.Clone(), r, nil
}

// Commit makes a reserved use final.
func (s *Store) Commit(ctx context.Context, orderID string, at time.Time) error {
	s.move(orderID, discounts.StateCommitted, at)
	return nil
}

// Release frees a reserved use.
func (s *Store) Release(ctx context.Context, orderID string, at time.Time) error {
	s.move(orderID, discounts.StateReleased, at)
	return nil
}

// move changes a reserved use to state; anything else stays.
func (s *Store) move(orderID string, state discounts.State, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.reservations[orderID]
	if !ok || r.State != discounts.StateReserved {
		return
	}
	r.State, r.UpdatedAt = state, at.UTC()
	s.reservations[orderID] = r
}

// Reservation returns the order's use.
func (s *Store) Reservation(ctx context.Context, orderID string) (discounts.Reservation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.reservations[orderID]
	if !ok {
		return discounts.Reservation{}, discounts.ErrNoReservation
	}
	return r, nil
}
