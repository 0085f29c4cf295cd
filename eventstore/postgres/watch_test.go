package postgres

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/eventstore"
)

// TestWaitersShareOneListeningConnection: however many wait, the store
// listens on one connection (taken out of the pool, so the pool's
// connections stay free for appends and reads), wakes them all on an
// append, and gives the connection up once nobody has waited for
// watchIdle.
func TestWaitersShareOneListeningConnection(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	head, err := s.HeadPosition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	listeners := func() int {
		var n int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND application_name = $1`, watchAppName).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	w := s.watcher()
	const waiters = 20
	var wg sync.WaitGroup
	errs := make(chan error, waiters)
	for range waiters {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- s.WaitForAppend(ctx, head) }()
	}
	deadline := time.Now().Add(10 * time.Second)
	for func() bool { w.mu.Lock(); defer w.mu.Unlock(); return w.waiters < waiters }() {
		if time.Now().After(deadline) {
			t.Fatal("waiters did not start")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := s.pool.Stat().AcquiredConns(); got != 0 {
		t.Fatalf("%d pooled connections held while %d wait, want 0", got, waiters)
	}
	if _, err := s.Append(ctx, "watch-"+uuid.NewString(), eventstore.NoStream(), eventstore.EventData{
		ID: uuid.NewString(), Type: "test.Wake.v1", Data: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("wait: %v", err)
		}
	}
	if n := listeners(); n != 1 {
		t.Fatalf("%d connections follow the head, want 1", n)
	}
	deadline = time.Now().Add(watchIdle + 3*PollInterval + 5*time.Second)
	for listeners() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the listening connection was kept after everyone stopped waiting")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
