package checkout

import (
	"sort"
	"strings"
	"time"

	cmdorder "github.com/evshop/shop/commands/ordering"
	cmdpay "github.com/evshop/shop/commands/payment"
	"github.com/evshop/shop/domain/catalog"
)

// Step is where a checkout stands.
type Step string

// The steps. Completed and Cancelled are terminal: exactly one of them ends
// every checkout. (Earlier versions had a "confirmed" step between
// payment_authorized and completed; the codec folds it into
// payment_authorized, which now means "capture asked for".)
const (
	StepNew               Step = ""
	StepStarted           Step = "started"
	StepStockReserved     Step = "stock_reserved"
	StepPaymentAuthorized Step = "payment_authorized"
	StepCompleted         Step = "completed"
	StepCancelled         Step = "cancelled"
)

// Terminal reports whether the checkout has its outcome.
func (s Step) Terminal() bool { return s == StepCompleted || s == StepCancelled }

// awaitingAuthorization is when the deadline applies: no authorization
// yet.
func (s *State) awaitingAuthorization() bool {
	return s.step == StepStarted && !s.held || s.step == StepStockReserved
}

// event is any saga event.
type event = interface{ EventName() string }

// State is the saga instance of one order, rebuilt from checkout-<orderId>.
type State struct {
	started      CheckoutStarted
	step         Step
	reason       string
	lateReleased bool
	lateVoided   bool
	lateRefunded bool
	// held: the payment was authorized before the stock was reserved
	// (CheckoutPaymentHeld).
	held bool
	// resumeAt is set while a checkout recorded by an earlier version waits
	// for the OrderConfirmed nothing sends any more (see Codec): when the
	// scheduler resumes it by asking for the capture itself.
	resumeAt time.Time
	// pending maps the revision of each event whose commands are not known
	// to be sent — neither marked dispatched nor settled by a later step
	// (settleForward) — to the time it was recorded.
	pending map[uint64]time.Time
	events  map[uint64]event // events with pending commands, by revision
	version uint64
	changes []event
}

// Blank returns an empty state for repositories.
func Blank(string) *State { return &State{} }

// Step returns the current step.
func (s *State) Step() Step { return s.step }

// Reason is why a cancelled checkout was cancelled.
func (s *State) Reason() string { return s.reason }

// OrderID is the order of this checkout.
func (s *State) OrderID() string { return s.started.OrderID }

// Deadline is when an unauthorized checkout is given up.
func (s *State) Deadline() time.Time { return s.started.Deadline }

// Version is the number of stored events applied.
func (s *State) Version() uint64 { return s.version }

// Changes are the events recorded since loading.
func (s *State) Changes() []event { return s.changes }

// ApplyStored applies a stored event; it never fails.
func (s *State) ApplyStored(e event) {
	s.apply(s.version, e)
	s.version++
}

func (s *State) record(e event) {
	s.apply(s.version+uint64(len(s.changes)), e)
	s.changes = append(s.changes, e)
}

func (s *State) apply(rev uint64, e event) {
	if s.pending == nil {
		s.pending, s.events = map[uint64]time.Time{}, map[uint64]event{}
	}
	var at time.Time
	switch e := e.(type) {
	case CheckoutStarted:
		s.started, s.step, at = e, StepStarted, e.At
	case CheckoutStockReserved:
		s.step, at = StepStockReserved, e.At
	case CheckoutPaymentHeld:
		s.held, at = true, e.At
	case CheckoutPaymentAuthorized:
		s.step, at, s.resumeAt = StepPaymentAuthorized, e.At, time.Time{}
		if e.awaitsConfirmation {
			s.resumeAt = e.At
			if s.resumeAt.IsZero() {
				s.resumeAt = time.Unix(1, 0).UTC() // due at once
			}
		}
	case CheckoutCompleted:
		s.step, at, s.resumeAt = StepCompleted, e.At, time.Time{}
	case CheckoutCancelled:
		s.step, s.reason, at, s.resumeAt = StepCancelled, e.Reason, e.At, time.Time{}
	case CheckoutCompensated:
		s.lateReleased = s.lateReleased || e.ReleaseStock
		s.lateVoided = s.lateVoided || e.VoidPayment
		s.lateRefunded = s.lateRefunded || e.RefundPayment
		at = e.At
	case CommandsDispatched:
		for _, r := range e.Revisions {
			delete(s.pending, r)
			delete(s.events, r)
		}
		return
	default:
		return
	}
	if _, compensation := e.(CheckoutCompensated); !compensation {
		s.settleForward(e)
	}
	s.pending[rev], s.events[rev] = at, e
}

// settleForward clears the pending commands of the forward steps recorded
// so far, as a CommandsDispatched would; apply calls it for each later step
// (by). A later forward step proves them delivered: CheckoutStockReserved
// answers CheckoutStarted's ReserveStock, CheckoutPaymentAuthorized the
// AuthorizePayment, CheckoutCompleted the CapturePayment. A CheckoutStarted
// that asked for both at once (AuthorizeAtOnce) is settled only by a step
// that needed both answers — the reservation or the hold alone proves one
// of its two commands. A cancellation supersedes them: moving a cancelled
// checkout forward is never right, so they are not sent any more. That is
// why the saga marks only outcomes and compensations (see needsMark).
func (s *State) settleForward(by event) {
	half := false
	switch by.(type) {
	case CheckoutStockReserved, CheckoutPaymentHeld:
		half = true
	}
	for r, e := range s.events {
		if st, ok := e.(CheckoutStarted); ok && st.AuthorizeAtOnce && half {
			continue
		}
		if forward(e) {
			delete(s.pending, r)
			delete(s.events, r)
		}
	}
}

// forward reports whether e moves the checkout towards completion, so that
// a later step proves its commands arrived or supersedes them.
func forward(e event) bool {
	switch e.(type) {
	case CheckoutStarted, CheckoutStockReserved, CheckoutPaymentHeld, CheckoutPaymentAuthorized:
		return true
	}
	return false
}

// needsMark reports whether an event at revs has commands no later step
// settles (an outcome or a compensation): only a CommandsDispatched tells
// the scheduler they were sent.
func (s *State) needsMark(revs []uint64) bool {
	for _, r := range revs {
		if e, ok := s.events[r]; ok && !forward(e) {
			return true
		}
	}
	return false
}

// Pending returns the revisions whose commands are not known to be sent,
// oldest first, and when the oldest was recorded.
func (s *State) Pending() ([]uint64, time.Time) {
	revs := make([]uint64, 0, len(s.pending))
	var oldest time.Time
	for r, at := range s.pending {
		revs = append(revs, r)
		if oldest.IsZero() || at.Before(oldest) {
			oldest = at
		}
	}
	sort.Slice(revs, func(i, j int) bool { return revs[i] < revs[j] })
	return revs, oldest
}

// Trigger is something that happened elsewhere, reduced to what the saga
// decides on. Exactly one constructor below builds each kind.
type Trigger struct {
	kind    triggerKind
	started CheckoutStarted
	reason  string
	now     time.Time
}

type triggerKind int

const (
	trOrderPlaced triggerKind = iota + 1
	trStockReserved
	trStockFailed
	trPaymentAuthorized
	trPaymentFailed
	trPaymentVoided
	trPaymentCaptured
	trOrderCancelled
	trDeadline
	trResume // a checkout recorded by an earlier version, waiting for nothing
)

// Decide records the saga events a trigger causes. Triggers that do not fit
// the current step (duplicates, stragglers) record nothing, which is what
// makes every step idempotent.
func (s *State) Decide(t Trigger) {
	now := t.now
	id := s.started.OrderID
	atOnce := s.started.AuthorizeAtOnce
	cancel := func(reason string, release, void, cancelOrder, timedOut bool) {
		s.record(CheckoutCancelled{OrderID: id, Reason: reason, ReleaseStock: release, VoidPayment: void, CancelOrder: cancelOrder, TimedOut: timedOut, At: now})
	}
	switch {
	case t.kind == trOrderPlaced:
		if s.step == StepNew {
			st := t.started
			st.At = now
			s.record(st)
		}
	case s.step == StepNew:
		// Nothing to correlate with: the saga never saw OrderPlaced.
	case s.step.Terminal():
		s.compensateLate(t)
	case t.kind == trDeadline:
		if s.awaitingAuthorization() && !now.Before(s.started.Deadline) {
			cancel("payment timeout", true, true, true, true)
		}
	case t.kind == trOrderCancelled:
		// Cancelled elsewhere (customer, support): undo what this saga holds.
		cancel(orDefault(t.reason, "order cancelled"), true, s.step != StepStarted || atOnce, false, false)
	case s.step == StepStarted && t.kind == trStockReserved:
		s.record(CheckoutStockReserved{OrderID: id, At: now})
		if s.held {
			s.record(CheckoutPaymentAuthorized{OrderID: id, PaymentID: s.started.PaymentID, At: now})
		}
	case s.step == StepStarted && t.kind == trStockFailed:
		// With AuthorizeAtOnce the authorization is on its way or done.
		cancel(orDefault(t.reason, "out of stock"), false, atOnce, true, false)
	case s.step == StepStarted && atOnce && t.kind == trPaymentAuthorized:
		if !s.held {
			s.record(CheckoutPaymentHeld{OrderID: id, At: now})
		}
	case s.step == StepStarted && atOnce && t.kind == trPaymentFailed:
		// The reservation is on its way or done.
		cancel(orDefault(t.reason, "payment failed"), true, false, true, false)
	case s.step == StepStarted && atOnce && t.kind == trPaymentVoided:
		cancel(orDefault(t.reason, "payment voided"), true, false, true, false)
	case s.step == StepStockReserved && t.kind == trPaymentAuthorized,
		s.step == StepPaymentAuthorized && t.kind == trResume && !s.resumeAt.IsZero():
		s.record(CheckoutPaymentAuthorized{OrderID: id, PaymentID: s.started.PaymentID, At: now})
	case s.step == StepStockReserved && (t.kind == trPaymentFailed || t.kind == trPaymentVoided):
		cancel(orDefault(t.reason, "payment failed"), true, false, true, false)
	case s.step == StepPaymentAuthorized && t.kind == trPaymentVoided:
		cancel(orDefault(t.reason, "payment voided"), true, false, true, false)
	case s.step == StepPaymentAuthorized && t.kind == trPaymentCaptured:
		s.record(CheckoutCompleted{OrderID: id, Amount: s.started.Amount, At: now})
	}
}

// compensateLate undoes, once each, a reservation, authorization or capture
// that completed after the saga was cancelled, and refunds a capture whose
// order was cancelled (by staff) before MarkOrderPaid reached it: the order
// can only be cancelled until it is paid, so an OrderCancelled after the
// capture means the money must go back.
func (s *State) compensateLate(t Trigger) {
	id := s.started.OrderID
	switch {
	case s.step == StepCompleted && t.kind == trOrderCancelled && !s.lateRefunded:
		s.record(CheckoutCompensated{OrderID: id, RefundPayment: true, Reason: orDefault(t.reason, "order cancelled"), At: t.now})
	case s.step != StepCancelled:
	case t.kind == trStockReserved && !s.lateReleased:
		s.record(CheckoutCompensated{OrderID: id, ReleaseStock: true, At: t.now})
	case t.kind == trPaymentAuthorized && !s.lateVoided && !s.held:
		// (A held authorization was known when the checkout was
		// cancelled, and voided with it.)
		s.record(CheckoutCompensated{OrderID: id, VoidPayment: true, At: t.now})
	case t.kind == trPaymentCaptured && !s.lateRefunded:
		s.record(CheckoutCompensated{OrderID: id, RefundPayment: true, Reason: s.reason, At: t.now})
	}
}

func orDefault(s, def string) string {
	if s = strings.TrimSpace(s); s == "" {
		return def
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// commandsFor lists the commands an event asks for, in sending order.
func (s *State) commandsFor(e event) []any {
	st := s.started
	release := catalog.ReleaseStock{OrderID: st.OrderID, Reason: orDefault(s.reason, "order cancelled")}
	void := cmdpay.VoidPayment{PaymentID: st.PaymentID, OrderID: st.OrderID, Reason: orDefault(s.reason, "order cancelled")}
	authorize := cmdpay.AuthorizePayment{PaymentID: st.PaymentID, OrderID: st.OrderID, CustomerID: st.CustomerID,
		Amount: st.Amount, Method: st.Method, Token: st.Token, Last4: st.Last4}
	switch e := e.(type) {
	case CheckoutStarted:
		if st.AuthorizeAtOnce {
			return []any{catalog.ReserveStock{OrderID: st.OrderID, Lines: st.Lines}, authorize}
		}
		return []any{catalog.ReserveStock{OrderID: st.OrderID, Lines: st.Lines}}
	case CheckoutStockReserved:
		if st.AuthorizeAtOnce {
			return nil // asked for with the reservation
		}
		return []any{authorize}
	case CheckoutPaymentAuthorized:
		if e.awaitsConfirmation {
			return nil // its commands were the order's; the resume asks for the capture
		}
		return []any{cmdpay.CapturePayment{PaymentID: st.PaymentID}}
	case CheckoutCompleted:
		return []any{cmdorder.MarkOrderPaid{OrderID: st.OrderID, PaymentID: st.PaymentID, Amount: e.Amount}, catalog.CommitStock{OrderID: st.OrderID}}
	case CheckoutCancelled:
		release.Reason, void.Reason = e.Reason, e.Reason
		var out []any
		if e.VoidPayment {
			out = append(out, void)
		}
		if e.ReleaseStock {
			out = append(out, release)
		}
		if e.CancelOrder {
			out = append(out, cmdorder.CancelOrder{OrderID: st.OrderID, Reason: e.Reason})
		}
		return out
	case CheckoutCompensated:
		var out []any
		if e.VoidPayment {
			out = append(out, void)
		}
		if e.ReleaseStock {
			out = append(out, release)
		}
		if e.RefundPayment {
			out = append(out, cmdpay.RefundPayment{PaymentID: st.PaymentID, Amount: st.Amount,
				Reason: orDefault(e.Reason, "order cancelled"), RefundID: "checkout-cancelled-" + st.OrderID})
		}
		return out
	}
	return nil
}
