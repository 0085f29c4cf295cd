package payments_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/payments"
)

// FuzzPaymentsProjector: whatever a payment event holds, the projector
// refuses it with an error or folds it in; it never panics, and the ledger
// of every order it touched still reads and renders.
func FuzzPaymentsProjector(f *testing.F) {
	history := testenv.EventHistory(f, 3, 0)
	testenv.FuzzEventHandler(f, history, nil, func(t *testing.T) (testenv.EventHandlerFunc, func(*testing.T)) {
		view := payments.NewMemory()
		p, err := payments.NewProjector(view)
		if err != nil {
			t.Fatal(err)
		}
		orderIDs := map[string]bool{}
		handle := func(ctx context.Context, e eventstore.RecordedEvent) error {
			var v struct {
				OrderID string `json:"orderId"`
			}
			if json.Unmarshal(e.Data, &v) == nil && v.OrderID != "" {
				orderIDs[v.OrderID] = true
			}
			return p.Handle(ctx, e)
		}
		return handle, func(t *testing.T) {
			for id := range orderIDs {
				list, err := view.ByOrder(context.Background(), id)
				if err != nil {
					t.Fatalf("ledger of %q: %v", id, err)
				}
				if _, err := json.Marshal(list); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}
