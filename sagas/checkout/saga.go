// Package checkout is the checkout process manager: it listens to ordering,
// catalog and payment events, keeps each order's checkout progress in its
// own stream checkout-<orderId> (the order records only what a customer
// sees: placed, paid, cancelled), and sends the commands that move the
// checkout on — reserve stock and authorize the payment at once, capture
// once both are in, then mark the order paid and commit the stock — or
// compensate — release stock, void, refund a
// capture that raced a cancellation, cancel the order with a reason. A state
// change is appended with the expected revision before any command leaves,
// so concurrent or repeated deliveries of one event cannot both act. The
// stream is also the outbox: a step's commands count as sent once a
// CommandsDispatched marks them or, for the forward steps, once the next
// step proves they arrived (or a cancellation supersedes them), so a
// successful checkout writes one mark, for its outcome. Commands not known
// to be sent after Redispatch — a crash between append and send, or an
// answer still awaited — are sent again, once, by the scheduler. Deadlines
// live in the saga state and a scheduler rebuilt from the event store fires
// them.
package checkout

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/evshop/shop/commands/esrepo"
	cmdorder "github.com/evshop/shop/commands/ordering"
	cmdpay "github.com/evshop/shop/commands/payment"
	"github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/messaging"
)

// HandlerName is the stable name of the saga's event handler (its queue).
const HandlerName = "checkout.saga"

// DefaultTimeout is how long an order may wait for its payment authorization.
const DefaultTimeout = 15 * time.Minute

// CommandSender sends a command to its handler (messaging.Bus in the
// services and the embedded shop).
type CommandSender interface {
	Send(ctx context.Context, cmd any) error
}

// handles lists the events the saga reacts to: its queue is bound to their
// wire types (and the old types the codecs upcast to them).
func handles() []messaging.Event {
	return []messaging.Event{
		ordering.OrderPlaced{}, ordering.OrderCancelled{},
		catalog.StockReserved{}, catalog.StockReservationFailed{},
		payment.PaymentAuthorized{}, payment.PaymentFailed{}, payment.PaymentVoided{}, payment.PaymentCaptured{},
	}
}

// inputs decodes the events of the contexts the saga listens to.
func inputs() *esrepo.Codec {
	return esrepo.Join(cmdorder.Codec(), cmdpay.Codec(), esrepo.CodecFor(catalog.Events()...))
}

// EventTypes are the wire types the saga handles; subscribe with these.
func EventTypes() []string { return inputs().TypesOf(handles()...) }

// Config configures the saga.
type Config struct {
	Store  eventstore.Store
	Sender CommandSender
	// Timeout is the authorization deadline after OrderPlaced; default 15 min.
	Timeout time.Duration
	// Redispatch is how long the commands of a recorded step may stay
	// neither marked nor answered by the next step before the scheduler
	// re-sends them, once (a crash between append and send, or a slow
	// answer); default 30 s.
	Redispatch time.Duration
	Now        func() time.Time
	Logger     *slog.Logger
	// Metrics, when set, receives checkout_outcomes_total{outcome}.
	Metrics prometheus.Registerer
}

// Saga is the checkout process manager.
type Saga struct {
	cfg      Config
	repo     *esrepo.Repository[*State]
	log      *slog.Logger
	index    *index
	outcomes *prometheus.CounterVec
	inputs   *esrepo.Codec
}

// New validates cfg.
func New(cfg Config) (*Saga, error) {
	if cfg.Sender == nil {
		return nil, errors.New("checkout saga: Sender is required")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Timeout < time.Second {
		return nil, fmt.Errorf("checkout saga: timeout %s is too short", cfg.Timeout)
	}
	if cfg.Redispatch <= 0 {
		cfg.Redispatch = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	repo, err := esrepo.New(esrepo.Config[*State]{Store: cfg.Store, Codec: Codec(), Stream: Stream, New: Blank})
	if err != nil {
		return nil, fmt.Errorf("checkout saga: %w", err)
	}
	outcomes := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "checkout_outcomes_total",
		Help: "Checkouts that reached a terminal outcome, by outcome (paid, cancelled, timed_out).",
	}, []string{"outcome"})
	if cfg.Metrics != nil {
		if err := cfg.Metrics.Register(outcomes); err != nil {
			return nil, fmt.Errorf("checkout saga: metrics: %w", err)
		}
	}
	return &Saga{cfg: cfg, repo: repo, log: cfg.Logger.With("component", "checkout-saga"), index: newIndex(), outcomes: outcomes, inputs: inputs()}, nil
}

// EventHandler returns the saga as a bus event handler.
func (s *Saga) EventHandler() messaging.EventHandler {
	return messaging.TypedEventHandler{Name: HandlerName, Codec: s.inputs, Events: handles(), Handle: s.on, Concurrent: true}.EventHandler()
}

// Load returns the saga state of an order (version 0 when none).
func (s *Saga) Load(ctx context.Context, orderID string) (*State, error) {
	return s.repo.Load(ctx, orderID)
}

// Handle reacts to one event. It is safe under redelivery and concurrency.
func (s *Saga) Handle(ctx context.Context, rec eventstore.RecordedEvent) error {
	e, err := messaging.DecodeRecorded(s.inputs, rec)
	if err != nil {
		return err
	}
	return s.on(ctx, rec, e)
}

func (s *Saga) on(ctx context.Context, _ eventstore.RecordedEvent, e messaging.Event) error {
	orderID, t, ok, err := s.trigger(e)
	if err != nil {
		return messaging.Permanent(err)
	}
	if !ok {
		return nil
	}
	return s.decide(ctx, orderID, t)
}

// Expire fires the deadline of an order (the scheduler calls it).
func (s *Saga) Expire(ctx context.Context, orderID string) error {
	return s.decide(ctx, orderID, Trigger{kind: trDeadline})
}

func (s *Saga) decide(ctx context.Context, orderID string, t Trigger) error {
	var st *State
	var first uint64
	err := esrepo.Retry(ctx, 5, func(ctx context.Context) error {
		var err error
		if st, err = s.repo.Load(ctx, orderID); err != nil {
			return err
		}
		t.now = s.cfg.Now()
		st.Decide(t)
		first = st.Version()
		_, err = s.repo.Save(ctx, orderID, st, messaging.EventMetadata(ctx))
		return err
	})
	if err != nil {
		return err
	}
	// Only the delivery that recorded a change sends its commands; a
	// concurrent duplicate lost the append above and sends nothing.
	var mine []uint64
	for i, e := range st.Changes() {
		mine = append(mine, first+uint64(i))
		// Counted by the delivery that recorded the outcome, so once per order.
		switch e := e.(type) {
		case CheckoutCompleted:
			s.outcomes.WithLabelValues("paid").Inc()
		case CheckoutCancelled:
			if e.TimedOut {
				s.outcomes.WithLabelValues("timed_out").Inc()
			} else {
				s.outcomes.WithLabelValues("cancelled").Inc()
			}
		}
	}
	if err := s.send(ctx, st, mine); err != nil {
		return err
	}
	// A forward step goes unmarked: the next step settles it (see
	// settleForward), and if none comes within Redispatch the scheduler
	// re-sends its commands once and marks them.
	if st.needsMark(mine) {
		if err := s.markSent(ctx, st, mine); err != nil {
			return err
		}
	}
	s.index.track(st, s.cfg.Redispatch)
	return nil
}

// send sends the commands of the events at revs, all at once: each goes to
// a handler of its own, and a Send in process returns only once its handler
// is done, so one after the other the authorization waited for the
// reservation. A failure leaves them pending (some may have left): the
// message is retried, and after Redispatch the scheduler re-sends them too.
// Commands are idempotent, so a double send (a crash after sending, before
// marking; a re-send of a step whose answer is slow) is harmless.
func (s *Saga) send(ctx context.Context, st *State, revs []uint64) error {
	var cmds []any
	for _, r := range revs {
		if e, ok := st.events[r]; ok { // else settled by a later step
			cmds = append(cmds, st.commandsFor(e)...)
		}
	}
	errs := make([]error, len(cmds))
	sendOne := func(i int) {
		if err := s.cfg.Sender.Send(ctx, cmds[i]); err != nil {
			errs[i] = fmt.Errorf("checkout saga: send %T for order %s: %w", cmds[i], st.OrderID(), err)
		}
	}
	if len(cmds) == 1 {
		sendOne(0)
	} else {
		var wg sync.WaitGroup
		for i := range cmds {
			wg.Go(func() { sendOne(i) })
		}
		wg.Wait()
	}
	return errors.Join(errs...)
}

// markSent appends the outbox mark for revs, whose commands were sent, and
// forgets them in st.
func (s *Saga) markSent(ctx context.Context, st *State, revs []uint64) error {
	if len(revs) == 0 {
		return nil
	}
	mark := CommandsDispatched{OrderID: st.OrderID(), Revisions: revs, At: s.cfg.Now()}
	data, err := esrepo.Encode(mark, messaging.EventMetadata(ctx))
	if err != nil {
		return err
	}
	if _, err := s.cfg.Store.Append(ctx, Stream(st.OrderID()), eventstore.Any(), data); err != nil {
		return fmt.Errorf("checkout saga: mark dispatched: %w", err)
	}
	for _, r := range revs {
		delete(st.pending, r)
		delete(st.events, r)
	}
	return nil
}

// trigger maps an incoming event to its order and saga trigger.
func (s *Saga) trigger(e messaging.Event) (string, Trigger, bool, error) {
	var orderID string
	var t Trigger
	switch e := e.(type) {
	case ordering.OrderPlaced:
		lines := make([]catalog.LineDTO, 0, len(e.Lines))
		for _, l := range e.Lines {
			lines = append(lines, catalog.LineDTO{SKU: l.SKU, Quantity: l.Quantity})
		}
		orderID, t = e.OrderID, Trigger{kind: trOrderPlaced, started: CheckoutStarted{
			OrderID: e.OrderID, CustomerID: e.CustomerID, PaymentID: payment.IDForOrder(e.OrderID),
			Amount: e.Total, Method: e.Payment.Method, Token: e.Payment.Token, Last4: e.Payment.Last4,
			Lines: lines, Deadline: s.cfg.Now().Add(s.cfg.Timeout), AuthorizeAtOnce: true,
		}}
	case ordering.OrderCancelled:
		orderID, t = e.OrderID, Trigger{kind: trOrderCancelled, reason: e.Reason}
	case catalog.StockReserved:
		orderID, t = e.OrderID, Trigger{kind: trStockReserved}
	case catalog.StockReservationFailed:
		orderID, t = e.OrderID, Trigger{kind: trStockFailed, reason: stockReason(e)}
	case payment.PaymentAuthorized:
		orderID, t = e.OrderID, Trigger{kind: trPaymentAuthorized}
	case payment.PaymentFailed:
		orderID, t = e.OrderID, Trigger{kind: trPaymentFailed, reason: paymentReason(e.Code, e.Reason)}
	case payment.PaymentVoided:
		orderID, t = e.OrderID, Trigger{kind: trPaymentVoided, reason: "payment voided: " + orDefault(e.Reason, "at the gateway")}
	case payment.PaymentCaptured:
		orderID, t = e.OrderID, Trigger{kind: trPaymentCaptured}
	default:
		return "", Trigger{}, false, nil
	}
	if !payment.ValidID(orderID) {
		return "", Trigger{}, false, fmt.Errorf("checkout saga: %s without a valid order id", e.EventName())
	}
	return orderID, t, true, nil
}

func stockReason(f catalog.StockReservationFailed) string {
	r := "out of stock"
	if len(f.SKUs) > 0 {
		r += ": " + joinMax(f.SKUs, 10)
	} else if f.Reason != "" {
		r += ": " + f.Reason
	}
	return r
}

func paymentReason(code, reason string) string {
	switch code {
	case "card_declined":
		return "payment declined"
	case "insufficient_funds":
		return "payment declined: insufficient funds"
	case "buyer_cancelled":
		// The buyer cancelled at the provider (PayPal's cancel page): the
		// payment's own reason says where.
		return orDefault(reason, "buyer cancelled the payment")
	case "":
		return "payment failed: " + orDefault(reason, "unknown reason")
	}
	return "payment failed: " + code
}

func joinMax(s []string, n int) string {
	out := ""
	for i, v := range s {
		if i == n {
			return out + ", …"
		}
		if i > 0 {
			out += ", "
		}
		out += v
	}
	return out
}
