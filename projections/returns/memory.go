package returns

import (
	"context"
	"maps"
	"sync"

	domain "github.com/evshop/shop/domain/returns"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/projections/rebuild"
)

// Memory is the embedded-mode Store.
type Memory struct {
	mu         sync.RWMutex
	orders     map[string]*OrderState
	checkpoint uint64
}

// NewMemory returns an empty store.
func NewMemory() *Memory { return &Memory{orders: map[string]*OrderState{}} }

// ApplyBatch implements Store: all of cs or, on an error, none of it.
func (m *Memory) ApplyBatch(_ context.Context, cs []Change) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	touched := map[string]*OrderState{}
	top := m.checkpoint
	for _, c := range cs {
		top = max(top, c.Position)
		st, ok := touched[c.OrderID]
		if !ok {
			st = &OrderState{}
			if old := m.orders[c.OrderID]; old != nil {
				st.Version, st.Returns = old.Version, maps.Clone(old.Returns)
			}
			touched[c.OrderID] = st
		}
		if _, err := Fold(st, c); err != nil {
			return err
		}
	}
	maps.Copy(m.orders, touched)
	m.checkpoint = top
	return nil
}

// List implements Store.
func (m *Memory) List(_ context.Context, status domain.Status) ([]domain.Return, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := []domain.Return{}
	for _, st := range m.orders {
		for _, r := range st.Returns {
			if status == "" || r.Status == status {
				out = append(out, r)
			}
		}
	}
	return Sorted(out), nil
}

// Checkpoint implements Store.
func (m *Memory) Checkpoint(context.Context) (uint64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.checkpoint, nil
}

// Swappable is the embedded-mode Store a rebuild can replace.
type Swappable struct{ live *rebuild.Live[*Memory] }

var _ Store = (*Swappable)(nil)

// NewSwappable returns an empty swappable store.
func NewSwappable() *Swappable { return &Swappable{live: rebuild.NewLive(NewMemory())} }

// ApplyBatch implements Store.
func (s *Swappable) ApplyBatch(ctx context.Context, cs []Change) error {
	return s.live.Write(func(m *Memory) error { return m.ApplyBatch(ctx, cs) })
}

// List implements Store.
func (s *Swappable) List(ctx context.Context, status domain.Status) ([]domain.Return, error) {
	return s.live.Current().List(ctx, status)
}

// Checkpoint implements Store.
func (s *Swappable) Checkpoint(ctx context.Context) (uint64, error) {
	return s.live.Current().Checkpoint(ctx)
}

// RebuildTarget returns the rebuild.Projection that rebuilds s in memory.
func (s *Swappable) RebuildTarget() (rebuild.Projection, error) {
	return rebuild.NewMemoryProjection(rebuild.MemoryConfig[*Memory]{
		Name: RebuildName, Filter: Filter(), Live: s.live, New: NewMemory,
		Apply: func(ctx context.Context, m *Memory, ev eventstore.RecordedEvent) error {
			p, err := NewProjector(m)
			if err != nil {
				return err
			}
			return p.Handle(ctx, ev)
		},
		Checkpoint: func(ctx context.Context, m *Memory) (uint64, error) { return m.Checkpoint(ctx) },
	})
}
