package sqlite

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/evshop/shop/messaging/relay"
	"github.com/evshop/shop/messaging/relay/relaytest"
	sqlitedb "github.com/evshop/shop/platform/sqlite"
	"github.com/evshop/shop/platform/testenv"
)

func migrated(t *testing.T) *sqlitedb.DB {
	t.Helper()
	db := testenv.SQLite(t)
	if err := Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestCheckpointsContract(t *testing.T) {
	t.Parallel()
	relaytest.CheckpointStore(t, func(t *testing.T) relay.CheckpointStore { return NewCheckpoints(migrated(t)) })
}

func TestLockerContract(t *testing.T) {
	t.Parallel()
	db := migrated(t)
	relaytest.Locker(t, func(*testing.T) relay.Locker {
		return NewLocker(db, LockerConfig{RetryInterval: 50 * time.Millisecond})
	})
}

// TestLeaseOfADeadHolderExpires: a holder that stops renewing (its process
// died) loses the lease to a standby once its expiry has passed, not before.
func TestLeaseOfADeadHolderExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := migrated(t)
	cfg := LockerConfig{TTL: 2 * time.Second, RetryInterval: 20 * time.Millisecond}
	la, err := NewLocker(db, cfg).Acquire(ctx, "events")
	if err != nil {
		t.Fatal(err)
	}
	dead := la.(*lease)
	close(dead.stop) // the process dies: no more renewals, no release
	<-dead.done
	got := make(chan error, 1)
	go func() {
		lb, err := NewLocker(db, cfg).Acquire(ctx, "events")
		if err == nil {
			defer lb.Release(ctx) //nolint:errcheck
		}
		got <- err
	}()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
		if now := time.Now(); now.Before(dead.expires) {
			t.Fatalf("standby took over at %v, before the dead holder's lease expired at %v", now, dead.expires)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("standby never took over an expired lease")
	}
}

// TestLeaseTakenAwayIsReportedLost: a holder that finds its row owned by
// someone else (it was paused past its expiry and a standby took over) stops.
func TestLeaseTakenAwayIsReportedLost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := migrated(t)
	la, err := NewLocker(db, LockerConfig{TTL: 300 * time.Millisecond}).Acquire(ctx, "events")
	if err != nil {
		t.Fatal(err)
	}
	defer la.Release(ctx) //nolint:errcheck
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE relay_leases SET owner = 'someone else' WHERE name = 'events'`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-la.Lost():
	case <-time.After(10 * time.Second):
		t.Fatal("a lease taken by another owner is not reported lost")
	}
	// Release of a lost lease leaves the new owner's row alone.
	if err := la.Release(ctx); err != nil {
		t.Fatal(err)
	}
	var owner string
	if err := db.Read.QueryRowContext(ctx, `SELECT owner FROM relay_leases WHERE name = 'events'`).Scan(&owner); err != nil || owner != "someone else" {
		t.Fatalf("after release the row is %q, %v; want the new owner's", owner, err)
	}
}
