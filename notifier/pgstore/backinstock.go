package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Subscribe implements notifier.BackInStock; a repeated request keeps the
// first one's time (its place in the queue).
func (s *Store) Subscribe(ctx context.Context, sku, customerID string, at time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO notifier_back_in_stock (sku, customer_id, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (sku, customer_id) DO NOTHING`, sku, customerID, at)
	return wrap(err)
}

// Unsubscribe implements notifier.BackInStock.
func (s *Store) Unsubscribe(ctx context.Context, sku, customerID string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM notifier_back_in_stock WHERE sku = $1 AND customer_id = $2`, sku, customerID)
	return wrap(err)
}

// Subscribed implements notifier.BackInStock.
func (s *Store) Subscribed(ctx context.Context, sku, customerID string) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM notifier_back_in_stock WHERE sku = $1 AND customer_id = $2)`,
		sku, customerID).Scan(&ok)
	return ok, wrap(err)
}

// Subscribers implements notifier.BackInStock.
func (s *Store) Subscribers(ctx context.Context, sku string) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT customer_id FROM notifier_back_in_stock WHERE sku = $1 ORDER BY created_at, customer_id`, sku)
	if err != nil {
		return nil, wrap(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, wrap(err)
}

func wrap(err error) error {
	if err != nil {
		return fmt.Errorf("pgstore: %w", err)
	}
	return nil
}
