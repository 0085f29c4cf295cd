// Package rebuildtest holds the checks every rebuildable read model runs:
// its blue/green rebuild equals its live model row by row.
package rebuildtest

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/projections/rebuild"
)

// Project feeds every event after `after` matching filter to handle, one
// at a time in global order as the bus delivers them to a live projector,
// and returns the last position it saw.
func Project(tb testing.TB, ctx context.Context, es rebuild.Reader, after uint64, filter eventstore.Filter,
	handle func(context.Context, eventstore.RecordedEvent) error) uint64 {
	tb.Helper()
	for ev, err := range es.ReadAll(ctx, after, filter) {
		if err != nil {
			tb.Fatal(err)
		}
		if err := handle(ctx, ev); err != nil {
			tb.Fatalf("project %s/%d: %v", ev.Stream, ev.Revision, err)
		}
		after = ev.Position
	}
	return after
}

// Settle waits until the PostgreSQL event store's $all (es, on pool) shows
// every committed event: $all trails the oldest transaction of the
// cluster, which other tests share, and a live projection that stopped
// short would differ from a later rebuild for that reason alone.
func Settle(tb testing.TB, ctx context.Context, pool *pgxpool.Pool, es rebuild.Reader) {
	tb.Helper()
	var newest uint64
	if err := pool.QueryRow(ctx, `SELECT coalesce(max(position), 0) FROM events`).Scan(&newest); err != nil {
		tb.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); ; {
		head, err := es.HeadPosition(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		if head >= newest {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("$all stayed at %d below the newest event %d", head, newest)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// RebuildEqualsLive is the check every rebuildable read model passes: the
// live model was projected event by event; runner rebuilds it twice (the
// second time from what the first swapped in), and after each rebuild the
// model, as dump lists it row by row, and its checkpoint equal what they
// were before. dump must list every row in a stable order.
func RebuildEqualsLive(t *testing.T, ctx context.Context, runner *rebuild.Runner, name string,
	dump func() []string, checkpoint func(context.Context) (uint64, error)) {
	t.Helper()
	before := dump()
	cpBefore, err := checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) == 0 || cpBefore == 0 {
		t.Fatalf("%s: nothing projected (%d rows, checkpoint %d): the check proves nothing", name, len(before), cpBefore)
	}
	for round := range 2 {
		prog, err := runner.Rebuild(ctx, name, rebuild.Options{})
		if err != nil {
			t.Fatalf("%s round %d: %v", name, round, err)
		}
		if prog.State != rebuild.StateDone || prog.Applied == 0 {
			t.Fatalf("%s round %d: progress %+v", name, round, prog)
		}
		after := dump()
		if len(after) != len(before) {
			t.Fatalf("%s round %d: %d rows, want %d", name, round, len(after), len(before))
		}
		for i := range before {
			if before[i] != after[i] {
				t.Fatalf("%s round %d: row %d differs:\nlive    %s\nrebuilt %s", name, round, i, before[i], after[i])
			}
		}
		if cp, err := checkpoint(ctx); err != nil || cp != cpBefore {
			t.Fatalf("%s round %d: checkpoint %d (%v), want %d", name, round, cp, err, cpBefore)
		}
	}
}

// Rows runs each query (one text column per row, e.g. row_to_json) on pool
// and returns every row in order: a PostgreSQL read model's dump for
// RebuildEqualsLive.
func Rows(tb testing.TB, ctx context.Context, pool *pgxpool.Pool, queries ...string) []string {
	tb.Helper()
	var out []string
	for _, q := range queries {
		rows, err := pool.Query(ctx, q)
		if err != nil {
			tb.Fatal(err)
		}
		s, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, s...)
	}
	return out
}
