package testenv

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/evshop/shop/platform/sqlite"
	"github.com/evshop/shop/platform/sqlite/sqlitedriver"
)

// SQLite opens a fresh embedded database in the test's temporary directory,
// closed at the end of the test. It needs no server, so it never skips.
func SQLite(t testing.TB) *sqlite.DB {
	t.Helper()
	db, err := sqlitedriver.Open(context.Background(), filepath.Join(t.TempDir(), "shop.db"))
	if err != nil {
		t.Fatalf("sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
