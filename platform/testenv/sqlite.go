package testenv

import (
	"context"
	"path/filepath"
	"testing"
	"time"

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

// WaitQueued waits until n Tx calls wait for db's writer (a test holding
// the writer stages a group commit this way), failing the test after 5 s.
func WaitQueued(t testing.TB, db *sqlite.DB, n int) {
	t.Helper()
	for range 5000 {
		if db.Queued() >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("%d calls queued, want %d", db.Queued(), n)
}
