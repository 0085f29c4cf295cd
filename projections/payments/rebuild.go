package payments

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/projections/rebuild"
)

// RebuildName is the name operators use for this projection.
const RebuildName = "payments"

// ShadowSuffix names the tables a rebuild fills before the swap.
const ShadowSuffix = "_rebuild"

func filter() eventstore.Filter {
	return eventstore.Filter{StreamPrefixes: []string{payment.StreamPrefix}}
}

// NewRebuildTarget returns the rebuild.Projection of the PostgreSQL ledger
// in pool (Migrate must have run): it books history into tables suffixed
// ShadowSuffix with the projector's own batch path, then swaps them in.
func NewRebuildTarget(pool *pgxpool.Pool) (*rebuild.Tables, error) {
	live, err := newPostgres(pool, "")
	if err != nil {
		return nil, err
	}
	shadow, err := newPostgres(pool, ShadowSuffix)
	if err != nil {
		return nil, err
	}
	into := &Projector{store: shadow}
	return rebuild.NewTables(rebuild.TablesConfig{
		Name: RebuildName, Filter: filter(), Pool: pool,
		Pairs:       []rebuild.TablePair{{Live: live.payments, Shadow: shadow.payments}, {Live: live.ledger, Shadow: shadow.ledger}},
		Checkpoints: "payments_projection_checkpoints", LiveRow: live.checkpoint, ShadowRow: shadow.checkpoint,
		Apply: into.ApplyBatch,
	})
}

// Swappable is the embedded-mode Store whose memory ledger a rebuild can
// replace: wire it where a *Memory was wired (API reader and projector).
type Swappable struct{ live *rebuild.Live[*Memory] }

var _ interface {
	Store
	BatchStore
} = (*Swappable)(nil)

// NewSwappable returns an empty swappable ledger.
func NewSwappable() *Swappable { return &Swappable{live: rebuild.NewLive(NewMemory())} }

// Apply implements Store.
func (s *Swappable) Apply(ctx context.Context, c Change) (applied bool, err error) {
	err = s.live.Write(func(m *Memory) error {
		applied, err = m.Apply(ctx, c)
		return err
	})
	return applied, err
}

// ApplyBatch implements BatchStore.
func (s *Swappable) ApplyBatch(ctx context.Context, cs []Change) error {
	return s.live.Write(func(m *Memory) error { return m.ApplyBatch(ctx, cs) })
}

// ByOrder implements Store.
func (s *Swappable) ByOrder(ctx context.Context, orderID string) ([]Payment, error) {
	return s.live.Current().ByOrder(ctx, orderID)
}

// Checkpoint implements Store.
func (s *Swappable) Checkpoint(ctx context.Context) (uint64, error) {
	return s.live.Current().Checkpoint(ctx)
}

// RebuildTarget returns the rebuild.Projection that rebuilds s in memory.
func (s *Swappable) RebuildTarget() (rebuild.Projection, error) {
	return rebuild.NewMemoryProjection(rebuild.MemoryConfig[*Memory]{
		Name: RebuildName, Filter: filter(), Live: s.live, New: NewMemory,
		Apply: func(ctx context.Context, m *Memory, ev eventstore.RecordedEvent) error {
			return (&Projector{store: m}).Handle(ctx, ev)
		},
		Checkpoint: func(ctx context.Context, m *Memory) (uint64, error) { return m.Checkpoint(ctx) },
	})
}
