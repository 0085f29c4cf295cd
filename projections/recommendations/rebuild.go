package recommendations

import (
	"context"
	"sync"
	"time"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/projections/rebuild"
)

// RebuildName is the name operators use for this projection.
const RebuildName = "recommendations"

// Swappable is the embedded-mode Store whose memory model a rebuild can
// replace: wire it where a *MemoryStore was wired. It keeps the erasures
// itself and hides an erased customer's orders from reads, so a model
// rebuilt from history (which still holds them) shows none of them.
type Swappable struct {
	live      *rebuild.Live[*MemoryStore]
	mu        sync.Mutex
	forgotten map[string]time.Time
	now       func() time.Time
}

var _ interface {
	Store
	BatchStore
} = (*Swappable)(nil)

// NewSwappable returns an empty swappable store.
func NewSwappable() *Swappable {
	return &Swappable{live: rebuild.NewLive(NewMemoryStore()), forgotten: map[string]time.Time{}, now: time.Now}
}

// AddOrder implements Store.
func (s *Swappable) AddOrder(ctx context.Context, o Order) error {
	return s.live.Write(func(m *MemoryStore) error { return m.AddOrder(ctx, o) })
}

// MarkPaid implements Store.
func (s *Swappable) MarkPaid(ctx context.Context, orderID string, position uint64) error {
	return s.live.Write(func(m *MemoryStore) error { return m.MarkPaid(ctx, orderID, position) })
}

// AddBatch implements BatchStore.
func (s *Swappable) AddBatch(ctx context.Context, orders []Order, paid []Paid, position uint64) error {
	return s.live.Write(func(m *MemoryStore) error { return m.AddBatch(ctx, orders, paid, position) })
}

// Orders implements Store, without the orders an erasure removed.
func (s *Swappable) Orders(ctx context.Context, customerID string, limit int) ([]Order, error) {
	s.mu.Lock()
	at, erased := s.forgotten[customerID]
	s.mu.Unlock()
	all, err := s.live.Current().Orders(ctx, customerID, 1_000_000)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, o := range all {
		if !erased || o.PlacedAt.After(at) {
			out = append(out, o)
		}
	}
	return out[:min(len(out), limit)], nil
}

// Forget implements Store.
func (s *Swappable) Forget(ctx context.Context, customerID string) error {
	s.mu.Lock()
	s.forgotten[customerID] = s.now().UTC()
	s.mu.Unlock()
	return s.live.Write(func(m *MemoryStore) error { return m.Forget(ctx, customerID) })
}

// Position implements Store.
func (s *Swappable) Position(ctx context.Context) (uint64, error) {
	return s.live.Current().Position(ctx)
}

// Checkpoint implements BatchStore.
func (s *Swappable) Checkpoint(ctx context.Context) (uint64, error) {
	return s.live.Current().Checkpoint(ctx)
}

// RebuildTarget returns the rebuild.Projection that rebuilds s in memory.
func (s *Swappable) RebuildTarget() (rebuild.Projection, error) {
	return rebuild.NewMemoryProjection(rebuild.MemoryConfig[*MemoryStore]{
		Name: RebuildName, Filter: (&Projector{}).Filter(), Live: s.live, New: NewMemoryStore,
		Apply: func(ctx context.Context, m *MemoryStore, ev eventstore.RecordedEvent) error {
			return NewProjector(m).Handle(ctx, ev)
		},
		Checkpoint: func(ctx context.Context, m *MemoryStore) (uint64, error) { return m.Position(ctx) },
	})
}
