package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/evshop/shop/eventstore/sqlite"
	"github.com/evshop/shop/export"
	"github.com/evshop/shop/platform/datadir"
	sqlitedb "github.com/evshop/shop/platform/sqlite"
	"github.com/evshop/shop/platform/sqlite/sqlitedriver"
	"github.com/evshop/shop/projections/rebuild"
	"github.com/evshop/shop/projections/sales"
)

// databaseFile is the embedded shop's database inside DATA_DIR (the name
// wiring.DatabaseFile gives it; shopctl does not link the wiring).
const databaseFile = "shop.db"

// dataDirBackend reads the embedded shop's data directory (EVENTSTORE=sqlite).
//
// It takes no lock: SQLite in WAL mode lets this process read (export,
// stats, timeline) and copy (backup) the database while the shop writes it.
// Rebuilding is another matter: the running shop's projectors write the
// same read-model tables, and its lock on DATA_DIR says so. shopctl then
// refuses and points at the back office, which rebuilds inside the shop
// (the same runner, no second writer); see Runner.
type dataDirBackend struct {
	s   settings
	log *slog.Logger
	mu  sync.Mutex
	dir string
	db  *sqlitedb.DB
	es  *sqlite.Store
}

func newDataDirBackend(s settings, log *slog.Logger) *dataDirBackend {
	return &dataDirBackend{s: s, log: log}
}

// open opens the existing database of DATA_DIR; it never creates one (a
// wrong DATA_DIR must not leave an empty shop behind).
func (b *dataDirBackend) open(ctx context.Context) (*sqlitedb.DB, error) {
	if b.db != nil {
		return b.db, nil
	}
	dir, err := datadir.Resolve(b.s.DataDir)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, databaseFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("DATA_DIR: no shop in %s (no %s): set DATA_DIR to the shop's data directory", dir, databaseFile)
	}
	db, err := sqlitedriver.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("DATA_DIR: %w", err)
	}
	b.dir, b.db = dir, db
	return db, nil
}

func (b *dataDirBackend) Events(ctx context.Context) (export.StreamReader, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.es != nil {
		return b.es, nil
	}
	db, err := b.open(ctx)
	if err != nil {
		return nil, err
	}
	es, err := sqlite.New(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("event store: %w", err)
	}
	b.es = es
	return es, nil
}

// errShopRuns is Runner's answer while a shop holds the data directory.
var errShopRuns = errors.New("the shop is running on this data directory and its projectors write these read models: " +
	"rebuild from the back office (Projections page, or POST /api/admin/projections/{name}/rebuild), which runs inside the shop")

// Runner refuses while the shop runs (it holds DATA_DIR's lock). With the
// shop stopped there is nothing to rebuild offline: the shop catches every
// read model up from its checkpoint when it starts, and a full rebuild is
// the back office's.
func (b *dataDirBackend) Runner(context.Context) (*rebuild.Runner, error) {
	dir, err := datadir.Resolve(b.s.DataDir)
	if err != nil {
		return nil, err
	}
	release, err := datadir.Lock(dir)
	if errors.Is(err, datadir.ErrLocked) {
		return nil, errShopRuns
	}
	if err != nil {
		return nil, err
	}
	release()
	return nil, errors.New("rebuilding the embedded shop's read models offline is not supported: start the shop (it catches them up from their checkpoints) and rebuild from the back office")
}

func (b *dataDirBackend) DeadLetters(context.Context) (deadLetters, error) {
	return nil, errors.New("dead letters of the embedded shop: use the back office (Dead letters page) while it runs")
}

func (b *dataDirBackend) Sales(context.Context) (sales.Store, error) {
	return nil, errors.New("the sales report of the embedded shop: use the back office (/api/admin/sales) while it runs")
}

// Backup writes a consistent copy of the shop to dest, a new directory:
// the database (VACUUM INTO: one snapshot, the shop keeps writing) and the
// secrets, without which the copy's sessions, links and queued mail would
// not verify. Restoring is copying dest's files into an empty DATA_DIR.
func (b *dataDirBackend) Backup(ctx context.Context, dest string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	db, err := b.open(ctx)
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(dest)
	if err != nil {
		return "", err
	}
	if entries, err := os.ReadDir(abs); err == nil && len(entries) > 0 {
		return "", usagef("--to %s: the directory is not empty", abs)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", err
	}
	secrets, err := os.ReadFile(filepath.Join(b.dir, datadir.SecretsFile))
	if err != nil {
		return "", fmt.Errorf("secrets: %w", err)
	}
	if err := db.Backup(ctx, filepath.Join(abs, databaseFile)); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(abs, datadir.SecretsFile), secrets, 0o600); err != nil {
		return "", err
	}
	return abs, nil
}

func (b *dataDirBackend) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.db != nil {
		b.db.Close() //nolint:errcheck
	}
}
