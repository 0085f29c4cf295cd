package checkout_test

import (
	"testing"
	"time"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/testenv"
)

// FuzzSagaHandle: whatever an order, stock or payment event holds, the
// checkout saga refuses it with an error or reacts; it never panics, and the
// saga state of every seeded order still loads.
func FuzzSagaHandle(f *testing.F) {
	history := testenv.EventHistory(f, 3, 0)
	extra := []eventstore.RecordedEvent{placed, stockReserved, stockFailed, authorized, declined, captured, cancelled}
	for i := range extra {
		extra[i].Stream = "order-" + oid
	}
	testenv.FuzzEventHandler(f, history, extra, func(t *testing.T) (testenv.EventHandlerFunc, func(*testing.T)) {
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		s, _ := newSaga(t, &recorder{}, &now)
		return s.Handle, func(t *testing.T) {
			if _, err := s.Load(t.Context(), oid); err != nil {
				t.Fatalf("saga state: %v", err)
			}
		}
	})
}
