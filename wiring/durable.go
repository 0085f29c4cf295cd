package wiring

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/evshop/shop/platform/datadir"
	"github.com/evshop/shop/platform/promx"
	"github.com/evshop/shop/platform/service"
	"github.com/evshop/shop/platform/sqlite"
)

// DatabaseFile is the embedded database inside DATA_DIR.
const DatabaseFile = "shop.db"

// Secrets are the keys the durable embedded shop generates once and keeps in
// DATA_DIR (see platform/datadir).
type Secrets = datadir.Secrets

// SQLite opens the embedded database in DATA_DIR (STORAGE=sqlite, embedded
// mode): the directory is taken for this process first, so a second shop on
// it stops with a clear error instead of writing beside the first.
func (in *Infra) SQLite(ctx context.Context) (*sqlite.DB, error) {
	if in.db != nil {
		return in.db, nil
	}
	if !in.S.Durable() {
		return nil, fmt.Errorf("the embedded database is only used with SHOP_MODE=embedded and STORAGE=sqlite")
	}
	if in.Providers.SQLite == nil {
		return nil, errors.New("STORAGE=sqlite: this binary was built without the embedded database (wiring/providers/sqlitestores); use STORAGE=memory or SHOP_MODE=server")
	}
	dir, err := datadir.Resolve(in.S.DataDir)
	if err != nil {
		return nil, err
	}
	release, err := datadir.Lock(dir)
	if err != nil {
		return nil, fmt.Errorf("DATA_DIR: %w", err)
	}
	db, err := in.Providers.SQLite(ctx, filepath.Join(dir, DatabaseFile))
	if err != nil {
		release()
		return nil, fmt.Errorf("DATA_DIR: %w", err)
	}
	in.Log.Info("data directory", "path", dir, "database", db.Path)
	for _, c := range db.Metrics() {
		promx.RegisterOrExisting(in.Registry, c)
	}
	in.db = db
	in.OnClose(release)
	in.OnClose(func() { db.Close() }) //nolint:errcheck
	in.checks = append(in.checks, service.Check{Name: "sqlite", Fn: func(ctx context.Context) error { return db.Read.PingContext(ctx) }})
	return db, nil
}

// Secrets returns the keys kept in DATA_DIR, created on the first start;
// nil when the shop does not keep its data (memory, or server mode, where
// the keys are settings).
func (in *Infra) Secrets(ctx context.Context) (*Secrets, error) {
	if in.secrets != nil || !in.S.Durable() {
		return in.secrets, nil
	}
	if _, err := in.SQLite(ctx); err != nil { // takes the directory's lock first
		return nil, err
	}
	s, created, err := datadir.LoadSecrets(filepath.Dir(in.db.Path))
	if err != nil {
		return nil, fmt.Errorf("DATA_DIR: %w", err)
	}
	if created {
		in.Log.Info("signing keys created in the data directory", "file", filepath.Join(filepath.Dir(in.db.Path), datadir.SecretsFile))
	}
	in.secrets = &s
	return in.secrets, nil
}
