package returns

import (
	"time"

	"github.com/evshop/shop/domain/money"
)

// Event is any returns event (the alias esrepo accepts).
type Event = interface {
	EventName() string
}

// Wire names of the returns events: part of the contract with the notifier,
// webhooks and the timeline. Never rename.
const (
	EventReturnRequested = "returns.ReturnRequested.v1"
	EventReturnApproved  = "returns.ReturnApproved.v1"
	EventReturnRejected  = "returns.ReturnRejected.v1"
	EventReturnReceived  = "returns.ReturnReceived.v1"
	EventReturnRefunded  = "returns.ReturnRefunded.v1"
)

// StreamPrefix starts every returns stream: "returns-<orderId>" holds every
// return of one order (see the package comment for why one stream per order).
const StreamPrefix = "returns-"

// Stream names the returns stream of an order.
func Stream(orderID string) string { return StreamPrefix + orderID }

// LineDTO is a requested line on the wire.
type LineDTO struct {
	SKU      string `json:"sku"`
	Name     string `json:"name"`
	Quantity int    `json:"quantity"`
}

// ReceivedLineDTO says what became of a line's units once received, and
// what they refund.
type ReceivedLineDTO struct {
	SKU     string    `json:"sku"`
	Restock int       `json:"restock"`
	Damaged int       `json:"damaged"`
	Refund  money.DTO `json:"refund"`
}

// ReturnRequested records a customer's request.
type ReturnRequested struct {
	ReturnID    string    `json:"returnId"`
	OrderID     string    `json:"orderId"`
	CustomerID  string    `json:"customerId"`
	Email       string    `json:"email"`
	Lines       []LineDTO `json:"lines"`
	Reason      string    `json:"reason"`
	Note        string    `json:"note,omitempty"`
	Key         string    `json:"key"`
	RequestedAt time.Time `json:"requestedAt"`
}

// ReturnApproved records staff's approval.
type ReturnApproved struct {
	ReturnID string    `json:"returnId"`
	OrderID  string    `json:"orderId"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

// ReturnRejected records staff's refusal and why.
type ReturnRejected struct {
	ReturnID string    `json:"returnId"`
	OrderID  string    `json:"orderId"`
	Reason   string    `json:"reason"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

// ReturnReceived records the goods back in the shop: per line how many
// units go back into stock and how many are written off, and the refund
// owed (lines' shares plus Shipping when this receipt completes the return
// of the whole order and the shop refunds shipping then).
type ReturnReceived struct {
	ReturnID  string            `json:"returnId"`
	OrderID   string            `json:"orderId"`
	PaymentID string            `json:"paymentId"`
	Lines     []ReceivedLineDTO `json:"lines"`
	Shipping  money.DTO         `json:"shipping"`
	Refund    money.DTO         `json:"refund"`
	By        string            `json:"by"`
	At        time.Time         `json:"at"`
}

// ReturnRefunded records that the payment gave the refund back.
type ReturnRefunded struct {
	ReturnID  string    `json:"returnId"`
	OrderID   string    `json:"orderId"`
	PaymentID string    `json:"paymentId"`
	RefundID  string    `json:"refundId"`
	Amount    money.DTO `json:"amount"`
}

// EventName implementations: the fixed wire names.
func (ReturnRequested) EventName() string { return EventReturnRequested }
func (ReturnApproved) EventName() string  { return EventReturnApproved }
func (ReturnRejected) EventName() string  { return EventReturnRejected }
func (ReturnReceived) EventName() string  { return EventReturnReceived }
func (ReturnRefunded) EventName() string  { return EventReturnRefunded }

// Events lists a zero value of every returns event: the one list that
// drives decoding and the generated catalogue.
func Events() []Event {
	return []Event{ReturnRequested{}, ReturnApproved{}, ReturnRejected{}, ReturnReceived{}, ReturnRefunded{}}
}

// EventTypes lists the wire names of Events.
func EventTypes() []string {
	out := make([]string, 0, len(Events()))
	for _, e := range Events() {
		out = append(out, e.EventName())
	}
	return out
}
