package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/messaging/relay"
	"github.com/evshop/shop/messaging/relay/postgres"
	"github.com/evshop/shop/messaging/relay/relaytest"
	"github.com/evshop/shop/platform/testenv"
)

func TestCheckpointsContract(t *testing.T) {
	relaytest.CheckpointStore(t, func(t *testing.T) relay.CheckpointStore {
		pool := testenv.Postgres(t)
		if err := postgres.Migrate(context.Background(), pool); err != nil {
			t.Fatal(err)
		}
		return postgres.NewCheckpoints(pool)
	})
}

func TestLockerContract(t *testing.T) {
	pool := testenv.Postgres(t)
	relaytest.Locker(t, func(*testing.T) relay.Locker {
		return postgres.NewLocker(pool, postgres.LockerConfig{RetryInterval: 50 * time.Millisecond})
	})
}

func TestLeaseIsLostWhenItsSessionDies(t *testing.T) {
	ctx := context.Background()
	pool := testenv.Postgres(t)
	a := postgres.NewLocker(pool, postgres.LockerConfig{RetryInterval: 50 * time.Millisecond, HealthInterval: 50 * time.Millisecond})
	la, err := a.Acquire(ctx, "events")
	if err != nil {
		t.Fatal(err)
	}
	defer la.Release(ctx) //nolint:errcheck
	// Kill the session holding the lock, as a crashed host or a network cut would.
	if _, err := pool.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted`); err != nil {
		t.Fatal(err)
	}
	select {
	case <-la.Lost():
	case <-time.After(10 * time.Second):
		t.Fatal("lease not reported lost after its session was terminated")
	}
	b := postgres.NewLocker(pool, postgres.LockerConfig{RetryInterval: 50 * time.Millisecond})
	actx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	lb, err := b.Acquire(actx, "events")
	if err != nil {
		t.Fatalf("standby could not take over: %v", err)
	}
	lb.Release(ctx) //nolint:errcheck
}

func TestHeldTellsWhetherALeaderExists(t *testing.T) {
	ctx := context.Background()
	pool := testenv.Postgres(t)
	leader := postgres.NewLocker(pool, postgres.LockerConfig{RetryInterval: 50 * time.Millisecond})
	watcher := postgres.NewLocker(pool, postgres.LockerConfig{}) // another process, e.g. the notifier
	name := "held-" + uuid.NewString()
	held := func(want bool) {
		t.Helper()
		got, err := watcher.Held(ctx, name)
		if err != nil || got != want {
			t.Fatalf("Held = %v, %v; want %v", got, err, want)
		}
	}
	held(false)
	lease, err := leader.Acquire(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	held(true)
	if other, _ := watcher.Held(ctx, name+"-other"); other {
		t.Fatal("another name reported held")
	}
	if err := lease.Release(ctx); err != nil {
		t.Fatal(err)
	}
	held(false)
}
