package recommendations_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/recommendations"
)

// FuzzRecommendationsProjector: whatever an order event holds, the purchase
// history projector refuses it or records it without panicking, and the
// history of every customer it touched still reads.
func FuzzRecommendationsProjector(f *testing.F) {
	history := testenv.EventHistory(f, 3, 0)
	testenv.FuzzEventHandler(f, history, nil, func(t *testing.T) (testenv.EventHandlerFunc, func(*testing.T)) {
		store := recommendations.NewMemoryStore()
		p := recommendations.NewProjector(store)
		customers := map[string]bool{}
		handle := func(ctx context.Context, e eventstore.RecordedEvent) error {
			var v struct {
				CustomerID string `json:"customerId"`
			}
			if json.Unmarshal(e.Data, &v) == nil && v.CustomerID != "" {
				customers[v.CustomerID] = true
			}
			return p.Handle(ctx, e)
		}
		return handle, func(t *testing.T) {
			for id := range customers {
				if _, err := store.Orders(context.Background(), id, 50); err != nil {
					t.Fatalf("history of %q: %v", id, err)
				}
			}
		}
	})
}
