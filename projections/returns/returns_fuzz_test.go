package returns_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/returns"
)

// FuzzReturnsProjector: whatever a returns event holds, the projector
// refuses it with an error or folds it in; it never panics, and the staff
// list still reads and renders.
func FuzzReturnsProjector(f *testing.F) {
	history := testenv.EventHistory(f, 20, 0)
	testenv.FuzzEventHandler(f, history, nil, func(t *testing.T) (testenv.EventHandlerFunc, func(*testing.T)) {
		view := returns.NewMemory()
		p, err := returns.NewProjector(view)
		if err != nil {
			t.Fatal(err)
		}
		return p.Handle, func(t *testing.T) {
			list, err := view.List(context.Background(), "")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := json.Marshal(list); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// The shared history (projectionstest) holds returns: the model built from
// it has them, each as its stream's fold says.
func TestSeededHistoryHasReturns(t *testing.T) {
	t.Parallel()
	view := returns.NewMemory()
	p, _ := returns.NewProjector(view)
	if err := p.ApplyBatch(context.Background(), testenv.EventHistory(t, 40, 0)); err != nil {
		t.Fatal(err)
	}
	list, err := view.List(context.Background(), "Refunded")
	if err != nil || len(list) == 0 {
		t.Fatalf("refunded returns in the seeded history: %d %v", len(list), err)
	}
	for _, r := range list {
		if r.Refund <= 0 || len(r.Received) != 1 || r.Received[0].Damaged != 1 {
			t.Fatalf("seeded return %+v", r)
		}
	}
}
