package payment

import (
	"encoding/json"
	"fmt"

	"github.com/evshop/shop/domain/money"
)

// Wire names of the payment events. They are part of the contract with the
// checkout saga, the payments ledger and the notifier: never rename them.
const (
	EventPaymentRequested      = "payment.PaymentRequested.v1"
	EventPaymentActionRequired = "payment.PaymentActionRequired.v1"
	EventPaymentAuthorized     = "payment.PaymentAuthorized.v1"
	EventPaymentFailed         = "payment.PaymentFailed.v1"
	EventPaymentCaptured       = "payment.PaymentCaptured.v1"
	EventPaymentVoided         = "payment.PaymentVoided.v1"
	EventPaymentRefunded       = "payment.PaymentRefunded.v1"
)

// EventTypes lists every wire name recorded in payment streams; the bus binds
// the queues of this context's read models to exactly these.
func EventTypes() []string {
	return []string{EventPaymentRequested, EventPaymentActionRequired, EventPaymentAuthorized, EventPaymentFailed,
		EventPaymentCaptured, EventPaymentVoided, EventPaymentRefunded}
}

// Event is a fact recorded in a payment-<paymentId> stream. It is an alias
// of an interface literal so repositories accept payment events without
// the domain importing them.
type Event = interface {
	EventName() string
}

// PaymentRequested opens the stream: the order asked for an authorization.
// Only the last four digits of a sandbox card are kept; the token is not.
type PaymentRequested struct {
	PaymentID  string    `json:"paymentId"`
	OrderID    string    `json:"orderId"`
	CustomerID string    `json:"customerId"`
	Amount     money.DTO `json:"amount"`
	Method     string    `json:"method"`
	Last4      string    `json:"last4,omitempty"`
}

// PaymentActionRequired says the gateway waits for the buyer (Stripe client
// confirmation, PayPal approval) before it authorizes. The client secret or
// approval link is never stored: the API fetches it from the gateway.
type PaymentActionRequired struct {
	PaymentID  string `json:"paymentId"`
	OrderID    string `json:"orderId"`
	GatewayRef string `json:"gatewayRef"`
}

// PaymentAuthorized says the gateway holds the amount.
type PaymentAuthorized struct {
	PaymentID  string    `json:"paymentId"`
	OrderID    string    `json:"orderId"`
	Amount     money.DTO `json:"amount"`
	GatewayRef string    `json:"gatewayRef"`
}

// PaymentFailed says the gateway refused; Code is machine readable
// (e.g. "card_declined", "insufficient_funds").
type PaymentFailed struct {
	PaymentID string `json:"paymentId"`
	OrderID   string `json:"orderId"`
	Reason    string `json:"reason"`
	Code      string `json:"code"`
}

// PaymentCaptured says the held amount was taken. GatewayRef names the
// capture at the gateway (refunds of PayPal captures need it).
type PaymentCaptured struct {
	PaymentID  string    `json:"paymentId"`
	OrderID    string    `json:"orderId"`
	Amount     money.DTO `json:"amount"`
	GatewayRef string    `json:"gatewayRef,omitempty"`
}

// PaymentVoided says the authorization (or the pending request) was released.
type PaymentVoided struct {
	PaymentID string `json:"paymentId"`
	OrderID   string `json:"orderId"`
	Reason    string `json:"reason"`
}

// PaymentRefunded gives back part or all of the captured amount. RefundID
// makes a redelivered refund command recognisable.
type PaymentRefunded struct {
	PaymentID  string    `json:"paymentId"`
	OrderID    string    `json:"orderId"`
	Amount     money.DTO `json:"amount"`
	Reason     string    `json:"reason"`
	RefundID   string    `json:"refundId,omitempty"`
	GatewayRef string    `json:"gatewayRef,omitempty"`
}

// EventName implements Event.
func (PaymentRequested) EventName() string { return EventPaymentRequested }

// EventName implements Event.
func (PaymentActionRequired) EventName() string { return EventPaymentActionRequired }

// EventName implements Event.
func (PaymentAuthorized) EventName() string { return EventPaymentAuthorized }

// EventName implements Event.
func (PaymentFailed) EventName() string { return EventPaymentFailed }

// EventName implements Event.
func (PaymentCaptured) EventName() string { return EventPaymentCaptured }

// EventName implements Event.
func (PaymentVoided) EventName() string { return EventPaymentVoided }

// EventName implements Event.
func (PaymentRefunded) EventName() string { return EventPaymentRefunded }

// Decode turns a stored event back into its value type; ok is false for a
// wire name this context does not own.
func Decode(name string, data []byte) (e Event, ok bool, err error) {
	switch name {
	case EventPaymentRequested:
		e, err = decode[PaymentRequested](data)
	case EventPaymentActionRequired:
		e, err = decode[PaymentActionRequired](data)
	case EventPaymentAuthorized:
		e, err = decode[PaymentAuthorized](data)
	case EventPaymentFailed:
		e, err = decode[PaymentFailed](data)
	case EventPaymentCaptured:
		e, err = decode[PaymentCaptured](data)
	case EventPaymentVoided:
		e, err = decode[PaymentVoided](data)
	case EventPaymentRefunded:
		e, err = decode[PaymentRefunded](data)
	default:
		return nil, false, nil
	}
	return e, true, err
}

func decode[T Event](data []byte) (Event, error) {
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("payment: decode %s: %w", v.EventName(), err)
	}
	return v, nil
}
