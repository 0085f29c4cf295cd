package recommendations_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/projectionstest"
	"github.com/evshop/shop/projections/rebuild"
	"github.com/evshop/shop/projections/rebuild/rebuildtest"
	"github.com/evshop/shop/projections/recommendations"
	recomongo "github.com/evshop/shop/projections/recommendations/mongostore"
)

// seeded returns a history and its customers, sorted, and the customer of
// its first order (whose events are not the newest, so erasing them does
// not lower the live model's position).
func seeded(t *testing.T, seed uint64) (*memory.Store, []string, string) {
	t.Helper()
	ctx := context.Background()
	es := memory.New()
	if _, err := projectionstest.Seed(ctx, es, seed, 40, 3); err != nil {
		t.Fatal(err)
	}
	var customers []string
	for ev, err := range es.ReadAll(ctx, 0, eventstore.Filter{EventTypes: []string{ordering.EventOrderPlaced}}) {
		if err != nil {
			t.Fatal(err)
		}
		var p ordering.OrderPlaced
		if err := json.Unmarshal(ev.Data, &p); err != nil {
			t.Fatal(err)
		}
		customers = append(customers, p.CustomerID)
	}
	first := customers[0]
	slices.Sort(customers)
	return es, slices.Compact(customers), first
}

// dumpOrders lists every customer's orders (with their paid mark) as JSON.
func dumpOrders(t *testing.T, s recommendations.Store, customers []string) func() []string {
	return func() []string {
		var out []string
		for _, c := range customers {
			os, err := s.Orders(context.Background(), c, 1000)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(os)
			out = append(out, c+" "+string(b))
		}
		return out
	}
}

// Each store's rebuild equals the live model the projector built event by
// event, row by row, also for a customer erased before the rebuild (whose
// orders history still holds): MongoDB swaps a generation in and drops the
// old one; memory swaps the model.
func TestRebuildEqualsLive(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		open func(t *testing.T) (recommendations.Store, rebuild.Projection, func() []string)
	}{
		{"mongo", func(t *testing.T) (recommendations.Store, rebuild.Projection, func() []string) {
			db := testenv.Mongo(t)
			s, err := recomongo.New(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			target, err := recomongo.NewRebuildTarget(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			collections := func() []string {
				names, err := db.ListCollectionNames(context.Background(), bson.D{})
				if err != nil {
					t.Fatal(err)
				}
				slices.Sort(names)
				return names
			}
			return s, target, collections
		}},
		{"memory", func(t *testing.T) (recommendations.Store, rebuild.Projection, func() []string) {
			s := recommendations.NewSwappable()
			target, err := s.RebuildTarget()
			if err != nil {
				t.Fatal(err)
			}
			return s, target, nil
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			es, customers, erased := seeded(t, 41)
			store, target, collections := c.open(t)
			p := recommendations.NewProjector(store)
			rebuildtest.Project(t, ctx, es, 0, p.Filter(), p.Handle)
			if err := store.Forget(ctx, erased); err != nil {
				t.Fatal(err)
			}
			reg, _ := rebuild.NewRegistry(target)
			runner, _ := rebuild.NewRunner(rebuild.Config{Events: es, Registry: reg, State: rebuild.NewMemoryState(), BatchSize: 11})
			dump := dumpOrders(t, store, customers)
			if got := dump()[slices.Index(customers, erased)]; got != erased+" []" {
				t.Fatalf("erased customer before the rebuild: %s", got)
			}
			rebuildtest.RebuildEqualsLive(t, ctx, runner, recommendations.RebuildName, dump, p.Checkpoint)
			if collections != nil {
				names := strings.Join(collections(), " ")
				if strings.Count(names, recomongo.OrdersCollection) != 1 || strings.Count(names, recomongo.PaidCollection) != 1 {
					t.Fatalf("one generation should be left: %s", names)
				}
			}
			// Live writes after the swap land in the active generation.
			more, _ := projectionstest.Seed(ctx, es, 42, 1, 0)
			head, _ := runner.Status(ctx, recommendations.RebuildName)
			rebuildtest.Project(t, ctx, es, head.Checkpoint, p.Filter(), p.Handle)
			var found bool
			for ev, err := range es.ReadAll(ctx, head.Checkpoint, eventstore.Filter{EventTypes: []string{ordering.EventOrderPlaced}}) {
				if err != nil {
					t.Fatal(err)
				}
				var pl ordering.OrderPlaced
				_ = json.Unmarshal(ev.Data, &pl)
				os, err := store.Orders(ctx, pl.CustomerID, 10)
				found = found || (err == nil && len(os) == 1 && os[0].OrderID == more[0])
			}
			if !found {
				t.Fatal("an order placed after the swap is missing")
			}
		})
	}
}

// The swappable store passes the projector contract like the others.
func TestSwappableContract(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	es, customers, _ := seeded(t, 43)
	ref, sw := recommendations.NewMemoryStore(), recommendations.NewSwappable()
	for _, s := range []recommendations.Store{ref, sw} {
		p := recommendations.NewProjector(s)
		rebuildtest.Project(t, ctx, es, 0, p.Filter(), p.Handle)
	}
	if a, b := dumpOrders(t, ref, customers)(), dumpOrders(t, sw, customers)(); !slices.Equal(a, b) {
		t.Fatalf("swappable differs from memory:\n%v\n%v", a, b)
	}
}
