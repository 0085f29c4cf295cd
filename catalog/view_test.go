package catalog_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/kvcache"
	"github.com/evshop/shop/catalog/memory"
)

// TestViewKeepsRenderedBodiesPerGeneration: a kept view is served without
// rendering until a write (here a stock adjustment) starts a new generation;
// render errors are never kept; without a cache every call renders.
func TestViewKeepsRenderedBodiesPerGeneration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name  string
		cache catalog.Cache
		// renders after: first view, second view, a write, third view
		want []int
	}{
		{"with a cache", kvcache.NewMemory(0), []int{1, 1, 2}},
		{"without a cache", nil, []int{1, 2, 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			svc, err := catalog.New(catalog.Config{Store: memory.New(), Cache: c.cache})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.SeedDemo(ctx); err != nil {
				t.Fatal(err)
			}
			renders := 0
			render := func() ([]byte, error) {
				renders++
				p, err := svc.Get(ctx, "KIT-001")
				return []byte(strconv.Itoa(p.OnHand())), err
			}
			view := func() string {
				t.Helper()
				b, err := svc.View(ctx, "product:KIT-001", render)
				if err != nil {
					t.Fatal(err)
				}
				return string(b)
			}
			first := view()
			if second := view(); second != first || renders != c.want[1] {
				t.Fatalf("second view %q after %d renders, want %q after %d", second, renders, first, c.want[1])
			}
			if _, err := svc.AdjustStock(ctx, "KIT-001", 5); err != nil {
				t.Fatal(err)
			}
			n, _ := strconv.Atoi(first)
			if third := view(); third != strconv.Itoa(n+5) || renders != c.want[2] {
				t.Fatalf("view after the write %q after %d renders, want %d after %d", third, renders, n+5, c.want[2])
			}
			boom := errors.New("store down")
			for range 2 {
				if _, err := svc.View(ctx, "list:broken", func() ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
					t.Fatalf("failed render: %v, want it returned each time (never kept)", err)
				}
			}
		})
	}
}
