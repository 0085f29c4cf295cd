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
	return out, nil
}

// SeedDemo inserts every demo product that is not in store yet and returns
// how many it inserted. It never overwrites: running it on every start is
// safe and keeps admin edits.
func SeedDemo(ctx context.Context, store Store) (int, error) {
	products, err := DemoProducts()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range products {
		switch err := store.Insert(ctx, p); {
		case err == nil:
			n++
		case errors.Is(err, domain.ErrDuplicate):
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
