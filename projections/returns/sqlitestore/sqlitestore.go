// Package sqlitestore is the returns read model (projections/returns) in
// the one-process shop's embedded database (platform/sqlite): rows and the
// projector checkpoint commit in one transaction.
package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"

	domain "github.com/evshop/shop/domain/returns"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/sqlite"
	"github.com/evshop/shop/projections/rebuild"
	"github.com/evshop/shop/projections/returns"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Component is the migration component name of this read model.
const Component = "projections.returns"

// Migrate applies the read model's migrations.
func Migrate(ctx context.Context, db *sqlite.DB) error {
	return sqlite.MigrateEmbedded(ctx, db, Component, migrations, "migrations")
}

// Store is the durable embedded returns.Store, over the live tables or a
// rebuild's shadow tables (suffixed returns.ShadowSuffix).
type Store struct {
	db                 *sqlite.DB
	orders, view, name string
}

var _ returns.Store = (*Store)(nil)

// New returns the store in db (run Migrate first).
func New(db *sqlite.DB) (*Store, error) { return newStore(db, "") }

func newStore(db *sqlite.DB, suffix string) (*Store, error) {
	if db == nil {
		return nil, errors.New("returns projection: database is required")
	}
	return &Store{db: db, orders: "returns_by_order" + suffix, view: "returns_view" + suffix, name: returns.HandlerName + suffix}, nil
}

// ApplyBatch implements returns.Store.
func (s *Store) ApplyBatch(ctx context.Context, cs []returns.Change) error {
	if len(cs) == 0 {
		return nil
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return s.apply(ctx, tx, cs) })
}

// apply folds cs with tx: the store's own transaction, or a rebuild swap's.
func (s *Store) apply(ctx context.Context, tx *sql.Tx, cs []returns.Change) error {
	ids := make([]string, 0, len(cs))
	var top uint64
	for _, c := range cs {
		ids = append(ids, c.OrderID)
		top = max(top, c.Position)
	}
	state := map[string]*returns.OrderState{}
	err := sqlite.QueryIn(ctx, tx, `SELECT order_id, version FROM `+s.orders+` WHERE order_id IN (?)`, ids, func(r *sql.Rows) error {
		var id string
		var v int64
		if err := r.Scan(&id, &v); err != nil {
			return err
		}
		state[id] = &returns.OrderState{Version: uint64(v), Returns: map[string]domain.Return{}}
		return nil
	})
	if err != nil {
		return err
	}
	err = sqlite.QueryIn(ctx, tx, `SELECT order_id, doc FROM `+s.view+` WHERE order_id IN (?)`, ids, func(r *sql.Rows) error {
		var id, doc string
		var ret domain.Return
		if err := r.Scan(&id, &doc); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(doc), &ret); err != nil {
			return fmt.Errorf("returns projection: stored return of %s: %w", id, err)
		}
		if st := state[id]; st != nil {
			st.Returns[ret.ID] = ret
		}
		return nil
	})
	if err != nil {
		return err
	}
	dirty := map[string]bool{}
	for _, c := range cs {
		st := state[c.OrderID]
		if st == nil {
			st = &returns.OrderState{}
			state[c.OrderID] = st
		}
		changed, err := returns.Fold(st, c)
		if err != nil {
			return err
		}
		dirty[c.OrderID] = dirty[c.OrderID] || changed
	}
	for id, changed := range dirty {
		if !changed {
			continue
		}
		st := state[id]
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+s.orders+` (order_id, version) VALUES (?, ?)
			ON CONFLICT (order_id) DO UPDATE SET version = excluded.version`, id, int64(st.Version)); err != nil {
			return err
		}
		for _, r := range st.Returns {
			doc, err := json.Marshal(r)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+s.view+` (return_id, order_id, status, requested_at, doc) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (return_id) DO UPDATE SET status = excluded.status, doc = excluded.doc`,
				r.ID, id, string(r.Status), sqlite.Nanos(r.RequestedAt), string(doc)); err != nil {
				return err
			}
		}
	}
	return sqlite.SaveCheckpoint(ctx, tx, "returns_checkpoints", s.name, top)
}

// List implements returns.Store.
func (s *Store) List(ctx context.Context, status domain.Status) ([]domain.Return, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT doc FROM `+s.view+` WHERE (? = '' OR status = ?)`, string(status), string(status))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.Return{}
	for rows.Next() {
		var doc string
		var r domain.Return
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(doc), &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return returns.Sorted(out), rows.Err()
}

// Checkpoint implements returns.Store.
func (s *Store) Checkpoint(ctx context.Context) (uint64, error) {
	return sqlite.LoadCheckpoint(ctx, s.db.Read, "returns_checkpoints", s.name)
}

// RebuildTarget is the rebuild.Projection of the embedded read model: it
// builds into the shadow tables, then swaps them in with
// rebuild.SwapSQLiteTables (the swap holds the write lock every live write
// waits for).
type RebuildTarget struct {
	live, shadow *Store
	side         *rebuild.SQLiteShadow
}

var _ rebuild.Projection = (*RebuildTarget)(nil)

// NewRebuildTarget returns the rebuild target over the model in db
// (Migrate must have run).
func NewRebuildTarget(db *sqlite.DB) (*RebuildTarget, error) {
	live, err := newStore(db, "")
	if err != nil {
		return nil, err
	}
	shadow, err := newStore(db, returns.ShadowSuffix)
	if err != nil {
		return nil, err
	}
	return &RebuildTarget{live: live, shadow: shadow, side: &rebuild.SQLiteShadow{DB: db,
		Pairs:       []rebuild.TablePair{{Live: live.orders, Shadow: shadow.orders}, {Live: live.view, Shadow: shadow.view}},
		Checkpoints: "returns_checkpoints", Live: live.name, Shadow: shadow.name}}, nil
}

// Name implements rebuild.Projection.
func (t *RebuildTarget) Name() string { return returns.RebuildName }

// Filter implements rebuild.Projection.
func (t *RebuildTarget) Filter() eventstore.Filter { return returns.Filter() }

// LiveCheckpoint implements rebuild.Projection.
func (t *RebuildTarget) LiveCheckpoint(ctx context.Context) (uint64, error) {
	return t.live.Checkpoint(ctx)
}

// ShadowCheckpoint implements rebuild.Projection (with the swap's
// transaction while it runs).
func (t *RebuildTarget) ShadowCheckpoint(ctx context.Context) (uint64, error) {
	if tx := t.side.Tx(); tx != nil {
		return sqlite.LoadCheckpoint(ctx, tx, "returns_checkpoints", t.shadow.name)
	}
	return t.shadow.Checkpoint(ctx)
}

// CreateShadow implements rebuild.Projection.
func (t *RebuildTarget) CreateShadow(ctx context.Context) error { return t.side.Create(ctx) }

// ApplyShadow implements rebuild.Projection; during Swap it writes with the
// swap's transaction.
func (t *RebuildTarget) ApplyShadow(ctx context.Context, evs []eventstore.RecordedEvent) error {
	var cs []returns.Change
	p, err := returns.NewProjector(&collect{cs: &cs})
	if err != nil {
		return err
	}
	if err := p.ApplyBatch(ctx, evs); err != nil || len(cs) == 0 {
		return err
	}
	if tx := t.side.Tx(); tx != nil {
		return t.shadow.apply(ctx, tx, cs)
	}
	return t.shadow.ApplyBatch(ctx, cs)
}

// Swap implements rebuild.Projection.
func (t *RebuildTarget) Swap(ctx context.Context, catchUp func(context.Context) error) error {
	return t.side.Swap(ctx, catchUp)
}

// DropShadow implements rebuild.Projection.
func (t *RebuildTarget) DropShadow(ctx context.Context) error { return t.side.Drop(ctx) }

// collect is a returns.Store that only gathers the decoded changes (the
// projector's decoding, reused for the rebuild).
type collect struct{ cs *[]returns.Change }

func (c *collect) ApplyBatch(_ context.Context, cs []returns.Change) error {
	*c.cs = append(*c.cs, cs...)
	return nil
}

func (c *collect) List(context.Context, domain.Status) ([]domain.Return, error) { return nil, nil }

func (c *collect) Checkpoint(context.Context) (uint64, error) { return 0, nil }
