package sqlitestore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/platform/sqlite"
	"github.com/evshop/shop/platform/sqlite/sqlitedriver"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/orders"
	"github.com/evshop/shop/projections/orders/sqlitestore"
	"github.com/evshop/shop/projections/projectionstest"
	"github.com/evshop/shop/projections/rebuild"
)

func migrated(t testing.TB, db *sqlite.DB) *sqlitestore.Store {
	t.Helper()
	if err := sqlitestore.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	s, err := sqlitestore.New(db, "")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// project feeds every ordering event after `after` to s in batches of
// batch, as the catch-up runner does, and returns the last position seen.
func project(t testing.TB, ctx context.Context, es eventstore.Store, s orders.Store, after uint64, batch int) uint64 {
	t.Helper()
	p, err := orders.NewProjector(s)
	if err != nil {
		t.Fatal(err)
	}
	var evs []eventstore.RecordedEvent
	flush := func() {
		if err := p.ApplyBatch(ctx, evs); err != nil {
			t.Fatal(err)
		}
		evs = evs[:0]
	}
	for ev, err := range es.ReadAll(ctx, after, p.Filter()) {
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, ev)
		after = ev.Position
		if len(evs) == batch {
			flush()
		}
	}
	flush()
	return after
}

// dump returns every row of the live read model as text, in a stable order.
func dump(t testing.TB, db *sqlite.DB) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT * FROM orders_orders ORDER BY order_id`,
		`SELECT * FROM orders_lines ORDER BY order_id, line_no`,
		`SELECT * FROM orders_history ORDER BY order_id, revision`,
	} {
		rows, err := db.Read.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(vals...))
		}
		rows.Close()
	}
	return out
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

func names(t testing.TB, db *sqlite.DB, kind string) []string {
	t.Helper()
	rows, err := db.Read.Query(`SELECT name FROM sqlite_master WHERE type = ? AND name LIKE 'orders_%' ORDER BY name`, kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		rows.Scan(&n) //nolint:errcheck
		out = append(out, n)
	}
	return out
}

// A restart reopens the file and goes on from the stored checkpoint: the
// result equals one uninterrupted projection, and nothing before the
// checkpoint is read again.
func TestRestartResumesFromTheCheckpoint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	es := memory.New()
	if _, err := projectionstest.Seed(ctx, es, 5, 60, 0); err != nil {
		t.Fatal(err)
	}
	head, _ := es.HeadPosition(ctx)
	ref := testenv.SQLite(t)
	project(t, ctx, es, migrated(t, ref), 0, 1000)

	path := filepath.Join(t.TempDir(), "shop.db")
	tests := []struct {
		name  string
		stops []uint64 // positions after which the process "stops"
	}{
		{"one stop", []uint64{head / 2}},
		{"several stops, one before any order", []uint64{1, head / 3, head / 3, 2 * head / 3}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := fmt.Sprintf("%s.%d", path, i)
			at := uint64(0)
			for _, stop := range append(tt.stops, head) {
				db, err := sqlitedriver.Open(ctx, file)
				if err != nil {
					t.Fatal(err)
				}
				s := migrated(t, db)
				cp, err := s.Checkpoint(ctx)
				if err != nil || cp != at {
					t.Fatalf("checkpoint after reopening: %d %v, want %d", cp, err, at)
				}
				var evs []eventstore.RecordedEvent
				for ev, err := range es.ReadAll(ctx, cp, eventstore.Filter{}) {
					if err != nil {
						t.Fatal(err)
					}
					if ev.Position > stop {
						break
					}
					evs = append(evs, ev)
				}
				p, _ := orders.NewProjector(s)
				if err := p.ApplyBatch(ctx, evs); err != nil {
					t.Fatal(err)
				}
				if at, err = s.Checkpoint(ctx); err != nil {
					t.Fatal(err)
				}
				db.Close()
			}
			db, err := sqlitedriver.Open(ctx, file)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			diff(t, dump(t, ref), dump(t, db))
		})
	}
}

func newRunner(t testing.TB, es eventstore.Store, target rebuild.Projection, batch int) *rebuild.Runner {
	t.Helper()
	reg, err := rebuild.NewRegistry(target)
	if err != nil {
		t.Fatal(err)
	}
	r, err := rebuild.NewRunner(rebuild.Config{Events: es, Registry: reg, State: rebuild.NewMemoryState(), BatchSize: batch})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Blue/green rebuild on the embedded database: twice in a row (the second
// from swapped tables), with the index names back and no shadow left, and
// the live store working on the swapped tables.
func TestRebuildEqualsLiveAndSwapsBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	es := memory.New()
	if _, err := projectionstest.Seed(ctx, es, 1, 150, 20); err != nil {
		t.Fatal(err)
	}
	db := testenv.SQLite(t)
	live := migrated(t, db)
	cpBefore := project(t, ctx, es, live, 0, 1)
	before := dump(t, db)
	indexes, tables := names(t, db, "index"), names(t, db, "table")
	target, err := sqlitestore.NewRebuildTarget(db)
	if err != nil {
		t.Fatal(err)
	}
	runner := newRunner(t, es, target, 97) // an odd size splits orders across batches
	for round := range 2 {
		prog, err := runner.Rebuild(ctx, orders.RebuildName, rebuild.Options{})
		if err != nil || prog.State != rebuild.StateDone || prog.Applied == 0 {
			t.Fatalf("round %d: %+v %v", round, prog, err)
		}
		diff(t, before, dump(t, db))
		if cp, _ := live.Checkpoint(ctx); cp != cpBefore {
			t.Fatalf("checkpoint %d, want %d", cp, cpBefore)
		}
		if got := names(t, db, "index"); !slices.Equal(got, indexes) {
			t.Fatalf("indexes after the swap %v, want %v", got, indexes)
		}
		if got := names(t, db, "table"); !slices.Equal(got, tables) {
			t.Fatalf("tables after the swap %v, want %v", got, tables)
		}
	}
	ids, err := projectionstest.Seed(ctx, es, 2, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	project(t, ctx, es, live, cpBefore, 10)
	if o, err := live.Get(ctx, ids[0]); err != nil || o.OrderID != ids[0] {
		t.Fatalf("live get after swap: %+v %v", o, err)
	}
}

// While orders are placed and the live projector writes, a rebuild swaps
// without losing or doubling anything (the swap holds the write lock that
// the live projector waits for); an interrupted one resumes.
func TestRebuildDuringTrafficAndAfterInterrupt(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	es := memory.New()
	if _, err := projectionstest.Seed(ctx, es, 3, 100, 0); err != nil {
		t.Fatal(err)
	}
	db := testenv.SQLite(t)
	live := migrated(t, db)
	pos := project(t, ctx, es, live, 0, 50)
	target, err := sqlitestore.NewRebuildTarget(db)
	if err != nil {
		t.Fatal(err)
	}
	runner := newRunner(t, es, target, 50)

	// Interrupted after three batches: live untouched, shadow kept.
	before := dump(t, db)
	cctx, stopEarly := context.WithCancel(ctx)
	batches := 0
	if _, err := runner.Rebuild(cctx, orders.RebuildName, rebuild.Options{Progress: func(rebuild.Progress) {
		if batches++; batches == 3 {
			stopEarly()
		}
	}}); err == nil {
		t.Fatal("interrupted rebuild reported success")
	}
	at, err := target.ShadowCheckpoint(ctx)
	if err != nil || at == 0 {
		t.Fatalf("shadow checkpoint after interrupt: %d %v", at, err)
	}
	diff(t, before, dump(t, db))

	var wg sync.WaitGroup
	stop := make(chan struct{})
	var liveErr atomic.Value
	wg.Go(func() { // traffic, bounded: the memory event store's appends
		// do not wait for the swap as the embedded one's do, and an endless
		// stream could outrun the catch-up under the race detector.
		for i := range uint64(60) {
			if _, err := projectionstest.Seed(ctx, es, 100+i, 2, 1); err != nil {
				liveErr.Store(err)
				return
			}
			time.Sleep(time.Millisecond)
		}
	})
	wg.Go(func() { // live projector
		p, _ := orders.NewProjector(live)
		from := pos
		for {
			var evs []eventstore.RecordedEvent
			for ev, err := range es.ReadAll(ctx, from, p.Filter()) {
				if err != nil {
					liveErr.Store(err)
					return
				}
				evs = append(evs, ev)
			}
			if err := p.ApplyBatch(ctx, evs); err != nil {
				liveErr.Store(err)
				return
			}
			if len(evs) > 0 {
				from = evs[len(evs)-1].Position
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	})
	prog, err := runner.Rebuild(ctx, orders.RebuildName, rebuild.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if prog.From != at {
		t.Fatalf("resumed from %d, want %d", prog.From, at)
	}
	time.Sleep(50 * time.Millisecond) // some traffic after the swap too
	close(stop)
	wg.Wait()
	if err, ok := liveErr.Load().(error); ok {
		t.Fatalf("live side: %v", err)
	}
	cp, err := live.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	project(t, ctx, es, live, cp, 100) // drain from the live checkpoint

	ref := testenv.SQLite(t)
	project(t, ctx, es, migrated(t, ref), 0, 1000)
	diff(t, dump(t, ref), dump(t, db))
}
