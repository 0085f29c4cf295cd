// Package pgstore is the PostgreSQL adapter of webhooks.Store, in tables
// the webhooks component owns and migrates itself. Enqueue writes the
// deliveries and the checkpoint in one transaction.
package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/platform/pg"
	"github.com/evshop/shop/webhooks"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store implements webhooks.Store.
type Store struct{ pool *pgxpool.Pool }

var _ webhooks.Store = (*Store)(nil)

// New applies the migrations and returns the store.
func New(ctx context.Context, pool *pgxpool.Pool) (*Store, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := pg.Migrate(ctx, pool, "webhooks", sub); err != nil {
		return nil, err
	}
	return &Store{pool: pool}, nil
}

const endpointCols = `id, url, description, event_types, secret, enabled, created_at, updated_at`

func scanEndpoint(row pgx.Row) (webhooks.Endpoint, error) {
	var e webhooks.Endpoint
	err := row.Scan(&e.ID, &e.URL, &e.Description, &e.EventTypes, &e.Secret, &e.Enabled, &e.CreatedAt, &e.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return e, webhooks.ErrNotFound
	}
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return e, err
}

// CreateEndpoint adds e.
func (s *Store) CreateEndpoint(ctx context.Context, e webhooks.Endpoint) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO webhook_endpoints (`+endpointCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		e.ID, e.URL, e.Description, e.EventTypes, e.Secret, e.Enabled, e.CreatedAt, e.UpdatedAt)
	if err != nil {
		return fmt.Errorf("pgstore: create endpoint: %w", err)
	}
	return nil
}

// UpdateEndpoint replaces the endpoint e.ID.
func (s *Store) UpdateEndpoint(ctx context.Context, e webhooks.Endpoint) error {
	return s.execOne(ctx, "update endpoint", `UPDATE webhook_endpoints SET url = $2, description = $3, event_types = $4,
		secret = $5, enabled = $6, updated_at = $7 WHERE id = $1`,
		e.ID, e.URL, e.Description, e.EventTypes, e.Secret, e.Enabled, e.UpdatedAt)
}

// execOne runs a statement that must touch one row (ErrNotFound if none).
func (s *Store) execOne(ctx context.Context, what, sql string, args ...any) error {
	tag, err := s.pool.Exec(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("pgstore: %s: %w", what, err)
	}
	if tag.RowsAffected() == 0 {
		return webhooks.ErrNotFound
	}
	return nil
}

// Endpoint returns one endpoint.
func (s *Store) Endpoint(ctx context.Context, id string) (webhooks.Endpoint, error) {
	return scanEndpoint(s.pool.QueryRow(ctx, `SELECT `+endpointCols+` FROM webhook_endpoints WHERE id = $1`, id))
}

// Endpoints lists every endpoint, oldest first.
func (s *Store) Endpoints(ctx context.Context) ([]webhooks.Endpoint, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+endpointCols+` FROM webhook_endpoints ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("pgstore: endpoints: %w", err)
	}
	return collect(rows, scanEndpoint)
}

func collect[T any](rows pgx.Rows, scan func(pgx.Row) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("pgstore: scan: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	return out, nil
}

// DeleteEndpoint removes the endpoint and (by cascade) its deliveries.
func (s *Store) DeleteEndpoint(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete endpoint", `DELETE FROM webhook_endpoints WHERE id = $1`, id)
}

// Checkpoint returns the last dispatched position.
func (s *Store) Checkpoint(ctx context.Context) (uint64, error) {
	var pos int64
	err := s.pool.QueryRow(ctx, `SELECT position FROM webhook_checkpoint`).Scan(&pos)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("pgstore: checkpoint: %w", err)
	}
	return uint64(pos), nil
}

// Enqueue inserts the deliveries (skipping those of deleted endpoints and
// those already queued) and raises the checkpoint, in one transaction.
func (s *Store) Enqueue(ctx context.Context, through uint64, ds []webhooks.Delivery) error {
	n := len(ds)
	ids, eps, evs, types := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	payloads := make([][]byte, n)
	next, deadlines, created := make([]time.Time, n), make([]time.Time, n), make([]time.Time, n)
	for i, d := range ds {
		ids[i], eps[i], evs[i], types[i], payloads[i] = d.ID, d.EndpointID, d.EventID, d.EventType, d.Payload
		next[i], deadlines[i], created[i] = d.NextAttemptAt, d.Deadline, d.CreatedAt
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if n > 0 {
			if _, err := tx.Exec(ctx, `
				INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, payload, status, next_attempt_at, deadline, created_at)
				SELECT d.id, d.endpoint_id, d.event_id, d.event_type, d.payload, 'pending', d.next, d.deadline, d.created
				  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[])
				       AS d (id, endpoint_id, event_id, event_type, payload, next, deadline, created)
				 WHERE EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = d.endpoint_id)
				ON CONFLICT (endpoint_id, event_id) DO NOTHING`,
				ids, eps, evs, types, payloads, next, deadlines, created); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO webhook_checkpoint (id, position) VALUES (true, $1)
			ON CONFLICT (id) DO UPDATE SET position = GREATEST(webhook_checkpoint.position, EXCLUDED.position)`, int64(through))
		return err
	})
	if err != nil {
		return fmt.Errorf("pgstore: enqueue: %w", err)
	}
	return nil
}

const deliveryCols = `id, endpoint_id, event_id, event_type, payload, status, attempts, next_attempt_at, deadline,
	last_attempt_at, last_status, last_error, created_at`

func scanDelivery(row pgx.Row) (webhooks.Delivery, error) {
	var d webhooks.Delivery
	var last *time.Time
	err := row.Scan(&d.ID, &d.EndpointID, &d.EventID, &d.EventType, &d.Payload, &d.Status, &d.Attempts,
		&d.NextAttemptAt, &d.Deadline, &last, &d.LastStatus, &d.LastError, &d.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, webhooks.ErrNotFound
	}
	if last != nil {
		d.LastAttemptAt = last.UTC()
	}
	d.NextAttemptAt, d.Deadline, d.CreatedAt = d.NextAttemptAt.UTC(), d.Deadline.UTC(), d.CreatedAt.UTC()
	return d, err
}

// Due returns an endpoint's pending deliveries due at now.
func (s *Store) Due(ctx context.Context, endpointID string, now time.Time, limit int) ([]webhooks.Delivery, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries
		WHERE endpoint_id = $1 AND status = 'pending' AND next_attempt_at <= $2
		ORDER BY next_attempt_at, created_at, id LIMIT $3`, endpointID, now, limit)
	if err != nil {
		return nil, fmt.Errorf("pgstore: due: %w", err)
	}
	return collect(rows, scanDelivery)
}

// Record stores an attempt.
func (s *Store) Record(ctx context.Context, id string, a webhooks.Attempt) error {
	return s.execOne(ctx, "record attempt", `UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = $2,
		last_status = $3, last_error = $4, status = $5,
		next_attempt_at = CASE WHEN $5 = 'pending' THEN $6 ELSE next_attempt_at END
		WHERE id = $1`, id, a.At, a.StatusCode, a.Error, string(a.Status), a.Next)
}

// Deliveries is an endpoint's log, newest first.
func (s *Store) Deliveries(ctx context.Context, endpointID string, limit int) ([]webhooks.Delivery, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE endpoint_id = $1
		ORDER BY created_at DESC, id DESC LIMIT $2`, endpointID, limit)
	if err != nil {
		return nil, fmt.Errorf("pgstore: deliveries: %w", err)
	}
	return collect(rows, scanDelivery)
}

// Delivery returns one delivery.
func (s *Store) Delivery(ctx context.Context, id string) (webhooks.Delivery, error) {
	return scanDelivery(s.pool.QueryRow(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE id = $1`, id))
}

// Redeliver makes a delivery pending again.
func (s *Store) Redeliver(ctx context.Context, id string, now, deadline time.Time) error {
	return s.execOne(ctx, "redeliver", `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $2, deadline = $3
		WHERE id = $1`, id, now, deadline)
}
