package checkout

import (
	"encoding/json"
	"time"

	"github.com/evshop/shop/commands/esrepo"
	"github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/money"
)

// Wire names of the saga's own events, stored in checkout-<orderId>.
const (
	EventCheckoutStarted           = "checkout.CheckoutStarted.v1"
	EventCheckoutStockReserved     = "checkout.CheckoutStockReserved.v1"
	EventCheckoutPaymentHeld       = "checkout.CheckoutPaymentHeld.v1"
	EventCheckoutPaymentAuthorized = "checkout.CheckoutPaymentAuthorized.v2"
	EventCheckoutCompleted         = "checkout.CheckoutCompleted.v1"
	EventCheckoutCancelled         = "checkout.CheckoutCancelled.v1"
	EventCheckoutCompensated       = "checkout.CheckoutCompensated.v1"
	EventCommandsDispatched        = "checkout.CommandsDispatched.v1"
)

// Wire names stored by earlier versions, when the order recorded the
// checkout's steps too: the saga then asked the order to confirm before it
// captured. The codec upcasts them (see Codec).
const (
	// EventCheckoutPaymentAuthorizedV1: authorized, MarkPaymentAuthorized
	// and ConfirmOrder sent; the saga waited for OrderConfirmed.
	EventCheckoutPaymentAuthorizedV1 = "checkout.CheckoutPaymentAuthorized.v1"
	// EventCheckoutOrderConfirmed: confirmed, CapturePayment sent.
	EventCheckoutOrderConfirmed = "checkout.CheckoutOrderConfirmed.v1"
)

// StreamPrefix starts every saga stream.
const StreamPrefix = "checkout-"

// Stream names the saga stream of an order.
func Stream(orderID string) string { return StreamPrefix + orderID }

// CheckoutStarted records everything the later steps need, so no step has
// to read another context's stream. Deadline is when an order still not
// authorized is given up.
//
// AuthorizeAtOnce: the payment's authorization is asked for together with
// the stock's reservation, and the capture waits for both. Checkouts
// started by earlier versions (false) asked for it once the stock was
// reserved, and finish that way.
type CheckoutStarted struct {
	OrderID    string            `json:"orderId"`
	CustomerID string            `json:"customerId"`
	PaymentID  string            `json:"paymentId"`
	Amount     money.DTO         `json:"amount"`
	Method     string            `json:"method"`
	Token      string            `json:"token,omitempty"`
	Last4      string            `json:"last4,omitempty"`
	Lines      []catalog.LineDTO `json:"lines"`
	Deadline   time.Time         `json:"deadline"`
	At         time.Time         `json:"at"`

	AuthorizeAtOnce bool `json:"authorizeAtOnce,omitempty"`
}

// CheckoutStockReserved: the catalog holds every line.
type CheckoutStockReserved struct {
	OrderID string    `json:"orderId"`
	At      time.Time `json:"at"`
}

// CheckoutPaymentHeld: the gateway holds the amount while the stock is
// still being reserved (AuthorizeAtOnce); the capture waits for the
// reservation.
type CheckoutPaymentHeld struct {
	OrderID string    `json:"orderId"`
	At      time.Time `json:"at"`
}

// CheckoutPaymentAuthorized: the gateway holds the amount and the stock is
// reserved; the capture is asked for.
type CheckoutPaymentAuthorized struct {
	OrderID   string    `json:"orderId"`
	PaymentID string    `json:"paymentId,omitempty"`
	At        time.Time `json:"at"`
	// awaitsConfirmation marks a v1 event: its commands asked the order to
	// confirm, and the capture waited for an OrderConfirmed that nothing
	// sends any more. The scheduler resumes such a checkout.
	awaitsConfirmation bool
}

// CheckoutCompleted is the successful terminal outcome.
type CheckoutCompleted struct {
	OrderID string    `json:"orderId"`
	Amount  money.DTO `json:"amount"`
	At      time.Time `json:"at"`
}

// CheckoutCancelled is the failed terminal outcome and the compensations it
// asks for.
type CheckoutCancelled struct {
	OrderID      string    `json:"orderId"`
	Reason       string    `json:"reason"`
	TimedOut     bool      `json:"timedOut,omitempty"`
	ReleaseStock bool      `json:"releaseStock"`
	VoidPayment  bool      `json:"voidPayment"`
	CancelOrder  bool      `json:"cancelOrder"`
	At           time.Time `json:"at"`
}

// CheckoutCompensated undoes a step that completed after the saga had
// already been cancelled (a late reservation, authorization or capture), or
// gives back a capture whose order was cancelled before it was marked paid.
type CheckoutCompensated struct {
	OrderID       string    `json:"orderId"`
	ReleaseStock  bool      `json:"releaseStock"`
	VoidPayment   bool      `json:"voidPayment"`
	RefundPayment bool      `json:"refundPayment,omitempty"`
	Reason        string    `json:"reason,omitempty"`
	At            time.Time `json:"at"`
}

// CommandsDispatched marks the commands of the events at Revisions as sent
// (the saga's outbox). The saga writes it for outcomes and compensations and
// after a scheduler re-send; a forward step is settled by the step after it
// instead. Events neither marked nor settled are re-sent by the scheduler.
// Streams of earlier versions hold one after every step.
type CommandsDispatched struct {
	OrderID   string    `json:"orderId"`
	Revisions []uint64  `json:"revisions"`
	At        time.Time `json:"at"`
}

// EventName implementations: the fixed wire names.
func (CheckoutStarted) EventName() string           { return EventCheckoutStarted }
func (CheckoutStockReserved) EventName() string     { return EventCheckoutStockReserved }
func (CheckoutPaymentHeld) EventName() string       { return EventCheckoutPaymentHeld }
func (CheckoutPaymentAuthorized) EventName() string { return EventCheckoutPaymentAuthorized }
func (CheckoutCompleted) EventName() string         { return EventCheckoutCompleted }
func (CheckoutCancelled) EventName() string         { return EventCheckoutCancelled }
func (CheckoutCompensated) EventName() string       { return EventCheckoutCompensated }
func (CommandsDispatched) EventName() string        { return EventCommandsDispatched }

// Codec decodes the saga's events, from its one list of them (Events), and
// upcasts the two steps earlier versions stored: a v1 authorization becomes
// an authorization still awaiting the order's confirmation, a confirmation
// the authorization whose capture was asked for (it was).
func Codec() *esrepo.Codec {
	c := esrepo.CodecFor(Events()...)
	c.Upcast(EventCheckoutPaymentAuthorizedV1, CheckoutPaymentAuthorized{}, func(data json.RawMessage) (esrepo.Event, error) {
		var e CheckoutPaymentAuthorized
		err := json.Unmarshal(data, &e)
		e.awaitsConfirmation = true
		return e, err
	})
	c.Upcast(EventCheckoutOrderConfirmed, CheckoutPaymentAuthorized{}, func(data json.RawMessage) (esrepo.Event, error) {
		var e CheckoutPaymentAuthorized
		err := json.Unmarshal(data, &e)
		return e, err
	})
	return c
}
