// Package stockmovestest is the contract suite of stockmoves.Log: every
// adapter (memory, SQLite, PostgreSQL) runs it.
package stockmovestest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/evshop/shop/catalog/stockmoves"
)

// NewLog returns an empty log private to the test.
type NewLog func(t *testing.T) stockmoves.Log

// Run runs the whole suite.
func Run(t *testing.T, newLog NewLog) {
	t.Run("RecordGet", func(t *testing.T) { t.Parallel(); testRecordGet(t, newLog(t)) })
	t.Run("IdempotentByRef", func(t *testing.T) { t.Parallel(); testIdempotent(t, newLog(t)) })
	t.Run("ListNewestFirstPaged", func(t *testing.T) { t.Parallel(); testList(t, newLog(t)) })
	t.Run("ConcurrentSameRef", func(t *testing.T) { t.Parallel(); testConcurrent(t, newLog(t)) })
	t.Run("RecordAll", func(t *testing.T) { t.Parallel(); testRecordAll(t, newLog(t)) })
}

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// Movement builds a normalized movement.
func Movement(t testing.TB, sku string, delta int, reason stockmoves.Reason, ref string, at time.Time) stockmoves.Movement {
	t.Helper()
	m, err := stockmoves.Normalize(stockmoves.Movement{SKU: sku, Delta: delta, Reason: reason, Ref: ref, Note: "note " + ref,
		Actor: "00000000-0000-4000-8000-000000000001"})
	if err != nil {
		t.Fatal(err)
	}
	m.At = at
	return m
}

func same(t *testing.T, got, want stockmoves.Movement) {
	t.Helper()
	if got.ID != want.ID || got.SKU != want.SKU || got.Delta != want.Delta || got.Quantity != want.Quantity || got.Reason != want.Reason ||
		got.Note != want.Note || got.Actor != want.Actor || got.Ref != want.Ref || !got.At.Equal(want.At) ||
		(got.OnHandAfter == nil) != (want.OnHandAfter == nil) || (got.OnHandAfter != nil && *got.OnHandAfter != *want.OnHandAfter) {
		t.Fatalf("movement\n got %+v\nwant %+v", got, want)
	}
}

func testRecordGet(t *testing.T, l stockmoves.Log) {
	ctx := context.Background()
	after := 12
	m := Movement(t, "SKU-1", 5, stockmoves.ReasonReceived, "r1", t0)
	m.OnHandAfter = &after
	got, created, err := l.Record(ctx, m)
	if err != nil || !created {
		t.Fatalf("record: %v created=%v", err, created)
	}
	same(t, got, m)
	got, found, err := l.Get(ctx, m.ID)
	if err != nil || !found {
		t.Fatalf("get: %v found=%v", err, found)
	}
	same(t, got, m)
	if _, found, err := l.Get(ctx, stockmoves.MovementID("SKU-1", "absent")); err != nil || found {
		t.Fatalf("get absent: %v found=%v", err, found)
	}
	// Delta 0 write-off records keep their quantity and no on-hand figure.
	w, err := stockmoves.Normalize(stockmoves.Movement{SKU: "SKU-1", Reason: stockmoves.ReasonWrittenOff, Quantity: 2, Ref: "return:1"})
	if err != nil {
		t.Fatal(err)
	}
	w.At = t0.Add(time.Second)
	if got, _, err := l.Record(ctx, w); err != nil || got.Quantity != 2 || got.Delta != 0 || got.Actor != "system" || got.OnHandAfter != nil {
		t.Fatalf("write-off record: %+v %v", got, err)
	}
}

// testRecordAll: RecordAll stores each movement whose id is new, in the
// order given, keeps the ones stored already as they were (an order's sales
// recorded again after a crash), and stores nothing for an empty list.
func testRecordAll(t *testing.T, l stockmoves.Log) {
	ctx := context.Background()
	if err := l.RecordAll(ctx, nil); err != nil {
		t.Fatalf("empty: %v", err)
	}
	first := Movement(t, "SKU-A1", -1, stockmoves.ReasonSold, "order:9", t0)
	if _, _, err := l.Record(ctx, first); err != nil {
		t.Fatal(err)
	}
	again := Movement(t, "SKU-A1", -5, stockmoves.ReasonSold, "order:9", t0.Add(time.Hour)) // same id
	a := Movement(t, "SKU-A2", -2, stockmoves.ReasonSold, "order:9", t0)
	b := Movement(t, "SKU-A2", -3, stockmoves.ReasonSold, "order:10", t0)
	tests := []struct {
		name string
		ms   []stockmoves.Movement
	}{
		{"new and stored", []stockmoves.Movement{again, a, b}},
		{"all stored: nothing changes", []stockmoves.Movement{b, a, again}},
	}
	for _, tt := range tests {
		if err := l.RecordAll(ctx, tt.ms); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		for _, want := range []stockmoves.Movement{first, a, b} {
			got, found, err := l.Get(ctx, want.ID)
			if err != nil || !found {
				t.Fatalf("%s: get %s: %v found=%v", tt.name, want.Ref, err, found)
			}
			same(t, got, want)
		}
		pg, err := l.List(ctx, "SKU-A2", 1, 10)
		if err != nil || pg.Total != 2 || pg.Items[0].ID != b.ID || pg.Items[1].ID != a.ID {
			t.Fatalf("%s: SKU-A2 newest first: %+v %v", tt.name, pg, err)
		}
		if pg, err := l.List(ctx, "SKU-A1", 1, 10); err != nil || pg.Total != 1 {
			t.Fatalf("%s: SKU-A1: %+v %v", tt.name, pg, err)
		}
	}
}

func testIdempotent(t *testing.T, l stockmoves.Log) {
	ctx := context.Background()
	first := Movement(t, "SKU-2", -3, stockmoves.ReasonDamaged, "order:1", t0)
	if _, created, err := l.Record(ctx, first); err != nil || !created {
		t.Fatalf("first: %v %v", err, created)
	}
	// The same ref again, even with other fields, keeps the first.
	again := Movement(t, "SKU-2", -7, stockmoves.ReasonLost, "order:1", t0.Add(time.Hour))
	if again.ID != first.ID {
		t.Fatal("same SKU and ref must give the same id")
	}
	got, created, err := l.Record(ctx, again)
	if err != nil || created {
		t.Fatalf("again: %v created=%v", err, created)
	}
	same(t, got, first)
	// The same ref on another SKU is another movement.
	other := Movement(t, "SKU-3", -3, stockmoves.ReasonDamaged, "order:1", t0)
	if _, created, err := l.Record(ctx, other); err != nil || !created {
		t.Fatalf("other sku: %v %v", err, created)
	}
	if pg, err := l.List(ctx, "SKU-2", 1, 10); err != nil || pg.Total != 1 || len(pg.Items) != 1 {
		t.Fatalf("list after duplicate: %+v %v", pg, err)
	}
}

func testList(t *testing.T, l stockmoves.Log) {
	ctx := context.Background()
	for i := range 7 {
		ref := fmt.Sprintf("m%d", i)
		// Equal times: the order of recording decides.
		if _, _, err := l.Record(ctx, Movement(t, "SKU-L", i+1, stockmoves.ReasonReceived, ref, t0)); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := l.Record(ctx, Movement(t, "SKU-OTHER", 1, stockmoves.ReasonReceived, "x", t0)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		page, size int
		want       []string
	}{
		{1, 3, []string{"m6", "m5", "m4"}},
		{2, 3, []string{"m3", "m2", "m1"}},
		{3, 3, []string{"m0"}},
		{4, 3, nil},
		{1, 0, []string{"m6", "m5", "m4", "m3", "m2", "m1", "m0"}}, // default size
	} {
		pg, err := l.List(ctx, "SKU-L", c.page, c.size)
		if err != nil {
			t.Fatal(err)
		}
		if pg.Total != 7 || pg.Page != c.page || pg.Items == nil || len(pg.Items) != len(c.want) {
			t.Fatalf("page %d/%d: total %d, %d items", c.page, c.size, pg.Total, len(pg.Items))
		}
		for i, ref := range c.want {
			if pg.Items[i].Ref != ref {
				t.Fatalf("page %d/%d item %d: ref %s, want %s", c.page, c.size, i, pg.Items[i].Ref, ref)
			}
		}
	}
	if pg, err := l.List(ctx, "SKU-NONE", 1, 5); err != nil || pg.Total != 0 || pg.Items == nil || len(pg.Items) != 0 {
		t.Fatalf("empty: %+v %v", pg, err)
	}
	if pg, err := l.List(ctx, "SKU-L", 1, 1000); err != nil || pg.PageSize != stockmoves.MaxPageSize {
		t.Fatalf("page size not capped: %+v %v", pg.PageSize, err)
	}
}

func testConcurrent(t *testing.T, l stockmoves.Log) {
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, c, err := l.Record(ctx, Movement(t, "SKU-C", i+1, stockmoves.ReasonReceived, "same", t0))
			if err != nil {
				t.Error(err)
				return
			}
			if c {
				mu.Lock()
				created++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if pg, err := l.List(ctx, "SKU-C", 1, 10); err != nil || created != 1 || pg.Total != 1 {
		t.Fatalf("concurrent same ref: created %d, total %d, %v", created, pg.Total, err)
	}
}
