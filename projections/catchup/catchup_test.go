package catchup_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/eventstore/postgres"
	"github.com/evshop/shop/messaging/relay"
	relaypg "github.com/evshop/shop/messaging/relay/postgres"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/baskets"
	"github.com/evshop/shop/projections/catchup"
	"github.com/evshop/shop/projections/orders"
	"github.com/evshop/shop/projections/payments"
	"github.com/evshop/shop/projections/projectionstest"
	"github.com/evshop/shop/projections/rebuild"
	"github.com/evshop/shop/projections/recommendations"
	recomongo "github.com/evshop/shop/projections/recommendations/mongostore"
)

// readModel is one projection under test: the target the runner feeds, a
// reference fed one event at a time through the bus-path Handle, and what
// both show to readers for a history.
type readModel struct {
	target    catchup.Target
	reference func(ctx context.Context, ev eventstore.RecordedEvent) error
	// view renders everything the read model shows for the events' keys,
	// from the target (ref false) or the reference (ref true).
	view func(ctx context.Context, evs []eventstore.RecordedEvent, ref bool) (string, error)
	// rebuildTarget, when set, rebuilds the same read model.
	rebuildTarget rebuild.Projection
}

type fixture struct {
	name string
	// needs names the servers the read model lives on besides PostgreSQL.
	build func(t *testing.T, pool *pgxpool.Pool) readModel
}

func render(parts []any) (string, error) {
	b, err := json.MarshalIndent(parts, "", " ")
	return string(b), err
}

func keys(evs []eventstore.RecordedEvent, prefix string) []string {
	seen := map[string]bool{}
	var out []string
	for _, ev := range evs {
		if id, ok := strings.CutPrefix(ev.Stream, prefix); ok && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// byKey is the view of a read model read by stream id: each id's value from
// the target's store (live) or the reference's, in the order of the events.
func byKey[T any](prefix string, live, ref func(context.Context, string) (T, error)) func(context.Context, []eventstore.RecordedEvent, bool) (string, error) {
	return func(ctx context.Context, evs []eventstore.RecordedEvent, isRef bool) (string, error) {
		get := live
		if isRef {
			get = ref
		}
		var parts []any
		for _, id := range keys(evs, prefix) {
			v, err := get(ctx, id)
			if err != nil {
				return "", err
			}
			parts = append(parts, v)
		}
		return render(parts)
	}
}

var fixtures = []fixture{
	{"orders on PostgreSQL", func(t *testing.T, pool *pgxpool.Pool) readModel {
		ctx := context.Background()
		if err := orders.Migrate(ctx, pool); err != nil {
			t.Fatal(err)
		}
		s, err := orders.NewPostgres(pool, "")
		if err != nil {
			t.Fatal(err)
		}
		p, _ := orders.NewProjector(s)
		ref := orders.NewMemory()
		rp, _ := orders.NewProjector(ref)
		return readModel{target: p, reference: rp.Handle, view: byKey(ordering.StreamPrefix, s.Get, ref.Get)}
	}},
	{"payments on PostgreSQL", func(t *testing.T, pool *pgxpool.Pool) readModel {
		ctx := context.Background()
		if err := payments.Migrate(ctx, pool); err != nil {
			t.Fatal(err)
		}
		s, err := payments.NewPostgres(pool)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := payments.NewProjector(s)
		ref := payments.NewMemory()
		rp, _ := payments.NewProjector(ref)
		return readModel{target: p, reference: rp.Handle, view: byKey(ordering.StreamPrefix, s.ByOrder, ref.ByOrder)}
	}},
	{"baskets on Redis", func(t *testing.T, _ *pgxpool.Pool) readModel {
		c, prefix := testenv.Redis(t)
		s, err := baskets.NewActiveRedis(c, prefix)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := baskets.NewProjector(s)
		ref := baskets.NewMemory()
		rp, _ := baskets.NewProjector(ref)
		rt, err := baskets.NewRebuildTarget(c, prefix)
		if err != nil {
			t.Fatal(err)
		}
		return readModel{target: p, reference: rp.Handle, rebuildTarget: rt, view: byKey(basket.StreamPrefix, s.Get, ref.Get)}
	}},
	{"recommendations on FerretDB", func(t *testing.T, _ *pgxpool.Pool) readModel {
		s, err := recomongo.New(context.Background(), testenv.Mongo(t))
		if err != nil {
			t.Fatal(err)
		}
		p := recommendations.NewProjector(s)
		ref := recommendations.NewMemoryStore()
		rp := recommendations.NewProjector(ref)
		return readModel{target: p, reference: rp.Handle, view: func(ctx context.Context, evs []eventstore.RecordedEvent, isRef bool) (string, error) {
			var parts []any
			for _, ev := range evs {
				if ev.Type != ordering.EventOrderPlaced {
					continue
				}
				var placed ordering.OrderPlaced
				if err := json.Unmarshal(ev.Data, &placed); err != nil {
					return "", err
				}
				var os []recommendations.Order
				var err error
				if isRef {
					os, err = ref.Orders(ctx, placed.CustomerID, 100)
				} else {
					os, err = s.Orders(ctx, placed.CustomerID, 100)
				}
				if err != nil {
					return "", err
				}
				parts = append(parts, os)
			}
			return render(parts)
		}}
	}},
}

// env is a PostgreSQL event store with a history in it.
type env struct {
	pool  *pgxpool.Pool
	store *postgres.Store
}

var pools sync.Map // *postgres.Store → *pgxpool.Pool

// settle waits until the store's head reaches its newest committed event.
func settle(t testing.TB, es *postgres.Store) {
	t.Helper()
	v, ok := pools.Load(es)
	if !ok {
		t.Fatal("settle: unknown store")
	}
	var newest uint64
	if err := v.(*pgxpool.Pool).QueryRow(context.Background(), `SELECT coalesce(max(position), 0) FROM events`).Scan(&newest); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		head, err := es.HeadPosition(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if head >= newest {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("$all stayed at %d below the newest event %d", head, newest)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func newEnv(t *testing.T) env {
	t.Helper()
	pool := testenv.Postgres(t)
	es, err := postgres.New(context.Background(), pool)
	if err != nil {
		t.Fatal(err)
	}
	pools.Store(es, pool)
	return env{pool: pool, store: es}
}

// matching reads every event of the store the target wants, once $all
// shows every committed event (on PostgreSQL it trails the oldest
// transaction of the cluster, which other tests share).
func matching(t *testing.T, src catchup.Source, f eventstore.Filter) []eventstore.RecordedEvent {
	t.Helper()
	if pg, ok := src.(*postgres.Store); ok {
		settle(t, pg)
	}
	var out []eventstore.RecordedEvent
	for ev, err := range src.ReadAll(context.Background(), 0, f) {
		if err != nil {
			t.Fatal(err)
		}
		if f.Match(ev) {
			out = append(out, ev)
		}
	}
	return out
}

// waitCaughtUp waits until the target's checkpoint reaches the position of
// the last event it wants.
func waitCaughtUp(t *testing.T, target catchup.Target, evs []eventstore.RecordedEvent) {
	t.Helper()
	want := evs[len(evs)-1].Position
	deadline := time.Now().Add(60 * time.Second)
	for {
		cp, err := target.Checkpoint(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if cp >= want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: checkpoint %d never reached %d", target.Name(), cp, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// same checks the target shows what one-by-one delivery of evs shows.
func same(t *testing.T, rm readModel, evs []eventstore.RecordedEvent) {
	t.Helper()
	ctx := context.Background()
	for _, ev := range evs {
		if err := rm.reference(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	got, err := rm.view(ctx, evs, false)
	if err != nil {
		t.Fatal(err)
	}
	want, err := rm.view(ctx, evs, true)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("%s differs from one-by-one delivery:\n%s\nwant\n%s", rm.target.Name(), got, want)
	}
}

func start(t *testing.T, cfg catchup.Config) (stop func()) {
	t.Helper()
	r, err := catchup.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func TestRunnerFollowsTheStore(t *testing.T) {
	t.Parallel()
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			rm := fx.build(t, e.pool)
			ctx := context.Background()
			if _, err := projectionstest.Seed(ctx, e.store, 1, 12, 8); err != nil {
				t.Fatal(err)
			}
			// Woken by a shared notifier, as in the wiring; a long poll
			// interval so that only its wake-ups keep the runner close.
			wake := catchup.NewNotifier(e.store, 200*time.Millisecond)
			nctx, stopWake := context.WithCancel(ctx)
			defer stopWake()
			go wake.Run(nctx) //nolint:errcheck // nil when ctx ends
			start(t, catchup.Config{Source: e.store, Target: rm.target, Locker: relaypg.NewLocker(e.pool, relaypg.LockerConfig{}),
				BatchSize: 16, PollInterval: time.Minute, Wake: wake})
			waitCaughtUp(t, rm.target, matching(t, e.store, rm.target.Filter()))
			// Live: appends after the catch-up wake the runner.
			if _, err := projectionstest.Seed(ctx, e.store, 2, 6, 4); err != nil {
				t.Fatal(err)
			}
			evs := matching(t, e.store, rm.target.Filter())
			waitCaughtUp(t, rm.target, evs)
			same(t, rm, evs)
		})
	}
}

// dying applies the first half of its n-th batch, then kills its runner:
// what a process crash leaves behind half-way through a batch on stores
// without transactions (on PostgreSQL the half is one whole batch).
type dying struct {
	catchup.Target
	n     int
	calls int
	kill  context.CancelFunc
	died  chan struct{}
}

func (d *dying) ApplyBatch(ctx context.Context, evs []eventstore.RecordedEvent) error {
	// Only batches that can be cut in half count: the reader may hand over
	// a one-event batch (a page ending at the store's visibility mark while
	// another transaction is open), and counting it made the runner pass
	// its dying batch and then fail every retry.
	if len(evs) < 2 {
		return d.Target.ApplyBatch(ctx, evs)
	}
	d.calls++
	if d.calls < d.n {
		return d.Target.ApplyBatch(ctx, evs)
	}
	if d.calls > d.n {
		return errors.New("dead runner applied again")
	}
	if err := d.Target.ApplyBatch(ctx, evs[:len(evs)/2]); err != nil {
		return err
	}
	d.kill()
	close(d.died)
	return context.Canceled
}

func TestRunnerKilledMidBatchResumesWithoutLossOrDoubleApply(t *testing.T) {
	t.Parallel()
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			rm := fx.build(t, e.pool)
			ctx := context.Background()
			if _, err := projectionstest.Seed(ctx, e.store, 3, 16, 10); err != nil {
				t.Fatal(err)
			}
			locker := relaypg.NewLocker(e.pool, relaypg.LockerConfig{RetryInterval: 50 * time.Millisecond})
			rctx, kill := context.WithCancel(ctx)
			d := &dying{Target: rm.target, n: 3, kill: kill, died: make(chan struct{})}
			r, err := catchup.New(catchup.Config{Source: e.store, Target: d, Locker: locker, BatchSize: 10})
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- r.Run(rctx) }()
			select {
			case <-d.died:
			case <-time.After(60 * time.Second):
				t.Fatal("the runner never reached its third batch")
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			// A new process resumes from the stored checkpoint.
			start(t, catchup.Config{Source: e.store, Target: rm.target, Locker: locker, BatchSize: 10, PollInterval: 200 * time.Millisecond})
			evs := matching(t, e.store, rm.target.Filter())
			waitCaughtUp(t, rm.target, evs)
			same(t, rm, evs)
		})
	}
}

// counting counts the batches one runner applied.
type counting struct {
	catchup.Target
	n atomic.Int64
}

func (c *counting) ApplyBatch(ctx context.Context, evs []eventstore.RecordedEvent) error {
	c.n.Add(1)
	return c.Target.ApplyBatch(ctx, evs)
}

func TestTwoRunnersOneActive(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rm := fixtures[0].build(t, e.pool)
	ctx := context.Background()
	if _, err := projectionstest.Seed(ctx, e.store, 4, 10, 0); err != nil {
		t.Fatal(err)
	}
	// Each runner has its own locker, as two processes would.
	a, b := &counting{Target: rm.target}, &counting{Target: rm.target}
	cfg := func(tg catchup.Target) catchup.Config {
		return catchup.Config{Source: e.store, Target: tg, BatchSize: 8, PollInterval: 100 * time.Millisecond,
			Locker: relaypg.NewLocker(e.pool, relaypg.LockerConfig{RetryInterval: 50 * time.Millisecond})}
	}
	stopA := start(t, cfg(a))
	waitCaughtUp(t, rm.target, matching(t, e.store, rm.target.Filter()))
	stopB := start(t, cfg(b))
	if _, err := projectionstest.Seed(ctx, e.store, 5, 10, 0); err != nil {
		t.Fatal(err)
	}
	waitCaughtUp(t, rm.target, matching(t, e.store, rm.target.Filter()))
	if a.n.Load() == 0 || b.n.Load() != 0 {
		t.Fatalf("batches applied: first runner %d, second %d; want only the first", a.n.Load(), b.n.Load())
	}
	// The active one goes away: the stand-by takes over.
	stopA()
	if _, err := projectionstest.Seed(ctx, e.store, 6, 10, 0); err != nil {
		t.Fatal(err)
	}
	evs := matching(t, e.store, rm.target.Filter())
	waitCaughtUp(t, rm.target, evs)
	if b.n.Load() == 0 {
		t.Fatal("the stand-by runner never took over")
	}
	stopB()
	same(t, rm, evs)
}

func TestRunnerOnTheMemoryStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	es := memory.New()
	m := orders.NewMemory()
	p, _ := orders.NewProjector(m)
	if _, err := projectionstest.Seed(ctx, es, 7, 8, 4); err != nil {
		t.Fatal(err)
	}
	// A long poll interval: only the store's notification can wake it soon
	// enough for the deadline below.
	start(t, catchup.Config{Source: es, Target: p, Locker: relay.NewMemoryLocker(), BatchSize: 5, PollInterval: time.Minute})
	waitCaughtUp(t, p, matching(t, es, p.Filter()))
	if _, err := projectionstest.Seed(ctx, es, 8, 4, 0); err != nil {
		t.Fatal(err)
	}
	evs := matching(t, es, p.Filter())
	waitCaughtUp(t, p, evs)
	ref := orders.NewMemory()
	rp, _ := orders.NewProjector(ref)
	rm := readModel{target: p, reference: rp.Handle, view: func(ctx context.Context, evs []eventstore.RecordedEvent, isRef bool) (string, error) {
		var parts []any
		for _, id := range keys(evs, ordering.StreamPrefix) {
			src := m
			if isRef {
				src = ref
			}
			o, err := src.Get(ctx, id)
			if err != nil {
				return "", err
			}
			parts = append(parts, o)
		}
		return render(parts)
	}}
	same(t, rm, evs)
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	p, _ := orders.NewProjector(orders.NewMemory())
	es := memory.New()
	tests := []struct {
		name string
		cfg  catchup.Config
	}{
		{"no source", catchup.Config{Target: p, Locker: relay.NewMemoryLocker()}},
		{"no target", catchup.Config{Source: es, Locker: relay.NewMemoryLocker()}},
		{"no locker", catchup.Config{Source: es, Target: p}},
		{"negative batch", catchup.Config{Source: es, Target: p, Locker: relay.NewMemoryLocker(), BatchSize: -1}},
		{"huge batch", catchup.Config{Source: es, Target: p, Locker: relay.NewMemoryLocker(), BatchSize: 1_000_000}},
		{"negative poll", catchup.Config{Source: es, Target: p, Locker: relay.NewMemoryLocker(), PollInterval: -time.Second}},
		{"negative linger", catchup.Config{Source: es, Target: p, Locker: relay.NewMemoryLocker(), Linger: -time.Second}},
	}
	for _, tt := range tests {
		if _, err := catchup.New(tt.cfg); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
}

// TestRebuildWhileTheRunnerIsLive: a rebuild (shadow, catch-up, swap) runs
// while the runner feeds the live read model and events keep coming; the
// runner carries on over the swapped-in model from the checkpoint they
// share, and the admin status shows it caught up.
func TestRebuildWhileTheRunnerIsLive(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		fixture int
		target  func(t *testing.T, e env, rm readModel) rebuild.Projection
	}{
		{"orders on PostgreSQL", 0, func(t *testing.T, e env, _ readModel) rebuild.Projection {
			tg, err := orders.NewRebuildTarget(e.pool)
			if err != nil {
				t.Fatal(err)
			}
			return tg
		}},
		{"baskets on Redis", 2, func(t *testing.T, _ env, rm readModel) rebuild.Projection {
			return rm.rebuildTarget
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := newEnv(t)
			rm := fixtures[c.fixture].build(t, e.pool)
			if _, err := projectionstest.Seed(ctx, e.store, 9, 20, 20); err != nil {
				t.Fatal(err)
			}
			start(t, catchup.Config{Source: e.store, Target: rm.target, BatchSize: 7, PollInterval: 100 * time.Millisecond,
				Locker: relaypg.NewLocker(e.pool, relaypg.LockerConfig{})})
			waitCaughtUp(t, rm.target, matching(t, e.store, rm.target.Filter()))

			state, err := rebuild.NewPostgresState(ctx, e.pool)
			if err != nil {
				t.Fatal(err)
			}
			proj := c.target(t, e, rm)
			reg, _ := rebuild.NewRegistry(proj)
			rb, err := rebuild.NewRunner(rebuild.Config{Events: e.store, Registry: reg, State: state, BatchSize: 16, TailThreshold: 5})
			if err != nil {
				t.Fatal(err)
			}
			appended := make(chan error, 1)
			go func() {
				_, err := projectionstest.Seed(ctx, e.store, 10, 10, 10)
				appended <- err
			}()
			if _, err := rb.Rebuild(ctx, proj.Name(), rebuild.Options{}); err != nil {
				t.Fatal(err)
			}
			if err := <-appended; err != nil {
				t.Fatal(err)
			}
			evs := matching(t, e.store, rm.target.Filter())
			waitCaughtUp(t, rm.target, evs)
			same(t, rm, evs)
			st, err := rb.Status(ctx, proj.Name())
			if err != nil {
				t.Fatal(err)
			}
			if st.Checkpoint < evs[len(evs)-1].Position || st.LagEvents != 0 || st.State != rebuild.StateDone {
				t.Fatalf("status %+v; want caught up at %d after a done rebuild", st, evs[len(evs)-1].Position)
			}
		})
	}
}

// TestRewindPicksUpWhatTheBusLeftBehind: a bus-fed projector applied every
// event but one below its checkpoint (a relay batch is published in
// parallel lanes); a runner that rewinds applies it, one that does not
// never sees it.
func TestRewindPicksUpWhatTheBusLeftBehind(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	es := memory.New()
	if _, err := projectionstest.Seed(ctx, es, 11, 10, 0); err != nil {
		t.Fatal(err)
	}
	all := matching(t, es, eventstore.Filter{StreamPrefixes: []string{ordering.StreamPrefix}})
	// The last event of the first order's stream, with later events after it.
	last := map[string]int{}
	for i, ev := range all {
		last[ev.Stream] = i
	}
	missing := last[all[0].Stream]
	if missing == len(all)-1 {
		t.Fatal("the history has no event after the first order's last one")
	}
	tests := []struct {
		name       string
		rewind     uint64
		wantStatus bool
	}{
		{"no rewind", 0, false},
		{"rewind past it", 10_000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := orders.NewMemory()
			p, _ := orders.NewProjector(m)
			for i, ev := range all {
				if i != missing {
					if err := p.Handle(ctx, ev); err != nil {
						t.Fatal(err)
					}
				}
			}
			ref := orders.NewMemory()
			rp, _ := orders.NewProjector(ref)
			for _, ev := range all {
				if err := rp.Handle(ctx, ev); err != nil {
					t.Fatal(err)
				}
			}
			// A marker event after everything tells when the runner passed it.
			if _, err := projectionstest.Seed(ctx, es, 12, 1, 0); err != nil {
				t.Fatal(err)
			}
			after := matching(t, es, p.Filter())
			stop := start(t, catchup.Config{Source: es, Target: p, Locker: relay.NewMemoryLocker(), Rewind: tt.rewind, PollInterval: 50 * time.Millisecond})
			waitCaughtUp(t, p, after)
			stop()
			id := strings.TrimPrefix(all[missing].Stream, ordering.StreamPrefix)
			got, _ := m.Get(ctx, id)
			want, _ := ref.Get(ctx, id)
			if (got.Version == want.Version) != tt.wantStatus {
				t.Fatalf("order at version %d, fully applied at %d; want applied: %v", got.Version, want.Version, tt.wantStatus)
			}
		})
	}
}

// TestPoisonEventsAreSkipped: an order stream whose first event is not
// OrderPlaced can never apply, nor can the events after it; the runner
// isolates and skips them (as the bus dead-letters them) and every other
// order is projected.
func TestPoisonEventsAreSkipped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	es := memory.New()
	if _, err := projectionstest.Seed(ctx, es, 13, 6, 0); err != nil {
		t.Fatal(err)
	}
	bad := ordering.Stream(uuid.NewString())
	for range 3 {
		ev := eventstore.EventData{ID: uuid.NewString(), Type: ordering.EventOrderConfirmed, Data: json.RawMessage(`{}`)}
		if _, err := es.Append(ctx, bad, eventstore.Any(), ev); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := projectionstest.Seed(ctx, es, 14, 6, 0); err != nil {
		t.Fatal(err)
	}
	m := orders.NewMemory()
	p, _ := orders.NewProjector(m)
	var malformed atomic.Int64
	p.Malformed = func(eventstore.RecordedEvent, error) { malformed.Add(1) }
	start(t, catchup.Config{Source: es, Target: p, Locker: relay.NewMemoryLocker(), BatchSize: 4, MaxBackoff: 5 * time.Millisecond,
		SkipAfter: 2, Poison: func(err error) bool { return errors.Is(err, orders.ErrOutOfOrder) }})
	evs := matching(t, es, p.Filter())
	waitCaughtUp(t, p, evs)
	var good []eventstore.RecordedEvent
	for _, ev := range evs {
		if ev.Stream != bad {
			good = append(good, ev)
		}
	}
	ref := orders.NewMemory()
	rp, _ := orders.NewProjector(ref)
	same(t, readModel{target: p, reference: rp.Handle, view: func(ctx context.Context, evs []eventstore.RecordedEvent, isRef bool) (string, error) {
		var parts []any
		for _, id := range keys(evs, ordering.StreamPrefix) {
			src := m
			if isRef {
				src = ref
			}
			o, err := src.Get(ctx, id)
			if err != nil {
				return "", err
			}
			parts = append(parts, o)
		}
		return render(parts)
	}}, good)
	if _, err := m.Get(ctx, strings.TrimPrefix(bad, ordering.StreamPrefix)); !errors.Is(err, orders.ErrNotFound) {
		t.Fatalf("the poison stream made an order: %v", err)
	}
	if malformed.Load() == 0 {
		t.Fatal("the malformed first event was not reported")
	}
}
