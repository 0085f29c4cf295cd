package sales_test

import (
	"context"
	"testing"
	"time"

	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/sales"
)

// FuzzSalesProjector: whatever an order or basket event holds, the projector
// refuses it with an error or folds it in; it never panics, and the model
// still builds every breakdown afterwards.
func FuzzSalesProjector(f *testing.F) {
	history := testenv.EventHistory(f, 3, 2)
	testenv.FuzzEventHandler(f, history, nil, func(t *testing.T) (testenv.EventHandlerFunc, func(*testing.T)) {
		store := sales.NewMemory(time.UTC)
		p, err := sales.NewProjector(store)
		if err != nil {
			t.Fatal(err)
		}
		return p.Handle, func(t *testing.T) {
			for _, by := range []string{"day", "product", "category"} {
				q, err := sales.ParseQuery("2000-01-01", "2000-12-31", by, time.Time{}, time.UTC)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := sales.Build(context.Background(), store, q); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}
