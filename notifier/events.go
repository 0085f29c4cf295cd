package notifier

import (
	"time"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/pricing"
)

// Wire names of the events the notifier consumes. They are the other
// contexts' fixed contracts (see docs and domain/*/events.go); the notifier
// decodes them into its own small structs that name only the fields it needs,
// so new fields upstream never break it.
const (
	EventUserRegistered         = "identity.UserRegistered.v1"
	EventVerificationRequested  = "identity.VerificationRequested.v1"
	EventPasswordResetRequested = "identity.PasswordResetRequested.v1"
	EventPasswordChanged        = "identity.PasswordChanged.v1"
	EventStaffInvited           = "identity.StaffInvited.v1"
	EventRoleGranted            = "identity.RoleGranted.v1"
	EventRoleRevoked            = "identity.RoleRevoked.v1"

	EventOrderPlaced    = "ordering.OrderPlaced.v1"
	EventOrderPaid      = "ordering.OrderPaid.v1"
	EventInvoiceIssued  = "ordering.InvoiceIssued.v1"
	EventOrderShipped   = "ordering.OrderShipped.v1"
	EventOrderCancelled = "ordering.OrderCancelled.v1"
	EventOrderRefunded  = "ordering.OrderRefunded.v1"

	EventPaymentFailed   = "payment.PaymentFailed.v1"
	EventPaymentRefunded = "payment.PaymentRefunded.v1"

	EventItemAdded           = "basket.ItemAdded.v1"
	EventItemQuantityChanged = "basket.ItemQuantityChanged.v1"
	EventItemRemoved         = "basket.ItemRemoved.v1"
	EventBasketCleared       = "basket.BasketCleared.v1"
	EventBasketCheckedOut    = "basket.BasketCheckedOut.v1"

	EventStockRestocked = "catalog.StockRestocked.v1"
)

// EventTypes lists every event type Handle acts on: EmailEventTypes and
// BasketEventTypes.
func EventTypes() []string { return append(EmailEventTypes(), BasketEventTypes()...) }

// EmailEventTypes are the events that send an email. The order emails read
// their order from the order's stream (Config.Events), so OrderPlaced is not
// among them. The order confirmation goes out on
// InvoiceIssued, which follows OrderPaid once the order has its invoice
// number, so the confirmation always carries it; OrderPaid itself sends
// nothing. Handling them at once and out of order is
// correct: each email is claimed once per key in the delivery log.
func EmailEventTypes() []string {
	return []string{
		EventUserRegistered, EventVerificationRequested, EventPasswordResetRequested, EventPasswordChanged,
		EventInvoiceIssued, EventOrderShipped, EventOrderCancelled, EventOrderRefunded,
		EventPaymentFailed, EventPaymentRefunded, EventStockRestocked,
		EventStaffInvited, EventRoleGranted, EventRoleRevoked,
		EventReturnRequested, EventReturnApproved, EventReturnRejected, EventReturnRefunded,
	}
}

// BasketEventTypes are the events of the abandoned-basket tracking, which
// must see each basket's events in order.
func BasketEventTypes() []string {
	return []string{EventItemAdded, EventItemQuantityChanged, EventItemRemoved, EventBasketCleared, EventBasketCheckedOut}
}

type identityEvent struct {
	UserID      string `json:"userId"`
	Email       string `json:"email"`
	Name        string `json:"name"`
	SealedToken string `json:"sealedToken"`
	Lang        string `json:"lang"`
	Reason      string `json:"reason"` // PasswordChanged
	// Staff invitations and role changes.
	Role          string `json:"role"`
	GrantedBy     string `json:"grantedBy"`
	ViaInvitation bool   `json:"viaInvitation"`
}

type orderLine struct {
	SKU       string    `json:"sku"`
	Name      string    `json:"name"`
	Quantity  int       `json:"quantity"`
	UnitPrice money.DTO `json:"unitPrice"`
}

type orderPlaced struct {
	OrderID         string      `json:"orderId"`
	CustomerID      string      `json:"customerId"`
	Email           string      `json:"email"`
	Lines           []orderLine `json:"lines"`
	Total           money.DTO   `json:"total"`
	ShippingAddress struct {
		Name       string `json:"name"`
		Line1      string `json:"line1"`
		Line2      string `json:"line2"`
		City       string `json:"city"`
		PostalCode string `json:"postalCode"`
		Country    string `json:"country"`
	} `json:"shippingAddress"`
	PlacedAt time.Time `json:"placedAt"`
	// Breakdown is absent from orders placed before tax and shipping.
	Breakdown *pricing.BreakdownDTO `json:"breakdown,omitempty"`
}

// orderEvent covers InvoiceIssued, OrderShipped, OrderCancelled,
// OrderRefunded, PaymentFailed and PaymentRefunded: each reads the fields it
// has (Number: the invoice number of InvoiceIssued).
type orderEvent struct {
	Number         string    `json:"number"`
	OrderID        string    `json:"orderId"`
	PaymentID      string    `json:"paymentId"`
	Amount         money.DTO `json:"amount"`
	Reason         string    `json:"reason"`
	Code           string    `json:"code"`
	Carrier        string    `json:"carrier"`
	TrackingNumber string    `json:"trackingNumber"`
	// AfterRefund marks an invoice issued for an order paid before
	// invoices existed (its confirmation was sent on its OrderPaid then).
	AfterRefund bool   `json:"afterRefund"`
	RefundID    string `json:"refundId"`
}

type basketEvent struct {
	BasketID   string `json:"basketId"`
	CustomerID string `json:"customerId"`
	SKU        string `json:"sku"`
	Name       string `json:"name"`
	Quantity   int    `json:"quantity"`
}
