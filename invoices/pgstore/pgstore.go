// Package pgstore is the PostgreSQL invoices.Sequence (server mode), in
// tables the invoices component owns and migrates itself.
package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/invoices"
	"github.com/evshop/shop/platform/pg"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Component is the migration component name.
const Component = "invoices"

// Sequence implements invoices.Sequence on PostgreSQL.
type Sequence struct{ pool *pgxpool.Pool }

// New applies the migrations and returns the sequence.
func New(ctx context.Context, pool *pgxpool.Pool) (*Sequence, error) {
	if pool == nil {
		return nil, errors.New("invoices pgstore: pool is required")
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := pg.Migrate(ctx, pool, Component, sub); err != nil {
		return nil, err
	}
	return &Sequence{pool: pool}, nil
}

// Assign implements invoices.Sequence. The series' counter row is locked
// before looking the key up: an assignment of the same key that committed
// while this one waited for the lock is then visible (READ COMMITTED takes
// a new snapshot per statement), so a key never gets two numbers, and the
// numbers of one series are handed out one transaction at a time.
func (s *Sequence) Assign(ctx context.Context, series, key string) (int64, error) {
	if err := invoices.Validate(series, key); err != nil {
		return 0, err
	}
	var n int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO invoice_counters (series, last) VALUES ($1, 0) ON CONFLICT (series) DO NOTHING`, series); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT last FROM invoice_counters WHERE series = $1 FOR UPDATE`, series); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `SELECT number FROM invoice_numbers WHERE series = $1 AND key = $2`, series, key).Scan(&n)
		if err == nil || !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if err := tx.QueryRow(ctx, `UPDATE invoice_counters SET last = last + 1 WHERE series = $1 RETURNING last`, series).Scan(&n); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO invoice_numbers (series, key, number) VALUES ($1, $2, $3)`, series, key, n)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("invoices pgstore: assign %s: %w", series, err)
	}
	return n, nil
}
