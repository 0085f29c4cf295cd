// Package sqlite stores the messaging ports in the embedded database
// (platform/sqlite): the dead-letter store and the deduper (processed event
// ids per handler), the embedded shop's counterparts of messaging/postgres.
// Call Migrate once at start-up. Times are UTC text in
// platform/sqlite.TimeLayout; metadata is JSON text; payloads are BLOBs.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/evshop/shop/messaging"
	sqlitedb "github.com/evshop/shop/platform/sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or upgrades the tables of this package (component
// "messaging").
func Migrate(ctx context.Context, db *sqlitedb.DB) error {
	return sqlitedb.MigrateEmbedded(ctx, db, "messaging", migrations, "migrations")
}

// DeadLetters is the SQLite DeadLetterStore.
type DeadLetters struct{ db *sqlitedb.DB }

// NewDeadLetters returns a store on db (run Migrate first).
func NewDeadLetters(db *sqlitedb.DB) *DeadLetters { return &DeadLetters{db: db} }

// Add stores dl unless its id is already there.
func (s *DeadLetters) Add(ctx context.Context, dl messaging.DeadLetter) error {
	if dl.ID == "" {
		return errors.New("messaging/sqlite: dead letter needs an id")
	}
	md, err := json.Marshal(dl.Metadata)
	if err != nil {
		return fmt.Errorf("messaging/sqlite: metadata: %w", err)
	}
	payload := dl.Payload
	if payload == nil {
		payload = []byte{}
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO messaging_dead_letters
			(id, message_id, handler, topic, redrive_to, reason, payload, metadata, failed_at)
			VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING`,
			dl.ID, dl.MessageID, dl.Handler, dl.Topic, dl.RedriveTo, dl.Reason, payload, string(md), sqlitedb.FormatTime(dl.FailedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("messaging/sqlite: add dead letter: %w", err)
	}
	return nil
}

const dlColumns = `id, message_id, handler, topic, redrive_to, reason, payload, metadata, failed_at`

func scanDL(row interface{ Scan(...any) error }) (messaging.DeadLetter, error) {
	var dl messaging.DeadLetter
	var md, at string
	if err := row.Scan(&dl.ID, &dl.MessageID, &dl.Handler, &dl.Topic, &dl.RedriveTo, &dl.Reason, &dl.Payload, &md, &at); err != nil {
		return messaging.DeadLetter{}, err
	}
	if err := json.Unmarshal([]byte(md), &dl.Metadata); err != nil {
		return messaging.DeadLetter{}, fmt.Errorf("messaging/sqlite: metadata of %s: %w", dl.ID, err)
	}
	t, err := sqlitedb.ParseTime(at)
	if err != nil {
		return messaging.DeadLetter{}, fmt.Errorf("messaging/sqlite: dead letter %s: %w", dl.ID, err)
	}
	dl.FailedAt = t
	return dl, nil
}

// List returns the oldest dead letters first.
func (s *DeadLetters) List(ctx context.Context, opts messaging.ListOptions) ([]messaging.DeadLetter, error) {
	opts = opts.Normalize()
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+dlColumns+` FROM messaging_dead_letters
		WHERE (?1 = '' OR handler = ?1) ORDER BY failed_at, id LIMIT ?2`, opts.Handler, opts.Limit)
	if err != nil {
		return nil, fmt.Errorf("messaging/sqlite: list dead letters: %w", err)
	}
	defer rows.Close()
	var out []messaging.DeadLetter
	for rows.Next() {
		dl, err := scanDL(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, dl)
	}
	return out, rows.Err()
}

// Get returns one dead letter.
func (s *DeadLetters) Get(ctx context.Context, id string) (messaging.DeadLetter, error) {
	dl, err := scanDL(s.db.Read.QueryRowContext(ctx, `SELECT `+dlColumns+` FROM messaging_dead_letters WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return messaging.DeadLetter{}, fmt.Errorf("%w: %s", messaging.ErrDeadLetterNotFound, id)
	}
	if err != nil {
		return messaging.DeadLetter{}, fmt.Errorf("messaging/sqlite: get dead letter: %w", err)
	}
	return dl, nil
}

// Delete removes one dead letter.
func (s *DeadLetters) Delete(ctx context.Context, id string) error {
	var n int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM messaging_dead_letters WHERE id = ?`, id)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("messaging/sqlite: delete dead letter: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("%w: %s", messaging.ErrDeadLetterNotFound, id)
	}
	return nil
}

// Deduper is the SQLite Deduper.
type Deduper struct {
	db  *sqlitedb.DB
	now func() time.Time
}

// NewDeduper returns a deduper on db (run Migrate first).
func NewDeduper(db *sqlitedb.DB) *Deduper { return &Deduper{db: db, now: time.Now} }

// Seen reports whether handler processed eventID.
func (d *Deduper) Seen(ctx context.Context, handler, eventID string) (bool, error) {
	var seen bool
	err := d.db.Read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM messaging_processed WHERE handler = ? AND event_id = ?)`,
		handler, eventID).Scan(&seen)
	if err != nil {
		return false, fmt.Errorf("messaging/sqlite: seen: %w", err)
	}
	return seen, nil
}

// Mark records that handler processed eventID.
func (d *Deduper) Mark(ctx context.Context, handler, eventID string) error {
	return d.db.Tx(ctx, func(tx *sql.Tx) error { return MarkIn(ctx, tx, handler, eventID, d.now()) })
}

// MarkIn records the mark inside tx — pass the transaction that writes the
// handler's effect to get exactly-once effects.
func MarkIn(ctx context.Context, tx *sql.Tx, handler, eventID string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO messaging_processed (handler, event_id, processed_at) VALUES (?,?,?)
		ON CONFLICT DO NOTHING`, handler, eventID, sqlitedb.FormatTime(at))
	if err != nil {
		return fmt.Errorf("messaging/sqlite: mark: %w", err)
	}
	return nil
}

// Prune forgets marks older than age (run it periodically; keep age well
// above the longest possible redelivery delay).
func (d *Deduper) Prune(ctx context.Context, age time.Duration) (int64, error) {
	var n int64
	err := d.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM messaging_processed WHERE processed_at < ?`, sqlitedb.FormatTime(d.now().Add(-age)))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("messaging/sqlite: prune: %w", err)
	}
	return n, nil
}
