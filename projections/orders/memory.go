package orders

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// Memory is the in-process Store for embedded mode and tests.
type Memory struct {
	mu         sync.RWMutex
	orders     map[string]Order
	checkpoint uint64
}

// NewMemory returns an empty store.
func NewMemory() *Memory { return &Memory{orders: map[string]Order{}} }

func clone(o Order) Order {
	o.Lines = slices.Clone(o.Lines)
	o.History = slices.Clone(o.History)
	o.Documents = o.Documents.clone()
	if o.Refunded != nil {
		r := *o.Refunded
		o.Refunded = &r
	}
	return o
}

// Apply implements Store.
func (m *Memory) Apply(_ context.Context, c Change) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, exists := m.orders[c.OrderID]
	if ok, err := guard(o.Version, exists, c.Revision); !ok {
		return false, err
	}
	o = clone(o)
	applyTo(&o, c)
	m.orders[c.OrderID] = o
	m.checkpoint = max(m.checkpoint, c.Position)
	return true, nil
}

// Get implements Store.
func (m *Memory) Get(_ context.Context, orderID string) (Order, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	o, ok := m.orders[strings.ToLower(orderID)]
	if !ok {
		return Order{}, ErrNotFound
	}
	return clone(o), nil
}

// List implements Store.
func (m *Memory) List(_ context.Context, q Query) (Page, error) {
	q = q.Normalize()
	m.mu.RLock()
	var all []Summary
	for _, o := range m.orders {
		if (q.CustomerID == "" || o.CustomerID == q.CustomerID || (q.AlsoCustomerID != "" && o.CustomerID == q.AlsoCustomerID)) && (q.Status == "" || o.Status == q.Status) &&
			(q.Email == "" || strings.ToLower(o.Email) == q.Email) {
			all = append(all, o.Summary)
		}
	}
	m.mu.RUnlock()
	slices.SortFunc(all, func(a, b Summary) int {
		if c := b.PlacedAt.Compare(a.PlacedAt); c != 0 {
			return c
		}
		return strings.Compare(a.OrderID, b.OrderID)
	})
	p := Page{Page: q.Page, PageSize: q.PageSize, Total: len(all), Items: []Summary{}}
	from := (q.Page - 1) * q.PageSize
	if from < len(all) {
		p.Items = all[from:min(from+q.PageSize, len(all))]
	}
	return p, nil
}

// Checkpoint implements Store.
func (m *Memory) Checkpoint(context.Context) (uint64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.checkpoint, nil
}

// ApplyBatch implements BatchStore: all of cs or, on an error, none of it.
func (m *Memory) ApplyBatch(_ context.Context, cs []Change) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	touched := map[string]Order{}
	top := m.checkpoint
	for _, c := range cs {
		top = max(top, c.Position)
		o, exists := touched[c.OrderID]
		if !exists {
			o, exists = m.orders[c.OrderID]
			o = clone(o)
		}
		ok, err := guard(o.Version, exists, c.Revision)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if !exists && c.Placed == nil {
			return fmt.Errorf("%w: %s has no OrderPlaced", ErrOutOfOrder, c.OrderID)
		}
		applyTo(&o, c)
		touched[c.OrderID] = o
	}
	maps.Copy(m.orders, touched)
	m.checkpoint = top
	return nil
}
