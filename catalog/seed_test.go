package catalog_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/catalogtest"
	"github.com/evshop/shop/catalog/memory"
	domain "github.com/evshop/shop/domain/catalog"
)

// TestSeedDemoVariants: the demo families seed with their variants once;
// a store seeded before the demo had variants keeps its single SKU.
func TestSeedDemoVariants(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	all, err := catalog.DemoProducts()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		before     func(t *testing.T, s catalog.Store)
		wantFirst  int
		wantFamily []string
	}{
		{"fresh store", func(*testing.T, catalog.Store) {}, len(all), []string{"APP-002:S", "APP-002-M:M", "APP-002-L:L"}},
		{"seeded before variants", func(t *testing.T, s catalog.Store) {
			old := catalogProduct(t, "APP-002", "Organic Cotton T-Shirt")
			if err := s.Insert(ctx, old); err != nil {
				t.Fatal(err)
			}
		}, len(all) - 3, []string{"APP-002:"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := memory.New()
			c.before(t, s)
			for i, want := range []int{c.wantFirst, 0} {
				if n, err := catalog.SeedDemo(ctx, s); err != nil || n != want {
					t.Fatalf("seed %d: %d %v, want %d", i+1, n, err, want)
				}
			}
			k, _ := domain.NewSKU("APP-002")
			fam, err := s.Family(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range fam {
				got = append(got, v.SKU().String()+":"+v.Label())
			}
			if !slices.Equal(got, c.wantFamily) {
				t.Fatalf("family %v, want %v", got, c.wantFamily)
			}
			pg, err := s.List(ctx, mustQuery(t, domain.QueryInput{PageSize: 100}))
			if err != nil || pg.Total != 42 {
				t.Fatalf("listing: %d families, %v; want 42", pg.Total, err)
			}
		})
	}
}

func catalogProduct(t *testing.T, sku, name string) domain.Product {
	t.Helper()
	return catalogtest.Product(t, sku, name, "Apparel", 2900, 10, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
}

func mustQuery(t *testing.T, in domain.QueryInput) domain.Query {
	t.Helper()
	q, err := domain.NewQuery(in)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// TestLookupNamesTheVariant: the basket's view of a variant carries its
// option label in the name, which baskets, orders, invoices, emails and
// exports then show; a single product keeps its plain name.
func TestLookupNamesTheVariant(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, err := catalog.New(catalog.Config{Store: memory.New()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ sku, name string }{
		{"APP-002-M", "Organic Cotton T-Shirt — M"},
		{"APP-002", "Organic Cotton T-Shirt — S"},
		{"OUT-003-SKY", "Insulated Water Bottle — Sky"},
		{"KIT-001", "Oak Chopping Board"},
	}
	for _, c := range cases {
		p, err := svc.Lookup(ctx, c.sku)
		if err != nil || p.Name != c.name {
			t.Errorf("%s: %q %v, want %q", c.sku, p.Name, err, c.name)
		}
	}
}
