package sales_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/rebuild"
	"github.com/evshop/shop/projections/sales"
)

// A rebuild replays the history into shadow tables and swaps them in: the
// model then holds the figures of the live one, row for row, and its
// checkpoint. The PostgreSQL and SQLite targets and the memory one.
func TestRebuildEqualsLive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	history := generated(t)
	evs := exported(t, history)
	from, to := sales.DayOf(evs[0].Time, paris), sales.DayOf(evs[len(evs)-1].Time, paris)

	tests := []struct {
		name   string
		target func(t *testing.T) (sales.Store, rebuild.Projection)
	}{
		{"postgres", func(t *testing.T) (sales.Store, rebuild.Projection) {
			pool := testenv.Postgres(t)
			if err := sales.Migrate(ctx, pool); err != nil {
				t.Fatal(err)
			}
			live, _ := sales.NewPostgres(pool, paris, "")
			target, err := sales.NewRebuildTarget(pool, paris)
			if err != nil {
				t.Fatal(err)
			}
			return live, target
		}},
		{"sqlite", func(t *testing.T) (sales.Store, rebuild.Projection) {
			db := testenv.SQLite(t)
			if err := sales.MigrateSQLite(ctx, db); err != nil {
				t.Fatal(err)
			}
			live, _ := sales.NewSQLite(db, paris, "")
			target, err := sales.NewSQLiteRebuildTarget(db, paris)
			if err != nil {
				t.Fatal(err)
			}
			return live, target
		}},
		{"memory", func(t *testing.T) (sales.Store, rebuild.Projection) {
			live, _ := sales.NewSwappable(sales.NewMemory(paris))
			target, err := live.RebuildTarget()
			if err != nil {
				t.Fatal(err)
			}
			return live, target
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := sales.NewMemory(paris)
			project(t, want, evs)
			live, target := tt.target(t)
			// The live model saw only part of the history (say it lost data).
			project(t, live, evs[:len(evs)/3])
			reg, _ := rebuild.NewRegistry(target)
			runner, err := rebuild.NewRunner(rebuild.Config{Events: history, Registry: reg, State: rebuild.NewMemoryState(), BatchSize: 97})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(runner.Close)
			if _, err := runner.Rebuild(ctx, sales.RebuildName, rebuild.Options{}); err != nil {
				t.Fatal(err)
			}
			for _, by := range []sales.By{sales.ByDay, sales.ByProduct, sales.ByCategory} {
				q := sales.Query{From: from, To: to, By: by}
				got, err := sales.Build(ctx, live, q)
				if err != nil {
					t.Fatal(err)
				}
				w, _ := sales.Build(ctx, want, q)
				if !reflect.DeepEqual(got, w) {
					t.Fatalf("after the rebuild, by %s:\n got %+v\nwant %+v", by, got, w)
				}
			}
			if cp, err := live.Checkpoint(ctx); err != nil || cp != evs[len(evs)-1].Position {
				t.Fatalf("checkpoint after the rebuild %d, %v; want %d", cp, err, evs[len(evs)-1].Position)
			}
		})
	}
}
