package payments_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/eventstore/postgres"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/payments"
	"github.com/evshop/shop/projections/projectionstest"
	"github.com/evshop/shop/projections/rebuild"
	"github.com/evshop/shop/projections/rebuild/rebuildtest"
)

// The ledger rebuilt from history on PostgreSQL equals the live one, which
// the projector booked event by event, row by row; the swap leaves the
// live index names and no shadow, and the live store keeps booking.
func TestPostgresRebuildEqualsLiveRowByRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testenv.Postgres(t)
	es, err := postgres.New(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if err := payments.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	live, err := payments.NewPostgres(pool)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := projectionstest.Seed(ctx, es, 31, 60, 5)
	if err != nil {
		t.Fatal(err)
	}
	lp, _ := payments.NewProjector(live)
	rebuildtest.Settle(t, ctx, pool, es)
	cp := rebuildtest.Project(t, ctx, es, 0, lp.Filter(), lp.Handle)

	target, err := payments.NewRebuildTarget(pool)
	if err != nil {
		t.Fatal(err)
	}
	state, err := rebuild.NewPostgresState(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	reg, _ := rebuild.NewRegistry(target)
	runner, err := rebuild.NewRunner(rebuild.Config{Events: es, Registry: reg, State: state, BatchSize: 41})
	if err != nil {
		t.Fatal(err)
	}
	dump := func() []string {
		return rebuildtest.Rows(t, ctx, pool,
			`SELECT row_to_json(t)::text FROM payments t ORDER BY payment_id`,
			`SELECT row_to_json(t)::text FROM payment_ledger t ORDER BY payment_id, revision`)
	}
	rebuildtest.RebuildEqualsLive(t, ctx, runner, payments.RebuildName, dump, live.Checkpoint)

	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_indexes WHERE indexname IN ('payments_pkey','payments_order_idx','payment_ledger_pkey')`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("live index names: %d (%v)", n, err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE tablename LIKE '%_rebuild'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("shadow tables left: %d (%v)", n, err)
	}
	more, err := projectionstest.Seed(ctx, es, 32, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	rebuildtest.Settle(t, ctx, pool, es)
	rebuildtest.Project(t, ctx, es, cp, lp.Filter(), lp.Handle)
	for _, id := range []string{ids[0], more[0]} {
		if got, err := live.ByOrder(ctx, id); err != nil || len(got) == 0 || len(got[0].Ledger) == 0 {
			t.Fatalf("ByOrder(%s) after swap: %+v %v", id, got, err)
		}
	}
}

// The embedded ledger is swapped for one rebuilt in memory, equal to it.
func TestSwappableRebuildEqualsLive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	es := memory.New()
	ids, err := projectionstest.Seed(ctx, es, 33, 40, 0)
	if err != nil {
		t.Fatal(err)
	}
	sw := payments.NewSwappable()
	p, _ := payments.NewProjector(sw)
	rebuildtest.Project(t, ctx, es, 0, p.Filter(), p.Handle)
	target, err := sw.RebuildTarget()
	if err != nil {
		t.Fatal(err)
	}
	reg, _ := rebuild.NewRegistry(target)
	runner, _ := rebuild.NewRunner(rebuild.Config{Events: es, Registry: reg, State: rebuild.NewMemoryState(), BatchSize: 13})
	dump := func() []string {
		var out []string
		for _, id := range ids {
			got, err := sw.ByOrder(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%+v", got))
		}
		return out
	}
	rebuildtest.RebuildEqualsLive(t, ctx, runner, payments.RebuildName, dump, sw.Checkpoint)
}

// The store a rebuild can swap passes the same contract as the others.
func TestSwappable(t *testing.T) {
	t.Parallel()
	runContract(t, func(t *testing.T) payments.Store { return payments.NewSwappable() })
}
