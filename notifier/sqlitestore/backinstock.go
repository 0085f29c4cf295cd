package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/evshop/shop/platform/sqlite"
)

// Subscribe implements notifier.BackInStock; a repeated request keeps the
// first one's time (its place in the queue).
func (s *Store) Subscribe(ctx context.Context, sku, customerID string, at time.Time) error {
	return s.write(ctx, `INSERT INTO notifier_back_in_stock (sku, customer_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT (sku, customer_id) DO NOTHING`, sku, customerID, sqlite.Nanos(at))
}

// Unsubscribe implements notifier.BackInStock.
func (s *Store) Unsubscribe(ctx context.Context, sku, customerID string) error {
	return s.write(ctx, `DELETE FROM notifier_back_in_stock WHERE sku = ? AND customer_id = ?`, sku, customerID)
}

func (s *Store) write(ctx context.Context, query string, args ...any) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("notifier sqlitestore: back in stock: %w", err)
		}
		return nil
	})
}

// Subscribed implements notifier.BackInStock.
func (s *Store) Subscribed(ctx context.Context, sku, customerID string) (bool, error) {
	var ok bool
	err := s.db.Read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM notifier_back_in_stock WHERE sku = ? AND customer_id = ?)`,
		sku, customerID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("notifier sqlitestore: back in stock: %w", err)
	}
	return ok, nil
}

// Subscribers implements notifier.BackInStock, oldest request first.
func (s *Store) Subscribers(ctx context.Context, sku string) ([]string, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT customer_id FROM notifier_back_in_stock WHERE sku = ? ORDER BY created_at, customer_id`, sku)
	if err != nil {
		return nil, fmt.Errorf("notifier sqlitestore: back in stock: %w", err)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("notifier sqlitestore: back in stock: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
