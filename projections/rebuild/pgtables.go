package rebuild

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/eventstore"
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

// TablesConfig describes a read model kept in PostgreSQL tables whose
// checkpoint is a (projector, position) row in a checkpoint table, the
// shape every PostgreSQL read model here has. A read model that declares
// one gets its whole blue/green rebuild from NewTables.
type TablesConfig struct {
	Name   string
	Filter eventstore.Filter
	Pool   *pgxpool.Pool
	// Pairs are the live tables and their shadows.
	Pairs []TablePair
	// Checkpoints is the checkpoint table; LiveRow and ShadowRow name the
	// rows of the live store and of the store over the shadow tables.
	Checkpoints, LiveRow, ShadowRow string
	// Apply folds events (filtered, in global order) into the shadow tables
	// and moves ShadowRow with them, in one transaction.
	Apply func(ctx context.Context, evs []eventstore.RecordedEvent) error
}

// Tables is the Projection of a TablesConfig: shadow tables made LIKE the
// live ones, swapped in by SwapTables, the shadow checkpoint moved onto the
// live row in the same transaction.
type Tables struct{ cfg TablesConfig }

var _ Projection = (*Tables)(nil)

// NewTables validates cfg.
func NewTables(cfg TablesConfig) (*Tables, error) {
	if cfg.Pool == nil || cfg.Apply == nil || !ValidName(cfg.Name) || cfg.LiveRow == "" || cfg.ShadowRow == "" || cfg.LiveRow == cfg.ShadowRow {
		return nil, errors.New("rebuild: tables projection needs a valid Name, Pool, Apply and two distinct checkpoint rows")
	}
	if !identPattern.MatchString(cfg.Checkpoints) {
		return nil, fmt.Errorf("rebuild: bad checkpoint table %q", cfg.Checkpoints)
	}
	if err := checkPairs(cfg.Pairs); err != nil {
		return nil, err
	}
	return &Tables{cfg: cfg}, nil
}

// Name implements Projection.
func (t *Tables) Name() string { return t.cfg.Name }

// Filter implements Projection.
func (t *Tables) Filter() eventstore.Filter { return t.cfg.Filter }

func (t *Tables) checkpoint(ctx context.Context, row string) (uint64, error) {
	var pos uint64
	err := t.cfg.Pool.QueryRow(ctx, `SELECT position FROM `+t.cfg.Checkpoints+` WHERE projector=$1`, row).Scan(&pos)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return pos, err
}

// LiveCheckpoint implements Projection.
func (t *Tables) LiveCheckpoint(ctx context.Context) (uint64, error) {
	return t.checkpoint(ctx, t.cfg.LiveRow)
}

// ShadowCheckpoint implements Projection.
func (t *Tables) ShadowCheckpoint(ctx context.Context) (uint64, error) {
	return t.checkpoint(ctx, t.cfg.ShadowRow)
}

// CreateShadow implements Projection.
func (t *Tables) CreateShadow(ctx context.Context) error {
	return CreateShadowTables(ctx, t.cfg.Pool, t.cfg.Pairs)
}

// ApplyShadow implements Projection.
func (t *Tables) ApplyShadow(ctx context.Context, evs []eventstore.RecordedEvent) error {
	return t.cfg.Apply(ctx, evs)
}

// Swap implements Projection.
func (t *Tables) Swap(ctx context.Context, catchUp func(context.Context) error) error {
	return SwapTables(ctx, t.cfg.Pool, t.cfg.Pairs, catchUp, func(ctx context.Context, tx pgx.Tx) error {
		cp := t.cfg.Checkpoints
		if _, err := tx.Exec(ctx, `INSERT INTO `+cp+` (projector, position)
			SELECT $1, position FROM `+cp+` WHERE projector = $2
			ON CONFLICT (projector) DO UPDATE SET position = GREATEST(`+cp+`.position, EXCLUDED.position), updated_at = now()`,
			t.cfg.LiveRow, t.cfg.ShadowRow); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM `+cp+` WHERE projector = $1`, t.cfg.ShadowRow)
		return err
	})
}

// DropShadow implements Projection.
func (t *Tables) DropShadow(ctx context.Context) error {
	if err := DropShadowTables(ctx, t.cfg.Pool, t.cfg.Pairs); err != nil {
		return err
	}
	_, err := t.cfg.Pool.Exec(ctx, `DELETE FROM `+t.cfg.Checkpoints+` WHERE projector = $1`, t.cfg.ShadowRow)
	return err
}
