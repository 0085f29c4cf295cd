// Package sqlitestore is the invoices.Sequence of the durable embedded shop,
// in the invoices_* tables of its SQLite database (component "invoices").
package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/evshop/shop/invoices"
	"github.com/evshop/shop/platform/sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Component is the migration component name.
const Component = "invoices"

// Sequence implements invoices.Sequence on SQLite.
type Sequence struct {
	db  *sqlite.DB
	now func() time.Time
}

// New applies the migrations and returns the sequence.
func New(ctx context.Context, db *sqlite.DB) (*Sequence, error) {
	if db == nil {
		return nil, errors.New("invoices sqlitestore: database is required")
	}
	if err := sqlite.MigrateEmbedded(ctx, db, Component, migrations, "migrations"); err != nil {
		return nil, err
	}
	return &Sequence{db: db, now: time.Now}, nil
}

// Assign implements invoices.Sequence: one write transaction on the
// database's single writer, so lookups and assignments never interleave.
func (s *Sequence) Assign(ctx context.Context, series, key string) (int64, error) {
	if err := invoices.Validate(series, key); err != nil {
		return 0, err
	}
	var n int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT number FROM invoices_numbers WHERE series = ? AND key = ?`, series, key).Scan(&n)
		if err == nil || !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO invoices_counters (series, last) VALUES (?, 1)
			ON CONFLICT (series) DO UPDATE SET last = last + 1 RETURNING last`, series).Scan(&n); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO invoices_numbers (series, key, number, assigned_at) VALUES (?, ?, ?, ?)`,
			series, key, n, sqlite.Nanos(s.now()))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("invoices sqlitestore: assign %s: %w", series, err)
	}
	return n, nil
}
