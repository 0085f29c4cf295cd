package checkout

import (
	"time"

	"github.com/evshop/shop/commands/esrepo"
	"github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/money"
)

// Wire names of the saga's own events, stored in checkout-<orderId>.
const (
	EventCheckoutStarted           = "checkout.CheckoutStarted.v1"
	EventCheckoutStockReserved     = "checkout.CheckoutStockReserved.v1"
	EventCheckoutPaymentAuthorized = "checkout.CheckoutPaymentAuthorized.v1"
	EventCheckoutOrderConfirmed    = "checkout.CheckoutOrderConfirmed.v1"
	EventCheckoutCompleted         = "checkout.CheckoutCompleted.v1"
	EventCheckoutCancelled         = "checkout.CheckoutCancelled.v1"
	EventCheckoutCompensated       = "checkout.CheckoutCompensated.v1"
	EventCommandsDispatched        = "checkout.CommandsDispatched.v1"
)

// StreamPrefix starts every saga stream.
const StreamPrefix = "checkout-"

// Stream names the saga stream of an order.
func Stream(orderID string) string { return StreamPrefix + orderID }

// CheckoutStarted records everything the later steps need, so no step has
// to read another context's stream. Deadline is when an order still not
// authorized is given up.
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
}

// CheckoutStockReserved: the catalog holds every line.
type CheckoutStockReserved struct {
	OrderID string    `json:"orderId"`
	At      time.Time `json:"at"`
}

// CheckoutPaymentAuthorized: the gateway holds the amount.
type CheckoutPaymentAuthorized struct {
	OrderID   string    `json:"orderId"`
	PaymentID string    `json:"paymentId"`
	At        time.Time `json:"at"`
}

// CheckoutOrderConfirmed: the order will be fulfilled; capture next.
type CheckoutOrderConfirmed struct {
	OrderID string    `json:"orderId"`
	At      time.Time `json:"at"`
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
// already been cancelled (a late reservation or authorization).
type CheckoutCompensated struct {
	OrderID      string    `json:"orderId"`
	ReleaseStock bool      `json:"releaseStock"`
	VoidPayment  bool      `json:"voidPayment"`
	At           time.Time `json:"at"`
}

// CommandsDispatched marks the commands of the events at Revisions as sent
// (the saga's outbox). Events not marked are re-sent by the scheduler.
type CommandsDispatched struct {
	OrderID   string    `json:"orderId"`
	Revisions []uint64  `json:"revisions"`
	At        time.Time `json:"at"`
}

// EventName implementations: the fixed wire names.
func (CheckoutStarted) EventName() string           { return EventCheckoutStarted }
func (CheckoutStockReserved) EventName() string     { return EventCheckoutStockReserved }
func (CheckoutPaymentAuthorized) EventName() string { return EventCheckoutPaymentAuthorized }
func (CheckoutOrderConfirmed) EventName() string    { return EventCheckoutOrderConfirmed }
func (CheckoutCompleted) EventName() string         { return EventCheckoutCompleted }
func (CheckoutCancelled) EventName() string         { return EventCheckoutCancelled }
func (CheckoutCompensated) EventName() string       { return EventCheckoutCompensated }
func (CommandsDispatched) EventName() string        { return EventCommandsDispatched }

// Codec decodes the saga's events, from its one list of them (Events).
func Codec() *esrepo.Codec { return esrepo.CodecFor(Events()...) }
