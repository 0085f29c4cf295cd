package rebuild

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/evshop/shop/platform/sqlite"
)

//go:embed sqlitemigrations/*.sql
var sqliteMigrations embed.FS

// SQLiteState is the StateStore of the durable embedded shop: progress rows
// in the embedded database (rebuild_progress), so they outlive a restart,
// and an in-process lock. One process at a time owns the data directory
// (platform/datadir holds an exclusive lock on it), so the runners of this
// process are all there are to exclude, and the lock dies with the process.
type SQLiteState struct {
	db    *sqlite.DB
	locks procLocks
}

// NewSQLiteState applies the migrations and returns the store.
func NewSQLiteState(ctx context.Context, db *sqlite.DB) (*SQLiteState, error) {
	if db == nil {
		return nil, errors.New("rebuild: database is required")
	}
	if err := sqlite.MigrateEmbedded(ctx, db, Component, sqliteMigrations, "sqlitemigrations"); err != nil {
		return nil, err
	}
	return &SQLiteState{db: db}, nil
}

// Lock implements StateStore.
func (s *SQLiteState) Lock(_ context.Context, name string) (func(), error) { return s.locks.lock(name) }

// Locked implements StateStore.
func (s *SQLiteState) Locked(_ context.Context, name string) (bool, error) {
	return s.locks.isLocked(name), nil
}

// Save implements StateStore.
func (s *SQLiteState) Save(ctx context.Context, p Progress) error {
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO rebuild_progress (name, progress, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET progress = excluded.progress, updated_at = excluded.updated_at`,
			p.Name, string(data), sqlite.Nanos(time.Now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("rebuild: save state of %s: %w", p.Name, err)
	}
	return nil
}

// Load implements StateStore.
func (s *SQLiteState) Load(ctx context.Context, name string) (Progress, bool, error) {
	var data string
	err := s.db.Read.QueryRowContext(ctx, `SELECT progress FROM rebuild_progress WHERE name = ?`, name).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return Progress{}, false, nil
	}
	if err != nil {
		return Progress{}, false, fmt.Errorf("rebuild: load state of %s: %w", name, err)
	}
	var p Progress
	if err := json.Unmarshal([]byte(data), &p); err != nil {
		return Progress{}, false, fmt.Errorf("rebuild: state of %s: %w", name, err)
	}
	return p, true, nil
}
