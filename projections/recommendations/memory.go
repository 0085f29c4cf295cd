package recommendations

import (
	"cmp"
	"context"
	"slices"
	"sync"
)

// MemoryStore is the in-process Store of the embedded shop and tests.
type MemoryStore struct {
	mu       sync.Mutex
	orders   map[string]Order
	paid     map[string]bool
	position uint64
	// checkpoint is the last whole batch; 0: none stored yet.
	checkpoint uint64
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{orders: map[string]Order{}, paid: map[string]bool{}}
}

// AddOrder implements Store.
func (m *MemoryStore) AddOrder(ctx context.Context, o Order) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.orders[o.OrderID]; !ok {
		o.Lines = slices.Clone(o.Lines)
		m.orders[o.OrderID] = o
	}
	m.position = max(m.position, o.Position)
	return nil
}

// MarkPaid implements Store.
func (m *MemoryStore) MarkPaid(ctx context.Context, orderID string, position uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.paid[orderID] = true
	m.position = max(m.position, position)
	return nil
}

// Orders implements Store.
func (m *MemoryStore) Orders(ctx context.Context, customerID string, limit int) ([]Order, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []Order{}
	for _, o := range m.orders {
		if o.CustomerID == customerID {
			o.Paid = m.paid[o.OrderID]
			o.Lines = slices.Clone(o.Lines)
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b Order) int {
		if c := b.PlacedAt.Compare(a.PlacedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.OrderID, b.OrderID)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Forget implements Store.
func (m *MemoryStore) Forget(ctx context.Context, customerID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, o := range m.orders {
		if o.CustomerID == customerID {
			delete(m.orders, id)
			delete(m.paid, id)
		}
	}
	return nil
}

// Position implements Store.
func (m *MemoryStore) Position(ctx context.Context) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.position, nil
}

// AddBatch implements BatchStore.
func (m *MemoryStore) AddBatch(ctx context.Context, orders []Order, paid []Paid, position uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, o := range orders {
		if _, ok := m.orders[o.OrderID]; !ok {
			o.Lines = slices.Clone(o.Lines)
			m.orders[o.OrderID] = o
		}
		m.position = max(m.position, o.Position)
	}
	for _, p := range paid {
		m.paid[p.OrderID] = true
		m.position = max(m.position, p.Position)
	}
	m.checkpoint = max(m.checkpoint, position)
	return nil
}

// Checkpoint implements BatchStore.
func (m *MemoryStore) Checkpoint(ctx context.Context) (uint64, error) {
	m.mu.Lock()
	cp := m.checkpoint
	m.mu.Unlock()
	if cp == 0 {
		return m.Position(ctx)
	}
	return cp, nil
}
