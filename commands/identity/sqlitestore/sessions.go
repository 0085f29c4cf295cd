package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	ident "github.com/evshop/shop/commands/identity"
	"github.com/evshop/shop/platform/sqlite"
)

// Sessions implements identity.Sessions on SQLite.
type Sessions struct {
	db  *sqlite.DB
	now func() time.Time
}

// NewSessions applies the migrations and returns the session store; now may
// be nil (time.Now).
func NewSessions(ctx context.Context, db *sqlite.DB, now func() time.Time) (*Sessions, error) {
	if err := Migrate(ctx, db); err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return &Sessions{db: db, now: now}, nil
}

// Create implements identity.Sessions. It also drops the rows that expired,
// so the tables stay bounded (both deletes use an index on the expiry).
func (s *Sessions) Create(ctx context.Context, sess ident.Session) error {
	if sess.FamilyExpiresAt.IsZero() {
		return errors.New("identity sqlitestore: a session family needs its absolute end")
	}
	exp := sqlite.Nanos(earlier(sess.ExpiresAt, sess.FamilyExpiresAt))
	now := sqlite.Nanos(s.now())
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM identity_session_tokens WHERE expires_at <= ?`,
			`DELETE FROM identity_session_families WHERE expires_at <= ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, now); err != nil {
				return fmt.Errorf("identity sqlitestore: sweep sessions: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO identity_session_families (family_id, user_id, expires_at, ends_at) VALUES (?,?,?,?)
			ON CONFLICT (family_id) DO UPDATE SET user_id = excluded.user_id, revoked = 0, expires_at = excluded.expires_at, ends_at = excluded.ends_at`,
			sess.FamilyID, sess.UserID, exp, sqlite.Nanos(sess.FamilyExpiresAt)); err != nil {
			return fmt.Errorf("identity sqlitestore: create family: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO identity_session_tokens (token_hash, family_id, used, expires_at) VALUES (?,?,0,?)`,
			sess.TokenHash, sess.FamilyID, exp); err != nil {
			return fmt.Errorf("identity sqlitestore: create token: %w", err)
		}
		return nil
	})
}

// Rotate implements identity.Sessions.
func (s *Sessions) Rotate(ctx context.Context, oldHash, newHash string, ttl time.Duration) (ident.Session, error) {
	var out ident.Session
	var reused bool
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		var fam, user string
		var used, revoked bool
		var tokExp, famExp, ends int64
		err := tx.QueryRowContext(ctx, `SELECT t.family_id, t.used, t.expires_at, f.user_id, f.revoked, f.expires_at, f.ends_at
			FROM identity_session_tokens t JOIN identity_session_families f ON f.family_id = t.family_id
			WHERE t.token_hash = ?`, oldHash).Scan(&fam, &used, &tokExp, &user, &revoked, &famExp, &ends)
		if errors.Is(err, sql.ErrNoRows) {
			return ident.ErrSessionInvalid
		}
		if err != nil {
			return fmt.Errorf("identity sqlitestore: rotate: %w", err)
		}
		n := sqlite.Nanos(now)
		if n >= tokExp || revoked || n >= famExp || n >= ends {
			return ident.ErrSessionInvalid
		}
		if used {
			// Theft signal: revoke the family, and commit that.
			reused = true
			out = ident.Session{FamilyID: fam, UserID: user}
			_, err := tx.ExecContext(ctx, `UPDATE identity_session_families SET revoked = 1 WHERE family_id = ?`, fam)
			return err
		}
		exp := earlier(now.Add(ttl), sqlite.FromNanos(ends))
		// The used marker lives as long as the family, to catch reuse.
		if _, err := tx.ExecContext(ctx, `UPDATE identity_session_tokens SET used = 1, expires_at = ? WHERE token_hash = ?`, sqlite.Nanos(exp), oldHash); err != nil {
			return fmt.Errorf("identity sqlitestore: rotate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE identity_session_families SET expires_at = ? WHERE family_id = ?`, sqlite.Nanos(exp), fam); err != nil {
			return fmt.Errorf("identity sqlitestore: rotate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO identity_session_tokens (token_hash, family_id, used, expires_at) VALUES (?,?,0,?)`,
			newHash, fam, sqlite.Nanos(exp)); err != nil {
			return fmt.Errorf("identity sqlitestore: rotate: %w", err)
		}
		out = ident.Session{TokenHash: newHash, FamilyID: fam, UserID: user, ExpiresAt: exp, FamilyExpiresAt: sqlite.FromNanos(ends)}
		return nil
	})
	if err != nil {
		return ident.Session{}, err
	}
	if reused {
		return out, ident.ErrSessionReused
	}
	return out, nil
}

// earlier returns the earlier of a and b.
func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// Revoke implements identity.Sessions.
func (s *Sessions) Revoke(ctx context.Context, tokenHash string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE identity_session_families SET revoked = 1
			WHERE family_id = (SELECT family_id FROM identity_session_tokens WHERE token_hash = ?)`, tokenHash)
		return err
	})
}

// RevokeUser implements identity.Sessions.
func (s *Sessions) RevokeUser(ctx context.Context, userID string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE identity_session_families SET revoked = 1 WHERE user_id = ?`, userID)
		return err
	})
}
