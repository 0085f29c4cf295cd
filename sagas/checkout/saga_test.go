package checkout_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/sagas/checkout"
)

// recorder is the CommandSender of the saga tests: it records what was sent.
type recorder struct {
	mu   sync.Mutex
	sent []any
	fail int // fail the next n sends
}

func (r *recorder) Send(_ context.Context, cmd any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail > 0 {
		r.fail--
		return errors.New("broker down")
	}
	r.sent = append(r.sent, cmd)
	return nil
}

// deliver hands s each event in turn; each must be accepted.
func deliver(t *testing.T, s *checkout.Saga, events ...eventstore.RecordedEvent) {
	t.Helper()
	for _, e := range events {
		if err := s.Handle(context.Background(), e); err != nil {
			t.Fatalf("%s: %v", e.Type, err)
		}
	}
}

// sameSent compares what was sent with what is wanted, in any order: the
// saga sends the commands of a step at once.
func sameSent(got, want []any) bool {
	key := func(cmds []any) []string {
		out := make([]string, len(cmds))
		for i, c := range cmds {
			out[i] = fmt.Sprintf("%T%+v", c, c)
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(key(got), key(want))
}

func (r *recorder) take() []any {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.sent
	r.sent = nil
	return out
}

const oid = "3f1e2d4c-5b6a-4789-8abc-def012345678"

var pid = payment.IDForOrder(oid)

func rec(typ string, v any) eventstore.RecordedEvent {
	data, _ := json.Marshal(v)
	return eventstore.RecordedEvent{ID: uuid.NewString(), Type: typ, Data: data}
}

var (
	placed = rec(ordering.EventOrderPlaced, ordering.OrderPlaced{OrderID: oid, CustomerID: "c1", Email: "a@example.com",
		Lines: []ordering.LineDTO{{SKU: "MUG-1", Quantity: 2, UnitPrice: money.DTO{Amount: 500, Currency: "EUR"}}},
		Total: money.DTO{Amount: 1000, Currency: "EUR"}, Currency: "EUR", Payment: ordering.PaymentDTO{Method: "sandbox", Token: "tok_sandbox_success", Last4: "4242"}})
	stockReserved = rec(catalog.EventStockReserved, catalog.StockReserved{OrderID: oid})
	stockFailed   = rec(catalog.EventStockReservationFailed, catalog.StockReservationFailed{OrderID: oid, Reason: "short", SKUs: []string{"MUG-1"}})
	authorized    = rec(payment.EventPaymentAuthorized, payment.PaymentAuthorized{PaymentID: pid, OrderID: oid, Amount: money.DTO{Amount: 1000, Currency: "EUR"}, GatewayRef: "a"})
	declined      = rec(payment.EventPaymentFailed, payment.PaymentFailed{PaymentID: pid, OrderID: oid, Code: "card_declined", Reason: "declined"})
	buyerCancel   = rec(payment.EventPaymentFailed, payment.PaymentFailed{PaymentID: pid, OrderID: oid, Code: "buyer_cancelled", Reason: "buyer cancelled at PayPal"})
	captured      = rec(payment.EventPaymentCaptured, payment.PaymentCaptured{PaymentID: pid, OrderID: oid, Amount: money.DTO{Amount: 1000, Currency: "EUR"}})
	cancelled     = rec(ordering.EventOrderCancelled, ordering.OrderCancelled{OrderID: oid, Reason: "whatever"})
)

var (
	reserve   = catalog.ReserveStock{OrderID: oid, Lines: []catalog.LineDTO{{SKU: "MUG-1", Quantity: 2}}}
	authorize = cmdpay.AuthorizePayment{PaymentID: pid, OrderID: oid, CustomerID: "c1", Amount: money.DTO{Amount: 1000, Currency: "EUR"}, Method: "sandbox", Token: "tok_sandbox_success", Last4: "4242"}
	capture   = cmdpay.CapturePayment{PaymentID: pid}
	markPaid  = cmdorder.MarkOrderPaid{OrderID: oid, PaymentID: pid, Amount: money.DTO{Amount: 1000, Currency: "EUR"}}
	commit    = catalog.CommitStock{OrderID: oid}
	refund    = func(reason string) cmdpay.RefundPayment {
		return cmdpay.RefundPayment{PaymentID: pid, Amount: money.DTO{Amount: 1000, Currency: "EUR"}, Reason: reason, RefundID: "checkout-cancelled-" + oid}
	}
)

func newSaga(t *testing.T, r *recorder, now *time.Time) (*checkout.Saga, *memory.Store) {
	t.Helper()
	store := memory.New()
	s, err := checkout.New(checkout.Config{Store: store, Sender: r, Now: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	return s, store
}

// countingStore records the types of the events appended to saga streams.
type countingStore struct {
	eventstore.Store
	mu    sync.Mutex
	types []string
}

func (c *countingStore) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	res, err := c.Store.Append(ctx, stream, expected, events...)
	if err == nil && strings.HasPrefix(stream, checkout.StreamPrefix) {
		c.mu.Lock()
		for _, e := range events {
			c.types = append(c.types, e.Type)
		}
		c.mu.Unlock()
	}
	return res, err
}

func (c *countingStore) appended() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.types...)
}

func (c *countingStore) count(typ string) int {
	n := 0
	for _, t := range c.appended() {
		if t == typ {
			n++
		}
	}
	return n
}

func newCountingSaga(t *testing.T, r *recorder, now *time.Time) (*checkout.Saga, *countingStore) {
	t.Helper()
	store := &countingStore{Store: memory.New()}
	s, err := checkout.New(checkout.Config{Store: store, Sender: r, Now: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	return s, store
}

func TestSagaSendsEachCommandOnceUnderRedelivery(t *testing.T) {
	t.Parallel()
	type step struct {
		in   eventstore.RecordedEvent
		want []any
	}
	tests := []struct {
		name      string
		steps     []step
		wantStep  checkout.Step
		wantCause string
	}{
		{"happy path, the stock answers first", []step{
			{placed, []any{reserve, authorize}}, // asked for at once
			{stockReserved, nil},                // the capture waits for the authorization
			{authorized, []any{capture}},
			{captured, []any{markPaid, commit}},
			{stockReserved, nil}, // stragglers after completion change nothing
			{authorized, nil},
		}, checkout.StepCompleted, ""},
		{"happy path, the payment answers first", []step{
			{placed, []any{reserve, authorize}},
			{authorized, nil}, // held: the capture waits for the stock
			{stockReserved, []any{capture}},
			{captured, []any{markPaid, commit}},
			{authorized, nil},
		}, checkout.StepCompleted, ""},
		{"cancelled by staff after the capture, before the order was marked paid", []step{
			{placed, []any{reserve, authorize}},
			{stockReserved, nil},
			{authorized, []any{capture}},
			{captured, []any{markPaid, commit}},
			{cancelled, []any{refund("whatever")}}, // the order stays cancelled: the money goes back, once
		}, checkout.StepCompleted, ""},
		{"cancelled by staff while the capture is in flight", []step{
			{placed, []any{reserve, authorize}},
			{stockReserved, nil},
			{authorized, []any{capture}},
			{cancelled, []any{cmdpay.VoidPayment{PaymentID: pid, OrderID: oid, Reason: "whatever"}, catalog.ReleaseStock{OrderID: oid, Reason: "whatever"}}},
			{captured, []any{refund("whatever")}}, // the capture won the race: refunded once
		}, checkout.StepCancelled, "whatever"},
		{"decline after the reservation", []step{
			{placed, []any{reserve, authorize}},
			{stockReserved, nil},
			{declined, []any{catalog.ReleaseStock{OrderID: oid, Reason: "payment declined"}, cmdorder.CancelOrder{OrderID: oid, Reason: "payment declined"}}},
			{authorized, []any{cmdpay.VoidPayment{PaymentID: pid, OrderID: oid, Reason: "payment declined"}}}, // late: compensated once
		}, checkout.StepCancelled, "payment declined"},
		{"decline before the stock answered", []step{
			{placed, []any{reserve, authorize}},
			// the reservation is on its way: released all the same
			{declined, []any{catalog.ReleaseStock{OrderID: oid, Reason: "payment declined"}, cmdorder.CancelOrder{OrderID: oid, Reason: "payment declined"}}},
			{stockReserved, []any{catalog.ReleaseStock{OrderID: oid, Reason: "payment declined"}}}, // reserved after all: released again, once
		}, checkout.StepCancelled, "payment declined"},
		{"buyer cancelled at PayPal", []step{
			{placed, []any{reserve, authorize}},
			{stockReserved, nil},
			{buyerCancel, []any{catalog.ReleaseStock{OrderID: oid, Reason: "buyer cancelled at PayPal"}, cmdorder.CancelOrder{OrderID: oid, Reason: "buyer cancelled at PayPal"}}},
		}, checkout.StepCancelled, "buyer cancelled at PayPal"},
		{"stock short while the authorization is on its way", []step{
			{placed, []any{reserve, authorize}},
			{stockFailed, []any{cmdpay.VoidPayment{PaymentID: pid, OrderID: oid, Reason: "out of stock: MUG-1"}, cmdorder.CancelOrder{OrderID: oid, Reason: "out of stock: MUG-1"}}},
			{authorized, []any{cmdpay.VoidPayment{PaymentID: pid, OrderID: oid, Reason: "out of stock: MUG-1"}}}, // authorized after all: voided again, once
			{stockReserved, []any{catalog.ReleaseStock{OrderID: oid, Reason: "out of stock: MUG-1"}}},
		}, checkout.StepCancelled, "out of stock: MUG-1"},
		{"stock short after the payment was held", []step{
			{placed, []any{reserve, authorize}},
			{authorized, nil},
			{stockFailed, []any{cmdpay.VoidPayment{PaymentID: pid, OrderID: oid, Reason: "out of stock: MUG-1"}, cmdorder.CancelOrder{OrderID: oid, Reason: "out of stock: MUG-1"}}},
			{authorized, nil}, // the hold was voided with the cancellation
		}, checkout.StepCancelled, "out of stock: MUG-1"},
		{"cancelled by the customer before authorization", []step{
			{placed, []any{reserve, authorize}},
			{stockReserved, nil},
			{cancelled, []any{cmdpay.VoidPayment{PaymentID: pid, OrderID: oid, Reason: "whatever"}, catalog.ReleaseStock{OrderID: oid, Reason: "whatever"}}},
			{authorized, []any{cmdpay.VoidPayment{PaymentID: pid, OrderID: oid, Reason: "whatever"}}}, // voided again, once: voids are idempotent
		}, checkout.StepCancelled, "whatever"},
		{"cancelled by the customer before any answer", []step{
			{placed, []any{reserve, authorize}},
			{cancelled, []any{cmdpay.VoidPayment{PaymentID: pid, OrderID: oid, Reason: "whatever"}, catalog.ReleaseStock{OrderID: oid, Reason: "whatever"}}},
		}, checkout.StepCancelled, "whatever"},
		{"events before the order are ignored", []step{
			{stockReserved, nil},
			{placed, []any{reserve, authorize}},
		}, checkout.StepStarted, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := &recorder{}
			now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			s, _ := newSaga(t, r, &now)
			ctx := context.Background()
			for i, st := range tt.steps {
				for range 2 { // every message is delivered twice
					if err := s.Handle(ctx, st.in); err != nil {
						t.Fatalf("step %d %s: %v", i, st.in.Type, err)
					}
				}
				if got := r.take(); !sameSent(got, st.want) {
					t.Fatalf("step %d %s sent %#v\nwant %#v", i, st.in.Type, got, st.want)
				}
			}
			state, _ := s.Load(ctx, oid)
			if state.Step() != tt.wantStep || state.Reason() != tt.wantCause {
				t.Fatalf("step %s reason %q, want %s %q", state.Step(), state.Reason(), tt.wantStep, tt.wantCause)
			}
		})
	}
}

func TestConcurrentDuplicatesSendOnce(t *testing.T) {
	t.Parallel()
	r := &recorder{}
	now := time.Now()
	s, store := newCountingSaga(t, r, &now)
	ctx := context.Background()
	for _, e := range []eventstore.RecordedEvent{placed, stockReserved, authorized, captured} {
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.Handle(ctx, e); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	if got := r.take(); !sameSent(got, []any{reserve, authorize, capture, markPaid, commit}) {
		t.Fatalf("sent %#v", got)
	}
	if got, want := store.appended(), []string{checkout.EventCheckoutStarted, checkout.EventCheckoutStockReserved,
		checkout.EventCheckoutPaymentAuthorized, checkout.EventCheckoutCompleted, checkout.EventCommandsDispatched}; !reflect.DeepEqual(got, want) {
		t.Fatalf("appended %v\nwant %v", got, want)
	}
}

func TestDeadline(t *testing.T) {
	t.Parallel()
	r := &recorder{}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s, store := newSaga(t, r, &now)
	ctx := context.Background()
	deliver(t, s, placed, stockReserved)
	r.take()
	// Unanswered past Redispatch, the step that asked for the authorization
	// is sent again, once (TestAwaitedStepIsResentOnce); nothing else
	// happens before the deadline.
	now = now.Add(31 * time.Second)
	if err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if got := r.take(); !sameSent(got, []any{reserve, authorize}) {
		t.Fatalf("re-sent %#v, want the authorization once", got)
	}
	now = now.Add(checkout.DefaultTimeout - 32*time.Second)
	if err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if got := r.take(); got != nil {
		t.Fatalf("sent %v before the deadline", got)
	}
	now = now.Add(2 * time.Second)
	// Two instances (or a restart) fire the same deadline: one outcome.
	other, err := checkout.New(checkout.Config{Store: store, Sender: r, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for _, inst := range []*checkout.Saga{s, other, s} {
		if err := inst.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	want := []any{
		cmdpay.VoidPayment{PaymentID: pid, OrderID: oid, Reason: "payment timeout"},
		catalog.ReleaseStock{OrderID: oid, Reason: "payment timeout"},
		cmdorder.CancelOrder{OrderID: oid, Reason: "payment timeout"},
	}
	if got := r.take(); !sameSent(got, want) {
		t.Fatalf("sent %#v\nwant %#v", got, want)
	}
	// The authorization arriving after the timeout is voided once.
	for range 2 {
		if err := s.Handle(ctx, authorized); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.take(); !sameSent(got, []any{cmdpay.VoidPayment{PaymentID: pid, OrderID: oid, Reason: "payment timeout"}}) {
		t.Fatalf("late authorization sent %#v", got)
	}
	if s.Scheduled() != 0 || other.Scheduled() != 0 {
		t.Fatalf("still scheduled: %d %d", s.Scheduled(), other.Scheduled())
	}
}

// TestUnsentCommandsAreResent: the process "crashes" after appending a step
// and before its commands leave. The redelivery finds the step recorded and
// sends nothing itself; the scheduler of a restarted instance sends them
// after Redispatch, once.
func TestUnsentCommandsAreResent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		before []eventstore.RecordedEvent
		crash  eventstore.RecordedEvent
		want   []any
	}{
		{"forward step: started", nil, placed, []any{reserve, authorize}},
		{"forward step: authorized after the reservation", []eventstore.RecordedEvent{placed, stockReserved}, authorized, []any{capture}},
		{"forward step: reserved after the hold", []eventstore.RecordedEvent{placed, authorized}, stockReserved, []any{capture}},
		{"outcome: completed", []eventstore.RecordedEvent{placed, stockReserved, authorized}, captured, []any{markPaid, commit}},
		{"outcome: cancelled", []eventstore.RecordedEvent{placed, stockReserved}, declined,
			[]any{catalog.ReleaseStock{OrderID: oid, Reason: "payment declined"}, cmdorder.CancelOrder{OrderID: oid, Reason: "payment declined"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := &recorder{}
			now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			s, store := newSaga(t, r, &now)
			ctx := context.Background()
			deliver(t, s, tt.before...)
			r.take()
			r.fail = 1
			if err := s.Handle(ctx, tt.crash); err == nil {
				t.Fatal("send failure not reported: the message would be acked")
			}
			r.take() // the step's other commands may have left
			if err := s.Handle(ctx, tt.crash); err != nil {
				t.Fatal(err)
			}
			if got := r.take(); got != nil {
				t.Fatalf("redelivery sent %#v", got)
			}
			restarted, err := checkout.New(checkout.Config{Store: store, Sender: r, Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			for i, tick := range []struct {
				after time.Duration
				want  []any
			}{
				{29 * time.Second, nil}, // not yet: the first send may still be on its way
				{2 * time.Second, tt.want},
				{31 * time.Second, nil}, // marked: once
				{10 * time.Minute, nil},
			} {
				now = now.Add(tick.after)
				if err := restarted.Tick(ctx); err != nil {
					t.Fatal(err)
				}
				if got := r.take(); !sameSent(got, tick.want) {
					t.Fatalf("tick %d sent %#v\nwant %#v", i, got, tick.want)
				}
			}
		})
	}
}

// TestAwaitedStepIsResentOnce: a forward step is not marked when its
// commands leave (the next step settles it), so a step whose answer is slow
// — the buyer still deciding at PayPal, a long queue — is re-sent after
// Redispatch. It is re-sent once and marked, not on every tick; the answer
// then moves the checkout on as usual.
func TestAwaitedStepIsResentOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		steps    []eventstore.RecordedEvent
		resent   []any
		answer   eventstore.RecordedEvent
		thenSent []any
	}{
		{"stock reservation and authorization", []eventstore.RecordedEvent{placed}, []any{reserve, authorize}, stockReserved, nil},
		// The reservation alone does not settle the step: it asked for the
		// authorization too.
		{"authorization awaiting the buyer", []eventstore.RecordedEvent{placed, stockReserved}, []any{reserve, authorize}, authorized, []any{capture}},
		{"reservation after the hold", []eventstore.RecordedEvent{placed, authorized}, []any{reserve, authorize}, stockReserved, []any{capture}},
		{"capture", []eventstore.RecordedEvent{placed, stockReserved, authorized}, []any{capture}, captured, []any{markPaid, commit}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := &recorder{}
			now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			s, store := newCountingSaga(t, r, &now)
			ctx := context.Background()
			deliver(t, s, tt.steps...)
			r.take()
			if n := store.count(checkout.EventCommandsDispatched); n != 0 {
				t.Fatalf("%d marks for forward steps", n)
			}
			for i, tick := range []struct {
				after time.Duration
				want  []any
			}{
				{31 * time.Second, tt.resent},
				{31 * time.Second, nil},
				{time.Minute, nil},
				{10 * time.Minute, nil}, // still before the authorization deadline
			} {
				now = now.Add(tick.after)
				if err := s.Tick(ctx); err != nil {
					t.Fatal(err)
				}
				if got := r.take(); !sameSent(got, tick.want) {
					t.Fatalf("tick %d sent %#v\nwant %#v", i, got, tick.want)
				}
			}
			if n := store.count(checkout.EventCommandsDispatched); n != 1 {
				t.Fatalf("%d marks, want the re-send's one", n)
			}
			for range 2 {
				if err := s.Handle(ctx, tt.answer); err != nil {
					t.Fatal(err)
				}
			}
			if got := r.take(); !sameSent(got, tt.thenSent) {
				t.Fatalf("the answer sent %#v\nwant %#v", got, tt.thenSent)
			}
		})
	}
}

// TestAppendsPerCheckout: a forward step is settled by the next one, so only
// outcomes and compensations are marked: a paid checkout appends its four
// steps and one CommandsDispatched (it used to append four), whatever the
// redeliveries, and leaves the scheduler nothing to do.
func TestAppendsPerCheckout(t *testing.T) {
	t.Parallel()
	steps := []string{checkout.EventCheckoutStarted, checkout.EventCheckoutStockReserved}
	mark := checkout.EventCommandsDispatched
	tests := []struct {
		name   string
		events []eventstore.RecordedEvent
		want   []string
	}{
		{"paid", []eventstore.RecordedEvent{placed, stockReserved, authorized, captured},
			slices.Concat(steps, []string{checkout.EventCheckoutPaymentAuthorized, checkout.EventCheckoutCompleted, mark})},
		{"declined", []eventstore.RecordedEvent{placed, stockReserved, declined},
			slices.Concat(steps, []string{checkout.EventCheckoutCancelled, mark})},
		{"stock short", []eventstore.RecordedEvent{placed, stockFailed},
			[]string{checkout.EventCheckoutStarted, checkout.EventCheckoutCancelled, mark}},
		{"cancelled before authorization, authorized late", []eventstore.RecordedEvent{placed, stockReserved, cancelled, authorized},
			slices.Concat(steps, []string{checkout.EventCheckoutCancelled, mark, checkout.EventCheckoutCompensated, mark})},
		{"paid, the payment answering first", []eventstore.RecordedEvent{placed, authorized, stockReserved, captured},
			[]string{checkout.EventCheckoutStarted, checkout.EventCheckoutPaymentHeld, checkout.EventCheckoutStockReserved,
				checkout.EventCheckoutPaymentAuthorized, checkout.EventCheckoutCompleted, mark}},
		{"paid, then cancelled by staff", []eventstore.RecordedEvent{placed, stockReserved, authorized, captured, cancelled},
			slices.Concat(steps, []string{checkout.EventCheckoutPaymentAuthorized, checkout.EventCheckoutCompleted, mark, checkout.EventCheckoutCompensated, mark})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := &recorder{}
			now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			s, store := newCountingSaga(t, r, &now)
			ctx := context.Background()
			for _, e := range tt.events {
				for range 2 {
					if err := s.Handle(ctx, e); err != nil {
						t.Fatal(err)
					}
				}
			}
			if got := store.appended(); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("appended %v\nwant %v", got, tt.want)
			}
			if s.Scheduled() != 0 {
				t.Fatalf("%d still scheduled", s.Scheduled())
			}
			r.take()
			now = now.Add(time.Hour)
			if err := s.Tick(ctx); err != nil {
				t.Fatal(err)
			}
			if got := r.take(); got != nil || len(store.appended()) != len(tt.want) {
				t.Fatalf("a later tick sent %#v and appended %v", got, store.appended()[len(tt.want):])
			}
		})
	}
}

func TestMalformedEventsArePermanent(t *testing.T) {
	t.Parallel()
	r := &recorder{}
	now := time.Now()
	s, _ := newSaga(t, r, &now)
	for _, e := range []eventstore.RecordedEvent{
		{ID: uuid.NewString(), Type: ordering.EventOrderPlaced, Data: []byte(`{"orderId":"not-a-uuid"}`)},
		{ID: uuid.NewString(), Type: catalog.EventStockReserved, Data: []byte(`[1]`)},
	} {
		if err := s.Handle(context.Background(), e); !messaging.IsPermanent(err) {
			t.Fatalf("%s: err = %v, want permanent", e.Type, err)
		}
	}
}

// pausingStore hands one armed Read the events as they were, then holds
// them back until released: the reader acts on a state that is stale by
// the time it continues.
type pausingStore struct {
	eventstore.Store
	armed   atomic.Bool
	paused  chan struct{}
	release chan struct{}
}

func (p *pausingStore) Read(ctx context.Context, stream string, from eventstore.Revision) iter.Seq2[eventstore.RecordedEvent, error] {
	if !p.armed.CompareAndSwap(true, false) {
		return p.Store.Read(ctx, stream, from)
	}
	type item struct {
		e   eventstore.RecordedEvent
		err error
	}
	var got []item
	for e, err := range p.Store.Read(ctx, stream, from) {
		got = append(got, item{e, err})
	}
	close(p.paused)
	<-p.release
	return func(yield func(eventstore.RecordedEvent, error) bool) {
		for _, it := range got {
			if !yield(it.e, it.err) {
				return
			}
		}
	}
}

// TestStaleDuplicateDoesNotCancelAResend: deliveries of one saga run at
// once. A duplicate that loaded the state before a step was recorded, and
// finishes after that step's send failed, must not make the scheduler
// forget the re-send (the fault test found orders stuck in Confirmed).
func TestStaleDuplicateDoesNotCancelAResend(t *testing.T) {
	t.Parallel()
	r := &recorder{}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	store := &pausingStore{Store: memory.New(), paused: make(chan struct{}), release: make(chan struct{})}
	s, err := checkout.New(checkout.Config{Store: store, Sender: r, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	deliver(t, s, placed, stockReserved)
	r.take()
	store.armed.Store(true)
	dup := make(chan error, 1)
	go func() { dup <- s.Handle(ctx, stockReserved) }() // a redelivery, paused on its stale read
	<-store.paused
	r.fail = 1
	if err := s.Handle(ctx, authorized); err == nil {
		t.Fatal("send failure not reported")
	}
	if err := s.Tick(ctx); err != nil { // the tail learns of the pending step
		t.Fatal(err)
	}
	close(store.release)
	if err := <-dup; err != nil {
		t.Fatal(err)
	}
	if got := r.take(); got != nil {
		t.Fatalf("the duplicate sent %#v", got)
	}
	now = now.Add(31 * time.Second)
	if err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if got := r.take(); !sameSent(got, []any{capture}) {
		t.Fatalf("re-sent %#v, want the pending step's commands", got)
	}
}

// TestAnswersInAnyOrder: the stock's and the payment's answers, a staff
// cancellation and the capture's outcome arrive in any order, some twice
// (2,000 seeded sequences: the catalog and the gateway each answer one way).
// Whatever the order, the saga captures only once
// both the reservation and the authorization are in and nothing cancelled
// the checkout first; it never both pays and cancels the order; and a
// cancelled checkout gives back every hold it learnt of: an authorization
// is voided (or its capture refunded), a reservation released.
func TestAnswersInAnyOrder(t *testing.T) {
	t.Parallel()
	type answer struct {
		name string
		ev   eventstore.RecordedEvent
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for seed := range 2000 {
		// The catalog answers one way and the gateway one way, each
		// perhaps more than once; staff may cancel; a capture answers a
		// capture request.
		stock := []answer{{"reserved", stockReserved}, {"stock short", stockFailed}}[rng.IntN(2)]
		pay := []answer{{"authorized", authorized}, {"declined", declined}}[rng.IntN(2)]
		answers := []answer{stock, pay, {"cancelled", cancelled}, {"captured", captured}}
		r := &recorder{}
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		s, _ := newSaga(t, r, &now)
		ctx := context.Background()
		if err := s.Handle(ctx, placed); err != nil {
			t.Fatal(err)
		}
		r.take()
		var seen []string
		got := map[string]bool{}
		count := map[string]int{}
		for range 1 + rng.IntN(7) {
			a := answers[rng.IntN(len(answers))]
			// A capture only follows a capture request.
			if a.name == "captured" && count["capture"] == 0 {
				continue
			}
			for range 1 + rng.IntN(2) {
				if err := s.Handle(ctx, a.ev); err != nil {
					t.Fatalf("seed %d %v: %s: %v", seed, seen, a.name, err)
				}
			}
			seen = append(seen, a.name)
			got[a.name] = true
			for _, cmd := range r.take() {
				var kind string
				switch cmd.(type) {
				case cmdpay.CapturePayment:
					kind = "capture"
					if !got["reserved"] || !got["authorized"] || got["cancelled"] || got["stock short"] || got["declined"] {
						t.Fatalf("seed %d: capture asked for after %v", seed, seen)
					}
				case cmdpay.VoidPayment:
					kind = "void"
				case cmdpay.RefundPayment:
					kind = "refund"
				case catalog.ReleaseStock:
					kind = "release"
				case cmdorder.MarkOrderPaid:
					kind = "paid"
				case cmdorder.CancelOrder:
					kind = "cancel order"
				}
				count[kind]++
			}
		}
		st, err := s.Load(ctx, oid)
		if err != nil {
			t.Fatal(err)
		}
		if count["paid"] > 0 && count["cancel order"] > 0 {
			t.Fatalf("seed %d %v: the order both paid and cancelled (%v)", seed, seen, count)
		}
		if count["capture"] > 1 || count["paid"] > 1 {
			t.Fatalf("seed %d %v: sent %v", seed, seen, count)
		}
		if st.Step() != checkout.StepCancelled {
			continue
		}
		if got["authorized"] && count["void"]+count["refund"] == 0 {
			t.Fatalf("seed %d %v: cancelled, the authorization kept (%v)", seed, seen, count)
		}
		if got["reserved"] && count["release"] == 0 {
			t.Fatalf("seed %d %v: cancelled, the reservation kept (%v)", seed, seen, count)
		}
	}
}
