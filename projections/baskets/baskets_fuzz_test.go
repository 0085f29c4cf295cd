package baskets_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/baskets"
)

// FuzzBasketsProjector: whatever a basket event holds, the projector refuses
// it with an error or folds it in; it never panics, and every basket it
// touched still reads, totals and renders.
func FuzzBasketsProjector(f *testing.F) {
	history := testenv.EventHistory(f, 1, 3)
	testenv.FuzzEventHandler(f, history, nil, func(t *testing.T) (testenv.EventHandlerFunc, func(*testing.T)) {
		view := baskets.NewMemory()
		p, err := baskets.NewProjector(view)
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		seen := map[string]bool{}
		handle := func(ctx context.Context, e eventstore.RecordedEvent) error {
			if id, ok := strings.CutPrefix(e.Stream, basket.StreamPrefix); ok {
				mu.Lock()
				seen[id] = true
				mu.Unlock()
			}
			return p.Handle(ctx, e)
		}
		return handle, func(t *testing.T) {
			for id := range seen {
				v, err := view.Get(context.Background(), id)
				if err != nil {
					continue // refused or never created
				}
				if _, err := json.Marshal(v.Total()); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}
