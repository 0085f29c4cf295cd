// Package sqlite opens the embedded database of the one-process shop: one
// SQLite file (pure Go, modernc.org/sqlite, no cgo) that every embedded store
// shares, each component with its own tables and versioned migrations.
//
// The driver itself is handed to OpenWith (package sqlitedriver's Open does
// so): this package does not import it, so the service binaries, which
// never open an embedded database, do not link its several megabytes of
// transpiled C although their stores' SQLite adapters are compiled in.
//
// SQLite has one writer at a time. DB therefore keeps two pools: Write holds a
// single connection, so writers queue in Go instead of failing with
// SQLITE_BUSY, and every transaction on it starts with BEGIN IMMEDIATE; Read
// holds several read-only connections that, in WAL mode, never wait for the
// writer. Use Tx for anything that writes, Read for queries.
//
// A file that is not one of ours is refused at Open with a clear error — a
// foreign SQLite database, a corrupt file, anything else — never reset.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// ApplicationID marks the database file as evshop's (PRAGMA application_id,
// bytes "evsh").
const ApplicationID = 0x65767368

// DB is an open embedded database.
type DB struct {
	Path  string
	Write *sql.DB // one connection; use Tx
	Read  *sql.DB // read-only connections

	dsn     string    // without the write and read-only parameters
	connect Connector // the driver

	stmts sync.Map // query text → *sql.Stmt on Read (ReadStmt)
	group committer
}

// ErrForeign is returned by Open for a file that is not an evshop database.
var ErrForeign = errors.New("sqlite: not an evshop database")

// Connector opens the driver's connections to a data source name
// (modernc.org/sqlite's NewConnector, see package sqlitedriver).
type Connector func(dsn string) (driver.Connector, error)

// CheckpointPages is how many pages the write-ahead log may hold before a
// commit copies them into the database file (SQLite's default is 1,000).
// The copy runs inside the commit that crosses the mark, holding every
// writer up, and copies a page once however often the log holds it: a
// checkout writes ~100 pages to the log, most of them the same few hot
// pages again (an index's right edge, the stock rows, page 1). With 10,000
// (40 MiB of log) the durable shop's commits took 0.18 ms instead of 0.30
// and it completed 7 % more checkouts; with 40,000 (160 MiB, what a crash
// leaves for the next start to read back) it spends 6 % less CPU per
// checkout again and its place p99 halves (docs/benchmarks-durable.md).
const CheckpointPages = 40000

// OpenWith opens (creating if missing) the database file at path through
// the driver's connect and checks that it is ours and intact.
func OpenWith(ctx context.Context, path string, connect Connector) (*DB, error) {
	if connect == nil {
		return nil, errors.New("sqlite: no driver (this binary was built without the embedded database)")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: data directory: %w", err)
	}
	fresh := false
	if st, err := os.Stat(abs); errors.Is(err, fs.ErrNotExist) {
		fresh = true
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	} else if st.IsDir() {
		return nil, fmt.Errorf("%w: %s is a directory", ErrForeign, abs)
	}
	// URI form so that a path with '?' or '#' cannot be read as parameters.
	base := "file:" + escapePath(abs)
	pragmas := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	// WAL is switched on only after the check: the switch rewrites the
	// file header, and a foreign file must be left exactly as it was.
	w, err := openDB(connect, base+"?"+pragmas+"&_txlock=immediate"+fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)", CheckpointPages), true)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	db := &DB{Path: abs, Write: w, dsn: base + "?" + pragmas, connect: connect}
	if err := db.check(ctx, fresh); err != nil {
		w.Close()
		return nil, err
	}
	if _, err := w.ExecContext(ctx, `PRAGMA journal_mode=WAL`); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: WAL on %s: %w", abs, err)
	}
	r, err := openDB(connect, base+"?"+pragmas+"&_pragma=query_only(1)", false)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	db.Read = r
	return db, nil
}

// check marks a fresh file as ours, and refuses one that is not.
func (db *DB) check(ctx context.Context, fresh bool) error {
	var app int64
	if err := db.Write.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&app); err != nil {
		return fmt.Errorf("%w: %s cannot be read as SQLite (%v)", ErrForeign, db.Path, err)
	}
	var tables int
	if err := db.Write.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master`).Scan(&tables); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrForeign, db.Path, err)
	}
	switch {
	case app == ApplicationID:
	case app == 0 && tables == 0:
		if _, err := db.Write.ExecContext(ctx, fmt.Sprintf(`PRAGMA application_id = %d`, ApplicationID)); err != nil {
			return fmt.Errorf("sqlite: mark %s: %w", db.Path, err)
		}
	default:
		return fmt.Errorf("%w: %s belongs to another application (application_id %#x, %d tables); move it away or set DATA_DIR", ErrForeign, db.Path, app, tables)
	}
	if fresh {
		return nil
	}
	var res string
	if err := db.Write.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&res); err != nil {
		return fmt.Errorf("sqlite: %s is damaged: %w", db.Path, err)
	}
	if res != "ok" {
		return fmt.Errorf("sqlite: %s is damaged: %s (restore a backup)", db.Path, res)
	}
	return nil
}

// ReadStmt returns a statement for query on the read pool, prepared once per
// connection and kept: SQLite parses every statement it is given, and for
// the hot reads (the event store's pages, its head) the parse cost more than
// the read (a third of the durable shop's CPU under load).
func (db *DB) ReadStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := db.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.Read.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	db.stmts.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
	var errR error
	if db.Read != nil {
		errR = db.Read.Close()
	}
	return errors.Join(errR, db.Write.Close())
}

// Tx runs fn in a write transaction (BEGIN IMMEDIATE), its writes committed
// when fn returns nil and undone otherwise. Calls that arrive while another
// runs share the next transaction, each in its own savepoint (group.go).
// fn must not call Tx itself, nor keep tx beyond its return.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return db.do(ctx, fn)
}

// Backup writes a consistent copy of the database to dest (which must not
// exist) while the shop keeps running: VACUUM INTO reads one snapshot, and
// writers go on meanwhile (WAL).
func (db *DB) Backup(ctx context.Context, dest string) error {
	abs, err := filepath.Abs(dest)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err == nil {
		return fmt.Errorf("sqlite: backup: %s already exists", abs)
	}
	// A connection of its own: VACUUM INTO may not run on a query-only
	// one, and on Write it would hold writers up for the whole copy.
	conn, err := db.connect(db.dsn)
	if err != nil {
		return err
	}
	c := sql.OpenDB(conn)
	defer c.Close()
	if _, err := c.ExecContext(ctx, `VACUUM INTO ?`, abs); err != nil {
		return fmt.Errorf("sqlite: backup to %s: %w", abs, err)
	}
	return nil
}

// Migrate applies, in order, every "NNN_description.sql" file of migrations
// that component has not applied yet, each in its own transaction, recording
// it in schema_migrations (the same convention as platform/pg).
func Migrate(ctx context.Context, db *DB, component string, migrations fs.FS) error {
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
			return fmt.Errorf("sqlite: migration %q must start with a number", n)
		}
		list = append(list, mig{v, n})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].version < list[j].version })
	if _, err := db.Write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		component TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,
		applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), PRIMARY KEY (component, version))`); err != nil {
		return fmt.Errorf("sqlite: migrations table: %w", err)
	}
	for _, m := range list {
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			var done bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE component=? AND version=?)`, component, m.version).Scan(&done); err != nil || done {
				return err
			}
			body, err := fs.ReadFile(migrations, m.name)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("sqlite: %s migration %s: %w", component, m.name, err)
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (component, version, name) VALUES (?,?,?)`, component, m.version, m.name)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// MigrateEmbedded is Migrate over the directory dir of an embedded file
// system: the form every adapter uses with its //go:embed migrations/*.sql.
func MigrateEmbedded(ctx context.Context, db *DB, component string, embedded fs.FS, dir string) error {
	sub, err := fs.Sub(embedded, dir)
	if err != nil {
		return fmt.Errorf("sqlite: %s migrations: %w", component, err)
	}
	return Migrate(ctx, db, component, sub)
}

// escapePath escapes a file path for a file: URI.
func escapePath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}
