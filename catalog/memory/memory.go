// Package memory is the in-process catalog store of the embedded shop and of
// unit tests. One mutex makes every operation atomic, which is exactly the
// guarantee the Mongo adapter gets from single-document updates.
package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	domain "github.com/evshop/shop/domain/catalog"
)

type product struct {
	state domain.State
	holds map[string]int // order id → units held
}

// Store implements catalog.Store in memory.
type Store struct {
	mu           sync.Mutex
	products     map[string]*product
	reservations map[string]domain.Reservation
}

// New returns an empty store.
func New() *Store {
	return &Store{products: map[string]*product{}, reservations: map[string]domain.Reservation{}}
}

func (s *Store) restore(p *product) (domain.Product, error) {
	return domain.RestoreProduct(p.state)
}

// Insert implements catalog.Store.
func (s *Store) Insert(ctx context.Context, p domain.Product) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := p.SKU().String()
	if _, ok := s.products[k]; ok {
		return fmt.Errorf("%w: %s", domain.ErrDuplicate, k)
	}
	s.products[k] = &product{state: p.State(), holds: map[string]int{}}
	return nil
}

// Get implements catalog.Store.
func (s *Store) Get(ctx context.Context, sku domain.SKU) (domain.Product, error) {
	if err := ctx.Err(); err != nil {
		return domain.Product{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.products[sku.String()]
	if !ok {
		return domain.Product{}, fmt.Errorf("%w: %s", domain.ErrNotFound, sku)
	}
	return s.restore(p)
}

// Update implements catalog.Store.
func (s *Store) Update(ctx context.Context, p domain.Product, prevVersion int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.products[p.SKU().String()]
	if !ok {
		return fmt.Errorf("%w: %s", domain.ErrNotFound, p.SKU())
	}
	if cur.state.Version != prevVersion {
		return fmt.Errorf("%w: %s", domain.ErrConflict, p.SKU())
	}
	next := p.State()
	next.OnHand, next.Reserved, next.CreatedAt = cur.state.OnHand, cur.state.Reserved, cur.state.CreatedAt
	next.ProductID = cur.state.ProductID
	cur.state = next
	return nil
}

// Family implements catalog.Store.
func (s *Store) Family(ctx context.Context, productID domain.SKU) ([]domain.Product, error) {
	all, err := s.all(ctx)
	if err != nil {
		return nil, err
	}
	out := slices.DeleteFunc(all, func(p domain.Product) bool { return p.ProductID() != productID })
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: %s", domain.ErrNotFound, productID)
	}
	domain.SortFamily(out)
	return out, nil
}

func (s *Store) all(ctx context.Context) ([]domain.Product, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]domain.Product, 0, len(s.products))
	for _, p := range s.products {
		rp, err := s.restore(p)
		if err != nil {
			return nil, err
		}
		out = append(out, rp)
	}
	return out, nil
}

// List implements catalog.Store.
func (s *Store) List(ctx context.Context, q domain.Query) (domain.Page, error) {
	all, err := s.all(ctx)
	if err != nil {
		return domain.Page{}, err
	}
	return domain.ListFamilies(all, q), nil
}

// Categories implements catalog.Store.
func (s *Store) Categories(ctx context.Context) ([]domain.CategoryCount, error) {
	all, err := s.all(ctx)
	if err != nil {
		return nil, err
	}
	return domain.FamilyCategories(all), nil
}

// AdjustStock implements catalog.Store.
func (s *Store) AdjustStock(ctx context.Context, sku domain.SKU, delta int) (domain.Product, error) {
	if err := ctx.Err(); err != nil {
		return domain.Product{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.products[sku.String()]
	if !ok {
		return domain.Product{}, fmt.Errorf("%w: %s", domain.ErrNotFound, sku)
	}
	next := p.state.OnHand + delta
	if next < p.state.Reserved || next > domain.MaxStock {
		return domain.Product{}, fmt.Errorf("%w: %s has %d on hand, %d reserved", domain.ErrInsufficientStock, sku, p.state.OnHand, p.state.Reserved)
	}
	p.state.OnHand = next
	return s.restore(p)
}

// Hold implements catalog.Store.
func (s *Store) Hold(ctx context.Context, orderID string, l domain.Line) (domain.HoldOutcome, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.products[l.SKU().String()]
	switch {
	case !ok:
		return domain.HoldUnknown, nil
	case p.holds[orderID] > 0:
		return domain.HoldAlreadyHeld, nil
	case p.state.Archived:
		return domain.HoldArchived, nil
	case p.state.OnHand-p.state.Reserved < l.Quantity():
		return domain.HoldInsufficient, nil
	}
	p.state.Reserved += l.Quantity()
	p.holds[orderID] = l.Quantity()
	return domain.HoldApplied, nil
}

// Unhold implements catalog.Store.
func (s *Store) Unhold(ctx context.Context, orderID string, sku domain.SKU) error {
	return s.dropHold(ctx, orderID, sku, false)
}

// Consume implements catalog.Store.
func (s *Store) Consume(ctx context.Context, orderID string, sku domain.SKU) error {
	return s.dropHold(ctx, orderID, sku, true)
}

func (s *Store) dropHold(ctx context.Context, orderID string, sku domain.SKU, sold bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.products[sku.String()]
	if !ok {
		return nil
	}
	q, held := p.holds[orderID]
	if !held {
		return nil
	}
	delete(p.holds, orderID)
	p.state.Reserved -= q
	if sold {
		p.state.OnHand -= q
	}
	return nil
}

// CreateReservation implements catalog.Store.
func (s *Store) CreateReservation(ctx context.Context, r domain.Reservation) (domain.Reservation, bool, error) {
	if err := ctx.Err(); err != nil {
		return domain.Reservation{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.reservations[r.OrderID()]; ok {
		return cur, false, nil
	}
	s.reservations[r.OrderID()] = r
	return r, true, nil
}

// GetReservation implements catalog.Store.
func (s *Store) GetReservation(ctx context.Context, orderID string) (domain.Reservation, error) {
	if err := ctx.Err(); err != nil {
		return domain.Reservation{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.reservations[strings.ToLower(orderID)]
	if !ok {
		return domain.Reservation{}, fmt.Errorf("%w: order %s", domain.ErrNotReserved, orderID)
	}
	return r, nil
}

// TransitionReservation implements catalog.Store.
func (s *Store) TransitionReservation(ctx context.Context, orderID string, from []domain.ReservationStatus, to domain.ReservationStatus, reason string, skus []string) (domain.Reservation, error) {
	if err := ctx.Err(); err != nil {
		return domain.Reservation{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.reservations[orderID]
	if !ok {
		return domain.Reservation{}, fmt.Errorf("%w: order %s", domain.ErrNotReserved, orderID)
	}
	if !slices.Contains(from, cur.Status()) {
		return cur, nil
	}
	next, err := domain.RestoreReservation(cur.OrderID(), cur.Lines(), to, reason, skus)
	if err != nil {
		return domain.Reservation{}, err
	}
	s.reservations[orderID] = next
	return next, nil
}
