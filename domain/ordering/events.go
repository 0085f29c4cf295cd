package ordering

import (
	"time"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/pricing"
)

// Event is any ordering event. It is an alias of an interface literal so the
// esrepo helper can accept domain events without the domain importing it.
type Event = interface {
	EventName() string
}

// Wire names of the ordering events. They are part of the contract with the
// checkout saga, payments, notifier and projections: never rename.
const (
	EventOrderPlaced            = "ordering.OrderPlaced.v1"
	EventOrderPaid              = "ordering.OrderPaid.v1"
	EventOrderShipped           = "ordering.OrderShipped.v1"
	EventOrderDelivered         = "ordering.OrderDelivered.v1"
	EventOrderCancelled         = "ordering.OrderCancelled.v1"
	EventOrderRefunded          = "ordering.OrderRefunded.v1"
	EventOrderPartiallyRefunded = "ordering.OrderPartiallyRefunded.v1"
)

// Retired wire names: checkout steps that earlier versions recorded in the
// order's own stream while the saga recorded them too. The checkout saga
// keeps that progress now; the order records only what a customer sees.
// Stored ones still load: they take their place in the stream and change
// nothing (an order stopped at one of them reads as Placed).
const (
	EventOrderStockReserved     = "ordering.OrderStockReserved.v1"
	EventOrderPaymentAuthorized = "ordering.OrderPaymentAuthorized.v1"
	EventOrderConfirmed         = "ordering.OrderConfirmed.v1"
)

// RetiredEventTypes lists the retired wire names, for codecs.
func RetiredEventTypes() []string {
	return []string{EventOrderStockReserved, EventOrderPaymentAuthorized, EventOrderConfirmed}
}

// EventTypes lists every wire name found in order streams: Events, then the
// retired ones, which read models still receive (an event still on its way
// during an upgrade keeps its place in the stream's revisions). The bus
// binds the queues of this context's read models to exactly these.
func EventTypes() []string {
	var out []string
	for _, e := range Events() {
		out = append(out, e.EventName())
	}
	return append(out, RetiredEventTypes()...)
}

// StreamPrefix starts every order stream: "order-<orderId>".
const StreamPrefix = "order-"

// Stream names the stream of an order.
func Stream(orderID string) string { return StreamPrefix + orderID }

// LineDTO is an order line on the wire. TaxClass and WeightGrams came with
// tax and shipping: lines stored before read as standard and 0 g.
type LineDTO struct {
	SKU         string    `json:"sku"`
	Name        string    `json:"name"`
	Category    string    `json:"category"`
	Quantity    int       `json:"quantity"`
	UnitPrice   money.DTO `json:"unitPrice"`
	TaxClass    string    `json:"taxClass,omitempty"`
	WeightGrams int       `json:"weightGrams,omitempty"`
}

// AddressDTO is a shipping address on the wire.
type AddressDTO struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	PostalCode string `json:"postalCode"`
	Country    string `json:"country"`
}

// PaymentDTO is how the order will be paid. Token is a gateway token, never a
// card number; Last4 is for display only.
type PaymentDTO struct {
	Method string `json:"method"`
	Token  string `json:"token"`
	Last4  string `json:"last4"`
}

// OrderPlaced starts an order. Total is what the order charges: the
// Breakdown's gross. Events stored before pricing existed carry no
// Breakdown (nor shipping, discount, VAT ID or guest flag): their total is
// the sum of their lines, and they still load as such.
type OrderPlaced struct {
	OrderID         string     `json:"orderId"`
	CustomerID      string     `json:"customerId"`
	Email           string     `json:"email"`
	Lines           []LineDTO  `json:"lines"`
	Total           money.DTO  `json:"total"`
	Currency        string     `json:"currency"`
	ShippingAddress AddressDTO `json:"shippingAddress"`
	Payment         PaymentDTO `json:"payment"`
	PlacedAt        time.Time  `json:"placedAt"`
	// ShippingMethod is the chosen method's id ("" before shipping existed).
	ShippingMethod string `json:"shippingMethod,omitempty"`
	// Discount is the code the checkout reserved for this order.
	Discount *pricing.DiscountDTO `json:"discount,omitempty"`
	// VATID is a B2B buyer's VAT identification number, printed on the invoice.
	VATID string `json:"vatId,omitempty"`
	// Guest: placed without an account.
	Guest bool `json:"guest,omitempty"`
	// Breakdown is net, tax per rate and gross of lines and shipping; it
	// records whether prices included tax.
	Breakdown *pricing.BreakdownDTO `json:"breakdown,omitempty"`
}

// OrderPaid records the captured amount.
type OrderPaid struct {
	OrderID   string    `json:"orderId"`
	PaymentID string    `json:"paymentId"`
	Amount    money.DTO `json:"amount"`
}

// OrderShipped records the hand-over to a carrier.
type OrderShipped struct {
	OrderID        string `json:"orderId"`
	Carrier        string `json:"carrier"`
	TrackingNumber string `json:"trackingNumber"`
}

// OrderDelivered records the delivery.
type OrderDelivered struct {
	OrderID string `json:"orderId"`
}

// OrderCancelled ends an order before payment.
type OrderCancelled struct {
	OrderID string `json:"orderId"`
	Reason  string `json:"reason"`
}

// OrderRefunded records the refund that gave back the whole total (Amount is
// that refund; RefundedTotal, all refunds so far). Events stored before
// partial refunds existed carry neither RefundID nor RefundedTotal, and their
// Amount may be less than the total: they still mean "Refunded".
type OrderRefunded struct {
	OrderID       string     `json:"orderId"`
	Amount        money.DTO  `json:"amount"`
	Reason        string     `json:"reason"`
	RefundID      string     `json:"refundId,omitempty"`
	RefundedTotal *money.DTO `json:"refundedTotal,omitempty"`
}

// OrderPartiallyRefunded records a refund that leaves part of the total
// with the shop. RefundID is the refund's Idempotency-Key.
type OrderPartiallyRefunded struct {
	OrderID       string    `json:"orderId"`
	Amount        money.DTO `json:"amount"`
	Reason        string    `json:"reason"`
	RefundID      string    `json:"refundId"`
	RefundedTotal money.DTO `json:"refundedTotal"`
}

// EventName implementations: the fixed wire names.
func (OrderPlaced) EventName() string            { return EventOrderPlaced }
func (OrderPaid) EventName() string              { return EventOrderPaid }
func (OrderShipped) EventName() string           { return EventOrderShipped }
func (OrderDelivered) EventName() string         { return EventOrderDelivered }
func (OrderCancelled) EventName() string         { return EventOrderCancelled }
func (OrderRefunded) EventName() string          { return EventOrderRefunded }
func (OrderPartiallyRefunded) EventName() string { return EventOrderPartiallyRefunded }

// Events lists a zero value of every ordering event, for registries that
// decode by wire name.
func Events() []Event {
	return []Event{OrderPlaced{}, OrderPaid{}, OrderShipped{}, OrderDelivered{}, OrderCancelled{}, OrderRefunded{}, OrderPartiallyRefunded{}}
}
