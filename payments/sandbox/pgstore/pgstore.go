// Package pgstore keeps the sandbox payment provider's authorizations in
// PostgreSQL, so that in server mode they outlive the payment process the
// way a real provider's do (component "sandbox").
package pgstore

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/payments/sandbox"
	"github.com/evshop/shop/platform/pg"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store implements sandbox.Store.
type Store struct{ pool *pgxpool.Pool }

// New applies the migrations and returns the store.
func New(ctx context.Context, pool *pgxpool.Pool) (*Store, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := pg.Migrate(ctx, pool, "sandbox", sub); err != nil {
		return nil, err
	}
	return &Store{pool: pool}, nil
}

// Create implements sandbox.Store.
func (s *Store) Create(ctx context.Context, ref string, a sandbox.Auth) (bool, error) {
	state, err := json.Marshal(a)
	if err != nil {
		return false, err
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO sandbox_authorizations (ref, state) VALUES ($1, $2) ON CONFLICT (ref) DO NOTHING`, ref, state)
	if err != nil {
		return false, fmt.Errorf("sandbox pgstore: create %s: %w", ref, err)
	}
	return tag.RowsAffected() == 1, nil
}

// Update implements sandbox.Store: the row is locked for the transaction.
func (s *Store) Update(ctx context.Context, ref string, fn func(a *sandbox.Auth) (bool, error)) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var raw []byte
		err := tx.QueryRow(ctx, `SELECT state FROM sandbox_authorizations WHERE ref = $1 FOR UPDATE`, ref).Scan(&raw)
		if errors.Is(err, pgx.ErrNoRows) {
			return sandbox.ErrUnknown
		}
		if err != nil {
			return fmt.Errorf("sandbox pgstore: read %s: %w", ref, err)
		}
		var a sandbox.Auth
		if err := json.Unmarshal(raw, &a); err != nil {
			return fmt.Errorf("sandbox pgstore: decode %s: %w", ref, err)
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
		if _, err := tx.Exec(ctx, `UPDATE sandbox_authorizations SET state = $2, updated_at = now() WHERE ref = $1`, ref, state); err != nil {
			return fmt.Errorf("sandbox pgstore: save %s: %w", ref, err)
		}
		return nil
	})
}
