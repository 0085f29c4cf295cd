package payments

import (
	"context"
	"slices"
	"sort"
	"sync"
)

// Memory is the embedded-mode Store.
type Memory struct {
	mu         sync.RWMutex
	payments   map[string]*Payment
	byOrder    map[string][]string
	checkpoint uint64
}

// NewMemory returns an empty store.
func NewMemory() *Memory {
	return &Memory{payments: map[string]*Payment{}, byOrder: map[string][]string{}}
}

// Apply implements Store.
func (m *Memory) Apply(_ context.Context, c Change) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.payments[c.PaymentID]
	var version uint64
	if ok {
		version = p.Version
	}
	if apply, err := guard(version, c.Entry.Revision); !apply {
		return false, err
	}
	if !ok {
		p = &Payment{}
		m.payments[c.PaymentID] = p
		m.byOrder[c.OrderID] = append(m.byOrder[c.OrderID], c.PaymentID)
	}
	fold(p, c)
	p.Ledger = append(p.Ledger, c.Entry)
	m.checkpoint = max(m.checkpoint, c.Position)
	return true, nil
}

// ByOrder implements Store.
func (m *Memory) ByOrder(_ context.Context, orderID string) ([]Payment, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := []Payment{}
	for _, id := range m.byOrder[orderID] {
		p := *m.payments[id]
		p.Ledger = append([]Entry(nil), p.Ledger...)
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PaymentID < out[j].PaymentID })
	return out, nil
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
	touched := map[string]*Payment{}
	top := m.checkpoint
	for _, c := range cs {
		top = max(top, c.Position)
		p, ok := touched[c.PaymentID]
		if !ok {
			p = &Payment{}
			if old, exists := m.payments[c.PaymentID]; exists {
				*p = *old
				p.Ledger = slices.Clone(old.Ledger)
			}
			touched[c.PaymentID] = p
		}
		if apply, err := guard(p.Version, c.Entry.Revision); err != nil {
			return err
		} else if !apply {
			continue
		}
		fold(p, c)
		p.Ledger = append(p.Ledger, c.Entry)
	}
	for id, p := range touched {
		if p.PaymentID == "" {
			continue // only skipped changes touched it
		}
		if _, exists := m.payments[id]; !exists {
			m.byOrder[p.OrderID] = append(m.byOrder[p.OrderID], id)
		}
		m.payments[id] = p
	}
	m.checkpoint = top
	return nil
}
