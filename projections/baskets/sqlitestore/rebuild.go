package sqlitestore

import (
	"context"
	"database/sql"

	domain "github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/sqlite"
	"github.com/evshop/shop/projections/baskets"
	"github.com/evshop/shop/projections/rebuild"
)

// shadowSuffix names the table a rebuild fills before the swap.
const shadowSuffix = "_rebuild"

// RebuildTarget is the rebuild.Projection of the embedded basket read
// model: it fills baskets_views_rebuild, then swaps it in with
// rebuild.SwapSQLiteTables, whose transaction holds every live write off.
type RebuildTarget struct {
	live, shadow *Store
	side         *rebuild.SQLiteShadow
}

var _ rebuild.Projection = (*RebuildTarget)(nil)

// NewRebuildTarget returns the rebuild target over the read model in db
// (Migrate must have run).
func NewRebuildTarget(db *sqlite.DB) (*RebuildTarget, error) {
	live, err := New(db)
	if err != nil {
		return nil, err
	}
	shadow := live.shadow()
	return &RebuildTarget{live: live, shadow: shadow, side: &rebuild.SQLiteShadow{
		DB: db, Pairs: []rebuild.TablePair{{Live: live.table, Shadow: shadow.table}},
		Checkpoints: "baskets_checkpoints", Live: live.checkpoint, Shadow: shadow.checkpoint,
	}}, nil
}

// Name implements rebuild.Projection.
func (t *RebuildTarget) Name() string { return baskets.RebuildName }

// Filter implements rebuild.Projection.
func (t *RebuildTarget) Filter() eventstore.Filter {
	return eventstore.Filter{StreamPrefixes: []string{domain.StreamPrefix}}
}

// LiveCheckpoint implements rebuild.Projection.
func (t *RebuildTarget) LiveCheckpoint(ctx context.Context) (uint64, error) {
	return t.live.Checkpoint(ctx)
}

// ShadowCheckpoint implements rebuild.Projection.
func (t *RebuildTarget) ShadowCheckpoint(ctx context.Context) (uint64, error) {
	if tx := t.side.Tx(); tx != nil {
		return t.shadow.checkpointWith(ctx, tx)
	}
	return t.shadow.Checkpoint(ctx)
}

// CreateShadow implements rebuild.Projection.
func (t *RebuildTarget) CreateShadow(ctx context.Context) error { return t.side.Create(ctx) }

// inTx is the shadow store writing its batches with the swap's transaction.
type inTx struct {
	*Store
	tx *sql.Tx
}

func (s inTx) UpdateBatch(ctx context.Context, ups []baskets.Update) error {
	_, err := s.apply(ctx, s.tx, ups, true)
	return err
}

// ApplyShadow implements rebuild.Projection, through the projector's batch
// path. During Swap it writes with the swap's transaction.
func (t *RebuildTarget) ApplyShadow(ctx context.Context, evs []eventstore.RecordedEvent) error {
	var s baskets.Store = t.shadow
	if tx := t.side.Tx(); tx != nil {
		s = inTx{t.shadow, tx}
	}
	p, err := baskets.NewProjector(s)
	if err != nil {
		return err
	}
	return p.ApplyBatch(ctx, evs)
}

// Swap implements rebuild.Projection.
func (t *RebuildTarget) Swap(ctx context.Context, catchUp func(context.Context) error) error {
	return t.side.Swap(ctx, catchUp)
}

// DropShadow implements rebuild.Projection.
func (t *RebuildTarget) DropShadow(ctx context.Context) error { return t.side.Drop(ctx) }
