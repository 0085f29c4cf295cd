package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/messaging/messagingtest"
	"github.com/evshop/shop/messaging/postgres"
	"github.com/evshop/shop/platform/testenv"
)

func TestDeadLetterStoreContract(t *testing.T) {
	messagingtest.DeadLetterStore(t, func(t *testing.T) messaging.DeadLetterStore {
		pool := testenv.Postgres(t)
		if err := postgres.Migrate(context.Background(), pool); err != nil {
			t.Fatal(err)
		}
		return postgres.NewDeadLetters(pool)
	})
}

func TestDeduperContract(t *testing.T) {
	messagingtest.Deduper(t, func(t *testing.T) messaging.Deduper {
		pool := testenv.Postgres(t)
		if err := postgres.Migrate(context.Background(), pool); err != nil {
			t.Fatal(err)
		}
		return postgres.NewDeduper(pool)
	})
}

func TestPruneForgetsOldMarksOnly(t *testing.T) {
	ctx := context.Background()
	pool := testenv.Postgres(t)
	if err := postgres.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	d := postgres.NewDeduper(pool)
	old, fresh := uuid.NewString(), uuid.NewString()
	for _, id := range []string{old, fresh} {
		if err := d.Mark(ctx, "h", id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, `UPDATE messaging_processed SET processed_at = now() - interval '2 hours' WHERE event_id = $1`, old); err != nil {
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
