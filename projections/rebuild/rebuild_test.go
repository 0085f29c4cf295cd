package rebuild_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/eventstore/postgres"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/baskets"
	"github.com/evshop/shop/projections/orders"
	"github.com/evshop/shop/projections/projectionstest"
	"github.com/evshop/shop/projections/rebuild"
	"github.com/evshop/shop/projections/rebuild/rebuildtest"
)

var project = rebuildtest.Project

// dump returns every row of the orders read model (tables named with
// suffix) as text, in a stable order.
func dump(t testing.TB, ctx context.Context, pool *pgxpool.Pool, suffix string) []string {
	t.Helper()
	return rebuildtest.Rows(t, ctx, pool,
		`SELECT row_to_json(t)::text FROM orders`+suffix+` t ORDER BY order_id`,
		`SELECT row_to_json(t)::text FROM order_lines`+suffix+` t ORDER BY order_id, line_no`,
		`SELECT row_to_json(t)::text FROM order_status_history`+suffix+` t ORDER BY order_id, revision`)
}

func diff(t testing.TB, want, got []string) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("row count: want %d, got %d", len(want), len(got))
	}
	for i := range want {
		if want[i] != got[i] {
			t.Fatalf("row %d differs:\nwant %s\ngot  %s", i, want[i], got[i])
		}
	}
}

type pgEnv struct {
	pool   *pgxpool.Pool
	es     *postgres.Store
	live   *orders.Postgres
	target *orders.RebuildTarget
	state  *rebuild.PostgresState
	runner *rebuild.Runner
}

func newPG(t *testing.T, batch int) *pgEnv {
	t.Helper()
	ctx := context.Background()
	pool := testenv.Postgres(t)
	es, err := postgres.New(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if err := orders.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	live, err := orders.NewPostgres(pool, "")
	if err != nil {
		t.Fatal(err)
	}
	target, err := orders.NewRebuildTarget(pool)
	if err != nil {
		t.Fatal(err)
	}
	state, err := rebuild.NewPostgresState(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := rebuild.NewRegistry(target)
	if err != nil {
		t.Fatal(err)
	}
	runner, err := rebuild.NewRunner(rebuild.Config{Events: es, Registry: reg, State: state, BatchSize: batch})
	if err != nil {
		t.Fatal(err)
	}
	return &pgEnv{pool: pool, es: es, live: live, target: target, state: state, runner: runner}
}

func (e *pgEnv) projectLive(t testing.TB, ctx context.Context, after uint64) uint64 {
	p, err := orders.NewProjector(e.live)
	if err != nil {
		t.Fatal(err)
	}
	e.settle(t, ctx)
	return project(t, ctx, e.es, after, p.Filter(), p.Handle)
}

func (e *pgEnv) settle(t testing.TB, ctx context.Context) {
	rebuildtest.Settle(t, ctx, e.pool, e.es)
}

func TestOrdersRebuildEqualsLiveRowByRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newPG(t, 97) // an odd batch size splits orders across batches
	if _, err := projectionstest.Seed(ctx, e.es, 1, 150, 20); err != nil {
		t.Fatal(err)
	}
	e.projectLive(t, ctx, 0)
	before := dump(t, ctx, e.pool, "")
	cpBefore, _ := e.live.Checkpoint(ctx)
	if len(before) < 300 {
		t.Fatalf("seed too small: %d rows", len(before))
	}

	for round := range 2 { // the second rebuild starts from a swapped table
		prog, err := e.runner.Rebuild(ctx, orders.RebuildName, rebuild.Options{})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if prog.State != rebuild.StateDone || prog.Applied == 0 {
			t.Fatalf("round %d: progress %+v", round, prog)
		}
		diff(t, before, dump(t, ctx, e.pool, ""))
		if cp, _ := e.live.Checkpoint(ctx); cp != cpBefore {
			t.Fatalf("checkpoint %d, want %d", cp, cpBefore)
		}
	}
	// The swap gives indexes their live names back and leaves no shadow.
	var n int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM pg_indexes WHERE indexname IN ('orders_pkey','orders_customer_idx','orders_status_idx','orders_placed_idx','order_lines_pkey','order_status_history_pkey')`).Scan(&n); err != nil || n != 6 {
		t.Fatalf("live index names: %d (%v)", n, err)
	}
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE tablename LIKE '%_rebuild'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("shadow tables left: %d (%v)", n, err)
	}
	// The live store keeps working on the swapped tables (prepared
	// statements are re-planned).
	ids, err := projectionstest.Seed(ctx, e.es, 2, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	e.projectLive(t, ctx, cpBefore)
	if o, err := e.live.Get(ctx, ids[0]); err != nil || o.OrderID != ids[0] {
		t.Fatalf("live get after swap: %+v %v", o, err)
	}
	st, err := e.runner.Status(ctx, orders.RebuildName)
	if err != nil || st.State != rebuild.StateDone || st.LagEvents != 0 || st.Rebuild == nil {
		t.Fatalf("status %+v %v", st, err)
	}
}

// During live traffic (appends and a live projector writing the live
// tables) the rebuild catches up and swaps without losing or doubling
// anything: the result equals a reference projection built from scratch.
func TestOrdersRebuildDuringTrafficEqualsReference(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := newPG(t, 50)
	if _, err := projectionstest.Seed(ctx, e.es, 3, 100, 0); err != nil {
		t.Fatal(err)
	}
	pos := e.projectLive(t, ctx, 0)

	var wg sync.WaitGroup
	stop := make(chan struct{})
	var liveErr atomic.Value
	wg.Go(func() { // traffic
		for i := uint64(0); ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := projectionstest.Seed(ctx, e.es, 100+i, 2, 1); err != nil {
				liveErr.Store(err)
				return
			}
		}
	})
	wg.Go(func() { // live projector
		p, _ := orders.NewProjector(e.live)
		at := pos
		for {
			for ev, err := range e.es.ReadAll(ctx, at, p.Filter()) {
				if err == nil {
					err = p.Handle(ctx, ev)
				}
				if err != nil {
					liveErr.Store(err)
					return
				}
				at = ev.Position
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	})
	if _, err := e.runner.Rebuild(ctx, orders.RebuildName, rebuild.Options{}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // some traffic after the swap too
	close(stop)
	wg.Wait()
	if err, ok := liveErr.Load().(error); ok {
		t.Fatalf("live side: %v", err)
	}
	e.projectLive(t, ctx, 0) // drain: everything already applied is skipped

	ref, err := orders.NewPostgres(e.pool, "_ref")
	if err != nil {
		t.Fatal(err)
	}
	if err := ref.EnsureShadow(ctx); err != nil {
		t.Fatal(err)
	}
	rp, _ := orders.NewProjector(ref)
	project(t, ctx, e.es, 0, rp.Filter(), rp.Handle)
	diff(t, dump(t, ctx, e.pool, "_ref"), dump(t, ctx, e.pool, ""))
}

func TestOrdersRebuildResumesAfterInterrupt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newPG(t, 40)
	if _, err := projectionstest.Seed(ctx, e.es, 4, 80, 0); err != nil {
		t.Fatal(err)
	}
	e.projectLive(t, ctx, 0)
	before := dump(t, ctx, e.pool, "")

	cctx, cancel := context.WithCancel(ctx)
	batches := 0
	_, err := e.runner.Rebuild(cctx, orders.RebuildName, rebuild.Options{Progress: func(p rebuild.Progress) {
		if batches++; batches == 3 {
			cancel()
		}
	}})
	if err == nil {
		t.Fatal("interrupted rebuild reported success")
	}
	st, err := e.runner.Status(ctx, orders.RebuildName)
	if err != nil || st.State != rebuild.StateInterrupted {
		t.Fatalf("status after interrupt: %+v %v", st, err)
	}
	at, err := e.target.ShadowCheckpoint(ctx)
	if err != nil || at == 0 {
		t.Fatalf("shadow checkpoint after interrupt: %d %v", at, err)
	}
	diff(t, before, dump(t, ctx, e.pool, "")) // live untouched

	prog, err := e.runner.Rebuild(ctx, orders.RebuildName, rebuild.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if prog.From != at {
		t.Fatalf("resumed from %d, want %d", prog.From, at)
	}
	diff(t, before, dump(t, ctx, e.pool, ""))

	// --restart drops the shadow and replays everything.
	if _, err := e.runner.Rebuild(ctx, orders.RebuildName, rebuild.Options{Restart: true}); err != nil {
		t.Fatal(err)
	}
	diff(t, before, dump(t, ctx, e.pool, ""))
}

func TestSecondConcurrentRebuildIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newPG(t, 0)
	release, err := e.state.Lock(ctx, orders.RebuildName)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.runner.Rebuild(ctx, orders.RebuildName, rebuild.Options{}); !errors.Is(err, rebuild.ErrBusy) {
		t.Fatalf("want ErrBusy, got %v", err)
	}
	if err := e.runner.Start(orders.RebuildName, rebuild.Options{}); !errors.Is(err, rebuild.ErrBusy) {
		t.Fatalf("Start: want ErrBusy, got %v", err)
	}
	if locked, err := e.state.Locked(ctx, orders.RebuildName); err != nil || !locked {
		t.Fatalf("Locked = %v %v", locked, err)
	}
	if st, _ := e.runner.Status(ctx, orders.RebuildName); st.State != rebuild.StateRunning {
		t.Fatalf("state %s, want running", st.State)
	}
	release()
	release() // idempotent
	if locked, err := e.state.Locked(ctx, orders.RebuildName); err != nil || locked {
		t.Fatalf("Locked after release = %v %v", locked, err)
	}
	if _, err := e.runner.Rebuild(ctx, orders.RebuildName, rebuild.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.runner.Rebuild(ctx, "nope", rebuild.Options{}); !errors.Is(err, rebuild.ErrUnknownProjection) {
		t.Fatalf("unknown: %v", err)
	}
}

func basketIDs(t testing.TB, ctx context.Context, es eventstore.Store) []string {
	var ids []string
	for ev, err := range es.ReadAll(ctx, 0, eventstore.Filter{StreamPrefixes: []string{"basket-"}}) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Revision == 0 {
			ids = append(ids, ev.Stream[len("basket-"):])
		}
	}
	return ids
}

func views(t testing.TB, ctx context.Context, s baskets.Store, ids []string) []string {
	t.Helper()
	var out []string
	for _, id := range ids {
		v, err := s.Get(ctx, id)
		if err != nil {
			t.Fatalf("basket %s: %v", id, err)
		}
		out = append(out, fmt.Sprintf("%+v", v))
	}
	return out
}

func TestBasketsRebuildSwapsRedisGeneration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rdb, base := testenv.Redis(t)
	es := memory.New()
	if _, err := projectionstest.Seed(ctx, es, 5, 5, 60); err != nil {
		t.Fatal(err)
	}
	// The live model was written before rebuilds existed: plain NewRedis
	// at the base prefix. ActiveRedis reads it unchanged.
	legacy, _ := baskets.NewRedis(rdb, base)
	lp, _ := baskets.NewProjector(legacy)
	project(t, ctx, es, 0, lp.Filter(), lp.Handle)
	active, _ := baskets.NewActiveRedis(rdb, base)
	ids := basketIDs(t, ctx, es)
	before := views(t, ctx, active, ids)
	cp, _ := active.Checkpoint(ctx)

	target, _ := baskets.NewRebuildTarget(rdb, base)
	reg, _ := rebuild.NewRegistry(target)
	runner, _ := rebuild.NewRunner(rebuild.Config{Events: es, Registry: reg, State: rebuild.NewMemoryState(), BatchSize: 25})
	for round := range 2 {
		if _, err := runner.Rebuild(ctx, baskets.RebuildName, rebuild.Options{}); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if got := views(t, ctx, active, ids); !slices.Equal(before, got) {
			t.Fatalf("round %d: views differ:\n%v\n%v", round, before, got)
		}
		if got, _ := active.Checkpoint(ctx); got != cp {
			t.Fatalf("checkpoint %d, want %d", got, cp)
		}
		// The old generation is gone: only the active one's keys remain.
		keys, err := rdb.Keys(ctx, base+"*").Result()
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != len(ids)+2 { // baskets + checkpoint + pointer
			t.Fatalf("round %d: %d keys left, want %d: %v", round, len(keys), len(ids)+2, keys[:min(5, len(keys))])
		}
	}
	// Live writes after the swap land in the active generation.
	more, _ := projectionstest.Seed(ctx, es, 6, 0, 1)
	_ = more
	ap, _ := baskets.NewProjector(active)
	project(t, ctx, es, cp, ap.Filter(), ap.Handle)
	ids = basketIDs(t, ctx, es)
	if _, err := active.Get(ctx, ids[len(ids)-1]); err != nil {
		t.Fatalf("new basket after swap: %v", err)
	}
}

func TestEmbeddedRebuildSwapsMemoryModels(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	es := memory.New()
	if _, err := projectionstest.Seed(ctx, es, 7, 40, 30); err != nil {
		t.Fatal(err)
	}
	om, _ := orders.NewSwappable(orders.NewMemory())
	bm, _ := baskets.NewSwappable(baskets.NewMemory())
	op, _ := orders.NewProjector(om)
	bp, _ := baskets.NewProjector(bm)
	project(t, ctx, es, 0, op.Filter(), op.Handle)
	project(t, ctx, es, 0, bp.Filter(), bp.Handle)
	beforeO, _ := om.List(ctx, orders.Query{PageSize: 100})
	ids := basketIDs(t, ctx, es)
	beforeB := views(t, ctx, bm, ids)

	ot, err := om.RebuildTarget()
	if err != nil {
		t.Fatal(err)
	}
	bt, err := bm.RebuildTarget()
	if err != nil {
		t.Fatal(err)
	}
	reg, _ := rebuild.NewRegistry(ot, bt)
	runner, _ := rebuild.NewRunner(rebuild.Config{Events: es, Registry: reg, State: rebuild.NewMemoryState(), BatchSize: 7})
	for _, n := range reg.Names() {
		if err := runner.Start(n, rebuild.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	runner.Wait()
	list, err := runner.List(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("list %+v %v", list, err)
	}
	for _, st := range list {
		if st.State != rebuild.StateDone || st.LagEvents != 0 {
			t.Fatalf("status %+v", st)
		}
	}
	afterO, _ := om.List(ctx, orders.Query{PageSize: 100})
	if fmt.Sprint(beforeO) != fmt.Sprint(afterO) || beforeO.Total != 40 {
		t.Fatalf("orders differ:\n%v\n%v", beforeO, afterO)
	}
	for _, s := range afterO.Items {
		a, _ := om.Get(ctx, s.OrderID)
		if len(a.History) == 0 {
			t.Fatalf("order %s has no history", s.OrderID)
		}
	}
	if got := views(t, ctx, bm, ids); !slices.Equal(beforeB, got) {
		t.Fatal("baskets differ after rebuild")
	}
	runner.Close()
}

func TestStatusReportsLag(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	es := memory.New()
	if _, err := projectionstest.Seed(ctx, es, 8, 10, 0); err != nil {
		t.Fatal(err)
	}
	om, _ := orders.NewSwappable(orders.NewMemory())
	op, _ := orders.NewProjector(om)
	applied := 0
	project(t, ctx, es, 0, op.Filter(), func(ctx context.Context, ev eventstore.RecordedEvent) error {
		if applied++; applied > 20 {
			return nil // the projector falls behind here
		}
		return op.Handle(ctx, ev)
	})
	ot, _ := om.RebuildTarget()
	reg, _ := rebuild.NewRegistry(ot)
	now := time.Now().Add(time.Hour)
	runner, _ := rebuild.NewRunner(rebuild.Config{Events: es, Registry: reg, State: rebuild.NewMemoryState(),
		LagScanLimit: 5, Now: func() time.Time { return now }})
	st, err := runner.Status(ctx, orders.RebuildName)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != rebuild.StateIdle || st.LagEvents != 5 || !st.LagCapped || st.LagSeconds < 3500 || st.Checkpoint == 0 || st.Head <= st.Checkpoint {
		t.Fatalf("status %+v", st)
	}
}

func TestRegistryValidatesNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		ok   bool
	}{{"orders", true}, {"payments.ledger", true}, {"", false}, {"Orders", false}, {"a/b", false}, {"../x", false}} {
		if got := rebuild.ValidName(tc.name); got != tc.ok {
			t.Errorf("ValidName(%q) = %v", tc.name, got)
		}
	}
	om, _ := orders.NewSwappable(orders.NewMemory())
	a, _ := om.RebuildTarget()
	if _, err := rebuild.NewRegistry(a, a); !errors.Is(err, rebuild.ErrDuplicate) {
		t.Fatalf("duplicate: %v", err)
	}
	if _, err := rebuild.NewRunner(rebuild.Config{}); err == nil {
		t.Fatal("empty config accepted")
	}
}
