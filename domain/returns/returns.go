// Package returns is the returns aggregate: every return of one order, in
// one stream ("returns-<orderId>"). A customer asks to send back units of a
// delivered order within the return window, with one reason; staff approve
// or reject; when the goods arrive staff say per line which units go back
// into stock and which are written off, and the return records the refund it
// is owed; the payment's refund then marks it Refunded.
//
// One stream per order rather than one per return: "no more units than
// were delivered minus those already asked for" is a rule across all the
// returns of an order, and a single stream appended with its expected
// revision makes two concurrent requests unable to both take the last unit.
// A return's id is "<orderId>-r<n>" (n counts the order's returns from 1),
// so a return id names its stream.
//
// The package does no I/O: the command side folds the order's stream into
// OrderFacts and hands them in.
package returns

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Errors returned by the aggregate; the HTTP edge maps them to statuses.
var (
	// ErrInvalid refuses malformed input (422).
	ErrInvalid = errors.New("returns: invalid input")
	// ErrNotFound: no such order (for this customer) or no such return.
	ErrNotFound = errors.New("returns: not found")
	// ErrNotDelivered refuses a request for an order not delivered yet.
	ErrNotDelivered = errors.New("returns: the order has not been delivered")
	// ErrWindowClosed refuses a request after the return window.
	ErrWindowClosed = errors.New("returns: the return window has closed")
	// ErrTooManyUnits refuses more units than are left to return. It is
	// also ErrInvalid.
	ErrTooManyUnits = fmt.Errorf("%w: more units than are left to return", ErrInvalid)
	// ErrIllegalTransition refuses a step the return's status forbids.
	ErrIllegalTransition = errors.New("returns: illegal transition")
)

// Limits.
const (
	MaxLines = 50
	maxNote  = 500
)

// Reason is why a customer returns goods: one per request, with free text.
type Reason string

// The reasons.
const (
	ReasonDamaged        Reason = "damaged"
	ReasonDefective      Reason = "defective"
	ReasonWrongItem      Reason = "wrong_item"
	ReasonNotAsDescribed Reason = "not_as_described"
	ReasonNoLongerNeeded Reason = "no_longer_needed"
	ReasonOther          Reason = "other"
)

// Reasons lists every reason (wire values).
func Reasons() []Reason {
	return []Reason{ReasonDamaged, ReasonDefective, ReasonWrongItem, ReasonNotAsDescribed, ReasonNoLongerNeeded, ReasonOther}
}

// ParseReason validates s.
func ParseReason(s string) (Reason, error) {
	for _, r := range Reasons() {
		if string(r) == s {
			return r, nil
		}
	}
	return "", invalid("reason %q is not one of %v", s, Reasons())
}

// Status is where a return stands (wire values).
type Status string

// The statuses.
const (
	StatusRequested Status = "Requested"
	StatusApproved  Status = "Approved"
	StatusRejected  Status = "Rejected"
	StatusReceived  Status = "Received"
	StatusRefunded  Status = "Refunded"
)

// Statuses lists every status.
func Statuses() []Status {
	return []Status{StatusRequested, StatusApproved, StatusRejected, StatusReceived, StatusRefunded}
}

// ParseStatus validates s.
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses() {
		if string(st) == s {
			return st, nil
		}
	}
	return "", invalid("status %q", s)
}

// Disposition is what becomes of a received unit.
type Disposition string

// The dispositions.
const (
	Restock Disposition = "restock"
	Damaged Disposition = "damaged"
)

// Return is one return's state, read-only for callers.
type Return struct {
	ID           string
	OrderID      string
	CustomerID   string
	Email        string
	Status       Status
	Lines        []LineDTO
	Reason       Reason
	Note         string
	RequestedAt  time.Time
	DecidedAt    time.Time
	RejectReason string
	Received     []ReceivedLineDTO
	Shipping     int64
	Refund       int64
	Currency     string
	PaymentID    string
	RefundID     string
}

// Units is the number of units the return asks for.
func (r Return) Units() int {
	n := 0
	for _, l := range r.Lines {
		n += l.Quantity
	}
	return n
}

// RefundID names the refund of a return: the payment's idempotency key.
func RefundID(returnID string) string { return "return-" + returnID }

// ReturnIDFromRefund is the return a refund id names ("" if none).
func ReturnIDFromRefund(refundID string) string {
	if id, ok := strings.CutPrefix(refundID, "return-"); ok {
		if _, _, err := ParseID(id); err == nil {
			return id
		}
	}
	return ""
}

// ID builds the id of an order's nth return.
func ID(orderID string, n int) string { return orderID + "-r" + strconv.Itoa(n) }

// ParseID splits a return id into its order id and number. The order id is
// not checked beyond being non-empty: callers check its form.
func ParseID(id string) (orderID string, n int, err error) {
	i := strings.LastIndex(id, "-r")
	if i <= 0 || len(id) > 80 {
		return "", 0, fmt.Errorf("%w: return id %q", ErrInvalid, id)
	}
	n, err = strconv.Atoi(id[i+2:])
	if err != nil || n < 1 || strconv.Itoa(n) != id[i+2:] {
		return "", 0, fmt.Errorf("%w: return id %q", ErrInvalid, id)
	}
	return id[:i], n, nil
}

// OrderReturns is the aggregate: every return of one order.
type OrderReturns struct {
	orderID string
	version uint64
	changes []Event

	returns []*Return
	byKey   map[string]string // idempotency key → return id
	// asked counts, per SKU, the units of returns not rejected; received,
	// those received (their refund shares are taken in that order).
	asked    map[string]int
	received map[string]int
}

// Blank is the order's returns before any event.
func Blank(orderID string) *OrderReturns {
	return &OrderReturns{orderID: orderID, byKey: map[string]string{}, asked: map[string]int{}, received: map[string]int{}}
}

// Version is the number of stored events applied.
func (a *OrderReturns) Version() uint64 { return a.version }

// Changes are the events recorded since loading.
func (a *OrderReturns) Changes() []Event { return a.changes }

// OrderID is the order whose returns these are.
func (a *OrderReturns) OrderID() string { return a.orderID }

// All returns a copy of every return, oldest first.
func (a *OrderReturns) All() []Return {
	out := make([]Return, 0, len(a.returns))
	for _, r := range a.returns {
		out = append(out, *r)
	}
	return out
}

// Get returns one return.
func (a *OrderReturns) Get(id string) (Return, bool) {
	if r := a.find(id); r != nil {
		return *r, true
	}
	return Return{}, false
}

// ByKey is the return a request's idempotency key created ("" if none).
func (a *OrderReturns) ByKey(key string) string { return a.byKey[key] }

func (a *OrderReturns) find(id string) *Return {
	for _, r := range a.returns {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// ApplyStored applies a stored event and counts it.
func (a *OrderReturns) ApplyStored(e Event) {
	a.apply(e)
	a.version++
}

func (a *OrderReturns) record(e Event) {
	a.apply(e)
	a.changes = append(a.changes, e)
}

// apply mutates state only; it never fails, so replay cannot fail.
func (a *OrderReturns) apply(e Event) {
	if ev, ok := e.(ReturnRequested); ok {
		r := &Return{}
		r.Apply(ev)
		a.returns = append(a.returns, r)
		if ev.Key != "" {
			a.byKey[ev.Key] = ev.ReturnID
		}
		for _, l := range ev.Lines {
			a.asked[l.SKU] += l.Quantity
		}
		return
	}
	r := a.find(ReturnIDOf(e))
	if r == nil {
		return
	}
	r.Apply(e)
	switch ev := e.(type) {
	case ReturnRejected:
		for _, l := range r.Lines {
			a.asked[l.SKU] -= l.Quantity
		}
	case ReturnReceived:
		for _, l := range ev.Lines {
			a.received[l.SKU] += l.Restock + l.Damaged
		}
	}
}

// ReturnIDOf is the return an event is about ("" for none).
func ReturnIDOf(e Event) string {
	switch ev := e.(type) {
	case ReturnRequested:
		return ev.ReturnID
	case ReturnApproved:
		return ev.ReturnID
	case ReturnRejected:
		return ev.ReturnID
	case ReturnReceived:
		return ev.ReturnID
	case ReturnRefunded:
		return ev.ReturnID
	}
	return ""
}

// Apply folds one event of this return into r: the aggregate and the
// returns read model (projections/returns) share it. It never fails.
func (r *Return) Apply(e Event) {
	switch ev := e.(type) {
	case ReturnRequested:
		*r = Return{ID: ev.ReturnID, OrderID: ev.OrderID, CustomerID: ev.CustomerID, Email: ev.Email, Status: StatusRequested,
			Lines: ev.Lines, Reason: Reason(ev.Reason), Note: ev.Note, RequestedAt: ev.RequestedAt}
	case ReturnApproved:
		r.Status, r.DecidedAt = StatusApproved, ev.At
	case ReturnRejected:
		r.Status, r.DecidedAt, r.RejectReason = StatusRejected, ev.At, ev.Reason
	case ReturnReceived:
		r.Status, r.Received, r.PaymentID = StatusReceived, ev.Lines, ev.PaymentID
		r.Shipping, r.Refund, r.Currency = ev.Shipping.Amount, ev.Refund.Amount, ev.Refund.Currency
	case ReturnRefunded:
		r.Status, r.RefundID = StatusRefunded, ev.RefundID
	}
}

// RequestInput is a customer's request.
type RequestInput struct {
	CustomerID string
	Key        string // the request's Idempotency-Key
	Lines      []LineDTO
	Reason     string
	Note       string
}

// Request records a customer's return request and returns its id. A key
// already used returns that request's id and records nothing. Refusals:
// ErrNotFound (no such order, or not this customer's), ErrNotDelivered,
// ErrWindowClosed (window after the delivery), ErrTooManyUnits, ErrInvalid.
func (a *OrderReturns) Request(f OrderFacts, in RequestInput, window time.Duration, now time.Time) (string, error) {
	if !f.Placed() || f.OrderID != a.orderID || in.CustomerID == "" || !strings.EqualFold(f.CustomerID, in.CustomerID) {
		return "", ErrNotFound
	}
	if in.Key == "" || len(in.Key) > 64 || !validText(in.Key, true, 64) {
		return "", invalid("an idempotency key (1–64 characters) is required")
	}
	if id := a.byKey[in.Key]; id != "" {
		return id, nil
	}
	if !f.Delivered() {
		return "", ErrNotDelivered
	}
	if now.After(f.DeliveredAt.Add(window)) {
		return "", fmt.Errorf("%w: it closed on %s", ErrWindowClosed, f.DeliveredAt.Add(window).Format(time.DateOnly))
	}
	reason, err := ParseReason(in.Reason)
	if err != nil {
		return "", err
	}
	note := strings.TrimSpace(in.Note)
	if !validNote(note) {
		return "", invalid("note: at most %d characters", maxNote)
	}
	if reason == ReasonOther && note == "" {
		return "", invalid("note: say why when the reason is %q", ReasonOther)
	}
	if len(in.Lines) == 0 || len(in.Lines) > MaxLines {
		return "", invalid("lines: a return has 1 to %d lines", MaxLines)
	}
	lines := make([]LineDTO, 0, len(in.Lines))
	seen := map[string]bool{}
	for i, l := range in.Lines {
		ol, ok := f.line(l.SKU)
		if !ok || seen[l.SKU] {
			return "", invalid("lines[%d].sku: not a line of the order, or repeated", i)
		}
		seen[l.SKU] = true
		if l.Quantity < 1 {
			return "", invalid("lines[%d].quantity: at least 1", i)
		}
		if left := ol.Quantity - a.asked[l.SKU]; l.Quantity > left {
			return "", fmt.Errorf("%w: lines[%d].quantity: %d of %s left to return", ErrTooManyUnits, i, max(left, 0), l.SKU)
		}
		lines = append(lines, LineDTO{SKU: l.SKU, Name: ol.Name, Quantity: l.Quantity})
	}
	id := ID(a.orderID, len(a.returns)+1)
	a.record(ReturnRequested{ReturnID: id, OrderID: a.orderID, CustomerID: f.CustomerID, Email: f.Email, Lines: lines,
		Reason: string(reason), Note: note, Key: in.Key, RequestedAt: now.UTC()})
	return id, nil
}

// Approve records staff's approval of a requested return; approving an
// approved one again changes nothing.
func (a *OrderReturns) Approve(id, by string, now time.Time) error {
	r := a.find(id)
	if r == nil {
		return ErrNotFound
	}
	switch r.Status {
	case StatusApproved:
		return nil
	case StatusRequested:
		a.record(ReturnApproved{ReturnID: id, OrderID: a.orderID, By: by, At: now.UTC()})
		return nil
	}
	return fmt.Errorf("%w: %s → %s", ErrIllegalTransition, r.Status, StatusApproved)
}

// Reject records staff's refusal, with a reason the customer is told; its
// units can be asked for again.
func (a *OrderReturns) Reject(id, reason, by string, now time.Time) error {
	r := a.find(id)
	if r == nil {
		return ErrNotFound
	}
	reason = strings.TrimSpace(reason)
	if !validText(reason, true, maxNote) {
		return invalid("reason: required, at most %d characters", maxNote)
	}
	switch r.Status {
	case StatusRejected:
		return nil
	case StatusRequested:
		a.record(ReturnRejected{ReturnID: id, OrderID: a.orderID, Reason: reason, By: by, At: now.UTC()})
		return nil
	}
	return fmt.Errorf("%w: %s → %s", ErrIllegalTransition, r.Status, StatusRejected)
}

// ReceivedLine is staff's word on one line of a received return.
type ReceivedLine struct {
	SKU     string
	Restock int
	Damaged int
}

// ReceiveOptions are the shop's refund rules.
type ReceiveOptions struct {
	// RefundShippingOnFullReturn refunds the shipping with the receipt that
	// brings back the last unit of the order.
	RefundShippingOnFullReturn bool
}

// Receive records the goods of an approved return as received: each
// requested line's units split into restocked and damaged (adding up to
// the requested quantity), and the refund owed: each unit's share of its
// line's gross (UnitsShare, in the order units come back), plus the
// shipping when this receipt completes the whole order and opts says so.
// Receiving a received return again changes nothing.
func (a *OrderReturns) Receive(id string, f OrderFacts, lines []ReceivedLine, opts ReceiveOptions, by string, now time.Time) error {
	r := a.find(id)
	if r == nil {
		return ErrNotFound
	}
	switch r.Status {
	case StatusReceived, StatusRefunded:
		return nil
	case StatusApproved:
	default:
		return fmt.Errorf("%w: %s → %s", ErrIllegalTransition, r.Status, StatusReceived)
	}
	if f.PaymentID == "" {
		return fmt.Errorf("%w: the order has no payment to refund", ErrIllegalTransition)
	}
	given := map[string]ReceivedLine{}
	for i, l := range lines {
		if _, dup := given[l.SKU]; dup {
			return invalid("lines[%d].sku: repeated", i)
		}
		if l.Restock < 0 || l.Damaged < 0 {
			return invalid("lines[%d]: restock and damaged are 0 or more", i)
		}
		given[l.SKU] = l
	}
	if len(given) != len(r.Lines) {
		return invalid("lines: say for each returned line how many units are restocked and how many damaged")
	}
	received := make([]ReceivedLineDTO, 0, len(r.Lines))
	var total int64
	for i, l := range r.Lines {
		g, ok := given[l.SKU]
		if !ok {
			return invalid("lines: %s is missing", l.SKU)
		}
		if g.Restock+g.Damaged != l.Quantity {
			return invalid("lines[%d]: restock + damaged must be %d for %s", i, l.Quantity, l.SKU)
		}
		ol, _ := f.line(l.SKU)
		share := UnitsShare(ol.Gross, ol.Quantity, a.received[l.SKU], l.Quantity)
		total += share
		received = append(received, ReceivedLineDTO{SKU: l.SKU, Restock: g.Restock, Damaged: g.Damaged, Refund: mustMoney(share, f.Currency)})
	}
	var shipping int64
	if opts.RefundShippingOnFullReturn && a.completes(f, r) {
		shipping = f.Shipping
	}
	total += shipping
	if left := f.Total - f.Refunded; total > left {
		return fmt.Errorf("%w: the refund of %d exceeds the %d left of the order's total", ErrIllegalTransition, total, left)
	}
	a.record(ReturnReceived{ReturnID: id, OrderID: a.orderID, PaymentID: f.PaymentID, Lines: received,
		Shipping: mustMoney(shipping, f.Currency), Refund: mustMoney(total, f.Currency), By: by, At: now.UTC()})
	return nil
}

// completes reports whether receiving r brings back every unit of the order.
func (a *OrderReturns) completes(f OrderFacts, r *Return) bool {
	with := map[string]int{}
	for _, l := range r.Lines {
		with[l.SKU] = l.Quantity
	}
	for _, ol := range f.Lines {
		if a.received[ol.SKU]+with[ol.SKU] < ol.Quantity {
			return false
		}
	}
	return true
}

// MarkRefunded records the payment's refund of a received return; once
// per return (a redelivered refund changes nothing).
func (a *OrderReturns) MarkRefunded(id, refundID string, amount int64, currency string) error {
	r := a.find(id)
	if r == nil {
		return ErrNotFound
	}
	switch r.Status {
	case StatusRefunded:
		return nil
	case StatusReceived:
		a.record(ReturnRefunded{ReturnID: id, OrderID: a.orderID, PaymentID: r.PaymentID, RefundID: refundID, Amount: mustMoney(amount, currency)})
		return nil
	}
	return fmt.Errorf("%w: %s → %s", ErrIllegalTransition, r.Status, StatusRefunded)
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

func validText(s string, required bool, limit int) bool {
	if required && strings.TrimSpace(s) == "" {
		return false
	}
	return utf8.ValidString(s) && utf8.RuneCountInString(s) <= limit && !strings.ContainsAny(s, "\x00\r\n")
}

// validNote allows line breaks in the customer's free text.
func validNote(s string) bool {
	return utf8.ValidString(s) && utf8.RuneCountInString(s) <= maxNote && !strings.ContainsRune(s, 0)
}
