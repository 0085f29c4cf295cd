package checkout_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	cmdorder "github.com/evshop/shop/commands/ordering"
	cmdpay "github.com/evshop/shop/commands/payment"
	"github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/payments"
	"github.com/evshop/shop/payments/sandbox"
	"github.com/evshop/shop/sagas/checkout"
)

// stockKeeper is the catalog's stock rules reduced to one map, appending
// the catalog's outcome events to stock-<orderId> like the catalog service:
// all-or-nothing reservations, a release before the reservation leaves a
// tombstone, commit takes held units off the shelf.
type stockKeeper struct {
	mu     sync.Mutex
	store  eventstore.Store
	onHand map[string]int
	held   map[string]int
	orders map[string]string // orderId → reserved|failed|released|committed
	lines  map[string][]catalog.LineDTO
}

func (k *stockKeeper) emit(ctx context.Context, orderID string, e interface{ EventName() string }) error {
	data, _ := json.Marshal(e)
	_, err := k.store.Append(ctx, catalog.StockStream(orderID), eventstore.Any(), eventstore.EventData{ID: uuid.NewString(), Type: e.EventName(), Data: data})
	return err
}

func (k *stockKeeper) handle(ctx context.Context, cmd any) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	switch c := cmd.(type) {
	case catalog.ReserveStock:
		if k.orders[c.OrderID] != "" {
			return nil // idempotent; a tombstone holds nothing
		}
		var short []string
		for _, l := range c.Lines {
			if k.onHand[l.SKU]-k.held[l.SKU] < l.Quantity {
				short = append(short, l.SKU)
			}
		}
		if len(short) > 0 {
			k.orders[c.OrderID] = "failed"
			return k.emit(ctx, c.OrderID, catalog.StockReservationFailed{OrderID: c.OrderID, Reason: "insufficient stock", SKUs: short})
		}
		for _, l := range c.Lines {
			k.held[l.SKU] += l.Quantity
		}
		k.orders[c.OrderID], k.lines[c.OrderID] = "reserved", c.Lines
		return k.emit(ctx, c.OrderID, catalog.StockReserved{OrderID: c.OrderID})
	case catalog.ReleaseStock:
		switch k.orders[c.OrderID] {
		case "released", "committed", "failed":
			return nil
		case "reserved":
			for _, l := range k.lines[c.OrderID] {
				k.held[l.SKU] -= l.Quantity
			}
		}
		k.orders[c.OrderID] = "released"
		return k.emit(ctx, c.OrderID, catalog.StockReleased{OrderID: c.OrderID})
	case catalog.CommitStock:
		if k.orders[c.OrderID] != "reserved" {
			return nil
		}
		for _, l := range k.lines[c.OrderID] {
			k.held[l.SKU] -= l.Quantity
			k.onHand[l.SKU] -= l.Quantity
		}
		k.orders[c.OrderID] = "committed"
		return k.emit(ctx, c.OrderID, catalog.StockCommitted{OrderID: c.OrderID})
	}
	return fmt.Errorf("stock keeper: unexpected %T", cmd)
}

// world wires the saga, the ordering and payment command handlers and the
// sandbox gateway on one in-memory event store. Commands go through a
// queue, events are read back from the store in global order, as the relay
// would publish them; with redeliver every event reaches the saga twice.
type world struct {
	t         *testing.T
	ctx       context.Context
	store     *memory.Store
	gw        *sandbox.Gateway
	stock     *stockKeeper
	orders    *cmdorder.Handlers
	pays      *cmdpay.Handlers
	saga      *checkout.Saga
	metrics   *prometheus.Registry
	now       time.Time
	queue     []any
	sendMu    sync.Mutex
	sent      []string
	pos       uint64
	redeliver bool
	drop      func(cmd any) bool // lose a command in transit (crash between append and send)
	hold      func(cmd any) bool // keep a command in flight: settle leaves it in held
	held      []any
}

func (w *world) Send(_ context.Context, cmd any) error {
	w.sendMu.Lock() // the saga sends a step's commands at once
	defer w.sendMu.Unlock()
	if w.drop != nil && w.drop(cmd) {
		return fmt.Errorf("broker unavailable")
	}
	w.queue = append(w.queue, cmd)
	w.sent = append(w.sent, cmd.(interface{ CommandName() string }).CommandName())
	return nil
}

func newWorld(t *testing.T, onHand map[string]int) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), store: memory.New(), gw: sandbox.New(), now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	w.stock = &stockKeeper{store: w.store, onHand: onHand, held: map[string]int{}, orders: map[string]string{}, lines: map[string][]catalog.LineDTO{}}
	var err error
	if w.orders, err = cmdorder.NewHandlers(cmdorder.Config{Store: w.store, Now: func() time.Time { return w.now }, PaymentMethods: []string{"sandbox"}}); err != nil {
		t.Fatal(err)
	}
	if w.pays, err = cmdpay.NewHandlers(cmdpay.Config{Store: w.store, Gateways: payments.Router{"sandbox": w.gw}}); err != nil {
		t.Fatal(err)
	}
	w.metrics = prometheus.NewRegistry()
	if w.saga, err = checkout.New(checkout.Config{Store: w.store, Sender: w, Now: func() time.Time { return w.now }, Metrics: w.metrics}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) exec(cmd any) error {
	ctx := w.ctx
	switch c := cmd.(type) {
	case catalog.ReserveStock, catalog.ReleaseStock, catalog.CommitStock:
		return w.stock.handle(ctx, c)
	case cmdorder.MarkOrderPaid:
		return w.orders.MarkOrderPaid(ctx, &c)
	case cmdorder.CancelOrder:
		return w.orders.CancelOrder(ctx, &c)
	case cmdpay.AuthorizePayment:
		return w.pays.AuthorizePayment(ctx, &c)
	case cmdpay.CapturePayment:
		return w.pays.CapturePayment(ctx, &c)
	case cmdpay.VoidPayment:
		return w.pays.VoidPayment(ctx, &c)
	case cmdpay.RefundPayment:
		return w.pays.RefundPayment(ctx, &c)
	case cmdorder.RetiredMarkStockReserved, cmdorder.RetiredMarkPaymentAuthorized, cmdorder.RetiredConfirmOrder:
		return w.execRetired(c)
	}
	return fmt.Errorf("no handler for %T", cmd)
}

// execRetired hands a retired command to the ordering handler that drains
// its queue, as the bus would.
func (w *world) execRetired(cmd any) error {
	name := cmd.(interface{ CommandName() string }).CommandName()
	for _, h := range w.orders.CommandHandlers() {
		c := h.NewCommand()
		if c.(interface{ CommandName() string }).CommandName() != name {
			continue
		}
		data, _ := json.Marshal(cmd)
		if err := json.Unmarshal(data, c); err != nil {
			return err
		}
		return h.Handle(w.ctx, c)
	}
	return fmt.Errorf("no handler drains %s", name)
}

// settle runs commands and delivers events until nothing moves.
func (w *world) settle() {
	w.t.Helper()
	for range 1000 {
		if len(w.queue) > 0 {
			cmd := w.queue[0]
			w.queue = w.queue[1:]
			if w.hold != nil && w.hold(cmd) {
				w.held = append(w.held, cmd)
				continue
			}
			if err := w.exec(cmd); err != nil {
				w.t.Fatalf("%T: %v", cmd, err)
			}
			if w.redeliver { // every command is delivered twice as well
				if err := w.exec(cmd); err != nil {
					w.t.Fatalf("redelivered %T: %v", cmd, err)
				}
			}
			continue
		}
		moved := false
		for e, err := range w.store.ReadAll(w.ctx, w.pos, eventstore.Filter{EventTypes: checkout.EventTypes()}) {
			if err != nil {
				w.t.Fatal(err)
			}
			w.pos, moved = e.Position, true
			for range map[bool]int{false: 1, true: 2}[w.redeliver] {
				if err := w.saga.Handle(w.ctx, e); err != nil && w.drop == nil {
					w.t.Fatalf("saga %s: %v", e.Type, err)
				}
			}
			break // let the commands of this event run first
		}
		if !moved {
			return
		}
	}
	w.t.Fatal("the loop did not settle")
}

func (w *world) place(token string, lines ...ordering.LineDTO) string {
	w.t.Helper()
	id := uuid.NewString()
	last4 := ""
	if len(token) > 0 {
		last4 = "4242"
	}
	err := w.orders.PlaceOrder(w.ctx, &cmdorder.PlaceOrder{OrderID: id, CustomerID: "cust-1", Email: "ann@example.com", Lines: lines,
		ShippingAddress: ordering.AddressDTO{Name: "Ann", Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"},
		Payment:         ordering.PaymentDTO{Method: "sandbox", Token: token, Last4: last4}})
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

func line(sku string, qty int) ordering.LineDTO {
	return ordering.LineDTO{SKU: sku, Name: "Mug " + sku, Category: "kitchen", Quantity: qty, UnitPrice: money.DTO{Amount: 1250, Currency: "EUR"}}
}

// terminalOrderEvents lists the order's terminal events (paid or cancelled).
func (w *world) orderOutcome(orderID string) (status []string) {
	for e, err := range w.store.Read(w.ctx, ordering.Stream(orderID), 0) {
		if err != nil {
			w.t.Fatal(err)
		}
		if e.Type == ordering.EventOrderPaid || e.Type == ordering.EventOrderCancelled {
			status = append(status, e.Type)
		}
	}
	return status
}

func TestCheckoutEndToEndInProcess(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		token       string
		qty         int
		wantOutcome string
		wantReason  string
		wantHeld    int
		wantOnHand  int
		wantCapture int
		wantVoid    int
	}{
		{"happy path", sandbox.TokenSuccess, 2, ordering.EventOrderPaid, "", 0, 3, 1, 0},
		{"declined", sandbox.TokenDeclined, 2, ordering.EventOrderCancelled, "payment declined", 0, 5, 0, 0},
		{"insufficient funds", sandbox.TokenInsufficientFunds, 2, ordering.EventOrderCancelled, "payment declined: insufficient funds", 0, 5, 0, 0},
		// The authorization was asked for with the reservation: it is
		// voided at the gateway.
		{"stock short", sandbox.TokenSuccess, 6, ordering.EventOrderCancelled, "out of stock: MUG-1", 0, 5, 0, 1},
	}
	for _, tt := range tests {
		for _, redeliver := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/redeliver=%v", tt.name, redeliver), func(t *testing.T) {
				t.Parallel()
				w := newWorld(t, map[string]int{"MUG-1": 5})
				w.redeliver = redeliver
				id := w.place(tt.token, line("MUG-1", tt.qty))
				w.settle()
				if got := w.orderOutcome(id); len(got) != 1 || got[0] != tt.wantOutcome {
					t.Fatalf("order outcome = %v, want exactly [%s]", got, tt.wantOutcome)
				}
				st, _ := w.saga.Load(w.ctx, id)
				if !st.Step().Terminal() || st.Reason() != tt.wantReason {
					t.Fatalf("saga step %s reason %q, want terminal %q", st.Step(), st.Reason(), tt.wantReason)
				}
				if w.stock.held["MUG-1"] != tt.wantHeld || w.stock.onHand["MUG-1"] != tt.wantOnHand {
					t.Fatalf("stock held %d on hand %d, want %d %d", w.stock.held["MUG-1"], w.stock.onHand["MUG-1"], tt.wantHeld, tt.wantOnHand)
				}
				if w.gw.Calls(payments.OpCapture) != tt.wantCapture || w.gw.Calls(payments.OpVoid) != tt.wantVoid {
					t.Fatalf("gateway captures %d voids %d", w.gw.Calls(payments.OpCapture), w.gw.Calls(payments.OpVoid))
				}
				if w.saga.Scheduled() != 0 {
					w.saga.Tick(w.ctx) //nolint:errcheck
				}
				// One outcome counted per order, whatever the redeliveries.
				outcome := map[string]string{ordering.EventOrderPaid: "paid", ordering.EventOrderCancelled: "cancelled"}[tt.wantOutcome]
				if got := outcomeCount(t, w.metrics); len(got) != 1 || got[outcome] != 1 {
					t.Fatalf("checkout_outcomes_total = %v, want {%s: 1}", got, outcome)
				}
			})
		}
	}
}

func TestDeadlineExpiryCompensates(t *testing.T) {
	t.Parallel()
	w := newWorld(t, map[string]int{"MUG-1": 5})
	// The payment never gets authorized: AuthorizePayment is lost in transit
	// for good (as if the gateway hung), so only the deadline can end it.
	w.drop = func(cmd any) bool { _, ok := cmd.(cmdpay.AuthorizePayment); return ok }
	id := w.place(sandbox.TokenSuccess, line("MUG-1", 2))
	w.settle() // the saga's send fails; the bus would retry, then dead-letter
	// The saga recorded stock reserved but could not send AuthorizePayment.
	w.drop = nil
	w.queue = nil
	if w.stock.held["MUG-1"] != 2 {
		t.Fatalf("held %d before the deadline", w.stock.held["MUG-1"])
	}
	w.now = w.now.Add(checkout.DefaultTimeout + time.Second)
	// A restarted process: a new saga instance rebuilds its deadlines.
	restarted, err := checkout.New(checkout.Config{Store: w.store, Sender: w, Now: func() time.Time { return w.now }})
	if err != nil {
		t.Fatal(err)
	}
	w.saga = restarted
	w.sent = nil
	if err := restarted.Tick(w.ctx); err != nil {
		t.Fatal(err)
	}
	w.settle()
	if got := w.orderOutcome(id); len(got) != 1 || got[0] != ordering.EventOrderCancelled {
		t.Fatalf("order outcome = %v", got)
	}
	st, _ := restarted.Load(w.ctx, id)
	if st.Reason() != "payment timeout" {
		t.Fatalf("reason %q", st.Reason())
	}
	if w.stock.held["MUG-1"] != 0 || w.stock.onHand["MUG-1"] != 5 {
		t.Fatalf("stock held %d on hand %d after timeout", w.stock.held["MUG-1"], w.stock.onHand["MUG-1"])
	}
	p, err := w.pays.Load(w.ctx, payment.IDForOrder(id))
	if err != nil || p.Status() != payment.StatusVoided {
		t.Fatalf("payment %v, %v; want voided", p, err)
	}
	// The deadline fires once: another tick sends nothing more.
	before := len(w.sent)
	w.now = w.now.Add(time.Hour)
	if err := restarted.Tick(w.ctx); err != nil {
		t.Fatal(err)
	}
	if len(w.sent) != before || restarted.Scheduled() != 0 {
		t.Fatalf("a second tick sent %v (scheduled %d)", w.sent[before:], restarted.Scheduled())
	}
	// The lost AuthorizePayment finally arriving changes nothing.
	if err := w.exec(cmdpay.AuthorizePayment{PaymentID: payment.IDForOrder(id), OrderID: id, CustomerID: "cust-1",
		Amount: money.DTO{Amount: 2500, Currency: "EUR"}, Method: "sandbox", Token: sandbox.TokenSuccess}); err != nil {
		t.Fatal(err)
	}
	if w.gw.Calls(payments.OpAuthorize) != 0 {
		t.Fatalf("authorized after the timeout")
	}
}

// outcomeCount reads checkout_outcomes_total by outcome label.
func outcomeCount(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "checkout_outcomes_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			out[m.GetLabel()[0].GetValue()] += m.GetCounter().GetValue()
		}
	}
	return out
}
