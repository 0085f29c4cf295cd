package returns

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	domain "github.com/evshop/shop/domain/returns"
	"github.com/evshop/shop/platform/pg"
	"github.com/evshop/shop/projections/rebuild"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Component is the migration component name of this read model.
const Component = "projections.returns"

// ShadowSuffix names the tables a rebuild fills before the swap.
const ShadowSuffix = "_rebuild"

// Migrate applies the read model's migrations.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return pg.Migrate(ctx, pool, Component, sub)
}

// Postgres is the server-mode Store over the live tables, or over the
// shadow tables a rebuild fills.
type Postgres struct {
	pool                     *pgxpool.Pool
	orders, view, checkpoint string
}

var _ Store = (*Postgres)(nil)

// NewPostgres returns the store over the live tables; run Migrate first.
func NewPostgres(pool *pgxpool.Pool) (*Postgres, error) { return newPostgres(pool, "") }

func newPostgres(pool *pgxpool.Pool, suffix string) (*Postgres, error) {
	if pool == nil {
		return nil, errors.New("returns projection: pool is required")
	}
	return &Postgres{pool: pool, orders: "returns_by_order" + suffix, view: "returns_view" + suffix, checkpoint: HandlerName + suffix}, nil
}

// ApplyBatch implements Store: rows and checkpoint in one transaction.
func (s *Postgres) ApplyBatch(ctx context.Context, cs []Change) error {
	if len(cs) == 0 {
		return nil
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		ids := make([]string, 0, len(cs))
		var top uint64
		for _, c := range cs {
			ids = append(ids, c.OrderID)
			top = max(top, c.Position)
		}
		state := map[string]*OrderState{}
		rows, err := tx.Query(ctx, `SELECT order_id, version FROM `+s.orders+` WHERE order_id = ANY($1) FOR UPDATE`, ids)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			var v int64
			if err := rows.Scan(&id, &v); err != nil {
				rows.Close()
				return err
			}
			state[id] = &OrderState{Version: uint64(v), Returns: map[string]domain.Return{}}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT order_id, doc FROM `+s.view+` WHERE order_id = ANY($1)`, ids)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			var doc []byte
			var r domain.Return
			if err := rows.Scan(&id, &doc); err != nil {
				rows.Close()
				return err
			}
			if err := json.Unmarshal(doc, &r); err != nil {
				rows.Close()
				return fmt.Errorf("returns projection: stored return of %s: %w", id, err)
			}
			if st := state[id]; st != nil {
				st.Returns[r.ID] = r
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		dirty := map[string]bool{}
		for _, c := range cs {
			st := state[c.OrderID]
			if st == nil {
				st = &OrderState{}
				state[c.OrderID] = st
			}
			changed, err := Fold(st, c)
			if err != nil {
				return err
			}
			dirty[c.OrderID] = dirty[c.OrderID] || changed
		}
		b := &pgx.Batch{}
		for id, changed := range dirty {
			if !changed {
				continue
			}
			st := state[id]
			b.Queue(`INSERT INTO `+s.orders+` (order_id, version) VALUES ($1, $2)
				ON CONFLICT (order_id) DO UPDATE SET version = EXCLUDED.version`, id, int64(st.Version))
			for _, r := range st.Returns {
				doc, err := json.Marshal(r)
				if err != nil {
					return err
				}
				b.Queue(`INSERT INTO `+s.view+` (return_id, order_id, status, requested_at, doc) VALUES ($1, $2, $3, $4, $5)
					ON CONFLICT (return_id) DO UPDATE SET status = EXCLUDED.status, doc = EXCLUDED.doc`,
					r.ID, id, string(r.Status), r.RequestedAt, doc)
			}
		}
		b.Queue(`INSERT INTO returns_projection_checkpoints (projector, position) VALUES ($1, $2)
			ON CONFLICT (projector) DO UPDATE SET position = GREATEST(returns_projection_checkpoints.position, EXCLUDED.position), updated_at = now()`,
			s.checkpoint, int64(top))
		return tx.SendBatch(ctx, b).Close()
	})
}

// List implements Store.
func (s *Postgres) List(ctx context.Context, status domain.Status) ([]domain.Return, error) {
	rows, err := s.pool.Query(ctx, `SELECT doc FROM `+s.view+` WHERE ($1 = '' OR status = $1) ORDER BY requested_at DESC, return_id`, string(status))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.Return{}
	for rows.Next() {
		var doc []byte
		var r domain.Return
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(doc, &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return Sorted(out), rows.Err()
}

// Checkpoint implements Store.
func (s *Postgres) Checkpoint(ctx context.Context) (uint64, error) {
	var p int64
	err := s.pool.QueryRow(ctx, `SELECT position FROM returns_projection_checkpoints WHERE projector = $1`, s.checkpoint).Scan(&p)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return uint64(p), err
}

// NewRebuildTarget returns the rebuild.Projection of the PostgreSQL model in
// pool (Migrate must have run): history goes into the _rebuild tables with
// the projector's own batch path, then they are swapped in.
func NewRebuildTarget(pool *pgxpool.Pool) (*rebuild.Tables, error) {
	live, err := newPostgres(pool, "")
	if err != nil {
		return nil, err
	}
	shadow, err := newPostgres(pool, ShadowSuffix)
	if err != nil {
		return nil, err
	}
	into, err := NewProjector(shadow)
	if err != nil {
		return nil, err
	}
	return rebuild.NewTables(rebuild.TablesConfig{
		Name: RebuildName, Filter: Filter(), Pool: pool,
		Pairs:       []rebuild.TablePair{{Live: live.orders, Shadow: shadow.orders}, {Live: live.view, Shadow: shadow.view}},
		Checkpoints: "returns_projection_checkpoints", LiveRow: live.checkpoint, ShadowRow: shadow.checkpoint,
		Apply: into.ApplyBatch,
	})
}
