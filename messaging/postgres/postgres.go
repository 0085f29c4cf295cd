// Package postgres stores the messaging ports in PostgreSQL: the dead-letter
// store and the deduper (processed event ids per handler). Call Migrate once
// at start-up.
package postgres

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/platform/pg"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or upgrades the tables of this package.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	sub, err := fsSub()
	if err != nil {
		return err
	}
	return pg.Migrate(ctx, pool, "messaging", sub)
}

// DeadLetters is the PostgreSQL DeadLetterStore.
type DeadLetters struct{ pool *pgxpool.Pool }

// NewDeadLetters returns a store on pool (run Migrate first).
func NewDeadLetters(pool *pgxpool.Pool) *DeadLetters { return &DeadLetters{pool: pool} }

// Add stores dl unless its id is already there.
func (s *DeadLetters) Add(ctx context.Context, dl messaging.DeadLetter) error {
	if dl.ID == "" {
		return errors.New("messaging/postgres: dead letter needs an id")
	}
	md, err := json.Marshal(dl.Metadata)
	if err != nil {
		return fmt.Errorf("messaging/postgres: metadata: %w", err)
	}
	payload := dl.Payload
	if payload == nil {
		payload = []byte{}
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO messaging_dead_letters
		(id, message_id, handler, topic, redrive_to, reason, payload, metadata, failed_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (id) DO NOTHING`,
		dl.ID, dl.MessageID, dl.Handler, dl.Topic, dl.RedriveTo, dl.Reason, payload, md, dl.FailedAt)
	if err != nil {
		return fmt.Errorf("messaging/postgres: add dead letter: %w", err)
	}
	return nil
}

const dlColumns = `id, message_id, handler, topic, redrive_to, reason, payload, metadata, failed_at`

func scanDL(row pgx.Row) (messaging.DeadLetter, error) {
	var dl messaging.DeadLetter
	var md []byte
	if err := row.Scan(&dl.ID, &dl.MessageID, &dl.Handler, &dl.Topic, &dl.RedriveTo, &dl.Reason, &dl.Payload, &md, &dl.FailedAt); err != nil {
		return messaging.DeadLetter{}, err
	}
	if err := json.Unmarshal(md, &dl.Metadata); err != nil {
		return messaging.DeadLetter{}, fmt.Errorf("messaging/postgres: metadata of %s: %w", dl.ID, err)
	}
	dl.FailedAt = dl.FailedAt.UTC()
	return dl, nil
}

// List returns the oldest dead letters first.
func (s *DeadLetters) List(ctx context.Context, opts messaging.ListOptions) ([]messaging.DeadLetter, error) {
	opts = opts.Normalize()
	rows, err := s.pool.Query(ctx, `SELECT `+dlColumns+` FROM messaging_dead_letters
		WHERE ($1 = '' OR handler = $1) ORDER BY failed_at, id LIMIT $2`, opts.Handler, opts.Limit)
	if err != nil {
		return nil, fmt.Errorf("messaging/postgres: list dead letters: %w", err)
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
	dl, err := scanDL(s.pool.QueryRow(ctx, `SELECT `+dlColumns+` FROM messaging_dead_letters WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return messaging.DeadLetter{}, fmt.Errorf("%w: %s", messaging.ErrDeadLetterNotFound, id)
	}
	if err != nil {
		return messaging.DeadLetter{}, fmt.Errorf("messaging/postgres: get dead letter: %w", err)
	}
	return dl, nil
}

// Delete removes one dead letter.
func (s *DeadLetters) Delete(ctx context.Context, id string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM messaging_dead_letters WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("messaging/postgres: delete dead letter: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: %s", messaging.ErrDeadLetterNotFound, id)
	}
	return nil
}

// Deduper is the PostgreSQL Deduper.
type Deduper struct{ pool *pgxpool.Pool }

// NewDeduper returns a deduper on pool (run Migrate first).
func NewDeduper(pool *pgxpool.Pool) *Deduper { return &Deduper{pool: pool} }

// Seen reports whether handler processed eventID.
func (d *Deduper) Seen(ctx context.Context, handler, eventID string) (bool, error) {
	var seen bool
	err := d.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM messaging_processed WHERE handler=$1 AND event_id=$2)`,
		handler, eventID).Scan(&seen)
	if err != nil {
		return false, fmt.Errorf("messaging/postgres: seen: %w", err)
	}
	return seen, nil
}

// Mark records that handler processed eventID.
func (d *Deduper) Mark(ctx context.Context, handler, eventID string) error {
	return MarkIn(ctx, d.pool, handler, eventID)
}

// Execer is what MarkIn needs: a pool, a connection or a transaction.
type Execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// MarkIn records the mark through db — pass the transaction that writes the
// handler's effect to get exactly-once effects.
func MarkIn(ctx context.Context, db Execer, handler, eventID string) error {
	_, err := db.Exec(ctx, `INSERT INTO messaging_processed (handler, event_id) VALUES ($1,$2)
		ON CONFLICT DO NOTHING`, handler, eventID)
	if err != nil {
		return fmt.Errorf("messaging/postgres: mark: %w", err)
	}
	return nil
}

// Prune forgets marks older than age (run it periodically; keep age well
// above the longest possible redelivery delay).
func (d *Deduper) Prune(ctx context.Context, age time.Duration) (int64, error) {
	tag, err := d.pool.Exec(ctx, `DELETE FROM messaging_processed WHERE processed_at < now() - $1::interval`,
		fmt.Sprintf("%d microseconds", age.Microseconds()))
	if err != nil {
		return 0, fmt.Errorf("messaging/postgres: prune: %w", err)
	}
	return tag.RowsAffected(), nil
}
