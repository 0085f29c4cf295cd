package catalogtest

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/stockmoves"
	domain "github.com/evshop/shop/domain/catalog"
)

// Reads counts the product reads (Get, Family) a Service asks of its
// store: a store under test embeds it and counts in its own Get and Family,
// so its other interfaces (OrderStore, StockMover, StockOverlay) stay
// visible to the Service.
type Reads struct{ Gets, Families atomic.Int64 }

// Total is the product reads counted.
func (r *Reads) Total() int64 { return r.Gets.Load() + r.Families.Load() }

// Reset sets the counts to 0.
func (r *Reads) Reset() { r.Gets.Store(0); r.Families.Store(0) }

// CachedStore is one store of CachedAcrossStockChanges.
type CachedStore struct {
	Name string
	// Open returns the Service's configuration as the shop wires it (an
	// empty store counting its product reads in the returned Reads, the
	// cache, the stock movements' log).
	Open func(t *testing.T) (catalog.Config, *Reads)
	// StockEmpties: the store is no catalog.StockOverlay, so a stock change
	// makes the next product read go to the store.
	StockEmpties bool
}

// CachedAcrossStockChanges: a product read after a checkout's stock
// operations (the basket's Lookup, Family) comes from the cache (no product
// read from the store), with the stock figures of that moment, when the
// store overlays its stock, and from the store otherwise; a detail write
// always makes the next read go to the store. Rendered views carry stock
// figures, so they render afresh after any change.
func CachedAcrossStockChanges(t *testing.T, stores []CachedStore) {
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
		// detail: op changes the product's details, so reads go to the store
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
	for _, st := range stores {
		for _, c := range ops {
			t.Run(st.Name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				cfg, reads := st.Open(t)
				svc, err := catalog.New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				if err := cfg.Store.Insert(ctx, Product(t, sku, "Mug", "Kitchen", 900, 10, time.Now())); err != nil {
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
				reads.Reset()
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
				if snap.Name != c.product || snap.Archived != c.archived {
					t.Errorf("Lookup: %q, archived %v; want %q, %v", snap.Name, snap.Archived, c.product, c.archived)
				}
				if got := view(); got != strconv.Itoa(wantAvail) || renders != 1 {
					t.Errorf("view %q after %d renders, want %d after 1", got, renders, wantAvail)
				}
				wantReads := int64(0)
				if c.detail || st.StockEmpties {
					wantReads = 2 // the product (Lookup), its family (Family)
				}
				if got := reads.Total(); got != wantReads {
					t.Errorf("%d product reads from the store (%d Get, %d Family), want %d", got, reads.Gets.Load(), reads.Families.Load(), wantReads)
				}
			})
		}
	}
}
