package rebuild

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TablePair names a live table and the shadow a rebuild fills for it.
type TablePair struct{ Live, Shadow string }

var identPattern = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

func checkPairs(pairs []TablePair) error {
	if len(pairs) == 0 {
		return fmt.Errorf("rebuild: no tables")
	}
	for _, p := range pairs {
		if !identPattern.MatchString(p.Live) || !identPattern.MatchString(p.Shadow) || p.Live == p.Shadow {
			return fmt.Errorf("rebuild: bad table pair %q/%q", p.Live, p.Shadow)
		}
	}
	return nil
}

// CreateShadowTables creates each missing shadow table shaped like its live
// table, with every constraint and index (LIKE ... INCLUDING ALL). Existing
// shadows are kept: they hold an interrupted rebuild's progress.
func CreateShadowTables(ctx context.Context, db *pgxpool.Pool, pairs []TablePair) error {
	if err := checkPairs(pairs); err != nil {
		return err
	}
	for _, p := range pairs {
		if _, err := db.Exec(ctx, fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (LIKE %s INCLUDING ALL)`, p.Shadow, p.Live)); err != nil {
			return fmt.Errorf("rebuild: create shadow %s: %w", p.Shadow, err)
		}
	}
	return nil
}

// DropShadowTables drops the shadow tables if they exist.
func DropShadowTables(ctx context.Context, db *pgxpool.Pool, pairs []TablePair) error {
	if err := checkPairs(pairs); err != nil {
		return err
	}
	for _, p := range pairs {
		if _, err := db.Exec(ctx, `DROP TABLE IF EXISTS `+p.Shadow); err != nil {
			return fmt.Errorf("rebuild: drop shadow %s: %w", p.Shadow, err)
		}
	}
	return nil
}

// SwapTables swaps the shadows in for the live tables in one transaction:
//
//  1. LOCK the live tables ACCESS EXCLUSIVE, which waits for in-flight live
//     projector transactions and then holds new ones (and readers) off;
//  2. call catchUp, which applies the tail of history to the shadows;
//  3. call moveCheckpoint with the transaction (the projection moves its
//     shadow checkpoint onto the live one);
//  4. drop each live table, rename its shadow to the live name, and give the
//     indexes the live names back, so migrations keep finding them;
//  5. commit: readers and the live projector resume on the new tables. Their
//     prepared statements are re-planned by PostgreSQL against the new table
//     of the same name and shape.
func SwapTables(ctx context.Context, db *pgxpool.Pool, pairs []TablePair,
	catchUp func(context.Context) error, moveCheckpoint func(context.Context, pgx.Tx) error) error {
	if err := checkPairs(pairs); err != nil {
		return err
	}
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // no-op after commit
	live := make([]string, len(pairs))
	for i, p := range pairs {
		live[i] = p.Live
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE `+strings.Join(live, ", ")+` IN ACCESS EXCLUSIVE MODE`); err != nil {
		return fmt.Errorf("rebuild: lock live tables: %w", err)
	}
	if catchUp != nil {
		if err := catchUp(ctx); err != nil {
			return fmt.Errorf("rebuild: catch up: %w", err)
		}
	}
	if moveCheckpoint != nil {
		if err := moveCheckpoint(ctx, tx); err != nil {
			return fmt.Errorf("rebuild: move checkpoint: %w", err)
		}
	}
	for _, p := range pairs {
		names, err := indexNames(ctx, tx, p.Live)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DROP TABLE `+p.Live); err != nil {
			return fmt.Errorf("rebuild: drop %s: %w", p.Live, err)
		}
		if _, err := tx.Exec(ctx, `ALTER TABLE `+p.Shadow+` RENAME TO `+p.Live); err != nil {
			return fmt.Errorf("rebuild: rename %s: %w", p.Shadow, err)
		}
		renamed, err := indexNames(ctx, tx, p.Live)
		if err != nil {
			return err
		}
		for shape, now := range renamed {
			want, ok := names[shape]
			if !ok || want == now {
				continue
			}
			if _, err := tx.Exec(ctx, `ALTER INDEX `+pgx.Identifier{now}.Sanitize()+` RENAME TO `+pgx.Identifier{want}.Sanitize()); err != nil {
				return fmt.Errorf("rebuild: rename index %s: %w", now, err)
			}
		}
	}
	return tx.Commit(ctx)
}

// indexNames maps each index of table, by its shape (definition without
// its name and table), to its name.
func indexNames(ctx context.Context, tx pgx.Tx, table string) (map[string]string, error) {
	rows, err := tx.Query(ctx, `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1`, table)
	if err != nil {
		return nil, fmt.Errorf("rebuild: indexes of %s: %w", table, err)
	}
	out := map[string]string{}
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return nil, err
		}
		// "CREATE [UNIQUE] INDEX name ON schema.table USING btree (cols)"
		i := strings.Index(def, " USING ")
		if i < 0 {
			continue
		}
		shape := def[i:]
		if strings.HasPrefix(def, "CREATE UNIQUE") {
			shape = "unique" + shape
		}
		out[shape] = name
	}
	return out, rows.Err()
}
