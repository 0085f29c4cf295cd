// Package sqlitestore is the durable embedded shop's mail outbox: the
// messages mail/memory would keep in memory, kept in the mail_outbox table
// of the shop's SQLite database, so what /dev/mail shows (and the links in
// it) survives a restart. Message ids are "m" and a sequence number that is
// never reused; sent_at is Unix nanoseconds (UTC).
//
// List, Get and To have no error result because /dev/mail's port has none:
// a read error is logged and shows as an empty outbox.
package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/evshop/shop/mail"
	"github.com/evshop/shop/mail/memory"
	"github.com/evshop/shop/platform/sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Outbox is a mail.Sender that stores instead of sending.
type Outbox struct {
	db       *sqlite.DB
	now      func() time.Time
	capacity int
}

// New applies the "mail" migrations and returns the outbox, keeping at most
// capacity messages (memory.DefaultCapacity when ≤ 0, oldest dropped first);
// now may be nil (time.Now).
func New(ctx context.Context, db *sqlite.DB, now func() time.Time, capacity int) (*Outbox, error) {
	if err := sqlite.MigrateEmbedded(ctx, db, "mail", migrations, "migrations"); err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	if capacity <= 0 {
		capacity = memory.DefaultCapacity
	}
	return &Outbox{db: db, now: now, capacity: capacity}, nil
}

// Send validates m like a real provider would and keeps it.
func (o *Outbox) Send(ctx context.Context, m mail.Message) (string, error) {
	if err := m.Validate(); err != nil {
		return "", err
	}
	headers, err := json.Marshal(append([]mail.Header{}, m.Headers...))
	if err != nil {
		return "", err
	}
	var seq int64
	var idem *string
	if m.IdempotencyKey != "" {
		idem = &m.IdempotencyKey
	}
	err = o.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO mail_outbox (recipient, subject, text, html, headers, sent_at, idem)
			VALUES (?,?,?,?,?,?,?) ON CONFLICT (idem) WHERE idem IS NOT NULL DO NOTHING RETURNING seq`,
			m.To, m.Subject, m.Text, m.HTML, string(headers), o.now().UTC().UnixNano(), idem).Scan(&seq)
		if errors.Is(err, sql.ErrNoRows) && idem != nil { // the key was sent already (among the messages kept)
			return tx.QueryRowContext(ctx, `SELECT seq FROM mail_outbox WHERE idem = ?`, *idem).Scan(&seq)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM mail_outbox WHERE seq <= ?`, seq-int64(o.capacity))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("mail sqlitestore: keep message: %w", err)
	}
	return "m" + strconv.FormatInt(seq, 10), nil
}

const columns = `seq, recipient, subject, text, html, headers, sent_at`

func (o *Outbox) query(where string, args ...any) []memory.Sent {
	ctx := context.Background()
	rows, err := o.db.Read.QueryContext(ctx, `SELECT `+columns+` FROM mail_outbox `+where, args...)
	if err != nil {
		slog.Error("mail outbox: read", "err", err)
		return nil
	}
	defer rows.Close()
	var out []memory.Sent
	for rows.Next() {
		var s memory.Sent
		var seq, at int64
		var headers string
		if err := rows.Scan(&seq, &s.To, &s.Subject, &s.Text, &s.HTML, &headers, &at); err != nil {
			slog.Error("mail outbox: read", "err", err)
			return nil
		}
		if err := json.Unmarshal([]byte(headers), &s.Headers); err != nil {
			slog.Error("mail outbox: headers", "seq", seq, "err", err)
			return nil
		}
		s.ID, s.SentAt = "m"+strconv.FormatInt(seq, 10), time.Unix(0, at).UTC()
		out = append(out, s)
	}
	if err := rows.Err(); err != nil && !errors.Is(err, context.Canceled) {
		slog.Error("mail outbox: read", "err", err)
		return nil
	}
	return out
}

// List returns the kept messages, newest first.
func (o *Outbox) List() []memory.Sent { return o.query(`ORDER BY seq DESC`) }

// Get returns one message by id.
func (o *Outbox) Get(id string) (memory.Sent, bool) {
	seq, err := strconv.ParseInt(strings.TrimPrefix(id, "m"), 10, 64)
	if err != nil || !strings.HasPrefix(id, "m") {
		return memory.Sent{}, false
	}
	got := o.query(`WHERE seq = ?`, seq)
	if len(got) == 0 {
		return memory.Sent{}, false
	}
	return got[0], true
}

// To returns the messages sent to addr, oldest first.
func (o *Outbox) To(addr string) []memory.Sent {
	return o.query(`WHERE recipient = ? ORDER BY seq`, addr)
}

// Clear empties the outbox.
func (o *Outbox) Clear() {
	err := o.db.Tx(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`DELETE FROM mail_outbox`)
		return err
	})
	if err != nil {
		slog.Error("mail outbox: clear", "err", err)
	}
}
