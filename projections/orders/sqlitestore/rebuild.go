package sqlitestore

import (
	"context"
	"database/sql"
	"sync"

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
	db           *sqlite.DB
	live, shadow *Store

	mu     sync.Mutex
	swapTx *sql.Tx // set while Swap runs: the tail goes into its transaction
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
	return &RebuildTarget{db: db, live: live, shadow: shadow}, nil
}

func (t *RebuildTarget) pairs() []rebuild.TablePair {
	return []rebuild.TablePair{
		{Live: t.live.t.orders, Shadow: t.shadow.t.orders},
		{Live: t.live.t.lines, Shadow: t.shadow.t.lines},
		{Live: t.live.t.history, Shadow: t.shadow.t.history},
	}
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

// inSwap returns the swap's transaction, nil outside a swap.
func (t *RebuildTarget) inSwap() *sql.Tx {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.swapTx
}

// ShadowCheckpoint implements rebuild.Projection.
func (t *RebuildTarget) ShadowCheckpoint(ctx context.Context) (uint64, error) {
	if tx := t.inSwap(); tx != nil {
		return t.shadow.checkpoint(ctx, tx)
	}
	return t.shadow.Checkpoint(ctx)
}

// CreateShadow implements rebuild.Projection.
func (t *RebuildTarget) CreateShadow(ctx context.Context) error {
	return rebuild.CreateSQLiteShadows(ctx, t.db, t.pairs())
}

// ApplyShadow implements rebuild.Projection. During Swap it writes with the
// swap's transaction: the write connection is the swap's until it commits.
func (t *RebuildTarget) ApplyShadow(ctx context.Context, evs []eventstore.RecordedEvent) error {
	cs, err := orders.Changes(evs)
	if err != nil || len(cs) == 0 {
		return err
	}
	if tx := t.inSwap(); tx != nil {
		_, err := t.shadow.apply(ctx, tx, cs, true)
		return err
	}
	return t.shadow.ApplyBatch(ctx, cs)
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
		at, err := t.shadow.checkpoint(ctx, tx)
		if err != nil {
			return err
		}
		if err := t.live.saveCheckpoint(ctx, tx, at); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM orders_checkpoints WHERE projector = ?`, t.shadow.checkpointName())
		return err
	})
}

// DropShadow implements rebuild.Projection.
func (t *RebuildTarget) DropShadow(ctx context.Context) error {
	if err := rebuild.DropSQLiteShadows(ctx, t.db, t.pairs()); err != nil {
		return err
	}
	return t.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM orders_checkpoints WHERE projector = ?`, t.shadow.checkpointName())
		return err
	})
}
