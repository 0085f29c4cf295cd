package rebuild_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/evshop/shop/platform/sqlite/sqlitedriver"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/rebuild"
	"github.com/evshop/shop/projections/rebuild/statetest"
)

func TestStateStoreContract(t *testing.T) {
	t.Parallel()
	adapters := []struct {
		name string
		open func(t *testing.T) rebuild.StateStore
	}{
		{"memory", func(*testing.T) rebuild.StateStore { return rebuild.NewMemoryState() }},
		{"sqlite", func(t *testing.T) rebuild.StateStore {
			s, err := rebuild.NewSQLiteState(context.Background(), testenv.SQLite(t))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"postgres", func(t *testing.T) rebuild.StateStore {
			s, err := rebuild.NewPostgresState(context.Background(), testenv.Postgres(t))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
	}
	for _, a := range adapters {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			statetest.Run(t, a.open)
		})
	}
}

// The embedded shop's rebuild progress outlives a restart; its lock does not.
func TestSQLiteStateSurvivesReopen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shop.db")
	want := rebuild.Progress{Name: "orders", State: rebuild.StateInterrupted, Applied: 10, From: 1, Position: 11, Target: 50}
	for round := range 2 {
		db, err := sqlitedriver.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		s, err := rebuild.NewSQLiteState(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if round == 0 {
			if _, err := s.Lock(ctx, want.Name); err != nil {
				t.Fatal(err)
			}
			if err := s.Save(ctx, want); err != nil {
				t.Fatal(err)
			}
		} else {
			got, ok, err := s.Load(ctx, want.Name)
			if err != nil || !ok || got != want {
				t.Fatalf("after reopening: %+v %v %v, want %+v", got, ok, err, want)
			}
			if locked, err := s.Locked(ctx, want.Name); err != nil || locked {
				t.Fatalf("lock outlived the process: %v %v", locked, err)
			}
		}
		db.Close()
	}
}
