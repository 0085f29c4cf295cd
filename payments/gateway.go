// Package payments owns the payment gateway port — the four money-moving
// calls every provider offers (authorize, capture, void, refund) — and the
// idempotency keys that make retrying any of them safe. Adapters live in
// subpackages: sandbox (embedded shop, demos), stripe, paypal.
package payments

import (
	"context"
	"errors"

	"github.com/evshop/shop/domain/money"
)

// ErrGateway wraps technical gateway failures (network, 5xx, bad replies):
// the caller may retry with the same idempotency key. A refusal by the card
// issuer is not an error but an AuthorizeResult with OutcomeDeclined.
var ErrGateway = errors.New("payments: gateway failure")

// ErrRejected wraps a gateway's refusal of a request that retrying will not
// fix (invalid token, unknown reference, amount above what remains).
var ErrRejected = errors.New("payments: gateway rejected the request")

// Operation names one money-moving call; it is part of the idempotency key.
type Operation string

// The operations.
const (
	OpAuthorize Operation = "authorize"
	OpCapture   Operation = "capture"
	OpVoid      Operation = "void"
	OpRefund    Operation = "refund"
)

// IdempotencyKey derives the key of an operation on a payment. extra
// distinguishes several operations of one kind (one per refund id).
// Gateways keep keys for at least 24 h, far longer than any retry.
func IdempotencyKey(paymentID string, op Operation, extra ...string) string {
	k := paymentID + ":" + string(op)
	for _, e := range extra {
		k += ":" + e
	}
	return k
}

// AuthorizeRequest asks the gateway to hold Amount.
type AuthorizeRequest struct {
	PaymentID      string
	OrderID        string
	CustomerID     string
	Amount         money.Money
	Token          string // sandbox token, Stripe PaymentMethod id, PayPal approved order id; may be empty
	IdempotencyKey string
}

// Outcome is the result of an authorization.
type Outcome string

// Outcomes. ActionRequired means the buyer must confirm (Stripe client-side
// confirmation with the client secret, PayPal approval); the gateway reports
// the final outcome later through its webhook.
const (
	OutcomeAuthorized     Outcome = "authorized"
	OutcomeDeclined       Outcome = "declined"
	OutcomeActionRequired Outcome = "action_required"
)

// AuthorizeResult is the gateway's answer. ClientSecret and ApproveURL are
// handed to the browser only; they are never stored or logged.
type AuthorizeResult struct {
	Outcome      Outcome
	Ref          string // gateway id of the authorization (PaymentIntent, PayPal authorization or order)
	Code         string // machine-readable decline code
	Reason       string // human-readable decline reason
	ClientSecret string
	ApproveURL   string
}

// CaptureRequest takes a held amount.
type CaptureRequest struct {
	PaymentID      string
	Ref            string
	Amount         money.Money
	IdempotencyKey string
}

// CaptureResult names the capture at the gateway.
type CaptureResult struct {
	Ref string
}

// VoidRequest releases a hold.
type VoidRequest struct {
	PaymentID      string
	Ref            string
	IdempotencyKey string
}

// RefundRequest gives back part or all of a capture.
type RefundRequest struct {
	PaymentID      string
	AuthorizeRef   string // the authorization (Stripe refunds by PaymentIntent)
	CaptureRef     string // the capture (PayPal refunds by capture id)
	Amount         money.Money
	IdempotencyKey string
}

// RefundResult names the refund at the gateway.
type RefundResult struct {
	Ref string
}

// ApprovalOrder is an order the buyer approves on the provider's own site
// (PayPal), as the shop reads it back from the provider: the approval link
// is never stored, and the return and cancel pages find their payment
// through the id the shop set on the order.
type ApprovalOrder struct {
	ID         string
	Status     string // the provider's status, e.g. PAYER_ACTION_REQUIRED, APPROVED, COMPLETED
	PaymentID  string // the shop's payment id (PayPal custom_id)
	ApproveURL string // where the buyer approves; empty once the order is approved
}

// Gateway is the payment provider port.
type Gateway interface {
	Authorize(ctx context.Context, req AuthorizeRequest) (AuthorizeResult, error)
	Capture(ctx context.Context, req CaptureRequest) (CaptureResult, error)
	Void(ctx context.Context, req VoidRequest) error
	Refund(ctx context.Context, req RefundRequest) (RefundResult, error)
}

// Router sends each payment to the adapter of its method, so one command
// handler serves sandbox, Stripe and PayPal payments side by side.
type Router map[string]Gateway

// For returns the gateway of method.
func (r Router) For(method string) (Gateway, bool) {
	g, ok := r[method]
	return g, ok
}

// NotificationKind is what a verified gateway webhook tells the shop.
type NotificationKind string

// Kinds of webhook notifications. Ignored events are acknowledged and dropped.
const (
	NotifyApproved   NotificationKind = "approved" // buyer approved; the shop must now authorize (PayPal)
	NotifyAuthorized NotificationKind = "authorized"
	NotifyFailed     NotificationKind = "failed"
	NotifyVoided     NotificationKind = "voided"
	NotifyIgnored    NotificationKind = "ignored"
)

// Notification is a verified webhook event, reduced to what the payment
// aggregate needs. PaymentID comes from metadata the shop itself set
// (Stripe metadata, PayPal custom_id), never from unverified input.
type Notification struct {
	Provider  string
	EventID   string
	Kind      NotificationKind
	PaymentID string
	Ref       string
	// RelatedRef is the object Ref belongs to, when the provider says so
	// (PayPal: the order of an authorization). The shop applies a
	// notification only when Ref or RelatedRef is a reference the provider
	// gave that very payment.
	RelatedRef string
	Code       string
	Reason     string
}

// ErrBadSignature is returned for a webhook whose signature, timestamp or
// body does not verify. The HTTP edge answers 400 and the provider retries.
var ErrBadSignature = errors.New("payments: webhook signature does not verify")
