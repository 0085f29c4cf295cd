package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Helpers of the read models kept in the embedded database: loading the
// rows a batch touches, and the projector checkpoint that commits with it.

// inChunk bounds the values of one IN list, well below SQLite's limit of
// variables per statement.
const inChunk = 500

// Placeholders returns rows groups of cols placeholders, "(?,?),(?,?)": the
// VALUES of a multi-row INSERT, or with one row an IN list.
func Placeholders(rows, cols int) string {
	row := "(?" + strings.Repeat(",?", cols-1) + ")"
	return row + strings.Repeat(","+row, rows-1)
}

// QueryIn runs query, which holds "IN (?)" once, with the list standing
// for keys, a bounded chunk at a time, and hands every row to scan. No keys,
// no query.
func QueryIn(ctx context.Context, tx *sql.Tx, query string, keys []string, scan func(*sql.Rows) error) error {
	if !strings.Contains(query, "IN (?)") {
		return errors.New("sqlite: QueryIn needs a query with IN (?)")
	}
	for len(keys) > 0 {
		part := keys[:min(inChunk, len(keys))]
		keys = keys[len(part):]
		args := make([]any, len(part))
		for i, k := range part {
			args[i] = k
		}
		q := strings.Replace(query, "IN (?)", "IN "+Placeholders(1, len(part)), 1)
		if err := eachRow(ctx, tx, q, args, scan); err != nil {
			return err
		}
	}
	return nil
}

func eachRow(ctx context.Context, tx *sql.Tx, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Checkpoint tables have the columns (projector TEXT PRIMARY KEY, position
// INTEGER NOT NULL, updated_at INTEGER NOT NULL), one per read model
// (orders_checkpoints, sales_checkpoints, ...), so that a rebuild's shadow
// has a row of its own beside the live one.

// SaveCheckpoint raises projector's position in table to pos (never lowers
// it), with tx: the batch it ends commits with it.
func SaveCheckpoint(ctx context.Context, tx *sql.Tx, table, projector string, pos uint64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (projector, position, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (projector) DO UPDATE SET position = max(position, excluded.position), updated_at = excluded.updated_at`,
		projector, int64(pos), Nanos(time.Now()))
	if err != nil {
		return fmt.Errorf("sqlite: checkpoint %s: %w", projector, err)
	}
	return nil
}

// Querier is what LoadCheckpoint reads with: the Read pool, or a write
// transaction that must see its own writes.
type Querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// LoadCheckpoint is projector's position in table, 0 when it has none.
func LoadCheckpoint(ctx context.Context, q Querier, table, projector string) (uint64, error) {
	var pos int64
	err := q.QueryRowContext(ctx, `SELECT position FROM `+table+` WHERE projector = ?`, projector).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: checkpoint %s: %w", projector, err)
	}
	return uint64(pos), nil
}
