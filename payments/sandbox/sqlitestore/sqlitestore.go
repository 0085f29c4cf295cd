// Package sqlitestore keeps the sandbox payment provider's authorizations in
// the embedded database (platform/sqlite), so that the durable one-process
// shop's sandbox remembers them across restarts the way a real provider
// does (component "sandbox"). State is stored as JSON text.
package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/evshop/shop/payments/sandbox"
	sqlitedb "github.com/evshop/shop/platform/sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store implements sandbox.Store.
type Store struct{ db *sqlitedb.DB }

var _ sandbox.Store = (*Store)(nil)

// New applies the migrations and returns the store.
func New(ctx context.Context, db *sqlitedb.DB) (*Store, error) {
	if err := sqlitedb.MigrateEmbedded(ctx, db, "sandbox", migrations, "migrations"); err != nil {
		return nil, err
	}
	return &Store{db: db}, nil
}

// Create implements sandbox.Store.
func (s *Store) Create(ctx context.Context, ref string, a sandbox.Auth) (bool, error) {
	state, err := json.Marshal(a)
	if err != nil {
		return false, err
	}
	now := sqlitedb.FormatTime(time.Now())
	var n int64
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO sandbox_authorizations (ref, state, created_at, updated_at)
			VALUES (?1, ?2, ?3, ?3) ON CONFLICT (ref) DO NOTHING`, ref, string(state), now)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("sandbox sqlitestore: create %s: %w", ref, err)
	}
	return n == 1, nil
}

// Update implements sandbox.Store: the write transaction (BEGIN IMMEDIATE)
// keeps every other Update out until it ends.
func (s *Store) Update(ctx context.Context, ref string, fn func(a *sandbox.Auth) (bool, error)) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var raw string
		err := tx.QueryRowContext(ctx, `SELECT state FROM sandbox_authorizations WHERE ref = ?`, ref).Scan(&raw)
		if errors.Is(err, sql.ErrNoRows) {
			return sandbox.ErrUnknown
		}
		if err != nil {
			return fmt.Errorf("sandbox sqlitestore: read %s: %w", ref, err)
		}
		var a sandbox.Auth
		if err := json.Unmarshal([]byte(raw), &a); err != nil {
			return fmt.Errorf("sandbox sqlitestore: decode %s: %w", ref, err)
		}
		if a.Declined {
			return sandbox.ErrUnknown
		}
		changed, err := fn(&a)
		if err != nil || !changed {
			return err
		}
		state, err := json.Marshal(a)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sandbox_authorizations SET state = ?, updated_at = ? WHERE ref = ?`,
			string(state), sqlitedb.FormatTime(time.Now()), ref); err != nil {
			return fmt.Errorf("sandbox sqlitestore: save %s: %w", ref, err)
		}
		return nil
	})
}
