package sqlitestore

import (
	"context"
	"database/sql"
	"sync"

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
	db           *sqlite.DB
	live, shadow *Store

	mu     sync.Mutex
	swapTx *sql.Tx // set while Swap runs: the tail goes into its transaction
}

var _ rebuild.Projection = (*RebuildTarget)(nil)

// NewRebuildTarget returns the rebuild target over the read model in db
// (Migrate must have run).
func NewRebuildTarget(db *sqlite.DB) (*RebuildTarget, error) {
	live, err := New(db)
	if err != nil {
		return nil, err
	}
	return &RebuildTarget{db: db, live: live, shadow: live.shadow()}, nil
}

func (t *RebuildTarget) pairs() []rebuild.TablePair {
	return []rebuild.TablePair{{Live: t.live.table, Shadow: t.shadow.table}}
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

func (t *RebuildTarget) inSwap() *sql.Tx {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.swapTx
}

// ShadowCheckpoint implements rebuild.Projection.
func (t *RebuildTarget) ShadowCheckpoint(ctx context.Context) (uint64, error) {
	if tx := t.inSwap(); tx != nil {
		return t.shadow.checkpointWith(ctx, tx)
	}
	return t.shadow.Checkpoint(ctx)
}

// CreateShadow implements rebuild.Projection.
func (t *RebuildTarget) CreateShadow(ctx context.Context) error {
	return rebuild.CreateSQLiteShadows(ctx, t.db, t.pairs())
}

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
	if tx := t.inSwap(); tx != nil {
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
	return rebuild.SwapSQLiteTables(ctx, t.db, t.pairs(), func(ctx context.Context, tx *sql.Tx) error {
		t.mu.Lock()
		t.swapTx = tx
		t.mu.Unlock()
		defer func() {
			t.mu.Lock()
			t.swapTx = nil
			t.mu.Unlock()
		}()
		if err := catchUp(ctx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO baskets_checkpoints (projector, position, updated_at)
			SELECT ?, position, updated_at FROM baskets_checkpoints WHERE projector = ?
			ON CONFLICT (projector) DO UPDATE SET position = max(position, excluded.position), updated_at = excluded.updated_at`,
			t.live.checkpoint, t.shadow.checkpoint)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM baskets_checkpoints WHERE projector = ?`, t.shadow.checkpoint)
		return err
	})
}

// DropShadow implements rebuild.Projection.
func (t *RebuildTarget) DropShadow(ctx context.Context) error {
	if err := rebuild.DropSQLiteShadows(ctx, t.db, t.pairs()); err != nil {
		return err
	}
	return t.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM baskets_checkpoints WHERE projector = ?`, t.shadow.checkpoint)
		return err
	})
}
