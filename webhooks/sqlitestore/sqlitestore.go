// Package sqlitestore is the embedded-database adapter of webhooks.Store
// (platform/sqlite), in tables prefixed webhooks_. Times are unix
// nanoseconds (UTC), event types a JSON array, payloads the exact bytes
// sent. Enqueue writes the deliveries and the checkpoint in one
// transaction, so a crash neither loses nor doubles a dispatched event.
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
	"github.com/evshop/shop/webhooks"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store implements webhooks.Store.
type Store struct{ db *sqlite.DB }

var _ webhooks.Store = (*Store)(nil)

// New applies the "webhooks" migrations and returns the store.
func New(ctx context.Context, db *sqlite.DB) (*Store, error) {
	if db == nil {
		return nil, errors.New("webhooks/sqlitestore: database is required")
	}
	if err := sqlite.MigrateEmbedded(ctx, db, "webhooks", migrations, "migrations"); err != nil {
		return nil, err
	}
	return &Store{db: db}, nil
}

const endpointCols = `id, url, description, event_types, secret, enabled, created_at, updated_at`

type scanner interface{ Scan(dest ...any) error }

func scanEndpoint(r scanner) (webhooks.Endpoint, error) {
	var e webhooks.Endpoint
	var types string
	var created, updated int64
	err := r.Scan(&e.ID, &e.URL, &e.Description, &types, &e.Secret, &e.Enabled, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return e, webhooks.ErrNotFound
	}
	if err != nil {
		return e, fmt.Errorf("webhooks/sqlitestore: endpoint: %w", err)
	}
	if err := json.Unmarshal([]byte(types), &e.EventTypes); err != nil {
		return e, fmt.Errorf("webhooks/sqlitestore: event types of %s: %w", e.ID, err)
	}
	e.CreatedAt, e.UpdatedAt = sqlite.FromNanos(created), sqlite.FromNanos(updated)
	return e, nil
}

func eventTypes(e webhooks.Endpoint) (string, error) {
	types := e.EventTypes
	if types == nil {
		types = []string{}
	}
	b, err := json.Marshal(types)
	return string(b), err
}

// CreateEndpoint adds e.
func (s *Store) CreateEndpoint(ctx context.Context, e webhooks.Endpoint) error {
	types, err := eventTypes(e)
	if err != nil {
		return err
	}
	return s.exec(ctx, "create endpoint", false, `INSERT INTO webhooks_endpoints (`+endpointCols+`) VALUES (?,?,?,?,?,?,?,?)`,
		e.ID, e.URL, e.Description, types, e.Secret, e.Enabled, sqlite.Nanos(e.CreatedAt), sqlite.Nanos(e.UpdatedAt))
}

// UpdateEndpoint replaces the endpoint e.ID.
func (s *Store) UpdateEndpoint(ctx context.Context, e webhooks.Endpoint) error {
	types, err := eventTypes(e)
	if err != nil {
		return err
	}
	return s.exec(ctx, "update endpoint", true, `UPDATE webhooks_endpoints SET url = ?2, description = ?3,
		event_types = ?4, secret = ?5, enabled = ?6, updated_at = ?7 WHERE id = ?1`,
		e.ID, e.URL, e.Description, types, e.Secret, e.Enabled, sqlite.Nanos(e.UpdatedAt))
}

// exec runs one statement in a write transaction; when one is true it must
// touch a row (ErrNotFound if none).
func (s *Store) exec(ctx context.Context, what string, one bool, query string, args ...any) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err == nil && one && n == 0 {
			return webhooks.ErrNotFound
		}
		return err
	})
	if err != nil && !errors.Is(err, webhooks.ErrNotFound) {
		return fmt.Errorf("webhooks/sqlitestore: %s: %w", what, err)
	}
	return err
}

// Endpoint returns one endpoint.
func (s *Store) Endpoint(ctx context.Context, id string) (webhooks.Endpoint, error) {
	return scanEndpoint(s.db.Read.QueryRowContext(ctx, `SELECT `+endpointCols+` FROM webhooks_endpoints WHERE id = ?`, id))
}

// Endpoints lists every endpoint, oldest first.
func (s *Store) Endpoints(ctx context.Context) ([]webhooks.Endpoint, error) {
	return collect(ctx, s.db.Read, scanEndpoint, `SELECT `+endpointCols+` FROM webhooks_endpoints ORDER BY created_at, id`)
}

func collect[T any](ctx context.Context, db *sql.DB, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("webhooks/sqlitestore: %w", err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("webhooks/sqlitestore: %w", err)
	}
	return out, nil
}

// DeleteEndpoint removes the endpoint and (by cascade) its deliveries.
func (s *Store) DeleteEndpoint(ctx context.Context, id string) error {
	return s.exec(ctx, "delete endpoint", true, `DELETE FROM webhooks_endpoints WHERE id = ?`, id)
}

// Checkpoint returns the last dispatched position.
func (s *Store) Checkpoint(ctx context.Context) (uint64, error) {
	var pos int64
	err := s.db.Read.QueryRowContext(ctx, `SELECT position FROM webhooks_checkpoint`).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("webhooks/sqlitestore: checkpoint: %w", err)
	}
	return uint64(pos), nil
}

// Enqueue inserts the deliveries (skipping those of deleted endpoints and
// those already queued) and raises the checkpoint, in one transaction.
func (s *Store) Enqueue(ctx context.Context, through uint64, ds []webhooks.Delivery) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if len(ds) > 0 {
			st, err := tx.PrepareContext(ctx, `INSERT INTO webhooks_deliveries
				(id, endpoint_id, event_id, event_type, payload, status, next_attempt_at, deadline, created_at)
				SELECT ?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7, ?8
				 WHERE EXISTS (SELECT 1 FROM webhooks_endpoints WHERE id = ?2)
				ON CONFLICT (endpoint_id, event_id) DO NOTHING`)
			if err != nil {
				return err
			}
			defer st.Close()
			for _, d := range ds {
				payload := d.Payload
				if payload == nil {
					payload = []byte{}
				}
				if _, err := st.ExecContext(ctx, d.ID, d.EndpointID, d.EventID, d.EventType, payload,
					sqlite.Nanos(d.NextAttemptAt), sqlite.Nanos(d.Deadline), sqlite.Nanos(d.CreatedAt)); err != nil {
					return err
				}
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO webhooks_checkpoint (id, position) VALUES (1, ?)
			ON CONFLICT (id) DO UPDATE SET position = max(position, excluded.position)`, int64(through))
		return err
	})
	if err != nil {
		return fmt.Errorf("webhooks/sqlitestore: enqueue: %w", err)
	}
	return nil
}

const deliveryCols = `id, endpoint_id, event_id, event_type, payload, status, attempts, next_attempt_at, deadline,
	last_attempt_at, last_status, last_error, created_at`

func scanDelivery(r scanner) (webhooks.Delivery, error) {
	var d webhooks.Delivery
	var next, deadline, created int64
	var last *int64
	err := r.Scan(&d.ID, &d.EndpointID, &d.EventID, &d.EventType, &d.Payload, &d.Status, &d.Attempts,
		&next, &deadline, &last, &d.LastStatus, &d.LastError, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return d, webhooks.ErrNotFound
	}
	if err != nil {
		return d, fmt.Errorf("webhooks/sqlitestore: delivery: %w", err)
	}
	d.NextAttemptAt, d.Deadline, d.CreatedAt = sqlite.FromNanos(next), sqlite.FromNanos(deadline), sqlite.FromNanos(created)
	d.LastAttemptAt = sqlite.FromNullNanos(last)
	return d, nil
}

// Due returns an endpoint's pending deliveries due at now.
func (s *Store) Due(ctx context.Context, endpointID string, now time.Time, limit int) ([]webhooks.Delivery, error) {
	return collect(ctx, s.db.Read, scanDelivery, `SELECT `+deliveryCols+` FROM webhooks_deliveries
		WHERE endpoint_id = ? AND status = 'pending' AND next_attempt_at <= ?
		ORDER BY next_attempt_at, created_at, id LIMIT ?`, endpointID, sqlite.Nanos(now), limit)
}

// Record stores an attempt.
func (s *Store) Record(ctx context.Context, id string, a webhooks.Attempt) error {
	return s.exec(ctx, "record attempt", true, `UPDATE webhooks_deliveries SET attempts = attempts + 1,
		last_attempt_at = ?2, last_status = ?3, last_error = ?4, status = ?5,
		next_attempt_at = CASE WHEN ?5 = 'pending' THEN ?6 ELSE next_attempt_at END
		WHERE id = ?1`, id, sqlite.NullNanos(a.At), a.StatusCode, a.Error, string(a.Status), sqlite.Nanos(a.Next))
}

// Deliveries is an endpoint's log, newest first.
func (s *Store) Deliveries(ctx context.Context, endpointID string, limit int) ([]webhooks.Delivery, error) {
	return collect(ctx, s.db.Read, scanDelivery, `SELECT `+deliveryCols+` FROM webhooks_deliveries
		WHERE endpoint_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`, endpointID, limit)
}

// Delivery returns one delivery.
func (s *Store) Delivery(ctx context.Context, id string) (webhooks.Delivery, error) {
	return scanDelivery(s.db.Read.QueryRowContext(ctx, `SELECT `+deliveryCols+` FROM webhooks_deliveries WHERE id = ?`, id))
}

// Redeliver makes a delivery pending again.
func (s *Store) Redeliver(ctx context.Context, id string, now, deadline time.Time) error {
	return s.exec(ctx, "redeliver", true, `UPDATE webhooks_deliveries SET status = 'pending', next_attempt_at = ?2,
		deadline = ?3 WHERE id = ?1`, id, sqlite.Nanos(now), sqlite.Nanos(deadline))
}
