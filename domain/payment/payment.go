// Package payment owns the payment aggregate (stream payment-<paymentId>):
// its life cycle Requested → Authorized → Captured → Refunded, or Failed /
// Voided, and the rules that keep money safe — a capture happens once, a
// refund never exceeds what was captured. It does no I/O: command handlers
// ask it whether a gateway call is allowed, make the call, then record the
// outcome through it.
package payment

import (
	"crypto/sha1"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/evshop/shop/domain/money"
)

// Errors returned by the aggregate's decisions.
var (
	ErrIllegalTransition = errors.New("payment: illegal transition")
	ErrInvalid           = errors.New("payment: invalid input")
	ErrNotFound          = errors.New("payment: not found")
	ErrRefundTooLarge    = errors.New("payment: refund exceeds the captured amount")
)

// Status is where a payment stands.
type Status string

// The statuses. Refunded means fully refunded; a partial refund stays Captured.
const (
	StatusNew            Status = ""
	StatusRequested      Status = "requested"
	StatusActionRequired Status = "action_required"
	StatusAuthorized     Status = "authorized"
	StatusCaptured       Status = "captured"
	StatusRefunded       Status = "refunded"
	StatusFailed         Status = "failed"
	StatusVoided         Status = "voided"
)

// Terminal reports whether no further gateway call can follow.
func (s Status) Terminal() bool {
	return s == StatusFailed || s == StatusVoided || s == StatusRefunded
}

// Method is how the buyer pays.
type Method string

// The supported methods.
const (
	MethodSandbox Method = "sandbox"
	MethodStripe  Method = "stripe"
	MethodPayPal  Method = "paypal"
)

// ParseMethod validates a wire value.
func ParseMethod(s string) (Method, error) {
	switch m := Method(s); m {
	case MethodSandbox, MethodStripe, MethodPayPal:
		return m, nil
	}
	return "", fmt.Errorf("%w: unknown payment method %q", ErrInvalid, s)
}

// StreamPrefix starts every payment stream name.
const StreamPrefix = "payment-"

// Stream names the event stream of a payment.
func Stream(paymentID string) string { return StreamPrefix + paymentID }

// namespace is the UUIDv5 namespace of payment ids (a fixed random UUID).
var namespace = [16]byte{0x6b, 0x1f, 0x3c, 0x52, 0x8e, 0x0d, 0x4a, 0x77, 0x9a, 0x43, 0x2e, 0x51, 0xc8, 0x90, 0x1d, 0x3f}

// IDForOrder derives the payment id of an order (UUIDv5, RFC 9562 §5.5), so
// a redelivered AuthorizePayment always targets the same stream.
func IDForOrder(orderID string) string {
	h := sha1.New()
	h.Write(namespace[:])
	h.Write([]byte(orderID))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = (u[6] & 0x0f) | 0x50
	u[8] = (u[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// ValidID reports whether s is a canonical lower-case UUID string.
func ValidID(s string) bool { return uuidRE.MatchString(s) }

var last4RE = regexp.MustCompile(`^[0-9]{4}$`)

// Request is the validated input that opens a payment.
type Request struct {
	paymentID  string
	orderID    string
	customerID string
	amount     money.Money
	method     Method
	last4      string
}

// NewRequest validates the fields of an authorization request.
func NewRequest(paymentID, orderID, customerID string, amount money.Money, method Method, last4 string) (Request, error) {
	switch {
	case !ValidID(paymentID):
		return Request{}, fmt.Errorf("%w: paymentId", ErrInvalid)
	case !ValidID(orderID):
		return Request{}, fmt.Errorf("%w: orderId", ErrInvalid)
	case strings.TrimSpace(customerID) == "" || len(customerID) > 64:
		return Request{}, fmt.Errorf("%w: customerId", ErrInvalid)
	case amount.Currency() == "" || amount.Amount() <= 0:
		return Request{}, fmt.Errorf("%w: amount must be positive", ErrInvalid)
	case last4 != "" && !last4RE.MatchString(last4):
		return Request{}, fmt.Errorf("%w: last4", ErrInvalid)
	}
	if _, err := ParseMethod(string(method)); err != nil {
		return Request{}, err
	}
	return Request{paymentID: paymentID, orderID: orderID, customerID: customerID, amount: amount, method: method, last4: last4}, nil
}

// Payment is the aggregate. Its state only changes through apply, so loading
// from history and deciding use the same code.
type Payment struct {
	id          string
	orderID     string
	customerID  string
	amount      money.Money
	method      Method
	last4       string
	status      Status
	gatewayRef  string
	refs        map[string]bool // every reference the gateway gave this payment
	captureRef  string
	captured    money.Money
	refunded    money.Money
	refundIDs   map[string]bool
	failCode    string
	failReason  string
	voidReason  string
	version     uint64
	uncommitted []Event
}

// New returns an empty payment, ready to be loaded from its history.
func New() *Payment { return &Payment{} }

// Blank is New with the signature repositories expect.
func Blank(string) *Payment { return New() }

// ID and the other getters expose state for handlers and read models.
func (p *Payment) ID() string            { return p.id }
func (p *Payment) OrderID() string       { return p.orderID }
func (p *Payment) CustomerID() string    { return p.customerID }
func (p *Payment) Amount() money.Money   { return p.amount }
func (p *Payment) Method() Method        { return p.method }
func (p *Payment) Last4() string         { return p.last4 }
func (p *Payment) Status() Status        { return p.status }
func (p *Payment) GatewayRef() string    { return p.gatewayRef }
func (p *Payment) CaptureRef() string    { return p.captureRef }
func (p *Payment) Captured() money.Money { return p.captured }
func (p *Payment) Refunded() money.Money { return p.refunded }
func (p *Payment) FailCode() string      { return p.failCode }

// Version is the number of stored events applied (0 for a new payment).
func (p *Payment) Version() uint64 { return p.version }

// Changes returns the events recorded since loading, oldest first.
func (p *Payment) Changes() []Event { return p.uncommitted }

// MatchesGateway reports whether a provider's notification about refs
// concerns this payment: it comes from the provider of the payment's method
// and names a reference that provider gave this payment (the PaymentIntent;
// the PayPal order or its authorization). The payment id in a webhook is
// only metadata: a notification about another PaymentIntent or capture that
// carries it must not move this payment. A payment without a reference yet
// matches nothing; its own authorize call records the outcome.
func (p *Payment) MatchesGateway(provider string, refs ...string) bool {
	if provider == "" || string(p.method) != provider {
		return false
	}
	for _, r := range refs {
		if r != "" && p.refs[r] {
			return true
		}
	}
	return false
}

// Refundable is what may still be refunded.
func (p *Payment) Refundable() int64 { return p.captured.Amount() - p.refunded.Amount() }

func (p *Payment) record(e Event) {
	p.apply(e)
	p.uncommitted = append(p.uncommitted, e)
}

// Open records PaymentRequested. Opening again with the same order is a
// no-op so a redelivered AuthorizePayment is harmless.
func (p *Payment) Open(r Request) error {
	if p.status != StatusNew {
		if p.orderID != r.orderID || p.id != r.paymentID {
			return fmt.Errorf("%w: payment %s belongs to another order", ErrIllegalTransition, p.id)
		}
		return nil
	}
	p.record(PaymentRequested{PaymentID: r.paymentID, OrderID: r.orderID, CustomerID: r.customerID,
		Amount: r.amount.DTO(), Method: string(r.method), Last4: r.last4})
	return nil
}

// ShouldAuthorize tells whether the gateway must be asked to authorize:
// only while the request is open. After that the outcome is already known.
func (p *Payment) ShouldAuthorize() bool {
	return p.status == StatusRequested || p.status == StatusActionRequired
}

// RecordActionRequired notes that the buyer must act at the gateway.
func (p *Payment) RecordActionRequired(gatewayRef string) error {
	switch p.status {
	case StatusActionRequired:
		return nil
	case StatusRequested:
		if gatewayRef == "" {
			return fmt.Errorf("%w: gateway reference missing", ErrInvalid)
		}
		p.record(PaymentActionRequired{PaymentID: p.id, OrderID: p.orderID, GatewayRef: gatewayRef})
		return nil
	}
	return p.illegal("await buyer action")
}

// RecordAuthorization records the gateway's hold on the amount.
func (p *Payment) RecordAuthorization(gatewayRef string) error {
	switch p.status {
	case StatusRequested, StatusActionRequired:
	case StatusAuthorized, StatusCaptured, StatusRefunded:
		return nil // already known: a redelivered outcome
	default:
		return p.illegal("authorize")
	}
	if gatewayRef == "" {
		return fmt.Errorf("%w: gateway reference missing", ErrInvalid)
	}
	p.record(PaymentAuthorized{PaymentID: p.id, OrderID: p.orderID, Amount: p.amount.DTO(), GatewayRef: gatewayRef})
	return nil
}

// RecordFailure records the gateway's refusal.
func (p *Payment) RecordFailure(code, reason string) error {
	switch p.status {
	case StatusRequested, StatusActionRequired:
	case StatusFailed:
		return nil
	default:
		return p.illegal("fail")
	}
	if code == "" {
		code = "payment_failed"
	}
	if reason == "" {
		reason = code
	}
	p.record(PaymentFailed{PaymentID: p.id, OrderID: p.orderID, Code: code, Reason: reason})
	return nil
}

// ShouldCapture tells whether the gateway must be asked to capture. A second
// capture is a no-op (false, nil): the gateway is never called twice.
func (p *Payment) ShouldCapture() (bool, error) {
	switch p.status {
	case StatusAuthorized:
		return true, nil
	case StatusCaptured, StatusRefunded:
		return false, nil
	}
	return false, p.illegal("capture")
}

// RecordCapture records the capture made at the gateway.
func (p *Payment) RecordCapture(captureRef string) error {
	ok, err := p.ShouldCapture()
	if err != nil || !ok {
		return err
	}
	p.record(PaymentCaptured{PaymentID: p.id, OrderID: p.orderID, Amount: p.amount.DTO(), GatewayRef: captureRef})
	return nil
}

// VoidAction says what voiding needs.
type VoidAction int

// Void outcomes: nothing to do, record only (nothing held at the gateway),
// or release the hold at the gateway and record.
const (
	VoidNothing VoidAction = iota
	VoidRecordOnly
	VoidAtGateway
)

// ShouldVoid decides a void. A payment already failed or voided needs
// nothing; a captured one must be refunded instead.
func (p *Payment) ShouldVoid() (VoidAction, error) {
	switch p.status {
	case StatusNew:
		return VoidRecordOnly, nil
	case StatusRequested:
		return VoidRecordOnly, nil
	case StatusActionRequired, StatusAuthorized:
		return VoidAtGateway, nil
	case StatusFailed, StatusVoided:
		return VoidNothing, nil
	}
	return VoidNothing, p.illegal("void")
}

// RecordVoid records the void. A payment nobody opened yet (the deadline beat
// the authorization) is voided too, with its order id, so a late
// AuthorizePayment finds it closed.
func (p *Payment) RecordVoid(paymentID, orderID, reason string) error {
	act, err := p.ShouldVoid()
	if err != nil || act == VoidNothing {
		return err
	}
	if p.status == StatusNew {
		if !ValidID(paymentID) || !ValidID(orderID) {
			return fmt.Errorf("%w: voiding an unknown payment needs its ids", ErrInvalid)
		}
		p.record(PaymentVoided{PaymentID: paymentID, OrderID: orderID, Reason: reason})
		return nil
	}
	p.record(PaymentVoided{PaymentID: p.id, OrderID: p.orderID, Reason: reason})
	return nil
}

// ShouldRefund validates a refund of amount. A refund whose refundID was
// already recorded is a no-op (false, nil).
func (p *Payment) ShouldRefund(amount money.Money, refundID string) (bool, error) {
	if refundID != "" && p.refundIDs[refundID] {
		return false, nil
	}
	if p.status != StatusCaptured {
		return false, p.illegal("refund")
	}
	if amount.Currency() != p.amount.Currency() {
		return false, fmt.Errorf("%w: refund currency %s", ErrInvalid, amount.Currency())
	}
	if amount.Amount() <= 0 {
		return false, fmt.Errorf("%w: refund amount must be positive", ErrInvalid)
	}
	if amount.Amount() > p.Refundable() {
		return false, fmt.Errorf("%w: %s asked, %d refundable", ErrRefundTooLarge, amount, p.Refundable())
	}
	return true, nil
}

// RecordRefund records a refund made at the gateway.
func (p *Payment) RecordRefund(amount money.Money, reason, refundID, gatewayRef string) error {
	ok, err := p.ShouldRefund(amount, refundID)
	if err != nil || !ok {
		return err
	}
	p.record(PaymentRefunded{PaymentID: p.id, OrderID: p.orderID, Amount: amount.DTO(), Reason: reason, RefundID: refundID, GatewayRef: gatewayRef})
	return nil
}

func (p *Payment) illegal(what string) error {
	st := p.status
	if st == StatusNew {
		st = "new"
	}
	return fmt.Errorf("%w: cannot %s a %s payment", ErrIllegalTransition, what, st)
}

// ApplyStored applies an event read back from the stream and counts it
// towards Version. It never fails, so replay cannot fail.
func (p *Payment) ApplyStored(e Event) {
	p.version++
	p.apply(e)
}

// apply only mutates state; malformed amounts from history degrade to zero
// rather than panic.
func (p *Payment) apply(e Event) {
	switch e := e.(type) {
	case PaymentRequested:
		p.id, p.orderID, p.customerID = e.PaymentID, e.OrderID, e.CustomerID
		p.amount = dto(e.Amount)
		p.method, p.last4 = Method(e.Method), e.Last4
		p.captured, p.refunded = money.Zero(e.Amount.Currency), money.Zero(e.Amount.Currency)
		p.status = StatusRequested
	case PaymentActionRequired:
		p.gatewayRef = e.GatewayRef
		p.addRef(e.GatewayRef)
		p.status = StatusActionRequired
	case PaymentAuthorized:
		p.gatewayRef = e.GatewayRef
		p.addRef(e.GatewayRef)
		p.status = StatusAuthorized
	case PaymentFailed:
		p.failCode, p.failReason = e.Code, e.Reason
		p.status = StatusFailed
	case PaymentCaptured:
		p.captured = dto(e.Amount)
		p.captureRef = e.GatewayRef
		p.status = StatusCaptured
	case PaymentVoided:
		if p.id == "" {
			p.id, p.orderID = e.PaymentID, e.OrderID
		}
		p.voidReason = e.Reason
		p.status = StatusVoided
	case PaymentRefunded:
		if r, err := p.refunded.Add(dto(e.Amount)); err == nil {
			p.refunded = r
		}
		if e.RefundID != "" {
			if p.refundIDs == nil {
				p.refundIDs = map[string]bool{}
			}
			p.refundIDs[e.RefundID] = true
		}
		if p.Refundable() <= 0 {
			p.status = StatusRefunded
		}
	}
}

func (p *Payment) addRef(ref string) {
	if ref == "" {
		return
	}
	if p.refs == nil {
		p.refs = map[string]bool{}
	}
	p.refs[ref] = true
}

func dto(d money.DTO) money.Money {
	m, err := money.FromDTO(d)
	if err != nil {
		return money.Zero(d.Currency)
	}
	return m
}
