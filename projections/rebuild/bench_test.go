package rebuild_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/postgres"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/orders"
	"github.com/evshop/shop/projections/projectionstest"
	"github.com/evshop/shop/projections/rebuild"
)

// BenchmarkRebuildOrders rebuilds the orders read model from a PostgreSQL
// event store holding SHOP_BENCH_EVENTS events (default 1,000,000: orders
// with their checkout, stock and payment streams) and reports, from the same
// run and the same store:
//
//   - read-events/s: just reading the order events ($all filtered by the
//     projection's prefix), the floor any rebuild pays;
//   - rebuild-events/s: the full rebuild (shadow tables, batched apply,
//     catch-up, atomic swap) over those events;
//   - live-apply-events/s: the live projector's one-transaction-per-event
//     path on a sample, to show what batching buys.
//
// Setup appends the history with batched appends and takes minutes; it only
// runs with -bench (run once: -benchtime=1x). See docs/benchmarks-rebuild.md.
func BenchmarkRebuildOrders(b *testing.B) {
	total := 1_000_000
	if v := os.Getenv("SHOP_BENCH_EVENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1000 || n > 50_000_000 {
			b.Fatalf("SHOP_BENCH_EVENTS=%q must be an integer in 1000..50000000", v)
		}
		total = n
	}
	ctx := context.Background()
	pool := testenv.Postgres(b)
	es, err := postgres.New(ctx, pool)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	n, err := projectionstest.Bulk(ctx, es, 1, total, 8)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("setup: appended %d events in %s", n, time.Since(start).Round(time.Second))
	if _, err := pool.Exec(ctx, `VACUUM ANALYZE events`); err != nil {
		b.Fatal(err)
	}
	if err := orders.Migrate(ctx, pool); err != nil {
		b.Fatal(err)
	}
	target, err := orders.NewRebuildTarget(pool)
	if err != nil {
		b.Fatal(err)
	}
	state, err := rebuild.NewPostgresState(ctx, pool)
	if err != nil {
		b.Fatal(err)
	}
	reg, _ := rebuild.NewRegistry(target)
	runner, err := rebuild.NewRunner(rebuild.Config{Events: es, Registry: reg, State: state})
	if err != nil {
		b.Fatal(err)
	}

	var readSecs, rebuildSecs float64
	var orderEvents uint64
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		orderEvents = 0
		for _, err := range es.ReadAll(ctx, 0, target.Filter()) {
			if err != nil {
				b.Fatal(err)
			}
			orderEvents++
		}
		readSecs += time.Since(t0).Seconds()

		t1 := time.Now()
		p, err := runner.Rebuild(ctx, orders.RebuildName, rebuild.Options{Restart: true})
		if err != nil {
			b.Fatal(err)
		}
		rebuildSecs += time.Since(t1).Seconds()
		if p.Applied != orderEvents {
			b.Fatalf("rebuild applied %d events, the store has %d", p.Applied, orderEvents)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(n), "store-events")
	b.ReportMetric(float64(orderEvents), "order-events")
	b.ReportMetric(float64(orderEvents)*float64(b.N)/readSecs, "read-events/s")
	b.ReportMetric(float64(orderEvents)*float64(b.N)/rebuildSecs, "rebuild-events/s")
	b.ReportMetric(0, "ns/op")

	// The live path, one transaction per event, on a sample.
	ref, err := orders.NewPostgres(pool, "_live")
	if err != nil {
		b.Fatal(err)
	}
	if err := ref.EnsureShadow(ctx); err != nil {
		b.Fatal(err)
	}
	proj, _ := orders.NewProjector(ref)
	const sample = 5_000
	t2 := time.Now()
	k := 0
	for ev, err := range es.ReadAll(ctx, 0, eventstore.Filter{StreamPrefixes: target.Filter().StreamPrefixes}) {
		if err == nil {
			err = proj.Handle(ctx, ev)
		}
		if err != nil {
			b.Fatal(err)
		}
		if k++; k == sample {
			break
		}
	}
	b.ReportMetric(float64(k)/time.Since(t2).Seconds(), "live-apply-events/s")
}
