package webhooks

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/domain/returns"
	"github.com/evshop/shop/eventstore"
)

// Public event types: the names integrators subscribe to. They are a
// contract of their own, versioned apart from the internal events: a
// breaking change to a payload is a new type (order.paid.v2) sent beside
// the old one, never a change to it.
const (
	TypeOrderPaid      = "order.paid.v1"
	TypeOrderShipped   = "order.shipped.v1"
	TypeOrderCancelled = "order.cancelled.v1"
	TypeRefundComplete = "refund.completed.v1"
	// TypeReturnReceived: a return's goods arrived; what went back into
	// stock, what was written off, and the refund it is owed.
	TypeReturnReceived = "return.received.v1"
)

// EventTypes lists every public type an endpoint may subscribe to.
func EventTypes() []string {
	return []string{TypeOrderPaid, TypeOrderShipped, TypeOrderCancelled, TypeRefundComplete, TypeReturnReceived}
}

// Event is the body of every delivery. ID is the internal event's id: the
// same for every delivery and redelivery of one fact, so receivers dedupe
// by it (it is also sent as the Evshop-Event-Id header).
type Event struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"createdAt"`
	Data      any       `json:"data"`
}

// Money is an amount in minor units (cents) of an ISO 4217 currency.
type Money struct {
	Minor    int64  `json:"minor"`
	Currency string `json:"currency"`
}

func publicMoney(m money.DTO) Money { return Money{Minor: m.Amount, Currency: m.Currency} }

// OrderPaid is order.paid.v1's data: the payment was captured.
type OrderPaid struct {
	OrderID   string `json:"orderId"`
	PaymentID string `json:"paymentId"`
	Amount    Money  `json:"amount"`
}

// OrderShipped is order.shipped.v1's data.
type OrderShipped struct {
	OrderID        string `json:"orderId"`
	Carrier        string `json:"carrier"`
	TrackingNumber string `json:"trackingNumber"`
}

// OrderCancelled is order.cancelled.v1's data.
type OrderCancelled struct {
	OrderID string `json:"orderId"`
	Reason  string `json:"reason"`
}

// RefundCompleted is refund.completed.v1's data: money went back to the
// customer (part or all of what was paid).
type RefundCompleted struct {
	RefundID  string `json:"refundId,omitempty"`
	OrderID   string `json:"orderId"`
	PaymentID string `json:"paymentId"`
	Amount    Money  `json:"amount"`
	Reason    string `json:"reason"`
}

// ReturnReceived is return.received.v1's data: the goods of a return
// arrived; per line the units restocked and written off (damaged), and the
// refund the return is owed (sent to the payment provider; its
// refund.completed.v1 follows with refundId "return-<returnId>").
type ReturnReceived struct {
	ReturnID string               `json:"returnId"`
	OrderID  string               `json:"orderId"`
	Lines    []ReturnReceivedLine `json:"lines"`
	Refund   Money                `json:"refund"`
}

// ReturnReceivedLine is one received line.
type ReturnReceivedLine struct {
	SKU     string `json:"sku"`
	Restock int    `json:"restock"`
	Damaged int    `json:"damaged"`
}

// mappings is the one place where internal events become public ones. Each
// fact is taken from one internal event only, so it is delivered once: a
// refund is the payment's PaymentRefunded (the order records its own copy,
// ordering.OrderRefunded/OrderPartiallyRefunded, which is not mapped).
var mappings = map[string]struct {
	public string
	data   func([]byte) (any, error)
}{
	ordering.EventOrderPaid: {TypeOrderPaid, mapData(func(e ordering.OrderPaid) any {
		return OrderPaid{OrderID: e.OrderID, PaymentID: e.PaymentID, Amount: publicMoney(e.Amount)}
	})},
	ordering.EventOrderShipped: {TypeOrderShipped, mapData(func(e ordering.OrderShipped) any {
		return OrderShipped(e)
	})},
	ordering.EventOrderCancelled: {TypeOrderCancelled, mapData(func(e ordering.OrderCancelled) any {
		return OrderCancelled(e)
	})},
	returns.EventReturnReceived: {TypeReturnReceived, mapData(func(e returns.ReturnReceived) any {
		out := ReturnReceived{ReturnID: e.ReturnID, OrderID: e.OrderID, Refund: publicMoney(e.Refund), Lines: []ReturnReceivedLine{}}
		for _, l := range e.Lines {
			out.Lines = append(out.Lines, ReturnReceivedLine{SKU: l.SKU, Restock: l.Restock, Damaged: l.Damaged})
		}
		return out
	})},
	payment.EventPaymentRefunded: {TypeRefundComplete, mapData(func(e payment.PaymentRefunded) any {
		return RefundCompleted{RefundID: e.RefundID, OrderID: e.OrderID, PaymentID: e.PaymentID,
			Amount: publicMoney(e.Amount), Reason: e.Reason}
	})},
}

func mapData[T any](f func(T) any) func([]byte) (any, error) {
	return func(b []byte) (any, error) {
		var v T
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, err
		}
		return f(v), nil
	}
}

// SourceTypes are the internal event types that become public events: the
// worker reads only these from the store.
func SourceTypes() []string {
	return slices.Sorted(maps.Keys(mappings))
}

// Public maps a stored event to its public form; ok is false for an event
// no webhook carries.
func Public(e eventstore.RecordedEvent) (ev Event, ok bool, err error) {
	m, ok := mappings[e.Type]
	if !ok {
		return Event{}, false, nil
	}
	data, err := m.data(e.Data)
	if err != nil {
		return Event{}, true, fmt.Errorf("webhooks: decode %s %s: %w", e.Type, e.ID, err)
	}
	return Event{ID: e.ID, Type: m.public, CreatedAt: e.Time.UTC(), Data: data}, true, nil
}
