package checkout_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	cmdorder "github.com/evshop/shop/commands/ordering"
	cmdpay "github.com/evshop/shop/commands/payment"
	"github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/payments"
	"github.com/evshop/shop/payments/sandbox"
	"github.com/evshop/shop/sagas/checkout"
)

// TestStaffCancelWhileCaptureInFlight: staff cancel an order whose capture
// the saga already asked for. Whichever of the capture and the cancellation
// gets there first, the order ends cancelled and the customer's money is not
// kept: the hold is voided, or the capture refunded.
func TestStaffCancelWhileCaptureInFlight(t *testing.T) {
	t.Parallel()
	isCapture := func(cmd any) bool { _, ok := cmd.(cmdpay.CapturePayment); return ok }
	tests := []struct {
		name       string
		run        func(w *world, id string)
		wantVoid   int
		wantRefund int
		wantOnHand int
	}{
		{"the capture lands first, then the cancellation", func(w *world, id string) {
			w.execHeld()
			w.staffCancel(id)
			w.settle()
		}, 0, 1, 3},
		{"the cancellation and its void land first", func(w *world, id string) {
			w.staffCancel(id)
			w.settle()
			w.execHeldFailing() // the capture of a voided payment is refused (dead-lettered)
			w.settle()
		}, 1, 0, 5},
		{"the cancellation first, the capture before its void", func(w *world, id string) {
			w.hold = func(cmd any) bool { _, ok := cmd.(cmdpay.VoidPayment); return ok || isCapture(cmd) }
			w.staffCancel(id)
			w.settle()
			w.execHeldFailing() // capture succeeds, then the void of a captured payment is refused
			w.hold = nil
			w.settle()
		}, 0, 1, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, map[string]int{"MUG-1": 5})
			w.hold = isCapture
			id := w.place(sandbox.TokenSuccess, line("MUG-1", 2))
			w.settle()
			if len(w.held) != 1 {
				t.Fatalf("held %v, want the capture in flight", w.held)
			}
			tt.run(w, id)
			if got := w.orderOutcome(id); len(got) != 1 || got[0] != ordering.EventOrderCancelled {
				t.Fatalf("order outcome = %v, want cancelled only", got)
			}
			if v, r := w.gw.Calls(payments.OpVoid), w.gw.Calls(payments.OpRefund); v != tt.wantVoid || r != tt.wantRefund {
				t.Fatalf("gateway voids %d refunds %d, want %d %d", v, r, tt.wantVoid, tt.wantRefund)
			}
			p, err := w.pays.Load(w.ctx, payment.IDForOrder(id))
			if err != nil || (p.Status() == payment.StatusCaptured && p.Refundable() > 0) {
				t.Fatalf("payment %s with %d still captured (%v)", p.Status(), p.Refundable(), err)
			}
			if w.stock.held["MUG-1"] != 0 || w.stock.onHand["MUG-1"] != tt.wantOnHand {
				t.Fatalf("stock held %d on hand %d", w.stock.held["MUG-1"], w.stock.onHand["MUG-1"])
			}
		})
	}
}

func (w *world) staffCancel(id string) {
	w.t.Helper()
	if err := w.orders.CancelOrder(w.ctx, &cmdorder.CancelOrder{OrderID: id, Reason: "customer called"}); err != nil {
		w.t.Fatal(err)
	}
}

// execHeld delivers the commands held in flight; each must succeed.
func (w *world) execHeld() {
	w.t.Helper()
	held := w.held
	w.held = nil
	for _, cmd := range held {
		if err := w.exec(cmd); err != nil {
			w.t.Fatalf("%T: %v", cmd, err)
		}
	}
}

// execHeldFailing delivers the held commands in order; the last must fail
// for good (the bus would dead-letter it), the others succeed.
func (w *world) execHeldFailing() {
	w.t.Helper()
	held := w.held
	w.held = nil
	for i, cmd := range held {
		err := w.exec(cmd)
		if last := i == len(held)-1; (err != nil) != last {
			w.t.Fatalf("%T: err = %v (last %v)", cmd, err, last)
		}
	}
}

// upgradeFixture is a checkout the earlier version left in flight: the
// order's and the saga's streams as it stored them, and the commands still
// in queues. testdata/upgrade holds one per step, written in the old shape.
type upgradeFixture struct {
	Step     string `json:"step"`
	Order    []storedEvent
	Checkout []storedEvent
	Queued   []struct {
		Command string          `json:"command"`
		Data    json.RawMessage `json:"data"`
	} `json:"queued"`
}

type storedEvent struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// TestCheckoutsInFlightDuringUpgradeFinish: a checkout recorded by the
// earlier version at any step, its commands sent or still pending, finishes
// under this one: the order is paid once, the stock committed, the capture
// made once, and the retired commands still queued are acked harmlessly.
func TestCheckoutsInFlightDuringUpgradeFinish(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/upgrade/*.json")
	if err != nil || len(files) != 8 {
		t.Fatalf("fixtures %v, %v", files, err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, map[string]int{"MUG-1": 5})
			const id = "5d1c9a2e-7b3f-4e8a-9c61-2f0b8e4d7a10"
			pid := payment.IDForOrder(id)
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var fx upgradeFixture
			if err := json.Unmarshal([]byte(strings.ReplaceAll(string(raw), "{{paymentId}}", pid)), &fx); err != nil {
				t.Fatal(err)
			}
			// What the other services had done when the old version stopped.
			if fx.Step != "started" {
				if err := w.stock.handle(w.ctx, catalog.ReserveStock{OrderID: id, Lines: []catalog.LineDTO{{SKU: "MUG-1", Quantity: 2}}}); err != nil {
					t.Fatal(err)
				}
			}
			if fx.Step == "payment_authorized" || fx.Step == "confirmed" {
				if err := w.pays.AuthorizePayment(w.ctx, &cmdpay.AuthorizePayment{PaymentID: pid, OrderID: id, CustomerID: "cust-1",
					Amount: money.DTO{Amount: 2500, Currency: "EUR"}, Method: "sandbox", Token: sandbox.TokenSuccess, Last4: "4242"}); err != nil {
					t.Fatal(err)
				}
			}
			for stream, evs := range map[string][]storedEvent{ordering.Stream(id): fx.Order, checkout.Stream(id): fx.Checkout} {
				data := make([]eventstore.EventData, 0, len(evs))
				for _, e := range evs {
					data = append(data, eventstore.EventData{ID: uuid.NewString(), Type: e.Type, Data: e.Data})
				}
				if _, err := w.store.Append(w.ctx, stream, eventstore.NoStream(), data...); err != nil {
					t.Fatal(err)
				}
			}
			// The old saga had seen every event stored so far.
			for e, err := range w.store.ReadAll(w.ctx, 0, eventstore.Filter{}) {
				if err != nil {
					t.Fatal(err)
				}
				w.pos = e.Position
			}
			for _, q := range fx.Queued {
				w.queue = append(w.queue, decodeCommand(t, q.Command, q.Data))
			}
			// The new version starts: its scheduler rebuilds from the streams.
			restarted, err := checkout.New(checkout.Config{Store: w.store, Sender: w, Now: func() time.Time { return w.now }})
			if err != nil {
				t.Fatal(err)
			}
			w.saga = restarted
			w.settle()
			for range 3 {
				w.now = w.now.Add(31 * time.Second)
				if err := restarted.Tick(w.ctx); err != nil {
					t.Fatal(err)
				}
				w.settle()
			}
			if got := w.orderOutcome(id); len(got) != 1 || got[0] != ordering.EventOrderPaid {
				t.Fatalf("order outcome = %v, want paid once", got)
			}
			o, err := w.orders.Load(w.ctx, id)
			if err != nil || o.Status() != ordering.StatusPaid {
				t.Fatalf("order %v, %v", o.Status(), err)
			}
			if st, _ := restarted.Load(w.ctx, id); st.Step() != checkout.StepCompleted {
				t.Fatalf("saga at %s, want completed", st.Step())
			}
			if w.stock.held["MUG-1"] != 0 || w.stock.onHand["MUG-1"] != 3 {
				t.Fatalf("stock held %d on hand %d", w.stock.held["MUG-1"], w.stock.onHand["MUG-1"])
			}
			if w.gw.Calls(payments.OpCapture) != 1 || w.gw.Calls(payments.OpVoid) != 0 {
				t.Fatalf("captures %d voids %d", w.gw.Calls(payments.OpCapture), w.gw.Calls(payments.OpVoid))
			}
			if restarted.Scheduled() != 0 {
				t.Fatalf("%d still scheduled", restarted.Scheduled())
			}
		})
	}
}

func decodeCommand(t *testing.T, name string, data json.RawMessage) any {
	t.Helper()
	var cmd any
	switch name {
	case "catalog.ReserveStock.v1":
		cmd = &catalog.ReserveStock{}
	case "payment.AuthorizePayment.v1":
		cmd = &cmdpay.AuthorizePayment{}
	case "payment.CapturePayment.v1":
		cmd = &cmdpay.CapturePayment{}
	case "ordering.MarkStockReserved.v1":
		cmd = &cmdorder.RetiredMarkStockReserved{}
	case "ordering.MarkPaymentAuthorized.v1":
		cmd = &cmdorder.RetiredMarkPaymentAuthorized{}
	case "ordering.ConfirmOrder.v1":
		cmd = &cmdorder.RetiredConfirmOrder{}
	default:
		t.Fatalf("fixture queues unknown command %s", name)
	}
	if err := json.Unmarshal(data, cmd); err != nil {
		t.Fatal(err)
	}
	switch c := cmd.(type) {
	case *catalog.ReserveStock:
		return *c
	case *cmdpay.AuthorizePayment:
		return *c
	case *cmdpay.CapturePayment:
		return *c
	case *cmdorder.RetiredMarkStockReserved:
		return *c
	case *cmdorder.RetiredMarkPaymentAuthorized:
		return *c
	case *cmdorder.RetiredConfirmOrder:
		return *c
	}
	return nil
}
