// Package sqlitestore holds the notifier's stores for the durable embedded
// shop — the delivery log, the order book and the basket tracker — in the
// notifier_* tables of the shop's SQLite database (component "notifier").
// Times are Unix nanoseconds (UTC); order and basket bodies are JSON TEXT.
// Each call is one transaction on the database's single writer, so a claim
// and the check of who holds it, or a batch of basket folds with the
// tracker's checkpoint, cannot interleave with another call.
package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/evshop/shop/notifier"
	"github.com/evshop/shop/platform/sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store implements notifier.DeliveryLog,
// notifier.BasketStore (with the basket tracker's checkpoint) and
// notifier.BackInStock on SQLite.
type Store struct{ db *sqlite.DB }

// New applies the notifier's migrations and returns the store.
func New(ctx context.Context, db *sqlite.DB) (*Store, error) {
	if err := sqlite.MigrateEmbedded(ctx, db, "notifier", migrations, "migrations"); err != nil {
		return nil, err
	}
	return &Store{db: db}, nil
}

// Ping checks the database (readiness).
func (s *Store) Ping(ctx context.Context) error { return s.db.Read.PingContext(ctx) }

// Claim implements notifier.DeliveryLog: insert, or take over a pending row
// whose lease ran out; otherwise the row's status says why not.
func (s *Store) Claim(ctx context.Context, c notifier.Claim) error {
	now := sqlite.Nanos(c.Now)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var attempts int
		err := tx.QueryRowContext(ctx, `
			INSERT INTO notifier_deliveries (key, kind, recipient, status, attempts, lease_until, created_at, updated_at)
			VALUES (?1, ?2, ?3, 'pending', 1, ?4, ?5, ?5)
			ON CONFLICT (key) DO UPDATE
			   SET attempts = attempts + 1, kind = excluded.kind, recipient = excluded.recipient,
			       lease_until = excluded.lease_until, updated_at = excluded.updated_at
			 WHERE status = 'pending' AND lease_until <= ?5
			RETURNING attempts`, c.Key, c.Kind, c.To, now+c.Lease.Nanoseconds(), now).Scan(&attempts)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("notifier sqlitestore: claim %s: %w", c.Key, err)
		}
		var status string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM notifier_deliveries WHERE key = ?`, c.Key).Scan(&status); err != nil {
			return fmt.Errorf("notifier sqlitestore: claim %s: %w", c.Key, err)
		}
		switch notifier.DeliveryStatus(status) {
		case notifier.StatusSent:
			return notifier.ErrAlreadySent
		case notifier.StatusFailed:
			return notifier.ErrAlreadyFailed
		default:
			return notifier.ErrInFlight
		}
	})
}

// update runs an UPDATE of one delivery (key is its first argument);
// notifier.ErrNotFound when the key is unknown.
func (s *Store) update(ctx context.Context, query, key string, args ...any) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, append([]any{key}, args...)...)
		if err != nil {
			return fmt.Errorf("notifier sqlitestore: %w", err)
		}
		if n, err := res.RowsAffected(); err == nil && n > 0 {
			return nil // the delivery is there: no need to look
		}
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM notifier_deliveries WHERE key = ?)`, key).Scan(&exists); err != nil {
			return fmt.Errorf("notifier sqlitestore: %w", err)
		}
		if !exists {
			return notifier.ErrNotFound
		}
		return nil
	})
}

// MarkSent implements notifier.DeliveryLog.
func (s *Store) MarkSent(ctx context.Context, key, messageID string, now time.Time) error {
	return s.update(ctx, `UPDATE notifier_deliveries SET status = 'sent', message_id = ?2, last_error = '', updated_at = ?3 WHERE key = ?1`,
		key, messageID, sqlite.Nanos(now))
}

// MarkFailed implements notifier.DeliveryLog.
func (s *Store) MarkFailed(ctx context.Context, key, reason string, now time.Time) error {
	return s.update(ctx, `UPDATE notifier_deliveries SET status = 'failed', last_error = ?2, updated_at = ?3 WHERE key = ?1`,
		key, truncate(reason, 2000), sqlite.Nanos(now))
}

// Release implements notifier.DeliveryLog.
func (s *Store) Release(ctx context.Context, key, reason string, now time.Time) error {
	return s.update(ctx, `UPDATE notifier_deliveries SET last_error = ?2, updated_at = ?3, lease_until = ?3
		WHERE key = ?1 AND status = 'pending'`, key, truncate(reason, 2000), sqlite.Nanos(now))
}

// ReleaseClaims ends the lease of every pending delivery as of now, so that
// the next Claim of each takes it over at once. Only for a process that
// knows every claim's worker is gone: the embedded shop at start, which
// holds its data directory's lock, so whatever is pending was claimed by a
// shop that crashed between its claim and its record of the send (a send it
// did make the outbox kept under the delivery key: mail.Message's
// IdempotencyKey). Otherwise those emails would wait out the lease (two
// minutes) and their events be dead-lettered first.
func (s *Store) ReleaseClaims(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE notifier_deliveries SET lease_until = ?1, updated_at = ?1
			WHERE status = 'pending' AND lease_until > ?1`, sqlite.Nanos(now))
		if err != nil {
			return fmt.Errorf("notifier sqlitestore: release claims: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

const deliveryColumns = `key, kind, recipient, status, attempts, last_error, message_id, created_at, updated_at`

type scanner interface{ Scan(dest ...any) error }

func scanDelivery(row scanner) (notifier.Delivery, error) {
	var d notifier.Delivery
	var status string
	var created, updated int64
	err := row.Scan(&d.Key, &d.Kind, &d.To, &status, &d.Attempts, &d.LastError, &d.MessageID, &created, &updated)
	d.Status = notifier.DeliveryStatus(status)
	d.CreatedAt, d.UpdatedAt = sqlite.FromNanos(created), sqlite.FromNanos(updated)
	return d, err
}

// Get implements notifier.DeliveryLog.
func (s *Store) Get(ctx context.Context, key string) (notifier.Delivery, error) {
	d, err := scanDelivery(s.db.Read.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM notifier_deliveries WHERE key = ?`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return notifier.Delivery{}, notifier.ErrNotFound
	}
	if err != nil {
		return notifier.Delivery{}, fmt.Errorf("notifier sqlitestore: get %s: %w", key, err)
	}
	return d, nil
}

// Failed implements notifier.DeliveryLog.
func (s *Store) Failed(ctx context.Context, limit int) ([]notifier.Delivery, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM notifier_deliveries
		WHERE status = 'failed' ORDER BY updated_at DESC, key LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("notifier sqlitestore: failed deliveries: %w", err)
	}
	defer rows.Close()
	var out []notifier.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("notifier sqlitestore: failed deliveries: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// checkpoints is the table of the basket tracker's checkpoint.
const checkpoints = "notifier_checkpoints"

// TrackBaskets implements notifier.BasketStore: one transaction on the
// single writer reads the touched baskets (one IN query), folds them in
// memory, writes each changed one once and raises the checkpoint.
func (s *Store) TrackBaskets(ctx context.Context, folds []notifier.BasketFold, checkpoint uint64) error {
	ids := notifier.BasketIDs(folds)
	if len(ids) == 0 && checkpoint == 0 {
		return nil
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		read := make(map[string]notifier.Basket, len(ids))
		err := sqlite.QueryIn(ctx, tx, `SELECT basket_id, data, reminded_cycle FROM notifier_baskets WHERE basket_id IN (?)`, ids,
			func(r *sql.Rows) error {
				var id, data, reminded string
				if err := r.Scan(&id, &data, &reminded); err != nil {
					return err
				}
				var b notifier.Basket
				if err := json.Unmarshal([]byte(data), &b); err != nil {
					return fmt.Errorf("basket %s: %w", id, err)
				}
				b.BasketID, b.RemindedCycle = id, reminded
				read[id] = b
				return nil
			})
		if err != nil {
			return err
		}
		for id, b := range notifier.FoldBaskets(read, folds) {
			out, err := json.Marshal(b)
			if err != nil {
				return err
			}
			var last *int64
			if !b.LastActivity.IsZero() {
				n := sqlite.Nanos(b.LastActivity)
				last = &n
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO notifier_baskets (basket_id, data, items, last_activity, cycle_id, reminded_cycle)
				VALUES (?,?,?,?,?,?) ON CONFLICT (basket_id) DO UPDATE SET data = excluded.data, items = excluded.items,
				last_activity = excluded.last_activity, cycle_id = excluded.cycle_id, reminded_cycle = excluded.reminded_cycle`,
				id, string(out), b.Items(), last, b.CycleID, b.RemindedCycle)
			if err != nil {
				return fmt.Errorf("save basket %s: %w", id, err)
			}
		}
		if checkpoint == 0 {
			return nil
		}
		return sqlite.SaveCheckpoint(ctx, tx, checkpoints, notifier.BasketHandlerName, checkpoint)
	})
	if err != nil {
		return fmt.Errorf("notifier sqlitestore: track %d baskets: %w", len(ids), err)
	}
	return nil
}

// BasketCheckpoint implements notifier.BasketStore.
func (s *Store) BasketCheckpoint(ctx context.Context) (uint64, error) {
	return sqlite.LoadCheckpoint(ctx, s.db.Read, checkpoints, notifier.BasketHandlerName)
}

// DueBaskets implements notifier.BasketStore.
func (s *Store) DueBaskets(ctx context.Context, idleSince time.Time, limit int) ([]notifier.Basket, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT data, reminded_cycle FROM notifier_baskets
		WHERE items > 0 AND cycle_id <> reminded_cycle AND last_activity <= ?
		ORDER BY last_activity, basket_id LIMIT ?`, sqlite.Nanos(idleSince), limit)
	if err != nil {
		return nil, fmt.Errorf("notifier sqlitestore: due baskets: %w", err)
	}
	defer rows.Close()
	var out []notifier.Basket
	for rows.Next() {
		var data, reminded string
		if err := rows.Scan(&data, &reminded); err != nil {
			return nil, fmt.Errorf("notifier sqlitestore: due baskets: %w", err)
		}
		var b notifier.Basket
		if err := json.Unmarshal([]byte(data), &b); err != nil {
			return nil, fmt.Errorf("notifier sqlitestore: due baskets: %w", err)
		}
		b.RemindedCycle = reminded
		out = append(out, b)
	}
	return out, rows.Err()
}

// MarkReminded implements notifier.BasketStore.
func (s *Store) MarkReminded(ctx context.Context, id, cycleID string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE notifier_baskets
			SET reminded_cycle = ?2, data = json_set(data, '$.remindedCycle', ?2)
			WHERE basket_id = ?1 AND cycle_id = ?2`, id, cycleID); err != nil {
			return fmt.Errorf("notifier sqlitestore: mark reminded %s: %w", id, err)
		}
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM notifier_baskets WHERE basket_id = ?)`, id).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return notifier.ErrNotFound
		}
		return nil
	})
}
