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
	"github.com/evshop/shop/platform/sqlite"
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

// Store is the durable embedded returns.Store.
type Store struct{ db *sqlite.DB }

var _ returns.Store = (*Store)(nil)

// New returns the store in db (run Migrate first).
func New(db *sqlite.DB) (*Store, error) {
	if db == nil {
		return nil, errors.New("returns projection: database is required")
	}
	return &Store{db: db}, nil
}

// ApplyBatch implements returns.Store.
func (s *Store) ApplyBatch(ctx context.Context, cs []returns.Change) error {
	if len(cs) == 0 {
		return nil
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		ids := make([]string, 0, len(cs))
		var top uint64
		for _, c := range cs {
			ids = append(ids, c.OrderID)
			top = max(top, c.Position)
		}
		state := map[string]*returns.OrderState{}
		err := sqlite.QueryIn(ctx, tx, `SELECT order_id, version FROM returns_by_order WHERE order_id IN (?)`, ids, func(r *sql.Rows) error {
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
		err = sqlite.QueryIn(ctx, tx, `SELECT order_id, doc FROM returns_view WHERE order_id IN (?)`, ids, func(r *sql.Rows) error {
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
			if _, err := tx.ExecContext(ctx, `INSERT INTO returns_by_order (order_id, version) VALUES (?, ?)
				ON CONFLICT (order_id) DO UPDATE SET version = excluded.version`, id, int64(st.Version)); err != nil {
				return err
			}
			for _, r := range st.Returns {
				doc, err := json.Marshal(r)
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO returns_view (return_id, order_id, status, requested_at, doc) VALUES (?, ?, ?, ?, ?)
					ON CONFLICT (return_id) DO UPDATE SET status = excluded.status, doc = excluded.doc`,
					r.ID, id, string(r.Status), sqlite.Nanos(r.RequestedAt), string(doc)); err != nil {
					return err
				}
			}
		}
		return sqlite.SaveCheckpoint(ctx, tx, "returns_checkpoints", returns.HandlerName, top)
	})
}

// List implements returns.Store.
func (s *Store) List(ctx context.Context, status domain.Status) ([]domain.Return, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT doc FROM returns_view WHERE (? = '' OR status = ?)`, string(status), string(status))
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
	return sqlite.LoadCheckpoint(ctx, s.db.Read, "returns_checkpoints", returns.HandlerName)
}
