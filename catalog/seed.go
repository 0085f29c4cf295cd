package catalog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/evshop/shop/catalog/demo"
	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/money"
)

// demoEpoch dates the demo products (a minute apart, in catalogue order) so
// "newest" is stable and anything an admin adds later sorts first.
var demoEpoch = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)

// DemoProducts returns the demo catalogue as validated products.
func DemoProducts() ([]domain.Product, error) {
	src := demo.Products()
	out := make([]domain.Product, 0, len(src))
	for i, d := range src {
		sku, err := domain.NewSKU(d.SKU)
		if err != nil {
			return nil, err
		}
		price, err := money.New(d.PriceCents, demo.Currency)
		if err != nil {
			return nil, err
		}
		p, err := domain.NewProduct(sku, domain.Details{Name: d.Name, Description: d.Description, Category: d.Category,
			Attributes: d.Attributes, Price: price, Images: []string{domain.ImagePathPrefix + d.ImageFile()},
			TaxClass: d.TaxClass(), WeightGrams: d.WeightGrams()},
			d.Stock, demoEpoch.Add(time.Duration(len(src)-i)*time.Minute))
		if err != nil {
			return nil, fmt.Errorf("demo product %s: %w", d.SKU, err)
		}
		out = append(out, p)
	}
	return withDemoVariants(out)
}

// withDemoVariants gives the demo families their option values and adds
// their variants after each product, created a second apart after it.
func withDemoVariants(products []domain.Product) ([]domain.Product, error) {
	fams := map[string]demo.Family{}
	for _, f := range demo.Families() {
		fams[f.ProductSKU] = f
	}
	var out []domain.Product
	for _, p := range products {
		f, ok := fams[p.SKU().String()]
		if !ok {
			out = append(out, p)
			continue
		}
		own := demoOptions(f.Own)
		p, err := p.Edit(p.Details(), &own, []domain.Product{p}, p.CreatedAt())
		if err != nil {
			return nil, fmt.Errorf("demo product %s: %w", f.ProductSKU, err)
		}
		family := []domain.Product{p}
		for i, v := range f.Variants {
			sku, err := domain.NewSKU(v.SKU)
			if err != nil {
				return nil, err
			}
			in := domain.VariantInput{SKU: sku, Options: demoOptions(v.Options)}
			if v.PriceCents != 0 {
				price, err := money.New(v.PriceCents, demo.Currency)
				if err != nil {
					return nil, err
				}
				in.Price = &price
			}
			if v.Image != "" {
				in.Images = []string{domain.ImagePathPrefix + v.Image}
			}
			vp, err := domain.NewVariant(p, family, in, v.Stock, p.CreatedAt().Add(time.Duration(i+1)*time.Second))
			if err != nil {
				return nil, fmt.Errorf("demo variant %s: %w", v.SKU, err)
			}
			family = append(family, vp)
		}
		out = append(out, family...)
	}
	return out, nil
}

func demoOptions(in []demo.Option) []domain.Option {
	out := make([]domain.Option, len(in))
	for i, o := range in {
		out[i] = domain.Option{Name: o.Name, Value: o.Value}
	}
	return out
}

// SeedDemo inserts every demo product that is not in store yet and returns
// how many it inserted. It never overwrites: running it on every start is
// safe and keeps admin edits. A product seeded before it had variants
// keeps its single SKU (its variants are not added beside a product with
// no option values).
func SeedDemo(ctx context.Context, store Store) (int, error) {
	products, err := DemoProducts()
	if err != nil {
		return 0, err
	}
	n := 0
	kept := map[domain.SKU]bool{}
	for _, p := range products {
		if kept[p.ProductID()] {
			continue
		}
		switch err := store.Insert(ctx, p); {
		case err == nil:
			n++
		case errors.Is(err, domain.ErrDuplicate):
			if p.IsPrimary() && len(p.Options()) > 0 {
				cur, err := store.Get(ctx, p.SKU())
				if err != nil {
					return n, err
				}
				kept[p.SKU()] = len(cur.Options()) == 0
			}
		default:
			return n, err
		}
	}
	return n, nil
}

// SeedDemo seeds the service's store and invalidates its cache.
func (s *Service) SeedDemo(ctx context.Context) (int, error) {
	n, err := SeedDemo(ctx, s.store)
	if n > 0 {
		s.invalidate(ctx)
	}
	return n, err
}
