// Package statetest is the contract suite of rebuild.StateStore, run
// against every adapter (memory, PostgreSQL, SQLite).
package statetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/evshop/shop/projections/rebuild"
)

// Run runs the suite; newStore returns an empty store each call.
func Run(t *testing.T, newStore func(t *testing.T) rebuild.StateStore) {
	t.Run("Lock", func(t *testing.T) { Lock(t, newStore(t)) })
	t.Run("Progress", func(t *testing.T) { SaveLoad(t, newStore(t)) })
}

// unique keeps the names of parallel runs on a shared server apart.
func unique(name string) string {
	return fmt.Sprintf("%s_%d", name, time.Now().UnixNano()%1_000_000_000)
}

// Lock: one holder per name, other names independent, release idempotent,
// and the lock free again after it.
func Lock(t *testing.T, s rebuild.StateStore) {
	ctx := context.Background()
	a, b := unique("alpha"), unique("beta")
	locked := func(name string, want bool) {
		t.Helper()
		got, err := s.Locked(ctx, name)
		if err != nil || got != want {
			t.Fatalf("Locked(%s) = %v %v, want %v", name, got, err, want)
		}
	}
	locked(a, false)
	release, err := s.Lock(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	locked(a, true)
	locked(b, false)
	if _, err := s.Lock(ctx, a); !errors.Is(err, rebuild.ErrBusy) {
		t.Fatalf("second Lock(%s): %v, want ErrBusy", a, err)
	}
	releaseB, err := s.Lock(ctx, b)
	if err != nil {
		t.Fatalf("Lock(%s) while %s is held: %v", b, a, err)
	}
	release()
	release()
	locked(a, false)
	locked(b, true)
	again, err := s.Lock(ctx, a)
	if err != nil {
		t.Fatalf("Lock(%s) after release: %v", a, err)
	}
	again()
	releaseB()
	locked(b, false)
}

// SaveLoad: nothing before a save, then the last save per name, intact.
func SaveLoad(t *testing.T, s rebuild.StateStore) {
	ctx := context.Background()
	name, other := unique("orders"), unique("sales")
	if _, ok, err := s.Load(ctx, name); err != nil || ok {
		t.Fatalf("Load before any save: ok %v, %v", ok, err)
	}
	at := time.Date(2026, 3, 4, 5, 6, 7, 890, time.UTC)
	saves := []rebuild.Progress{
		{Name: name, State: rebuild.StateRunning, Phase: rebuild.PhaseReplaying, StartedAt: at, UpdatedAt: at, From: 7, Position: 7, Target: 100},
		{Name: name, State: rebuild.StateInterrupted, StartedAt: at, UpdatedAt: at.Add(time.Minute), Applied: 40, From: 7, Position: 47, Target: 100, Error: "context canceled"},
		{Name: other, State: rebuild.StateDone, Applied: 3, Position: 3, Target: 3},
	}
	for _, p := range saves {
		if err := s.Save(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		want rebuild.Progress
	}{
		{"last save wins", saves[1]},
		{"names are independent", saves[2]},
	}
	for _, tt := range tests {
		got, ok, err := s.Load(ctx, tt.want.Name)
		if err != nil || !ok {
			t.Fatalf("%s: Load: ok %v, %v", tt.name, ok, err)
		}
		if !got.StartedAt.Equal(tt.want.StartedAt) || !got.UpdatedAt.Equal(tt.want.UpdatedAt) {
			t.Fatalf("%s: times %v %v, want %v %v", tt.name, got.StartedAt, got.UpdatedAt, tt.want.StartedAt, tt.want.UpdatedAt)
		}
		got.StartedAt, got.UpdatedAt = tt.want.StartedAt, tt.want.UpdatedAt
		if got != tt.want {
			t.Fatalf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
