// Package sqlitestore keeps the order history of recommendations
// (projections/recommendations) in the one-process shop's embedded database
// (platform/sqlite). Orders, payment marks and the position/checkpoint rows
// commit in one transaction, so a restart resumes after the last whole
// batch. Tables are prefixed recommendations_; times are unix nanoseconds
// (UTC), lines JSON text.
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
	"github.com/evshop/shop/projections/recommendations"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Component is the migration component name of this read model.
const Component = "projections.recommendations"

// Migrate applies the read model's migrations.
func Migrate(ctx context.Context, db *sqlite.DB) error {
	return sqlite.MigrateEmbedded(ctx, db, Component, migrations, "migrations")
}

// Store is the embedded-mode recommendations.Store and BatchStore.
type Store struct{ db *sqlite.DB }

var (
	_ recommendations.Store      = (*Store)(nil)
	_ recommendations.BatchStore = (*Store)(nil)
)

// New returns the store in db (run Migrate first).
func New(db *sqlite.DB) (*Store, error) {
	if db == nil {
		return nil, errors.New("recommendations: database is required")
	}
	return &Store{db: db}, nil
}

// AddOrder implements recommendations.Store.
func (s *Store) AddOrder(ctx context.Context, o recommendations.Order) error {
	return s.AddBatch(ctx, []recommendations.Order{o}, nil, 0)
}

// MarkPaid implements recommendations.Store.
func (s *Store) MarkPaid(ctx context.Context, orderID string, position uint64) error {
	return s.AddBatch(ctx, nil, []recommendations.Paid{{OrderID: orderID, Position: position}}, 0)
}

// AddBatch implements recommendations.BatchStore: orders (stored ones kept),
// payment marks, the position and, when position is not zero, the
// checkpoint, all in one transaction.
func (s *Store) AddBatch(ctx context.Context, orders []recommendations.Order, paid []recommendations.Paid, position uint64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var top uint64
		if len(orders) > 0 {
			st, err := tx.PrepareContext(ctx, `INSERT INTO recommendations_orders (order_id, customer_id, lines, placed_at, position)
				VALUES (?,?,?,?,?) ON CONFLICT (order_id) DO NOTHING`)
			if err != nil {
				return err
			}
			defer st.Close()
			for _, o := range orders {
				lines, err := json.Marshal(o.Lines)
				if err != nil {
					return err
				}
				if _, err := st.ExecContext(ctx, o.OrderID, o.CustomerID, string(lines), o.PlacedAt.UnixNano(), int64(o.Position)); err != nil {
					return fmt.Errorf("recommendations: order %s: %w", o.OrderID, err)
				}
				top = max(top, o.Position)
			}
		}
		if len(paid) > 0 {
			st, err := tx.PrepareContext(ctx, `INSERT INTO recommendations_paid (order_id, position) VALUES (?,?)
				ON CONFLICT (order_id) DO NOTHING`)
			if err != nil {
				return err
			}
			defer st.Close()
			for _, p := range paid {
				if _, err := st.ExecContext(ctx, p.OrderID, int64(p.Position)); err != nil {
					return fmt.Errorf("recommendations: paid %s: %w", p.OrderID, err)
				}
				top = max(top, p.Position)
			}
		}
		for name, pos := range map[string]uint64{"position": top, "checkpoint": position} {
			if pos == 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO recommendations_state (name, position) VALUES (?, ?)
				ON CONFLICT (name) DO UPDATE SET position = max(position, excluded.position)`, name, int64(pos)); err != nil {
				return fmt.Errorf("recommendations: %s: %w", name, err)
			}
		}
		return nil
	})
}

// Orders implements recommendations.Store.
func (s *Store) Orders(ctx context.Context, customerID string, limit int) ([]recommendations.Order, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT o.order_id, o.customer_id, o.lines, o.placed_at, o.position,
		EXISTS (SELECT 1 FROM recommendations_paid p WHERE p.order_id = o.order_id)
		FROM recommendations_orders o WHERE o.customer_id = ? ORDER BY o.placed_at DESC, o.order_id LIMIT ?`,
		customerID, max(limit, 0))
	if err != nil {
		return nil, fmt.Errorf("recommendations: orders: %w", err)
	}
	defer rows.Close()
	out := []recommendations.Order{}
	for rows.Next() {
		var o recommendations.Order
		var lines string
		var placed, pos int64
		if err := rows.Scan(&o.OrderID, &o.CustomerID, &lines, &placed, &pos, &o.Paid); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(lines), &o.Lines); err != nil {
			return nil, fmt.Errorf("recommendations: lines of %s: %w", o.OrderID, err)
		}
		o.PlacedAt, o.Position = time.Unix(0, placed).UTC(), uint64(pos)
		out = append(out, o)
	}
	return out, rows.Err()
}

// Forget implements recommendations.Store: the customer's orders and their
// payment marks go in one transaction.
func (s *Store) Forget(ctx context.Context, customerID string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM recommendations_paid WHERE order_id IN
			(SELECT order_id FROM recommendations_orders WHERE customer_id = ?)`, customerID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM recommendations_orders WHERE customer_id = ?`, customerID)
		return err
	})
}

func (s *Store) state(ctx context.Context, name string) (uint64, error) {
	var pos int64
	err := s.db.Read.QueryRowContext(ctx, `SELECT position FROM recommendations_state WHERE name = ?`, name).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return uint64(pos), err
}

// Position implements recommendations.Store.
func (s *Store) Position(ctx context.Context) (uint64, error) { return s.state(ctx, "position") }

// Checkpoint implements recommendations.BatchStore: the last whole batch,
// else Position.
func (s *Store) Checkpoint(ctx context.Context) (uint64, error) {
	cp, err := s.state(ctx, "checkpoint")
	if err != nil || cp != 0 {
		return cp, err
	}
	return s.Position(ctx)
}
