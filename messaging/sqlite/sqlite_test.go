package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/messaging/messagingtest"
	"github.com/evshop/shop/messaging/sqlite"
	sqlitedb "github.com/evshop/shop/platform/sqlite"
	"github.com/evshop/shop/platform/testenv"
)

func migrated(t *testing.T) *sqlitedb.DB {
	t.Helper()
	db := testenv.SQLite(t)
	if err := sqlite.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestDeadLetterStoreContract(t *testing.T) {
	t.Parallel()
	messagingtest.DeadLetterStore(t, func(t *testing.T) messaging.DeadLetterStore { return sqlite.NewDeadLetters(migrated(t)) })
}

func TestDeduperContract(t *testing.T) {
	t.Parallel()
	messagingtest.Deduper(t, func(t *testing.T) messaging.Deduper { return sqlite.NewDeduper(migrated(t)) })
}

func TestPruneForgetsOldMarksOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := migrated(t)
	d := sqlite.NewDeduper(db)
	old, fresh := uuid.NewString(), uuid.NewString()
	for _, id := range []string{old, fresh} {
		if err := d.Mark(ctx, "h", id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Write.ExecContext(ctx, `UPDATE messaging_processed SET processed_at = ? WHERE event_id = ?`,
		sqlitedb.FormatTime(time.Now().Add(-2*time.Hour)), old); err != nil {
		t.Fatal(err)
	}
	n, err := d.Prune(ctx, time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v; want 1", n, err)
	}
	for id, want := range map[string]bool{old: false, fresh: true} {
		if seen, _ := d.Seen(ctx, "h", id); seen != want {
			t.Fatalf("Seen(%s) = %v, want %v", id, seen, want)
		}
	}
}

func TestMigrateTwice(t *testing.T) {
	t.Parallel()
	db := migrated(t)
	if err := sqlite.Migrate(context.Background(), db); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
}
