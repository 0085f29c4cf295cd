package orders_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/orders"
)

// FuzzOrdersProjector: whatever an ordering event holds, the projector
// refuses it with an error or folds it in; it never panics, and the read
// model still lists, reads and renders every order afterwards.
func FuzzOrdersProjector(f *testing.F) {
	history := testenv.EventHistory(f, 3, 1)
	testenv.FuzzEventHandler(f, history, nil, func(t *testing.T) (testenv.EventHandlerFunc, func(*testing.T)) {
		view := orders.NewMemory()
		p, err := orders.NewProjector(view)
		if err != nil {
			t.Fatal(err)
		}
		return p.Handle, func(t *testing.T) {
			ctx := context.Background()
			page, err := view.List(ctx, orders.Query{}.Normalize())
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range page.Items {
				o, err := view.Get(ctx, s.OrderID)
				if err != nil {
					t.Fatalf("listed order %q cannot be read: %v", s.OrderID, err)
				}
				if _, err := json.Marshal(o); err != nil {
					t.Fatalf("order %q does not render: %v", s.OrderID, err)
				}
			}
		}
	})
}
