package pgstock_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/catalogtest"
	"github.com/evshop/shop/catalog/kvcache"
	"github.com/evshop/shop/catalog/mongostore"
	"github.com/evshop/shop/catalog/pgstock"
	"github.com/evshop/shop/catalog/stockmoves"
	smpostgres "github.com/evshop/shop/catalog/stockmoves/postgres"
	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/platform/testenv"
)

// reads counts the product reads a Service asks of its store.
type reads struct{ gets, families atomic.Int64 }

func (r *reads) total() int64 { return r.gets.Load() + r.families.Load() }

func (r *reads) reset() { r.gets.Store(0); r.families.Store(0) }

// countedPG is the PostgreSQL-stock store counting product reads; its other
// interfaces (OrderStore, StockMover, StockOverlay) stay visible.
type countedPG struct {
	*pgstock.Store
	reads
}

func (c *countedPG) Get(ctx context.Context, sku domain.SKU) (domain.Product, error) {
	c.gets.Add(1)
	return c.Store.Get(ctx, sku)
}

func (c *countedPG) Family(ctx context.Context, id domain.SKU) ([]domain.Product, error) {
	c.families.Add(1)
	return c.Store.Family(ctx, id)
}

// countedMongo is the MongoDB-stock store (CATALOG_STOCK=mongo) counting
// product reads.
type countedMongo struct {
	*mongostore.Store
	reads
}

func (c *countedMongo) Get(ctx context.Context, sku domain.SKU) (domain.Product, error) {
	c.gets.Add(1)
	return c.Store.Get(ctx, sku)
}

func (c *countedMongo) Family(ctx context.Context, id domain.SKU) ([]domain.Product, error) {
	c.families.Add(1)
	return c.Store.Family(ctx, id)
}

// TestCachedProductsAcrossStockChanges: with the stock in PostgreSQL, a
// product read after a checkout's stock operations comes from the cache (no
// product read from the store) with the stock figures of that moment, and a
// detail write still makes the next read go to the store; with the stock in
// MongoDB every stock change still empties the cache. Rendered views carry
// stock figures, so they render afresh after any change on either store.
func TestCachedProductsAcrossStockChanges(t *testing.T) {
	t.Parallel()
	const sku = "CACHE-1" // 10 on hand
	reserve := func(t *testing.T, svc *catalog.Service, qty int) string {
		t.Helper()
		l, err := domain.NewLine(sku, qty)
		if err != nil {
			t.Fatal(err)
		}
		id := uuid.NewString()
		if r, err := svc.Reserve(context.Background(), id, []domain.Line{l}); err != nil || r.Status() != domain.StatusReserved {
			t.Fatalf("reserve: %v, %v", r.Status(), err)
		}
		return id
	}
	ops := []struct {
		name string
		op   func(t *testing.T, svc *catalog.Service)
		// onHand, reserved after op; name and archived flag read after it
		onHand, reserved int
		product          string
		archived         bool
		// detail: op changes the product document, so reads go to the store
		detail bool
	}{
		{"reserve", func(t *testing.T, svc *catalog.Service) { reserve(t, svc, 2) }, 10, 2, "Mug", false, false},
		{"reserve and commit", func(t *testing.T, svc *catalog.Service) {
			if _, err := svc.Commit(context.Background(), reserve(t, svc, 3)); err != nil {
				t.Fatal(err)
			}
		}, 7, 0, "Mug", false, false},
		{"reserve and release", func(t *testing.T, svc *catalog.Service) {
			id := reserve(t, svc, 4)
			if _, err := svc.Release(context.Background(), id); err != nil {
				t.Fatal(err)
			}
		}, 10, 0, "Mug", false, false},
		{"stock movement", func(t *testing.T, svc *catalog.Service) {
			if _, _, err := svc.MoveStock(context.Background(), catalog.Movement{SKU: sku, Delta: 5, Reason: stockmoves.ReasonReceived}); err != nil {
				t.Fatal(err)
			}
		}, 15, 0, "Mug", false, false},
		{"detail update", func(t *testing.T, svc *catalog.Service) {
			p, err := svc.Get(context.Background(), sku)
			if err != nil {
				t.Fatal(err)
			}
			d := p.Details()
			d.Name = "Big mug"
			if _, err := svc.Update(context.Background(), sku, d, 0); err != nil {
				t.Fatal(err)
			}
		}, 10, 0, "Big mug", false, true},
		{"archive", func(t *testing.T, svc *catalog.Service) {
			if _, err := svc.Archive(context.Background(), sku); err != nil {
				t.Fatal(err)
			}
		}, 10, 0, "Mug", true, true},
	}
	stores := []struct {
		name string
		open func(t *testing.T, pool *pgxpool.Pool) (catalog.Store, *reads)
		// stockEmpties: a stock change makes the next product read go to the store
		stockEmpties bool
	}{
		{"postgres stock", func(t *testing.T, pool *pgxpool.Pool) (catalog.Store, *reads) {
			s := &countedPG{Store: open(t, testenv.Mongo(t), pool)}
			return s, &s.reads
		}, false},
		{"mongo stock", func(t *testing.T, _ *pgxpool.Pool) (catalog.Store, *reads) {
			m, err := mongostore.New(context.Background(), testenv.Mongo(t))
			if err != nil {
				t.Fatal(err)
			}
			s := &countedMongo{Store: m}
			return s, &s.reads
		}, true},
	}
	for _, st := range stores {
		for _, c := range ops {
			t.Run(st.name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				// The movements in the stock's database, as wiring does.
				pool := testenv.Postgres(t)
				store, reads := st.open(t, pool)
				moves, err := smpostgres.New(ctx, pool)
				if err != nil {
					t.Fatal(err)
				}
				client, prefix := testenv.Redis(t)
				svc, err := catalog.New(catalog.Config{Store: store, Cache: kvcache.NewRedis(client, prefix), Moves: moves})
				if err != nil {
					t.Fatal(err)
				}
				if err := store.Insert(ctx, catalogtest.Product(t, sku, "Mug", "Kitchen", 900, 10, time.Now())); err != nil {
					t.Fatal(err)
				}
				renders := 0
				view := func() string {
					t.Helper()
					b, err := svc.View(ctx, "product:"+sku, func() ([]byte, error) {
						renders++
						p, err := svc.Get(ctx, sku)
						return []byte(strconv.Itoa(p.Available())), err
					})
					if err != nil {
						t.Fatal(err)
					}
					return string(b)
				}
				// Warm the cache: the product, its family, a rendered view.
				if _, err := svc.Lookup(ctx, sku); err != nil {
					t.Fatal(err)
				}
				if _, _, err := svc.Family(ctx, sku); err != nil {
					t.Fatal(err)
				}
				view()
				c.op(t, svc)
				reads.reset()
				renders = 0

				snap, err := svc.Lookup(ctx, sku)
				if err != nil {
					t.Fatal(err)
				}
				p, family, err := svc.Family(ctx, sku)
				if err != nil {
					t.Fatal(err)
				}
				if len(family) != 1 {
					t.Fatalf("family of %d, want 1", len(family))
				}
				wantAvail := c.onHand - c.reserved
				for what, got := range map[string]domain.Product{"Family's product": p, "family entry": family[0]} {
					if got.OnHand() != c.onHand || got.Reserved() != c.reserved || got.DisplayName() != c.product || got.IsArchived() != c.archived {
						t.Errorf("%s: %d on hand, %d reserved, %q, archived %v; want %d, %d, %q, %v", what,
							got.OnHand(), got.Reserved(), got.DisplayName(), got.IsArchived(), c.onHand, c.reserved, c.product, c.archived)
					}
				}
				if snap.Available != wantAvail || snap.Name != c.product || snap.Archived != c.archived {
					t.Errorf("Lookup: %d available, %q, archived %v; want %d, %q, %v", snap.Available, snap.Name, snap.Archived, wantAvail, c.product, c.archived)
				}
				if got := view(); got != strconv.Itoa(wantAvail) || renders != 1 {
					t.Errorf("view %q after %d renders, want %d after 1", got, renders, wantAvail)
				}
				wantReads := int64(0)
				if c.detail || st.stockEmpties {
					wantReads = 2 // the product (Lookup), its family (Family)
				}
				if got := reads.total(); got != wantReads {
					t.Errorf("%d product reads from the store (%d Get, %d Family), want %d", got, reads.gets.Load(), reads.families.Load(), wantReads)
				}
			})
		}
	}
}
