// Package pgstore is the PostgreSQL adapter of the identity store: users,
// single-use mail tokens and the transactional outbox in schema "auth".
package pgstore

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	ident "github.com/evshop/shop/commands/identity"
	domain "github.com/evshop/shop/domain/identity"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/pg"
)

//go:embed migrations/*.sql
var migrations embed.FS

// outboxLock is the advisory-lock key serialising outbox writers.
const outboxLock int64 = 0x617574686f7574 // "authout"

// Store implements identity.Store on PostgreSQL.
type Store struct {
	pool   *pgxpool.Pool
	outbox *Outbox
}

// New applies the "auth" migrations and returns the store.
func New(ctx context.Context, pool *pgxpool.Pool) (*Store, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := pg.Migrate(ctx, pool, "auth", sub); err != nil {
		return nil, err
	}
	return &Store{pool: pool, outbox: &Outbox{pool: pool, pageSize: 500}}, nil
}

// Outbox returns the outbox reader for the relay.
func (s *Store) Outbox() *Outbox { return s.outbox }

// CreateUser implements identity.Store.
func (s *Store) CreateUser(ctx context.Context, u *domain.User, ch ident.Change) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		snap := u.Snapshot()
		_, err := tx.Exec(ctx, `INSERT INTO auth.users (id, email, name, password_hash, roles, email_verified, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, snap.ID, snap.Email, snap.Name, snap.PasswordHash, snap.Roles,
			snap.EmailVerified, snap.CreatedAt, snap.UpdatedAt)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" {
			return ident.ErrEmailTaken
		}
		if err != nil {
			return fmt.Errorf("pgstore: insert user: %w", err)
		}
		return applyChange(ctx, tx, snap.ID, ch)
	})
}

const userColumns = `id, email, name, password_hash, roles, email_verified, created_at, updated_at`

func scanUser(row pgx.Row) (*domain.User, error) {
	var s domain.UserSnapshot
	err := row.Scan(&s.ID, &s.Email, &s.Name, &s.PasswordHash, &s.Roles, &s.EmailVerified, &s.CreatedAt, &s.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ident.ErrUserNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("pgstore: read user: %w", err)
	}
	return domain.RehydrateUser(s)
}

// UserByEmail implements identity.Store.
func (s *Store) UserByEmail(ctx context.Context, email domain.Email) (*domain.User, error) {
	return scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM auth.users WHERE email = $1`, email.String()))
}

// UserByID implements identity.Store.
func (s *Store) UserByID(ctx context.Context, id string) (*domain.User, error) {
	return scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM auth.users WHERE id = $1`, id))
}

// UpdateUser implements identity.Store.
func (s *Store) UpdateUser(ctx context.Context, id string, fn func(*domain.User) (ident.Change, error)) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return updateInTx(ctx, tx, id, fn)
	})
}

func updateInTx(ctx context.Context, tx pgx.Tx, id string, fn func(*domain.User) (ident.Change, error)) error {
	u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM auth.users WHERE id = $1 FOR UPDATE`, id))
	if err != nil {
		return err
	}
	ch, err := fn(u)
	if err != nil {
		return err
	}
	snap := u.Snapshot()
	if _, err := tx.Exec(ctx, `UPDATE auth.users SET name=$2, password_hash=$3, roles=$4, email_verified=$5, updated_at=$6 WHERE id=$1`,
		id, snap.Name, snap.PasswordHash, snap.Roles, snap.EmailVerified, snap.UpdatedAt); err != nil {
		return fmt.Errorf("pgstore: update user: %w", err)
	}
	return applyChange(ctx, tx, id, ch)
}

// ConsumeToken implements identity.Store.
func (s *Store) ConsumeToken(ctx context.Context, purpose ident.Purpose, idHash, userID string, now time.Time, fn func(*domain.User, ident.Token) (ident.Change, error)) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// DELETE ... RETURNING takes the row lock: of two concurrent uses,
		// the second waits and then finds nothing.
		tok := ident.Token{IDHash: idHash, Purpose: purpose}
		err := tx.QueryRow(ctx, `DELETE FROM auth.tokens WHERE id_hash=$1 AND purpose=$2 AND expires_at > $3
			RETURNING user_id, expires_at, password_hash`, idHash, string(purpose), now).Scan(&tok.UserID, &tok.ExpiresAt, &tok.PasswordHash)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && tok.UserID != userID) {
			return ident.ErrTokenInvalid
		}
		if err != nil {
			return fmt.Errorf("pgstore: consume token: %w", err)
		}
		return updateInTx(ctx, tx, userID, func(u *domain.User) (ident.Change, error) { return fn(u, tok) })
	})
}

func applyChange(ctx context.Context, tx pgx.Tx, userID string, ch ident.Change) error {
	if t := ch.Token; t != nil {
		if _, err := tx.Exec(ctx, `DELETE FROM auth.tokens WHERE user_id=$1 AND purpose=$2`, t.UserID, string(t.Purpose)); err != nil {
			return fmt.Errorf("pgstore: replace token: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO auth.tokens (id_hash, user_id, purpose, expires_at, password_hash) VALUES ($1,$2,$3,$4,$5)`,
			t.IDHash, t.UserID, string(t.Purpose), t.ExpiresAt, t.PasswordHash); err != nil {
			return fmt.Errorf("pgstore: insert token: %w", err)
		}
	}
	if len(ch.Events) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, outboxLock); err != nil {
		return fmt.Errorf("pgstore: outbox lock: %w", err)
	}
	stream := domain.Stream(userID)
	var next int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(revision) + 1, 0) FROM auth.outbox WHERE stream = $1`, stream).Scan(&next); err != nil {
		return fmt.Errorf("pgstore: outbox revision: %w", err)
	}
	for i, e := range ch.Events {
		meta, err := json.Marshal(e.Metadata)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO auth.outbox (id, stream, revision, type, data, metadata) VALUES ($1,$2,$3,$4,$5,$6)`,
			e.ID, stream, next+int64(i), e.Type, []byte(e.Data), meta); err != nil {
			return fmt.Errorf("pgstore: outbox insert: %w", err)
		}
	}
	return nil
}

// Outbox reads auth.outbox in the shape of the event store's ReadAll.
type Outbox struct {
	pool     *pgxpool.Pool
	pageSize int
}

// ReadAll streams outbox events with Position > after, in order, in pages.
// Because writers serialise on an advisory lock held until commit, no event
// can commit later with a smaller position than one already read.
func (o *Outbox) ReadAll(ctx context.Context, after uint64, f eventstore.Filter) iter.Seq2[eventstore.RecordedEvent, error] {
	return func(yield func(eventstore.RecordedEvent, error) bool) {
		pos := after
		for {
			rows, err := o.pool.Query(ctx, `SELECT position, id, stream, revision, type, data, metadata, recorded_at
				FROM auth.outbox WHERE position > $1 ORDER BY position LIMIT $2`, int64(pos), o.pageSize)
			if err != nil {
				yield(eventstore.RecordedEvent{}, fmt.Errorf("pgstore: read outbox: %w", err))
				return
			}
			var page []eventstore.RecordedEvent
			for rows.Next() {
				var e eventstore.RecordedEvent
				var p, rev int64
				var data, meta []byte
				if err := rows.Scan(&p, &e.ID, &e.Stream, &rev, &e.Type, &data, &meta, &e.Time); err != nil {
					rows.Close()
					yield(eventstore.RecordedEvent{}, fmt.Errorf("pgstore: scan outbox: %w", err))
					return
				}
				e.Position, e.Revision, e.Data = uint64(p), uint64(rev), data
				e.Time = e.Time.UTC()
				if err := json.Unmarshal(meta, &e.Metadata); err != nil {
					rows.Close()
					yield(eventstore.RecordedEvent{}, fmt.Errorf("pgstore: outbox metadata at %d: %w", p, err))
					return
				}
				page = append(page, e)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				yield(eventstore.RecordedEvent{}, fmt.Errorf("pgstore: read outbox: %w", err))
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

// HeadPosition is the position of the newest outbox event (0 when empty).
func (o *Outbox) HeadPosition(ctx context.Context) (uint64, error) {
	var p int64
	err := o.pool.QueryRow(ctx, `SELECT COALESCE(MAX(position), 0) FROM auth.outbox`).Scan(&p)
	return uint64(p), err
}

// rolesLock is the advisory-lock key serialising role changes.
const rolesLock int64 = 0x61757468726f6c // "authrol"

// UpdateRoles implements identity.Store. The transaction-scoped advisory
// lock serialises role changes, so the admin count fn sees stays true
// until this change commits.
func (s *Store) UpdateRoles(ctx context.Context, id string, fn func(*domain.User, int) (ident.Change, error)) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, rolesLock); err != nil {
			return fmt.Errorf("pgstore: roles lock: %w", err)
		}
		var admins int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM auth.users
			WHERE roles && ARRAY['support', 'admin']::text[] AND email_verified AND 'admin' = ANY(roles)`).Scan(&admins); err != nil {
			return fmt.Errorf("pgstore: count admins: %w", err)
		}
		return updateInTx(ctx, tx, id, func(u *domain.User) (ident.Change, error) { return fn(u, admins) })
	})
}

// Staff implements identity.Store.
func (s *Store) Staff(ctx context.Context) ([]*domain.User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM auth.users WHERE roles && ARRAY['support', 'admin']::text[] ORDER BY email`)
	if err != nil {
		return nil, fmt.Errorf("pgstore: list staff: %w", err)
	}
	defer rows.Close()
	var out []*domain.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pgstore: list staff: %w", err)
	}
	return out, nil
}

// RoleEvents implements identity.Store.
func (s *Store) RoleEvents(ctx context.Context, before uint64, limit int) ([]eventstore.RecordedEvent, error) {
	if before == 0 {
		before = 1<<63 - 1
	}
	rows, err := s.pool.Query(ctx, `SELECT position, id, stream, revision, type, data, metadata, recorded_at
		FROM auth.outbox WHERE type = ANY($1) AND position < $2 ORDER BY position DESC LIMIT $3`,
		ident.RoleEventTypes(), int64(before), limit)
	if err != nil {
		return nil, fmt.Errorf("pgstore: read role events: %w", err)
	}
	defer rows.Close()
	var out []eventstore.RecordedEvent
	for rows.Next() {
		var e eventstore.RecordedEvent
		var p, rev int64
		var data, meta []byte
		if err := rows.Scan(&p, &e.ID, &e.Stream, &rev, &e.Type, &data, &meta, &e.Time); err != nil {
			return nil, fmt.Errorf("pgstore: scan role event: %w", err)
		}
		e.Position, e.Revision, e.Data, e.Time = uint64(p), uint64(rev), data, e.Time.UTC()
		if err := json.Unmarshal(meta, &e.Metadata); err != nil {
			return nil, fmt.Errorf("pgstore: role event metadata at %d: %w", p, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pgstore: read role events: %w", err)
	}
	return out, nil
}
