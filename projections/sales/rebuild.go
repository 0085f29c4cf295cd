package sales

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/projections/rebuild"
)

// ShadowSuffix names the tables a rebuild fills before the swap.
const ShadowSuffix = "_rebuild"

// RebuildTarget is the rebuild.Projection of the PostgreSQL model: it
// builds into tables suffixed ShadowSuffix, then swaps them in by renaming
// in one transaction (the way projections/orders does).
type RebuildTarget struct {
	pool         *pgxpool.Pool
	live, shadow *Postgres
}

var _ rebuild.Projection = (*RebuildTarget)(nil)

// NewRebuildTarget returns the rebuild target over the model in pool
// (Migrate must have run), bucketing days in loc.
func NewRebuildTarget(pool *pgxpool.Pool, loc *time.Location) (*RebuildTarget, error) {
	live, err := NewPostgres(pool, loc, "")
	if err != nil {
		return nil, err
	}
	shadow, err := NewPostgres(pool, loc, ShadowSuffix)
	if err != nil {
		return nil, err
	}
	return &RebuildTarget{pool: pool, live: live, shadow: shadow}, nil
}

func (t *RebuildTarget) pairs() []rebuild.TablePair { return pairs(t.live.t, t.shadow.t) }

// Name implements rebuild.Projection.
func (t *RebuildTarget) Name() string { return RebuildName }

// Filter implements rebuild.Projection.
func (t *RebuildTarget) Filter() eventstore.Filter { return Filter() }

// LiveCheckpoint implements rebuild.Projection.
func (t *RebuildTarget) LiveCheckpoint(ctx context.Context) (uint64, error) {
	return t.live.Checkpoint(ctx)
}

// ShadowCheckpoint implements rebuild.Projection.
func (t *RebuildTarget) ShadowCheckpoint(ctx context.Context) (uint64, error) {
	return t.shadow.Checkpoint(ctx)
}

// CreateShadow implements rebuild.Projection.
func (t *RebuildTarget) CreateShadow(ctx context.Context) error {
	return rebuild.CreateShadowTables(ctx, t.pool, t.pairs())
}

// ApplyShadow implements rebuild.Projection.
func (t *RebuildTarget) ApplyShadow(ctx context.Context, evs []eventstore.RecordedEvent) error {
	return t.shadow.ApplyBatch(ctx, Decode(evs, nil))
}

// Swap implements rebuild.Projection.
func (t *RebuildTarget) Swap(ctx context.Context, catchUp func(context.Context) error) error {
	return rebuild.SwapTables(ctx, t.pool, t.pairs(), catchUp, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO sales_projection_checkpoints (projector, position)
			SELECT $1, position FROM sales_projection_checkpoints WHERE projector = $2
			ON CONFLICT (projector) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
			t.live.checkpointName(), t.shadow.checkpointName())
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM sales_projection_checkpoints WHERE projector = $1`, t.shadow.checkpointName())
		return err
	})
}

// DropShadow implements rebuild.Projection.
func (t *RebuildTarget) DropShadow(ctx context.Context) error {
	if err := rebuild.DropShadowTables(ctx, t.pool, t.pairs()); err != nil {
		return err
	}
	_, err := t.pool.Exec(ctx, `DELETE FROM sales_projection_checkpoints WHERE projector = $1`, t.shadow.checkpointName())
	return err
}

// Swappable is the embedded-mode Store whose memory model a rebuild can
// replace: wire it where a *Memory was wired.
type Swappable struct {
	loc  *time.Location
	live *rebuild.Live[*Memory]
}

var _ Store = (*Swappable)(nil)

// NewSwappable wraps m.
func NewSwappable(m *Memory) (*Swappable, error) {
	if m == nil {
		return nil, errors.New("sales: memory store is required")
	}
	return &Swappable{loc: m.loc, live: rebuild.NewLive(m)}, nil
}

// ApplyBatch implements Store.
func (s *Swappable) ApplyBatch(ctx context.Context, cs []Change) error {
	return s.live.Write(func(m *Memory) error { return m.ApplyBatch(ctx, cs) })
}

// Checkpoint implements Store.
func (s *Swappable) Checkpoint(ctx context.Context) (uint64, error) {
	return s.live.Current().Checkpoint(ctx)
}

// Figures implements Store.
func (s *Swappable) Figures(ctx context.Context, from, to Day) (Figures, error) {
	return s.live.Current().Figures(ctx, from, to)
}

// Location implements Store.
func (s *Swappable) Location() *time.Location { return s.loc }

// RebuildTarget returns the rebuild.Projection that rebuilds s in memory.
func (s *Swappable) RebuildTarget() (rebuild.Projection, error) {
	return rebuild.NewMemoryProjection(rebuild.MemoryConfig[*Memory]{
		Name:   RebuildName,
		Filter: Filter(),
		Live:   s.live,
		New:    func() *Memory { return NewMemory(s.loc) },
		Apply: func(ctx context.Context, m *Memory, ev eventstore.RecordedEvent) error {
			return m.ApplyBatch(ctx, Decode([]eventstore.RecordedEvent{ev}, nil))
		},
		Checkpoint: func(ctx context.Context, m *Memory) (uint64, error) { return m.Checkpoint(ctx) },
	})
}
