package sqlitestore_test

import (
	"context"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	domain "github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/baskets"
	"github.com/evshop/shop/projections/baskets/sqlitestore"
	"github.com/evshop/shop/projections/projectionstest"
	"github.com/evshop/shop/projections/rebuild"
)

// views returns every basket of the live read model.
func views(t *testing.T, s *sqlitestore.Store, ids []string) []baskets.View {
	t.Helper()
	out := make([]baskets.View, 0, len(ids))
	for _, id := range ids {
		v, err := s.Get(context.Background(), id)
		if err != nil {
			t.Fatalf("basket %s: %v", id, err)
		}
		out = append(out, v)
	}
	return out
}

// Blue/green rebuild on the embedded database, twice in a row (the second
// from the swapped table): the views and the checkpoint come out as the
// live projector left them, and the live store goes on writing.
func TestRebuildEqualsLive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	es := memory.New()
	if _, err := projectionstest.Seed(ctx, es, 1, 5, 80); err != nil {
		t.Fatal(err)
	}
	db := testenv.SQLite(t)
	if err := sqlitestore.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	live, err := sqlitestore.New(db)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := baskets.NewProjector(live)
	var ids []string
	seen := map[string]bool{}
	for ev, err := range es.ReadAll(ctx, 0, p.Filter()) {
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
		if id := ev.Stream; !seen[id] {
			seen[id] = true
			ids = append(ids, strings.TrimPrefix(id, domain.StreamPrefix))
		}
	}
	before := views(t, live, ids)
	cpBefore, _ := live.Checkpoint(ctx)
	target, err := sqlitestore.NewRebuildTarget(db)
	if err != nil {
		t.Fatal(err)
	}
	reg, _ := rebuild.NewRegistry(target)
	runner, err := rebuild.NewRunner(rebuild.Config{Events: es, Registry: reg, State: rebuild.NewMemoryState(), BatchSize: 33})
	if err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		prog, err := runner.Rebuild(ctx, baskets.RebuildName, rebuild.Options{})
		if err != nil || prog.State != rebuild.StateDone || prog.Applied == 0 {
			t.Fatalf("round %d: %+v %v", round, prog, err)
		}
		if got := views(t, live, ids); !reflect.DeepEqual(got, before) {
			t.Fatalf("round %d: views differ after the swap", round)
		}
		if cp, _ := live.Checkpoint(ctx); cp != cpBefore {
			t.Fatalf("round %d: checkpoint %d, want %d", round, cp, cpBefore)
		}
	}
	more, err := es.Append(ctx, domain.Stream(ids[0]), eventstore.Any(), projectionstest.Basket(rand.New(rand.NewPCG(1, 2)), ids[0]).Events[0])
	if err != nil {
		t.Fatal(err)
	}
	for ev, err := range es.ReadAll(ctx, more.Position-1, p.Filter()) {
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if v, err := live.Get(ctx, ids[0]); err != nil || v.Version != before[0].Version+1 {
		t.Fatalf("live write after the swap: %+v %v", v, err)
	}
}
