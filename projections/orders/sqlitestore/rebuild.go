package sqlitestore

import (
	"context"

	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/sqlite"
	"github.com/evshop/shop/projections/orders"
	"github.com/evshop/shop/projections/rebuild"
)

// RebuildTarget is the rebuild.Projection of the embedded read model: it
// builds into tables suffixed orders.ShadowSuffix, then swaps them in with
// rebuild.SwapSQLiteTables. The live Store needs no wrapper: the swap holds
// the database's write lock, which every live write waits for.
type RebuildTarget struct {
	live, shadow *Store
	side         *rebuild.SQLiteShadow
}

var _ rebuild.Projection = (*RebuildTarget)(nil)

// NewRebuildTarget returns the rebuild target over the read model in db
// (Migrate must have run).
func NewRebuildTarget(db *sqlite.DB) (*RebuildTarget, error) {
	live, err := New(db, "")
	if err != nil {
		return nil, err
	}
	shadow, err := New(db, orders.ShadowSuffix)
	if err != nil {
		return nil, err
	}
	return &RebuildTarget{live: live, shadow: shadow, side: &rebuild.SQLiteShadow{
		DB: db, Pairs: []rebuild.TablePair{
			{Live: live.t.orders, Shadow: shadow.t.orders},
			{Live: live.t.lines, Shadow: shadow.t.lines},
			{Live: live.t.history, Shadow: shadow.t.history},
		},
		Checkpoints: "orders_checkpoints", Live: live.checkpointName(), Shadow: shadow.checkpointName(),
	}}, nil
}

// Name implements rebuild.Projection.
func (t *RebuildTarget) Name() string { return orders.RebuildName }

// Filter implements rebuild.Projection.
func (t *RebuildTarget) Filter() eventstore.Filter {
	return eventstore.Filter{StreamPrefixes: []string{ordering.StreamPrefix}}
}

// LiveCheckpoint implements rebuild.Projection.
func (t *RebuildTarget) LiveCheckpoint(ctx context.Context) (uint64, error) {
	return t.live.Checkpoint(ctx)
}

// ShadowCheckpoint implements rebuild.Projection.
func (t *RebuildTarget) ShadowCheckpoint(ctx context.Context) (uint64, error) {
	if tx := t.side.Tx(); tx != nil {
		return t.shadow.checkpoint(ctx, tx)
	}
	return t.shadow.Checkpoint(ctx)
}

// CreateShadow implements rebuild.Projection.
func (t *RebuildTarget) CreateShadow(ctx context.Context) error { return t.side.Create(ctx) }

// ApplyShadow implements rebuild.Projection. During Swap it writes with the
// swap's transaction: the write connection is the swap's until it commits.
func (t *RebuildTarget) ApplyShadow(ctx context.Context, evs []eventstore.RecordedEvent) error {
	cs, err := orders.Changes(evs)
	if err != nil || len(cs) == 0 {
		return err
	}
	if tx := t.side.Tx(); tx != nil {
		_, err := t.shadow.apply(ctx, tx, cs, true)
		return err
	}
	return t.shadow.ApplyBatch(ctx, cs)
}

// Swap implements rebuild.Projection.
func (t *RebuildTarget) Swap(ctx context.Context, catchUp func(context.Context) error) error {
	return t.side.Swap(ctx, catchUp)
}

// DropShadow implements rebuild.Projection.
func (t *RebuildTarget) DropShadow(ctx context.Context) error { return t.side.Drop(ctx) }
