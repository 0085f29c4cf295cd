// Package sqlitestore is the SQLite adapter of the identity ports for the
// durable embedded shop: users, single-use mail tokens, the transactional
// outbox and the refresh-token sessions, in tables prefixed "identity_" of
// the shop's one database file (platform/sqlite).
//
// Times are stored as Unix nanoseconds (INTEGER, UTC), roles and event
// metadata as JSON TEXT. Every write is one BEGIN IMMEDIATE transaction on
// the database's single writer connection, which serialises writers the way
// row locks and advisory locks do on PostgreSQL: a token is consumed once, a
// refresh token rotates once, and outbox positions commit in order.
package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"time"

	ident "github.com/evshop/shop/commands/identity"
	domain "github.com/evshop/shop/domain/identity"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate applies the "identity" migrations (New and NewSessions call it).
func Migrate(ctx context.Context, db *sqlite.DB) error {
	return sqlite.MigrateEmbedded(ctx, db, "identity", migrations, "migrations")
}

// Store implements identity.Store on SQLite.
type Store struct {
	db     *sqlite.DB
	outbox *Outbox
}

// New applies the migrations and returns the store.
func New(ctx context.Context, db *sqlite.DB) (*Store, error) {
	if err := Migrate(ctx, db); err != nil {
		return nil, err
	}
	return &Store{db: db, outbox: &Outbox{db: db, pageSize: 500}}, nil
}

// Outbox returns the outbox reader for the relay.
func (s *Store) Outbox() *Outbox { return s.outbox }

// CreateUser implements identity.Store.
func (s *Store) CreateUser(ctx context.Context, u *domain.User, ch ident.Change) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		snap := u.Snapshot()
		roles, err := json.Marshal(snap.Roles)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO identity_users (id, email, name, password_hash, roles, email_verified, created_at, updated_at)
			VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (email) DO NOTHING`, snap.ID, snap.Email, snap.Name, snap.PasswordHash, string(roles),
			snap.EmailVerified, sqlite.Nanos(snap.CreatedAt), sqlite.Nanos(snap.UpdatedAt))
		if err != nil {
			return fmt.Errorf("identity sqlitestore: insert user: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			return ident.ErrEmailTaken
		}
		return applyChange(ctx, tx, snap.ID, ch)
	})
}

const userColumns = `id, email, name, password_hash, roles, email_verified, created_at, updated_at`

func scanUser(row *sql.Row) (*domain.User, error) {
	var s domain.UserSnapshot
	var roles string
	var created, updated int64
	err := row.Scan(&s.ID, &s.Email, &s.Name, &s.PasswordHash, &roles, &s.EmailVerified, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ident.ErrUserNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("identity sqlitestore: read user: %w", err)
	}
	if err := json.Unmarshal([]byte(roles), &s.Roles); err != nil {
		return nil, fmt.Errorf("identity sqlitestore: roles of user %s: %w", s.ID, err)
	}
	s.CreatedAt, s.UpdatedAt = sqlite.FromNanos(created), sqlite.FromNanos(updated)
	return domain.RehydrateUser(s)
}

// UserByEmail implements identity.Store.
func (s *Store) UserByEmail(ctx context.Context, email domain.Email) (*domain.User, error) {
	return scanUser(s.db.Read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM identity_users WHERE email = ?`, email.String()))
}

// UserByID implements identity.Store.
func (s *Store) UserByID(ctx context.Context, id string) (*domain.User, error) {
	return scanUser(s.db.Read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM identity_users WHERE id = ?`, id))
}

// UpdateUser implements identity.Store.
func (s *Store) UpdateUser(ctx context.Context, id string, fn func(*domain.User) (ident.Change, error)) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return updateInTx(ctx, tx, id, fn) })
}

func updateInTx(ctx context.Context, tx *sql.Tx, id string, fn func(*domain.User) (ident.Change, error)) error {
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM identity_users WHERE id = ?`, id))
	if err != nil {
		return err
	}
	ch, err := fn(u)
	if err != nil {
		return err
	}
	snap := u.Snapshot()
	roles, err := json.Marshal(snap.Roles)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE identity_users SET name=?, password_hash=?, roles=?, email_verified=?, updated_at=? WHERE id=?`,
		snap.Name, snap.PasswordHash, string(roles), snap.EmailVerified, sqlite.Nanos(snap.UpdatedAt), id); err != nil {
		return fmt.Errorf("identity sqlitestore: update user: %w", err)
	}
	return applyChange(ctx, tx, id, ch)
}

// ConsumeToken implements identity.Store.
func (s *Store) ConsumeToken(ctx context.Context, purpose ident.Purpose, idHash, userID string, now time.Time, fn func(*domain.User, ident.Token) (ident.Change, error)) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		tok := ident.Token{IDHash: idHash, Purpose: purpose}
		var expires int64
		err := tx.QueryRowContext(ctx, `DELETE FROM identity_tokens WHERE id_hash=? AND purpose=? AND expires_at > ?
			RETURNING user_id, expires_at, password_hash`, idHash, string(purpose), sqlite.Nanos(now)).Scan(&tok.UserID, &expires, &tok.PasswordHash)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && tok.UserID != userID) {
			return ident.ErrTokenInvalid // a wrong user rolls the delete back with the transaction
		}
		if err != nil {
			return fmt.Errorf("identity sqlitestore: consume token: %w", err)
		}
		tok.ExpiresAt = sqlite.FromNanos(expires)
		return updateInTx(ctx, tx, userID, func(u *domain.User) (ident.Change, error) { return fn(u, tok) })
	})
}

func applyChange(ctx context.Context, tx *sql.Tx, userID string, ch ident.Change) error {
	if t := ch.Token; t != nil {
		if _, err := tx.ExecContext(ctx, `DELETE FROM identity_tokens WHERE user_id=? AND purpose=?`, t.UserID, string(t.Purpose)); err != nil {
			return fmt.Errorf("identity sqlitestore: replace token: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO identity_tokens (id_hash, user_id, purpose, expires_at, password_hash) VALUES (?,?,?,?,?)`,
			t.IDHash, t.UserID, string(t.Purpose), sqlite.Nanos(t.ExpiresAt), t.PasswordHash); err != nil {
			return fmt.Errorf("identity sqlitestore: insert token: %w", err)
		}
	}
	if len(ch.Events) == 0 {
		return nil
	}
	stream := domain.Stream(userID)
	var next int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(revision) + 1, 0) FROM identity_outbox WHERE stream = ?`, stream).Scan(&next); err != nil {
		return fmt.Errorf("identity sqlitestore: outbox revision: %w", err)
	}
	now := sqlite.Nanos(time.Now())
	for i, e := range ch.Events {
		meta, err := json.Marshal(e.Metadata)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO identity_outbox (id, stream, revision, type, data, metadata, recorded_at) VALUES (?,?,?,?,?,?,?)`,
			e.ID, stream, next+int64(i), e.Type, string(e.Data), string(meta), now); err != nil {
			return fmt.Errorf("identity sqlitestore: outbox insert: %w", err)
		}
	}
	return nil
}

// Outbox reads identity_outbox in the shape of the event store's ReadAll.
type Outbox struct {
	db       *sqlite.DB
	pageSize int
}

// ReadAll streams outbox events with Position > after, in order, in pages.
func (o *Outbox) ReadAll(ctx context.Context, after uint64, f eventstore.Filter) iter.Seq2[eventstore.RecordedEvent, error] {
	return func(yield func(eventstore.RecordedEvent, error) bool) {
		pos := after
		for {
			page, err := o.page(ctx, pos)
			if err != nil {
				yield(eventstore.RecordedEvent{}, err)
				return
			}
			for _, e := range page {
				pos = e.Position
				if f.Match(e) && !yield(e, nil) {
					return
				}
			}
			if len(page) < o.pageSize {
				return
			}
		}
	}
}

// page reads up to pageSize events after pos; the rows are closed before
// the caller yields, so a slow consumer holds no read snapshot open.
func (o *Outbox) page(ctx context.Context, pos uint64) ([]eventstore.RecordedEvent, error) {
	rows, err := o.db.Read.QueryContext(ctx, `SELECT position, id, stream, revision, type, data, metadata, recorded_at
		FROM identity_outbox WHERE position > ? ORDER BY position LIMIT ?`, int64(pos), o.pageSize)
	if err != nil {
		return nil, fmt.Errorf("identity sqlitestore: read outbox: %w", err)
	}
	defer rows.Close()
	var page []eventstore.RecordedEvent
	for rows.Next() {
		var e eventstore.RecordedEvent
		var p, rev, at int64
		var data, meta string
		if err := rows.Scan(&p, &e.ID, &e.Stream, &rev, &e.Type, &data, &meta, &at); err != nil {
			return nil, fmt.Errorf("identity sqlitestore: scan outbox: %w", err)
		}
		e.Position, e.Revision, e.Data, e.Time = uint64(p), uint64(rev), json.RawMessage(data), sqlite.FromNanos(at)
		if err := json.Unmarshal([]byte(meta), &e.Metadata); err != nil {
			return nil, fmt.Errorf("identity sqlitestore: outbox metadata at %d: %w", p, err)
		}
		page = append(page, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("identity sqlitestore: read outbox: %w", err)
	}
	return page, nil
}

// HeadPosition is the position of the newest outbox event (0 when empty).
func (o *Outbox) HeadPosition(ctx context.Context) (uint64, error) {
	var p int64
	err := o.db.Read.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) FROM identity_outbox`).Scan(&p)
	return uint64(p), err
}

// UpdateRoles implements identity.Store. The single writer connection
// serialises role changes, so the admin count fn sees stays true until
// this change commits.
func (s *Store) UpdateRoles(ctx context.Context, id string, fn func(*domain.User, int) (ident.Change, error)) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var admins int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM identity_users
			WHERE email_verified AND EXISTS (SELECT 1 FROM json_each(roles) WHERE value = 'admin')`).Scan(&admins); err != nil {
			return fmt.Errorf("identity sqlitestore: count admins: %w", err)
		}
		return updateInTx(ctx, tx, id, func(u *domain.User) (ident.Change, error) { return fn(u, admins) })
	})
}

// Staff implements identity.Store.
func (s *Store) Staff(ctx context.Context) ([]*domain.User, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id FROM identity_users
		WHERE EXISTS (SELECT 1 FROM json_each(roles) WHERE value IN ('support', 'admin')) ORDER BY email`)
	if err != nil {
		return nil, fmt.Errorf("identity sqlitestore: list staff: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("identity sqlitestore: list staff: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("identity sqlitestore: list staff: %w", err)
	}
	out := make([]*domain.User, 0, len(ids))
	for _, id := range ids {
		u, err := s.UserByID(ctx, id)
		if errors.Is(err, ident.ErrUserNotFound) {
			continue // deleted between the two reads
		}
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// RoleEvents implements identity.Store.
func (s *Store) RoleEvents(ctx context.Context, before uint64, limit int) ([]eventstore.RecordedEvent, error) {
	if before == 0 {
		before = 1<<63 - 1
	}
	types := ident.RoleEventTypes()
	rows, err := s.db.Read.QueryContext(ctx, `SELECT position, id, stream, revision, type, data, metadata, recorded_at
		FROM identity_outbox WHERE type IN (?, ?) AND position < ? ORDER BY position DESC LIMIT ?`,
		types[0], types[1], int64(before), limit)
	if err != nil {
		return nil, fmt.Errorf("identity sqlitestore: read role events: %w", err)
	}
	defer rows.Close()
	var out []eventstore.RecordedEvent
	for rows.Next() {
		var e eventstore.RecordedEvent
		var p, rev, at int64
		var data, meta string
		if err := rows.Scan(&p, &e.ID, &e.Stream, &rev, &e.Type, &data, &meta, &at); err != nil {
			return nil, fmt.Errorf("identity sqlitestore: scan role event: %w", err)
		}
		e.Position, e.Revision, e.Data, e.Time = uint64(p), uint64(rev), json.RawMessage(data), sqlite.FromNanos(at)
		if err := json.Unmarshal([]byte(meta), &e.Metadata); err != nil {
			return nil, fmt.Errorf("identity sqlitestore: role event metadata at %d: %w", p, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("identity sqlitestore: read role events: %w", err)
	}
	return out, nil
}
