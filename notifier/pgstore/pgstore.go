// Package pgstore holds the PostgreSQL adapters of the notifier's ports:
// the delivery log, the order book and the basket tracker, in tables the
// notifier owns and migrates itself (component "notifier").
package pgstore

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/notifier"
	"github.com/evshop/shop/platform/pg"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store implements notifier.DeliveryLog, notifier.OrderBook,
// notifier.BasketStore and notifier.BackInStock (backinstock.go) on
// PostgreSQL.
type Store struct{ pool *pgxpool.Pool }

// New applies the notifier's migrations and returns the store.
func New(ctx context.Context, pool *pgxpool.Pool) (*Store, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := pg.Migrate(ctx, pool, "notifier", sub); err != nil {
		return nil, err
	}
	return &Store{pool: pool}, nil
}

// Ping checks the database (readiness).
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Claim implements notifier.DeliveryLog in one statement: insert, or take
// over a pending row whose lease ran out.
func (s *Store) Claim(ctx context.Context, c notifier.Claim) error {
	now := c.Now.UTC()
	var attempts int
	err := s.pool.QueryRow(ctx, `
		INSERT INTO notifier_deliveries (key, kind, recipient, status, attempts, lease_until, created_at, updated_at)
		VALUES ($1, $2, $3, 'pending', 1, $4, $5, $5)
		ON CONFLICT (key) DO UPDATE
		   SET attempts = notifier_deliveries.attempts + 1, kind = EXCLUDED.kind, recipient = EXCLUDED.recipient,
		       lease_until = EXCLUDED.lease_until, updated_at = EXCLUDED.updated_at
		 WHERE notifier_deliveries.status = 'pending' AND notifier_deliveries.lease_until <= $5
		RETURNING attempts`, c.Key, c.Kind, c.To, now.Add(c.Lease), now).Scan(&attempts)
	if err == nil {
		return nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("pgstore: claim %s: %w", c.Key, err)
	}
	var status string
	if err := s.pool.QueryRow(ctx, `SELECT status FROM notifier_deliveries WHERE key = $1`, c.Key).Scan(&status); err != nil {
		return fmt.Errorf("pgstore: claim %s: %w", c.Key, err)
	}
	switch notifier.DeliveryStatus(status) {
	case notifier.StatusSent:
		return notifier.ErrAlreadySent
	case notifier.StatusFailed:
		return notifier.ErrAlreadyFailed
	default:
		return notifier.ErrInFlight
	}
}

func (s *Store) exec(ctx context.Context, sql string, args ...any) error {
	tag, err := s.pool.Exec(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("pgstore: %w", err)
	}
	if tag.RowsAffected() == 0 {
		var exists bool
		if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM notifier_deliveries WHERE key = $1)`, args[0]).Scan(&exists); err != nil {
			return fmt.Errorf("pgstore: %w", err)
		}
		if !exists {
			return notifier.ErrNotFound
		}
	}
	return nil
}

// MarkSent implements notifier.DeliveryLog.
func (s *Store) MarkSent(ctx context.Context, key, messageID string, now time.Time) error {
	return s.exec(ctx, `UPDATE notifier_deliveries SET status = 'sent', message_id = $2, last_error = '', updated_at = $3 WHERE key = $1`,
		key, messageID, now.UTC())
}

// MarkFailed implements notifier.DeliveryLog.
func (s *Store) MarkFailed(ctx context.Context, key, reason string, now time.Time) error {
	return s.exec(ctx, `UPDATE notifier_deliveries SET status = 'failed', last_error = $2, updated_at = $3 WHERE key = $1`,
		key, truncate(reason, 2000), now.UTC())
}

// Release implements notifier.DeliveryLog.
func (s *Store) Release(ctx context.Context, key, reason string, now time.Time) error {
	return s.exec(ctx, `UPDATE notifier_deliveries SET last_error = $2, updated_at = $3, lease_until = $3
		WHERE key = $1 AND status = 'pending'`, key, truncate(reason, 2000), now.UTC())
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

const deliveryColumns = `key, kind, recipient, status, attempts, last_error, message_id, created_at, updated_at`

func scanDelivery(row pgx.Row) (notifier.Delivery, error) {
	var d notifier.Delivery
	var status string
	err := row.Scan(&d.Key, &d.Kind, &d.To, &status, &d.Attempts, &d.LastError, &d.MessageID, &d.CreatedAt, &d.UpdatedAt)
	d.Status = notifier.DeliveryStatus(status)
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return d, err
}

// Get implements notifier.DeliveryLog.
func (s *Store) Get(ctx context.Context, key string) (notifier.Delivery, error) {
	d, err := scanDelivery(s.pool.QueryRow(ctx, `SELECT `+deliveryColumns+` FROM notifier_deliveries WHERE key = $1`, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return notifier.Delivery{}, notifier.ErrNotFound
	}
	if err != nil {
		return notifier.Delivery{}, fmt.Errorf("pgstore: get %s: %w", key, err)
	}
	return d, nil
}

// Failed implements notifier.DeliveryLog.
func (s *Store) Failed(ctx context.Context, limit int) ([]notifier.Delivery, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+deliveryColumns+` FROM notifier_deliveries
		WHERE status = 'failed' ORDER BY updated_at DESC, key LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("pgstore: failed deliveries: %w", err)
	}
	defer rows.Close()
	var out []notifier.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("pgstore: failed deliveries: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// PutOrder implements notifier.OrderBook.
func (s *Store) PutOrder(ctx context.Context, o notifier.Order) error {
	data, err := json.Marshal(o)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO notifier_orders (order_id, data) VALUES ($1, $2)
		ON CONFLICT (order_id) DO UPDATE SET data = EXCLUDED.data, updated_at = now()`, o.OrderID, data)
	if err != nil {
		return fmt.Errorf("pgstore: put order %s: %w", o.OrderID, err)
	}
	return nil
}

// Order implements notifier.OrderBook.
func (s *Store) Order(ctx context.Context, id string) (notifier.Order, error) {
	var data []byte
	err := s.pool.QueryRow(ctx, `SELECT data FROM notifier_orders WHERE order_id = $1`, id).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return notifier.Order{}, notifier.ErrNotFound
	}
	if err != nil {
		return notifier.Order{}, fmt.Errorf("pgstore: order %s: %w", id, err)
	}
	var o notifier.Order
	if err := json.Unmarshal(data, &o); err != nil {
		return notifier.Order{}, fmt.Errorf("pgstore: order %s: %w", id, err)
	}
	return o, nil
}

// UpdateBasket implements notifier.BasketStore: the row is locked for the
// duration of fn, so concurrent events of one basket apply one after another.
func (s *Store) UpdateBasket(ctx context.Context, id string, fn func(*notifier.Basket) bool) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO notifier_baskets (basket_id, data) VALUES ($1, '{}') ON CONFLICT DO NOTHING`, id); err != nil {
			return err
		}
		var data []byte
		if err := tx.QueryRow(ctx, `SELECT data FROM notifier_baskets WHERE basket_id = $1 FOR UPDATE`, id).Scan(&data); err != nil {
			return err
		}
		var b notifier.Basket
		if err := json.Unmarshal(data, &b); err != nil {
			return err
		}
		b.BasketID = id
		if !fn(&b) {
			return nil
		}
		b.BasketID = id
		out, err := json.Marshal(b)
		if err != nil {
			return err
		}
		var last *time.Time
		if !b.LastActivity.IsZero() {
			t := b.LastActivity.UTC()
			last = &t
		}
		_, err = tx.Exec(ctx, `UPDATE notifier_baskets SET data = $2, items = $3, last_activity = $4, cycle_id = $5, reminded_cycle = $6
			WHERE basket_id = $1`, id, out, b.Items(), last, b.CycleID, b.RemindedCycle)
		return err
	})
}

// DueBaskets implements notifier.BasketStore.
func (s *Store) DueBaskets(ctx context.Context, idleSince time.Time, limit int) ([]notifier.Basket, error) {
	rows, err := s.pool.Query(ctx, `SELECT data, reminded_cycle FROM notifier_baskets
		WHERE items > 0 AND cycle_id <> reminded_cycle AND last_activity <= $1
		ORDER BY last_activity, basket_id LIMIT $2`, idleSince.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("pgstore: due baskets: %w", err)
	}
	defer rows.Close()
	var out []notifier.Basket
	for rows.Next() {
		var data []byte
		var reminded string
		if err := rows.Scan(&data, &reminded); err != nil {
			return nil, err
		}
		var b notifier.Basket
		if err := json.Unmarshal(data, &b); err != nil {
			return nil, err
		}
		b.RemindedCycle = reminded
		out = append(out, b)
	}
	return out, rows.Err()
}

// MarkReminded implements notifier.BasketStore.
func (s *Store) MarkReminded(ctx context.Context, id, cycleID string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE notifier_baskets
		SET reminded_cycle = $2, data = jsonb_set(data, '{remindedCycle}', to_jsonb($2::text))
		WHERE basket_id = $1 AND cycle_id = $2`, id, cycleID)
	if err != nil {
		return fmt.Errorf("pgstore: mark reminded %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		var exists bool
		if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM notifier_baskets WHERE basket_id = $1)`, id).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return notifier.ErrNotFound
		}
	}
	return nil
}
