package checkout_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/evshop/shop/sagas/checkout"
)

// TestPendingAfterStoredEvents: which steps' commands a loaded saga still
// owes, for streams as this version writes them (a forward step settled by
// the next step, a mark only after outcomes and compensations) and as
// earlier versions wrote them (a mark after every step).
func TestPendingAfterStoredEvents(t *testing.T) {
	t.Parallel()
	type stored = interface{ EventName() string }
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	started := checkout.CheckoutStarted{OrderID: oid, At: at}
	startedAtOnce := checkout.CheckoutStarted{OrderID: oid, At: at, AuthorizeAtOnce: true}
	reserved := checkout.CheckoutStockReserved{OrderID: oid, At: at}
	held := checkout.CheckoutPaymentHeld{OrderID: oid, At: at}
	authorized := checkout.CheckoutPaymentAuthorized{OrderID: oid, At: at}
	completed := checkout.CheckoutCompleted{OrderID: oid, At: at}
	cancelled := checkout.CheckoutCancelled{OrderID: oid, Reason: "payment declined", ReleaseStock: true, CancelOrder: true, At: at}
	compensated := checkout.CheckoutCompensated{OrderID: oid, VoidPayment: true, At: at}
	mark := func(revs ...uint64) checkout.CommandsDispatched {
		return checkout.CommandsDispatched{OrderID: oid, Revisions: revs, At: at}
	}
	tests := []struct {
		name   string
		events []stored
		want   []uint64
	}{
		{"started", []stored{started}, []uint64{0}},
		{"stock reserved settles the reservation", []stored{started, reserved}, []uint64{1}},
		{"authorized settles the authorization", []stored{started, reserved, authorized}, []uint64{2}},
		{"completed settles the capture, owes its own", []stored{started, reserved, authorized, completed}, []uint64{3}},
		{"completed and marked", []stored{started, reserved, authorized, completed, mark(3)}, []uint64{}},
		{"cancelled supersedes the forward step", []stored{started, reserved, cancelled}, []uint64{2}},
		{"cancelled and marked", []stored{started, reserved, cancelled, mark(2)}, []uint64{}},
		{"a compensation owes its own", []stored{started, reserved, cancelled, mark(2), compensated}, []uint64{4}},
		{"at once: the reservation alone leaves the authorization owed", []stored{startedAtOnce, reserved}, []uint64{0, 1}},
		{"at once: the hold alone leaves the reservation owed", []stored{startedAtOnce, held}, []uint64{0, 1}},
		{"at once: authorized with both answers settles both", []stored{startedAtOnce, reserved, authorized}, []uint64{2}},
		{"at once: the hold first, then both", []stored{startedAtOnce, held, reserved, authorized}, []uint64{3}},
		{"at once: cancelled supersedes the half-answered step", []stored{startedAtOnce, held, cancelled}, []uint64{2}},
		{"earlier version: every step marked", []stored{started, mark(0), reserved, mark(2), authorized, mark(4)}, []uint64{}},
		{"earlier version: crash before the mark", []stored{started, mark(0), reserved}, []uint64{2}},
		{"earlier version: crash, then cancelled and marked", []stored{started, mark(0), reserved, cancelled, mark(3)}, []uint64{}},
		{"earlier version: paid and marked", []stored{started, mark(0), reserved, mark(2), authorized, mark(4), completed, mark(6)}, []uint64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := checkout.Blank(oid)
			for _, e := range tt.events {
				st.ApplyStored(e)
			}
			if got, _ := st.Pending(); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("pending %v, want %v", got, tt.want)
			}
		})
	}
}
