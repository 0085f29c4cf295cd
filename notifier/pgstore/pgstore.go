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
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/notifier"
	"github.com/evshop/shop/platform/pg"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store implements notifier.DeliveryLog,
// notifier.BasketStore (with the basket tracker's checkpoint) and
// notifier.BackInStock (backinstock.go) on PostgreSQL.
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

// TrackBaskets implements notifier.BasketStore in one transaction: the
// touched baskets are locked (a transaction advisory lock per id, in id
// order, which also covers a basket not stored yet, so concurrent batches
// neither lose each other's folds nor deadlock) and read with FOR UPDATE
// (MarkReminded waits for the batch) in one round trip, folded in memory,
// then written by one upsert pipelined with the checkpoint.
func (s *Store) TrackBaskets(ctx context.Context, folds []notifier.BasketFold, checkpoint uint64) error {
	ids := notifier.BasketIDs(folds)
	if len(ids) == 0 && checkpoint == 0 {
		return nil
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		read, err := lockBaskets(ctx, tx, ids)
		if err != nil {
			return err
		}
		b := &pgx.Batch{}
		if changed := notifier.FoldBaskets(read, folds); len(changed) > 0 {
			args, err := basketColumns(changed)
			if err != nil {
				return err
			}
			b.Queue(`INSERT INTO notifier_baskets (basket_id, data, items, last_activity, cycle_id, reminded_cycle)
				SELECT id, data::jsonb, items, last, cycle, reminded
				  FROM unnest($1::text[], $2::text[], $3::int[], $4::timestamptz[], $5::text[], $6::text[]) AS u(id, data, items, last, cycle, reminded)
				ON CONFLICT (basket_id) DO UPDATE SET data = EXCLUDED.data, items = EXCLUDED.items, last_activity = EXCLUDED.last_activity,
				       cycle_id = EXCLUDED.cycle_id, reminded_cycle = EXCLUDED.reminded_cycle`, args...)
		}
		if checkpoint > 0 {
			b.Queue(`INSERT INTO notifier_checkpoints (projector, position) VALUES ($1, $2)
				ON CONFLICT (projector) DO UPDATE SET position = GREATEST(notifier_checkpoints.position, EXCLUDED.position), updated_at = now()`,
				notifier.BasketHandlerName, int64(checkpoint))
		}
		if b.Len() == 0 {
			return nil
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("pgstore: track %d baskets: %w", len(ids), err)
	}
	return nil
}

// lockBaskets locks the baskets ids (sorted) for the transaction and reads
// the stored ones.
func lockBaskets(ctx context.Context, tx pgx.Tx, ids []string) (map[string]notifier.Basket, error) {
	read := make(map[string]notifier.Basket, len(ids))
	if len(ids) == 0 {
		return read, nil
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock(hashtext('notifier.baskets:' || id)) FROM unnest($1::text[]) WITH ORDINALITY AS u(id, n) ORDER BY n`, ids)
	b.Queue(`SELECT basket_id, data, reminded_cycle FROM notifier_baskets WHERE basket_id = ANY($1) ORDER BY basket_id FOR UPDATE`, ids)
	br := tx.SendBatch(ctx, b)
	defer br.Close() //nolint:errcheck // the error is the one returned below
	if _, err := br.Exec(); err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, reminded string
		var data []byte
		if err := rows.Scan(&id, &data, &reminded); err != nil {
			return nil, err
		}
		var bk notifier.Basket
		if err := json.Unmarshal(data, &bk); err != nil {
			return nil, fmt.Errorf("basket %s: %w", id, err)
		}
		bk.BasketID, bk.RemindedCycle = id, reminded
		read[id] = bk
	}
	return read, rows.Err()
}

// basketColumns are the upsert's column arrays of changed.
func basketColumns(changed map[string]notifier.Basket) ([]any, error) {
	n := len(changed)
	ids, data, cycles, reminded := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	items, last := make([]int32, 0, n), make([]pgtype.Timestamptz, 0, n)
	for id, b := range changed {
		out, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		ids, data, cycles, reminded = append(ids, id), append(data, string(out)), append(cycles, b.CycleID), append(reminded, b.RemindedCycle)
		items = append(items, int32(b.Items()))
		last = append(last, pgtype.Timestamptz{Time: b.LastActivity.UTC(), Valid: !b.LastActivity.IsZero()})
	}
	return []any{ids, data, items, last, cycles, reminded}, nil
}

// BasketCheckpoint implements notifier.BasketStore.
func (s *Store) BasketCheckpoint(ctx context.Context) (uint64, error) {
	var pos int64
	err := s.pool.QueryRow(ctx, `SELECT position FROM notifier_checkpoints WHERE projector = $1`, notifier.BasketHandlerName).Scan(&pos)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("pgstore: basket checkpoint: %w", err)
	}
	return uint64(pos), nil
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
