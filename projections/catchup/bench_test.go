package catchup_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/postgres"
	relaypg "github.com/evshop/shop/messaging/relay/postgres"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/baskets"
	"github.com/evshop/shop/projections/catchup"
	"github.com/evshop/shop/projections/orders"
	ordersqlite "github.com/evshop/shop/projections/orders/sqlitestore"
	"github.com/evshop/shop/projections/payments"
	"github.com/evshop/shop/projections/projectionstest"
	"github.com/evshop/shop/projections/recommendations"
	recomongo "github.com/evshop/shop/projections/recommendations/mongostore"
)

// projector is a catch-up target that also has the bus path's Handle.
type projector interface {
	catchup.Target
	Handle(ctx context.Context, ev eventstore.RecordedEvent) error
}

// BenchmarkCatchUp measures each read model fed from a PostgreSQL event
// store holding SHOP_BENCH_EVENTS events (default 20,000: orders with their
// checkout, stock and payment streams, and baskets), in the same run:
//
//   - raw-read-events/s: only reading the read model's events from $all
//     (filtered as the runner reads them), the floor of any catch-up;
//   - per-event-events/s: one write per event through Handle, what the bus
//     path does for each delivery (without the broker), on a sample;
//   - batch<N>-events/s: the catch-up runner with BatchSize N from an empty
//     read model to the head (reads, batched writes with the checkpoint,
//     lease), for N in SHOP_BENCH_BATCHES (default 10,100,500,1000).
//
// One sub-benchmark per read model (orders-sqlite: the embedded database's
// adapter, whose full catch-up is the orders part of the durable embedded
// shop's first start); each measurement starts from an empty
// read model. Run it once:
// go test -run '^$' -bench CatchUp -benchtime=1x ./projections/catchup/.
func BenchmarkCatchUp(b *testing.B) {
	total := 20_000
	if v := os.Getenv("SHOP_BENCH_EVENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1000 || n > 10_000_000 {
			b.Fatalf("SHOP_BENCH_EVENTS=%q must be an integer in 1000..10000000", v)
		}
		total = n
	}
	sizes := []int{10, 100, 500, 1000}
	if v := os.Getenv("SHOP_BENCH_BATCHES"); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 || n > 10_000 {
				b.Fatalf("SHOP_BENCH_BATCHES=%q: each must be an integer in 1..10000", v)
			}
			sizes = append(sizes, n)
		}
	}
	ctx := context.Background()
	pool := testenv.Postgres(b)
	es, err := postgres.New(ctx, pool)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	n, err := projectionstest.Bulk(ctx, es, 1, total*4/5, 8)
	if err != nil {
		b.Fatal(err)
	}
	nb, err := bulkBaskets(ctx, es, total-n)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("setup: appended %d events (%d of baskets) in %s", n+nb, nb, time.Since(start).Round(time.Second))
	if _, err := pool.Exec(ctx, `VACUUM ANALYZE events`); err != nil {
		b.Fatal(err)
	}
	pools.Store(es, pool)
	settle(b, es)

	targets := []struct {
		name string
		new  func(b *testing.B) projector
	}{
		{"orders", func(b *testing.B) projector {
			p := testenv.Postgres(b)
			if err := orders.Migrate(ctx, p); err != nil {
				b.Fatal(err)
			}
			s, err := orders.NewPostgres(p, "")
			if err != nil {
				b.Fatal(err)
			}
			pr, _ := orders.NewProjector(s)
			return pr
		}},
		{"orders-sqlite", func(b *testing.B) projector {
			// The embedded mode's read model, fed from the same store.
			db := testenv.SQLite(b)
			if err := ordersqlite.Migrate(ctx, db); err != nil {
				b.Fatal(err)
			}
			s, err := ordersqlite.New(db, "")
			if err != nil {
				b.Fatal(err)
			}
			pr, _ := orders.NewProjector(s)
			return pr
		}},
		{"payments", func(b *testing.B) projector {
			p := testenv.Postgres(b)
			if err := payments.Migrate(ctx, p); err != nil {
				b.Fatal(err)
			}
			s, err := payments.NewPostgres(p)
			if err != nil {
				b.Fatal(err)
			}
			pr, _ := payments.NewProjector(s)
			return pr
		}},
		{"baskets", func(b *testing.B) projector {
			c, prefix := testenv.Redis(b)
			s, err := baskets.NewActiveRedis(c, prefix)
			if err != nil {
				b.Fatal(err)
			}
			pr, _ := baskets.NewProjector(s)
			return pr
		}},
		{"recommendations", func(b *testing.B) projector {
			s, err := recomongo.New(ctx, testenv.Mongo(b))
			if err != nil {
				b.Fatal(err)
			}
			return recommendations.NewProjector(s)
		}},
	}
	for _, tg := range targets {
		b.Run(tg.name, func(b *testing.B) {
			for range b.N {
				benchTarget(ctx, b, es, pool, tg.name, tg.new, sizes)
			}
		})
	}
}

// benchTarget runs the measurements of one read model (see BenchmarkCatchUp).
func benchTarget(ctx context.Context, b *testing.B, es *postgres.Store, pool *pgxpool.Pool, name string,
	newTarget func(b *testing.B) projector, sizes []int) {
	filter := newTarget(b).Filter()
	t0 := time.Now()
	var evs []eventstore.RecordedEvent
	for ev, err := range es.ReadAll(ctx, 0, filter) {
		if err != nil {
			b.Fatal(err)
		}
		evs = append(evs, ev)
	}
	read := rate(len(evs), time.Since(t0))
	b.ReportMetric(read, "raw-read-events/s")

	p := newTarget(b)
	sample := evs[:min(len(evs), 1500)]
	t0 = time.Now()
	for _, ev := range sample {
		if err := p.Handle(ctx, ev); err != nil {
			b.Fatal(err)
		}
	}
	perEvent := rate(len(sample), time.Since(t0))
	b.ReportMetric(perEvent, "per-event-events/s")
	line := fmt.Sprintf("%-16s %7d events  read %8.0f/s  per-event %6.0f/s", name, len(evs), read, perEvent)

	for _, size := range sizes {
		p := newTarget(b)
		r, err := catchup.New(catchup.Config{Source: es, Target: p, BatchSize: size, PollInterval: 50 * time.Millisecond,
			Locker: relaypg.NewLocker(pool, relaypg.LockerConfig{RetryInterval: 10 * time.Millisecond})})
		if err != nil {
			b.Fatal(err)
		}
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		t0 = time.Now()
		go func() { done <- r.Run(rctx) }()
		last := evs[len(evs)-1].Position
		for {
			cp, err := p.Checkpoint(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if cp >= last {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		el := time.Since(t0)
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		got := rate(len(evs), el)
		b.ReportMetric(got, fmt.Sprintf("batch%d-events/s", size))
		line += fmt.Sprintf("  batch %d %6.0f/s (×%.1f)", size, got, got/perEvent)
	}
	b.Log(line)
}

func rate(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }

// bulkBaskets appends baskets (one append per stream) until at least n
// events were appended.
func bulkBaskets(ctx context.Context, es eventstore.Store, n int) (int, error) {
	r := rand.New(rand.NewPCG(7, 8))
	done := 0
	for done < n {
		bt := projectionstest.Basket(r, uuid.NewString())
		if _, err := es.Append(ctx, bt.Stream, eventstore.NoStream(), bt.Events...); err != nil {
			return done, err
		}
		done += len(bt.Events)
	}
	return done, nil
}
