// Package relaytest holds the contract suites for the relay's ports
// (CheckpointStore, Locker), run by every adapter against its real backend.
package relaytest

import (
	"context"
	"testing"
	"time"

	"github.com/evshop/shop/messaging/relay"
)

// CheckpointStore runs the contract on stores made by newStore (empty each).
func CheckpointStore(t *testing.T, newStore func(t *testing.T) relay.CheckpointStore) {
	t.Helper()
	ctx := context.Background()
	steps := []struct {
		name string
		save uint64 // 0: no save
		want uint64
	}{
		{"never saved is zero", 0, 0},
		{"save then load", 42, 42},
		{"moves forward", 1000, 1000},
		{"never moves backwards", 7, 1000},
		{"same value again", 1000, 1000},
	}
	s := newStore(t)
	for _, st := range steps {
		if st.save != 0 {
			if err := s.Save(ctx, "events", st.save); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		}
		got, err := s.Load(ctx, "events")
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got != st.want {
			t.Fatalf("%s: Load = %d, want %d", st.name, got, st.want)
		}
	}
	if got, _ := s.Load(ctx, "outbox"); got != 0 {
		t.Fatalf("names are independent: outbox = %d", got)
	}
}

// Locker runs the contract on lockers made by newLocker; two lockers from
// one test must compete for the same names (as two processes would).
func Locker(t *testing.T, newLocker func(t *testing.T) relay.Locker) {
	t.Helper()
	ctx := context.Background()
	a, b := newLocker(t), newLocker(t)
	la, err := a.Acquire(ctx, "events")
	if err != nil {
		t.Fatal(err)
	}
	// Another name is independent.
	other, err := b.Acquire(ctx, "outbox")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Release(ctx) //nolint:errcheck

	got := make(chan relay.Lease, 1)
	go func() {
		l, err := b.Acquire(ctx, "events")
		if err != nil {
			t.Error(err)
			return
		}
		got <- l
	}()
	select {
	case <-got:
		t.Fatal("second instance acquired a held lease")
	case <-time.After(300 * time.Millisecond):
	}
	select {
	case <-la.Lost():
		t.Fatal("a held lease reports lost")
	default:
	}
	if err := la.Release(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case lb := <-got:
		defer lb.Release(ctx) //nolint:errcheck
	case <-time.After(10 * time.Second):
		t.Fatal("standby did not take over after release")
	}
	// A waiting Acquire gives up with its context.
	cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, err := a.Acquire(cctx, "events"); err == nil {
		t.Fatal("Acquire of a held lease returned without error after ctx ended")
	}
}
