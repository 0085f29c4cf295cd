// Package sqlitestore is the basket read model (projections/baskets) in the
// one-process shop's embedded database (platform/sqlite): one row per basket
// with its lines as JSON text, written in one transaction with the projector
// checkpoint, so a restart resumes from where the projector stopped. Times
// are unix nanoseconds (UTC). Reads use the read-only pool and see every
// committed write, so the basket API reads its own writes once the
// projector has applied them (it brings a view up to the stream head with
// baskets.CatchUp, whatever the store).
package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/evshop/shop/platform/sqlite"
	"github.com/evshop/shop/projections/baskets"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Component is the migration component name of this read model.
const Component = "projections.baskets"

// Migrate applies the read model's migrations.
func Migrate(ctx context.Context, db *sqlite.DB) error {
	return sqlite.MigrateEmbedded(ctx, db, Component, migrations, "migrations")
}

// Store is the embedded-mode baskets.Store and baskets.BatchStore.
type Store struct {
	db         *sqlite.DB
	table      string // baskets_views, or its rebuild shadow
	checkpoint string // the projector's row in baskets_checkpoints
}

var (
	_ baskets.Store      = (*Store)(nil)
	_ baskets.BatchStore = (*Store)(nil)
)

// New returns the store in db (run Migrate first).
func New(db *sqlite.DB) (*Store, error) {
	if db == nil {
		return nil, errors.New("baskets: database is required")
	}
	return &Store{db: db, table: "baskets_views", checkpoint: baskets.HandlerName}, nil
}

// shadow returns the store over the tables a rebuild fills.
func (s *Store) shadow() *Store {
	return &Store{db: s.db, table: s.table + shadowSuffix, checkpoint: s.checkpoint + shadowSuffix}
}

type scanner interface{ Scan(dest ...any) error }

func scanView(r scanner) (baskets.View, error) {
	var v baskets.View
	var version, pos, updated int64
	var lines, discount string
	if err := r.Scan(&v.BasketID, &version, &pos, &lines, &updated, &discount); err != nil {
		return v, err
	}
	v.Version, v.Position, v.UpdatedAt = uint64(version), uint64(pos), time.Unix(0, updated).UTC()
	if err := json.Unmarshal([]byte(lines), &v.Lines); err != nil {
		return v, fmt.Errorf("baskets: lines of %s: %w", v.BasketID, err)
	}
	if discount != "" {
		if err := json.Unmarshal([]byte(discount), &v.Discount); err != nil {
			return v, fmt.Errorf("baskets: discount of %s: %w", v.BasketID, err)
		}
	}
	return v, nil
}

func (s *Store) selectView() string {
	return `SELECT basket_id, version, position, lines, updated_at, discount FROM ` + s.table
}

// Get implements baskets.Store.
func (s *Store) Get(ctx context.Context, basketID string) (baskets.View, error) {
	v, err := scanView(s.db.Read.QueryRowContext(ctx, s.selectView()+` WHERE basket_id = ?`, basketID))
	if errors.Is(err, sql.ErrNoRows) {
		return baskets.View{}, baskets.ErrNotFound
	}
	return v, err
}

// Update implements baskets.Store: nothing is written when the view already
// reflects rev.
func (s *Store) Update(ctx context.Context, basketID string, rev, pos uint64, fn func(*baskets.View)) (applied bool, err error) {
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		n, err := s.apply(ctx, tx, []baskets.Update{{BasketID: basketID, Revision: rev, Position: pos, Fn: fn}}, false)
		applied = n > 0
		return err
	})
	return applied, err
}

// UpdateBatch implements baskets.BatchStore: every view ups changes and the
// checkpoint in one transaction, or nothing on an error.
func (s *Store) UpdateBatch(ctx context.Context, ups []baskets.Update) error {
	if len(ups) == 0 {
		return nil
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := s.apply(ctx, tx, ups, true)
		return err
	})
}

// apply folds ups into the stored views and writes each changed one once.
// The checkpoint moves to the highest position of ups when a view changed,
// or always when skipped is true.
func (s *Store) apply(ctx context.Context, tx *sql.Tx, ups []baskets.Update, skipped bool) (int, error) {
	views := map[string]baskets.View{}
	var ids []string
	for _, u := range ups {
		if _, ok := views[u.BasketID]; !ok {
			views[u.BasketID] = baskets.View{}
			ids = append(ids, u.BasketID)
		}
	}
	err := sqlite.QueryIn(ctx, tx, s.selectView()+` WHERE basket_id IN (?)`, ids, func(rows *sql.Rows) error {
		v, err := scanView(rows)
		views[v.BasketID] = v
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("baskets: batch load: %w", err)
	}
	changed, top, err := baskets.FoldBatch(views, ups)
	if err != nil {
		return 0, err
	}
	if len(changed) == 0 && !skipped {
		return 0, nil
	}
	if len(changed) > 0 {
		st, err := tx.PrepareContext(ctx, `INSERT INTO `+s.table+` (basket_id, version, position, lines, updated_at, discount)
			VALUES (?,?,?,?,?,?) ON CONFLICT (basket_id) DO UPDATE SET version = excluded.version,
			position = excluded.position, lines = excluded.lines, updated_at = excluded.updated_at, discount = excluded.discount`)
		if err != nil {
			return 0, err
		}
		defer st.Close()
		for id, v := range changed {
			lines, err := json.Marshal(v.Lines)
			if err != nil {
				return 0, err
			}
			discount := ""
			if v.Discount != nil {
				d, err := json.Marshal(v.Discount)
				if err != nil {
					return 0, err
				}
				discount = string(d)
			}
			// The key is the basket id the events name, whatever fn did.
			if _, err := st.ExecContext(ctx, id, int64(v.Version), int64(v.Position), string(lines), v.UpdatedAt.UnixNano(), discount); err != nil {
				return 0, fmt.Errorf("baskets: write %s: %w", id, err)
			}
		}
	}
	if err := sqlite.SaveCheckpoint(ctx, tx, "baskets_checkpoints", s.checkpoint, top); err != nil {
		return 0, err
	}
	return len(changed), nil
}

// Checkpoint implements baskets.Store.
func (s *Store) Checkpoint(ctx context.Context) (uint64, error) {
	return s.checkpointWith(ctx, s.db.Read)
}

func (s *Store) checkpointWith(ctx context.Context, q sqlite.Querier) (uint64, error) {
	return sqlite.LoadCheckpoint(ctx, q, "baskets_checkpoints", s.checkpoint)
}

// Reset implements baskets.Store: every view and the checkpoint go in one
// transaction.
func (s *Store) Reset(ctx context.Context) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+s.table); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM baskets_checkpoints WHERE projector = ?`, s.checkpoint)
		return err
	})
}
