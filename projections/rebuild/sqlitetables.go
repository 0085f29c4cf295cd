package rebuild

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/evshop/shop/platform/sqlite"
)

// The SQLite counterparts of the PostgreSQL table helpers (pgtables.go), for
// read models kept in the embedded database. SQLite has no CREATE TABLE ...
// LIKE and no ALTER INDEX ... RENAME, so a shadow is made from the live
// table's own DDL in sqlite_master with the names changed. Index names must
// start with their table's name (orders_orders_customer_idx on
// orders_orders): that is how the shadow's and, after the swap, the live
// table's indexes get their names.

var (
	tableDDL = regexp.MustCompile(`(?is)^CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"?([a-z0-9_]+)"?\s*(\(.*)$`)
	indexDDL = regexp.MustCompile(`(?is)^CREATE\s+(UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?"?([a-z0-9_]+)"?\s+ON\s+"?([a-z0-9_]+)"?\s*(\(.*)$`)
)

type ddl struct{ kind, name, sql string }

// schemaOf returns the CREATE statements of table and its explicit indexes,
// the table first.
func schemaOf(ctx context.Context, tx *sql.Tx, table string) ([]ddl, error) {
	rows, err := tx.QueryContext(ctx, `SELECT type, name, sql FROM sqlite_master
		WHERE tbl_name = ? AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type = 'index', name`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ddl
	for rows.Next() {
		var d ddl
		if err := rows.Scan(&d.kind, &d.name, &d.sql); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// renamed rewrites d, a statement about table from, for table to.
func renamed(d ddl, from, to string) (string, error) {
	if d.kind == "table" {
		m := tableDDL.FindStringSubmatch(d.sql)
		if m == nil || m[1] != from {
			return "", fmt.Errorf("rebuild: cannot read the DDL of table %s: %q", from, d.sql)
		}
		return "CREATE TABLE " + to + " " + m[2], nil
	}
	m := indexDDL.FindStringSubmatch(d.sql)
	rest, ok := strings.CutPrefix(d.name, from)
	if m == nil || m[3] != from || !ok {
		return "", fmt.Errorf("rebuild: index %s of table %s must be named after its table: %q", d.name, from, d.sql)
	}
	return "CREATE " + m[1] + "INDEX " + to + rest + " ON " + to + " " + m[4], nil
}

// CreateSQLiteShadows creates each missing shadow table shaped like its live
// table, with its constraints and indexes. Existing shadows are kept: they
// hold an interrupted rebuild's progress.
func CreateSQLiteShadows(ctx context.Context, db *sqlite.DB, pairs []TablePair) error {
	if err := checkPairs(pairs); err != nil {
		return err
	}
	return db.Tx(ctx, func(tx *sql.Tx) error {
		for _, p := range pairs {
			have, err := schemaOf(ctx, tx, p.Shadow)
			if err != nil {
				return err
			}
			if len(have) > 0 {
				continue
			}
			live, err := schemaOf(ctx, tx, p.Live)
			if err != nil {
				return err
			}
			if len(live) == 0 {
				return fmt.Errorf("rebuild: live table %s does not exist (run the migrations)", p.Live)
			}
			for _, d := range live {
				stmt, err := renamed(d, p.Live, p.Shadow)
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("rebuild: create shadow %s: %w", p.Shadow, err)
				}
			}
		}
		return nil
	})
}

// DropSQLiteShadows drops the shadow tables (and so their indexes) if they
// exist.
func DropSQLiteShadows(ctx context.Context, db *sqlite.DB, pairs []TablePair) error {
	if err := checkPairs(pairs); err != nil {
		return err
	}
	return db.Tx(ctx, func(tx *sql.Tx) error {
		for _, p := range pairs {
			if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+p.Shadow); err != nil {
				return fmt.Errorf("rebuild: drop shadow %s: %w", p.Shadow, err)
			}
		}
		return nil
	})
}

// SwapSQLiteTables swaps the shadows in for the live tables in one write
// transaction (BEGIN IMMEDIATE):
//
//  1. the transaction holds the database's write lock, so every other
//     writer — the live projector of this process or of another one — waits
//     until it ends, while readers keep reading the old tables (WAL);
//  2. inTx runs in it: the projection applies the tail of history to the
//     shadows with tx (writes through any other connection would wait for
//     this transaction) and moves its shadow checkpoint onto the live one;
//  3. each live table is dropped, its shadow renamed to the live name, and
//     the shadow's indexes re-created under the live names;
//  4. commit: readers and the live projector go on with the new tables.
func SwapSQLiteTables(ctx context.Context, db *sqlite.DB, pairs []TablePair, inTx func(context.Context, *sql.Tx) error) error {
	if err := checkPairs(pairs); err != nil {
		return err
	}
	return db.Tx(ctx, func(tx *sql.Tx) error {
		if err := inTx(ctx, tx); err != nil {
			return err
		}
		for _, p := range pairs {
			shadow, err := schemaOf(ctx, tx, p.Shadow)
			if err != nil {
				return err
			}
			if len(shadow) == 0 {
				return fmt.Errorf("rebuild: shadow table %s does not exist", p.Shadow)
			}
			if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+p.Live); err != nil {
				return fmt.Errorf("rebuild: drop %s: %w", p.Live, err)
			}
			if _, err := tx.ExecContext(ctx, `ALTER TABLE `+p.Shadow+` RENAME TO `+p.Live); err != nil {
				return fmt.Errorf("rebuild: rename %s: %w", p.Shadow, err)
			}
			for _, d := range shadow[1:] {
				// The rename kept the shadow's index names; re-create them
				// under the live ones so the next rebuild can use its own.
				stmt, err := renamed(d, p.Shadow, p.Live)
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `DROP INDEX `+d.name); err != nil {
					return fmt.Errorf("rebuild: index %s: %w", d.name, err)
				}
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("rebuild: index of %s: %w", p.Live, err)
				}
			}
		}
		return nil
	})
}

// SQLiteShadow is the shadow side of a SQLite read model's rebuild target:
// the table pairs and the checkpoint rows, and, while Swap runs, the swap's
// transaction. The database has one write connection and the swap holds it
// until it commits, so the catch-up's ShadowCheckpoint and ApplyShadow must
// use Tx when it is set.
type SQLiteShadow struct {
	DB    *sqlite.DB
	Pairs []TablePair
	// Checkpoints is the table of the read model's checkpoints, with the
	// columns (projector TEXT PRIMARY KEY, position INTEGER, updated_at
	// INTEGER); Live and Shadow name the two rows.
	Checkpoints, Live, Shadow string

	mu sync.Mutex
	tx *sql.Tx
}

// Tx is the running swap's transaction, nil outside Swap.
func (s *SQLiteShadow) Tx() *sql.Tx {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tx
}

func (s *SQLiteShadow) setTx(tx *sql.Tx) {
	s.mu.Lock()
	s.tx = tx
	s.mu.Unlock()
}

// Create implements Projection.CreateShadow.
func (s *SQLiteShadow) Create(ctx context.Context) error {
	return CreateSQLiteShadows(ctx, s.DB, s.Pairs)
}

// Swap implements Projection.Swap: in the swap's transaction (see
// SwapSQLiteTables) it runs catchUp, moves the shadow's checkpoint onto
// the live one, and swaps the tables.
func (s *SQLiteShadow) Swap(ctx context.Context, catchUp func(context.Context) error) error {
	return SwapSQLiteTables(ctx, s.DB, s.Pairs, func(ctx context.Context, tx *sql.Tx) error {
		s.setTx(tx)
		defer s.setTx(nil)
		if err := catchUp(ctx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO `+s.Checkpoints+` (projector, position, updated_at)
			SELECT ?, position, updated_at FROM `+s.Checkpoints+` WHERE projector = ?
			ON CONFLICT (projector) DO UPDATE SET position = max(position, excluded.position), updated_at = excluded.updated_at`,
			s.Live, s.Shadow)
		if err != nil {
			return fmt.Errorf("rebuild: move checkpoint %s: %w", s.Shadow, err)
		}
		return s.dropCheckpoint(ctx, tx)
	})
}

func (s *SQLiteShadow) dropCheckpoint(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+s.Checkpoints+` WHERE projector = ?`, s.Shadow); err != nil {
		return fmt.Errorf("rebuild: drop checkpoint %s: %w", s.Shadow, err)
	}
	return nil
}

// Drop implements Projection.DropShadow: the shadow tables and checkpoint.
func (s *SQLiteShadow) Drop(ctx context.Context) error {
	if err := DropSQLiteShadows(ctx, s.DB, s.Pairs); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error { return s.dropCheckpoint(ctx, tx) })
}
