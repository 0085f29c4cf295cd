package basket

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	basketcmd "github.com/evshop/shop/commands/basket"
	ordercmd "github.com/evshop/shop/commands/ordering"
	domain "github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/eventstore/postgres"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/baskets"
)

// BenchmarkBasketRead measures the ways GET /api/basket could serve a
// customer's basket in server mode (PostgreSQL event store, Redis read
// model), for a fresh basket (3 events) and a regular customer's (60
// events: ~20 past orders, since a customer keeps one basket stream):
//
//	read-model        Redis only: what GET did before; stale after a write
//	read-model+tail   Redis, then the stream's events past the view's
//	                  version (one indexed query, usually no row): what GET does
//	stream-fold       load and fold the whole stream (the command side's Load)
//
// The third way a read could reflect a write, waiting for the projector,
// costs the projector's lag (it is what the read model misses), so it is
// not a function of these figures. Timings are reported, never asserted.
//
//	TEST_POSTGRES_URL=… TEST_REDIS_URL=… go test -run XXX -bench BasketRead ./api/basket/
func BenchmarkBasketRead(b *testing.B) {
	ctx := context.Background()
	store, err := postgres.New(ctx, testenv.Postgres(b))
	if err != nil {
		b.Fatal(err)
	}
	rdb, prefix := testenv.Redis(b)
	view, err := baskets.NewRedis(rdb, prefix)
	if err != nil {
		b.Fatal(err)
	}
	projector, _ := baskets.NewProjector(view)
	orders, _ := ordercmd.NewHandlers(ordercmd.Config{Store: store})
	price, _ := money.New(1000, "EUR")
	products := basketcmd.ProductLookupFunc(func(_ context.Context, sku string) (basketcmd.Product, error) {
		return basketcmd.Product{SKU: sku, Name: sku, Category: "misc", Price: price}, nil
	})
	cmds, err := basketcmd.NewHandlers(basketcmd.Config{Store: store, Products: products, Orders: orders})
	if err != nil {
		b.Fatal(err)
	}
	api, err := New(Deps{Commands: cmds, Reader: view, Events: store, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	for _, events := range []int{3, 60} {
		id, err := domain.GuestBasket(uuid.NewString())
		if err != nil {
			b.Fatal(err)
		}
		for i := range events {
			if _, err := cmds.AddItem(ctx, basketcmd.AddItem{BasketID: id, SKU: fmt.Sprintf("SKU-%d", i%20), Quantity: 1 + i%5}); err != nil {
				b.Fatal(err)
			}
		}
		// ReadAll stops below a position another writer of the shared
		// database has not committed yet: catch up until the view is there.
		for try := 0; ; try++ {
			cp, _ := view.Checkpoint(ctx)
			for ev, err := range store.ReadAll(ctx, cp, projector.Filter()) {
				if err != nil {
					b.Fatal(err)
				}
				if err := projector.Handle(ctx, ev); err != nil {
					b.Fatal(err)
				}
			}
			if v, err := view.Get(ctx, id.String()); err == nil && v.Version == uint64(events) {
				break
			}
			if try == 100 {
				b.Fatal("the read model did not catch up")
			}
			time.Sleep(50 * time.Millisecond)
		}
		ways := []struct {
			name string
			read func() (uint64, error)
		}{
			{"read-model", func() (uint64, error) { v, err := view.Get(ctx, id.String()); return v.Version, err }},
			{"read-model+tail", func() (uint64, error) { v, err := api.current(ctx, id); return v.Version, err }},
			{"stream-fold", func() (uint64, error) { s, err := cmds.Get(ctx, id); return s.Version, err }},
		}
		for _, w := range ways {
			b.Run(fmt.Sprintf("events=%d/%s", events, w.name), func(b *testing.B) {
				for b.Loop() {
					v, err := w.read()
					if err != nil || v != uint64(events) {
						b.Fatalf("version %d, %v; want %d", v, err, events)
					}
				}
			})
		}
	}
}
