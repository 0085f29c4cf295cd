package returns_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/commands/esrepo"
	"github.com/evshop/shop/domain/ordering"
	domain "github.com/evshop/shop/domain/returns"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/projectionstest"
	"github.com/evshop/shop/projections/rebuild"
	"github.com/evshop/shop/projections/returns"
	"github.com/evshop/shop/projections/returns/sqlitestore"
)

func oid(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

// history records, through the aggregate, the returns of n delivered orders
// (each a different path: refunded, rejected, approved, requested) in the
// event store, and returns its stored events in global order.
func history(t *testing.T, n int) []eventstore.RecordedEvent {
	t.Helper()
	ctx := context.Background()
	store := memory.New()
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	var streams [][]eventstore.EventData
	for i := range n {
		var f domain.OrderFacts
		f.Apply(ordering.OrderPlaced{OrderID: oid(i), CustomerID: "c",
			Lines: []ordering.LineDTO{{SKU: "MUG", Name: "Mug", Quantity: 3}}}, at)
		f.Total, f.Currency, f.PaymentID = 3000, "EUR", "p"
		f.Lines[0].Gross = 3000
		f.Apply(ordering.OrderDelivered{OrderID: oid(i)}, at)
		a := domain.Blank(oid(i))
		now := at.Add(time.Duration(i) * time.Minute)
		id, err := a.Request(f, domain.RequestInput{CustomerID: "c", Key: "k", Lines: []domain.LineDTO{{SKU: "MUG", Quantity: 1}}, Reason: "damaged"}, time.Hour, now)
		if err != nil {
			t.Fatal(err)
		}
		switch i % 4 {
		case 0:
			_ = a.Approve(id, "s", now)
			if err := a.Receive(id, f, []domain.ReceivedLine{{SKU: "MUG", Restock: 1}}, domain.ReceiveOptions{}, "s", now); err != nil {
				t.Fatal(err)
			}
			_ = a.MarkRefunded(id, domain.RefundID(id), 1000, "EUR")
			_, _ = a.Request(f, domain.RequestInput{CustomerID: "c", Key: "k2", Lines: []domain.LineDTO{{SKU: "MUG", Quantity: 2}}, Reason: "other", Note: "n"}, time.Hour, now.Add(time.Second))
		case 1:
			_ = a.Reject(id, "worn", "s", now)
		case 2:
			_ = a.Approve(id, "s", now)
		}
		data, err := esrepo.EncodeAll(a.Changes(), eventstore.Metadata{})
		if err != nil {
			t.Fatal(err)
		}
		streams = append(streams, data)
	}
	// Round-robin, one event per append: the orders' events interleave in $all.
	for j := 0; ; j++ {
		done := true
		for i, data := range streams {
			if j < len(data) {
				done = false
				if _, err := store.Append(ctx, domain.Stream(oid(i)), eventstore.AfterVersion(uint64(j)), data[j]); err != nil {
					t.Fatal(err)
				}
			}
		}
		if done {
			break
		}
	}
	var out []eventstore.RecordedEvent
	for ev, err := range store.ReadAll(ctx, 0, returns.Filter()) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
	return out
}

func apply(t *testing.T, s returns.Store, batches ...[]eventstore.RecordedEvent) {
	t.Helper()
	p, err := returns.NewProjector(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range batches {
		if err := p.ApplyBatch(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
}

func runContract(t *testing.T, newStore func(t *testing.T) returns.Store) {
	ctx := context.Background()
	evs := history(t, 8)
	if len(evs) < 20 {
		t.Fatalf("history of %d events", len(evs))
	}
	// The reference: one event at a time through Handle.
	ref := returns.NewMemory()
	p, _ := returns.NewProjector(ref)
	for _, ev := range evs {
		if err := p.Handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	want, _ := ref.List(ctx, "")
	if len(want) != 10 {
		t.Fatalf("reference holds %d returns", len(want))
	}
	half := len(evs) / 2
	overlapping := [][]eventstore.RecordedEvent{evs[:half+3], evs[half-2:]}
	for _, b := range projectionstest.Batchings(evs, overlapping...) {
		t.Run(b.Name, func(t *testing.T) {
			s := newStore(t)
			apply(t, s, b.Batches...)
			got, err := s.List(ctx, "")
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("list: %v\n got %+v\nwant %+v", err, got, want)
			}
			if cp, err := s.Checkpoint(ctx); err != nil || cp != evs[len(evs)-1].Position {
				t.Fatalf("checkpoint %d %v, want %d", cp, err, evs[len(evs)-1].Position)
			}
		})
	}
	t.Run("by status", func(t *testing.T) {
		s := newStore(t)
		apply(t, s, evs)
		for status, n := range map[domain.Status]int{domain.StatusRefunded: 2, domain.StatusRequested: 4, domain.StatusRejected: 2, domain.StatusApproved: 2, domain.StatusReceived: 0} {
			got, err := s.List(ctx, status)
			if err != nil || len(got) != n {
				t.Fatalf("%s: %d returns %v, want %d", status, len(got), err, n)
			}
			for _, r := range got {
				if r.Status != status {
					t.Fatalf("%s list holds %+v", status, r)
				}
			}
		}
	})
	t.Run("a gap in a stream is refused and nothing of the batch is kept", func(t *testing.T) {
		s := newStore(t)
		var first, third eventstore.RecordedEvent
		for _, ev := range evs {
			if ev.Stream == domain.Stream(oid(0)) && ev.Revision == 0 {
				first = ev
			}
			if ev.Stream == domain.Stream(oid(0)) && ev.Revision == 2 {
				third = ev
			}
		}
		p, _ := returns.NewProjector(s)
		if err := p.ApplyBatch(ctx, []eventstore.RecordedEvent{first, third}); !errors.Is(err, returns.ErrOutOfOrder) {
			t.Fatalf("err = %v", err)
		}
		if got, _ := s.List(ctx, ""); len(got) != 0 {
			t.Fatalf("kept %+v", got)
		}
	})
}

func TestMemory(t *testing.T) {
	t.Parallel()
	runContract(t, func(*testing.T) returns.Store { return returns.NewMemory() })
}

func TestSwappable(t *testing.T) {
	t.Parallel()
	runContract(t, func(*testing.T) returns.Store { return returns.NewSwappable() })
}

func TestSQLite(t *testing.T) {
	t.Parallel()
	runContract(t, func(t *testing.T) returns.Store {
		db := testenv.SQLite(t)
		if err := sqlitestore.Migrate(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		s, err := sqlitestore.New(db)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// smallPool is a pool of at most 2 connections on a fresh database:
// PostgreSQL's 100 connections are shared by every package's tests.
func smallPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(testenv.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 2
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := returns.Migrate(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
	return pool
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	runContract(t, func(t *testing.T) returns.Store {
		s, err := returns.NewPostgres(smallPool(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// Rebuilding from history gives the live model back, in memory, on SQLite
// and on PostgreSQL.
func TestRebuildEqualsLive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	evs := history(t, 8)
	rebuilt := func(t *testing.T, live returns.Store, target rebuild.Projection) {
		t.Helper()
		apply(t, live, evs)
		want, _ := live.List(ctx, "")
		if err := target.CreateShadow(ctx); err != nil {
			t.Fatal(err)
		}
		if err := target.ApplyShadow(ctx, evs); err != nil {
			t.Fatal(err)
		}
		if err := target.Swap(ctx, func(context.Context) error { return nil }); err != nil {
			t.Fatal(err)
		}
		got, err := live.List(ctx, "")
		if err != nil || !reflect.DeepEqual(got, want) || len(got) != 10 {
			t.Fatalf("after the rebuild: %v\n got %+v\nwant %+v", err, got, want)
		}
	}
	t.Run("memory", func(t *testing.T) {
		s := returns.NewSwappable()
		target, err := s.RebuildTarget()
		if err != nil {
			t.Fatal(err)
		}
		rebuilt(t, s, target)
	})
	t.Run("sqlite", func(t *testing.T) {
		db := testenv.SQLite(t)
		if err := sqlitestore.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		live, _ := sqlitestore.New(db)
		target, err := sqlitestore.NewRebuildTarget(db)
		if err != nil {
			t.Fatal(err)
		}
		rebuilt(t, live, target)
	})
	t.Run("postgres", func(t *testing.T) {
		pool := smallPool(t)
		live, _ := returns.NewPostgres(pool)
		target, err := returns.NewRebuildTarget(pool)
		if err != nil {
			t.Fatal(err)
		}
		rebuilt(t, live, target)
	})
}
