// Package pg connects to PostgreSQL and applies a component's versioned
// migrations at start-up. Each component owns its schema and its migrations.
package pg

import (
	"context"
	"fmt"
	"hash/fnv"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Connect opens a pool and checks it answers.
func Connect(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("pg: parse url: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pg: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pg: ping: %w", err)
	}
	return pool, nil
}

// Migrate applies, in order, every file named "NNN_description.sql" in
// migrations that component has not applied yet, each in its own transaction,
// recording it in schema_migrations. A per-component advisory lock makes
// concurrent start-ups safe.
func Migrate(ctx context.Context, pool *pgxpool.Pool, component string, migrations fs.FS) error {
	names, err := fs.Glob(migrations, "*.sql")
	if err != nil {
		return err
	}
	type mig struct {
		version int
		name    string
	}
	var list []mig
	for _, n := range names {
		v, err := strconv.Atoi(strings.SplitN(n, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("pg: migration %q must start with a number", n)
		}
		list = append(list, mig{v, n})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].version < list[j].version })

	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	h := fnv.New64a()
	h.Write([]byte("migrate:" + component))
	lockID := int64(h.Sum64())
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, lockID); err != nil {
		return err
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, lockID) //nolint:errcheck
	// The shared bookkeeping table is created under a lock of its own: two
	// components starting together on a fresh database would otherwise race
	// on CREATE TABLE IF NOT EXISTS (it is not atomic in PostgreSQL).
	const tableLock = int64(0x65767368_6f70) // "evshop"
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, tableLock); err != nil {
		return err
	}
	_, err = conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		component text NOT NULL, version int NOT NULL, name text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (component, version))`)
	if _, uerr := conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, tableLock); err == nil {
		err = uerr
	}
	if err != nil {
		return fmt.Errorf("pg: migrations table: %w", err)
	}
	for _, m := range list {
		var done bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE component=$1 AND version=$2)`, component, m.version).Scan(&done); err != nil {
			return err
		}
		if done {
			continue
		}
		sql, err := fs.ReadFile(migrations, m.name)
		if err != nil {
			return err
		}
		tx, err := conn.Begin(ctx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, string(sql)); err != nil {
			tx.Rollback(ctx) //nolint:errcheck
			return fmt.Errorf("pg: %s migration %s: %w", component, m.name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (component, version, name) VALUES ($1,$2,$3)`, component, m.version, m.name); err != nil {
			tx.Rollback(ctx) //nolint:errcheck
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return err
		}
	}
	return nil
}
