// Package orders is the ordering read model: orders, their lines and their
// status history, built by a projector from ordering events. PostgreSQL holds
// it in server mode (each change and the projector checkpoint commit in one
// transaction); memory holds it in embedded mode. Both pass one contract
// suite. Table names take a suffix so a rebuild can fill shadow tables.
package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/commands/esrepo"
	cmdorder "github.com/evshop/shop/commands/ordering"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/pricing"
	"github.com/evshop/shop/eventstore"
)

// HandlerName names this projector's queue and checkpoint row. Never rename.
const HandlerName = "projections.orders"

// Errors of the read model.
var (
	ErrNotFound   = errors.New("orders: order not found")
	ErrOutOfOrder = errors.New("orders: event arrived out of order")
	// ErrMalformed marks an event the read model can never apply (a poison
	// message: retrying it cannot help).
	ErrMalformed = errors.New("orders: malformed event")
	// errUndecodable marks an event whose data does not decode.
	errUndecodable = errors.New("orders: undecodable event")
)

// Line is an order line. TaxClass and WeightGrams are empty for orders
// placed before tax and shipping.
type Line struct {
	SKU         string    `json:"sku"`
	Name        string    `json:"name"`
	Category    string    `json:"category"`
	Quantity    int       `json:"quantity"`
	UnitPrice   money.DTO `json:"unitPrice"`
	TaxClass    string    `json:"taxClass,omitempty"`
	WeightGrams int       `json:"weightGrams,omitempty"`
}

// Pricing is what OrderPlaced records about the price: the shipping method,
// the discount code, the buyer's VAT ID, the guest flag and the breakdown
// (net, tax per rate, gross of lines and shipping). It is zero for orders
// placed before tax and shipping existed. Stores keep it as one JSON value.
type Pricing struct {
	ShippingMethod string                `json:"shippingMethod,omitempty"`
	Discount       *pricing.DiscountDTO  `json:"discount,omitempty"`
	VATID          string                `json:"vatId,omitempty"`
	Guest          bool                  `json:"guest,omitempty"`
	Breakdown      *pricing.BreakdownDTO `json:"breakdown,omitempty"`
}

// IsZero reports whether p records nothing (an order placed before pricing).
func (p Pricing) IsZero() bool {
	return p.ShippingMethod == "" && p.Discount == nil && p.VATID == "" && !p.Guest && p.Breakdown == nil
}

// EncodePricing is p as stored: nil (SQL NULL) when zero, else JSON.
func EncodePricing(p Pricing) ([]byte, error) {
	if p.IsZero() {
		return nil, nil
	}
	return json.Marshal(p)
}

// DecodePricing reads what EncodePricing stored.
func DecodePricing(b []byte) (Pricing, error) {
	var p Pricing
	if len(b) == 0 {
		return p, nil
	}
	err := json.Unmarshal(b, &p)
	return p, err
}

// PricingOf is what e records about the price.
func PricingOf(e *ordering.OrderPlaced) Pricing {
	return Pricing{ShippingMethod: e.ShippingMethod, Discount: e.Discount, VATID: e.VATID, Guest: e.Guest, Breakdown: e.Breakdown}
}

// LineOf is the read model's line of an order line.
func LineOf(l ordering.LineDTO) Line {
	return Line{SKU: l.SKU, Name: l.Name, Category: l.Category, Quantity: l.Quantity, UnitPrice: l.UnitPrice,
		TaxClass: l.TaxClass, WeightGrams: l.WeightGrams}
}

// HistoryEntry is one status change.
type HistoryEntry struct {
	Status string    `json:"status"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"`
}

// Summary is an order in a list.
type Summary struct {
	OrderID    string    `json:"orderId"`
	CustomerID string    `json:"customerId"`
	Email      string    `json:"email"`
	Status     string    `json:"status"`
	Total      money.DTO `json:"total"`
	ItemCount  int       `json:"itemCount"`
	PlacedAt   time.Time `json:"placedAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

// Order is the full detail. The payment token is never kept here.
type Order struct {
	Summary
	ShippingAddress ordering.AddressDTO `json:"shippingAddress"`
	PaymentMethod   string              `json:"paymentMethod"`
	PaymentLast4    string              `json:"paymentLast4,omitempty"`
	PaymentID       string              `json:"paymentId,omitempty"`
	Carrier         string              `json:"carrier,omitempty"`
	TrackingNumber  string              `json:"trackingNumber,omitempty"`
	CancelReason    string              `json:"cancelReason,omitempty"`
	Refunded        *money.DTO          `json:"refunded,omitempty"`
	Pricing
	Version uint64         `json:"version"`
	Lines   []Line         `json:"lines"`
	History []HistoryEntry `json:"history"`
	Documents
}

// Documents are the order's invoice and credit notes (stored as one JSON
// value beside the order's row).
type Documents struct {
	Invoice     *Invoice     `json:"invoice,omitempty"`
	CreditNotes []CreditNote `json:"creditNotes,omitempty"` // in the order they were issued
}

// Invoice is the order's invoice: its printed number and when it was issued.
type Invoice struct {
	Number   string    `json:"number"`
	IssuedAt time.Time `json:"issuedAt"`
}

// CreditNote is the credit note of one refund.
type CreditNote struct {
	Number   string    `json:"number"`
	RefundID string    `json:"refundId"`
	Amount   money.DTO `json:"amount"`
	IssuedAt time.Time `json:"issuedAt"`
}

// apply folds a document change into d.
func (d *Documents) apply(c Change) {
	if i := c.Invoice; i != nil && d.Invoice == nil {
		d.Invoice = &Invoice{Number: i.Number, IssuedAt: i.IssuedAt.UTC()}
	}
	if n := c.CreditNote; n != nil {
		d.CreditNotes = append(d.CreditNotes, CreditNote{Number: n.Number, RefundID: n.RefundID, Amount: n.Amount, IssuedAt: n.IssuedAt.UTC()})
	}
}

// clone copies d so that changing the copy leaves d as it is.
func (d Documents) clone() Documents {
	if d.Invoice != nil {
		i := *d.Invoice
		d.Invoice = &i
	}
	d.CreditNotes = slices.Clone(d.CreditNotes)
	return d
}

// CreditNote returns the credit note numbered number.
func (d Documents) CreditNote(number string) (CreditNote, bool) {
	for _, n := range d.CreditNotes {
		if n.Number == number {
			return n, true
		}
	}
	return CreditNote{}, false
}

// Query filters List. Zero fields match everything.
type Query struct {
	CustomerID string
	Status     string
	Email      string // exact, case-insensitive
	Page       int    // 1-based
	PageSize   int    // 1..100
}

// Normalize applies defaults and bounds.
func (q Query) Normalize() Query {
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PageSize < 1 {
		q.PageSize = 20
	}
	q.PageSize = min(q.PageSize, 100)
	q.Email = strings.ToLower(q.Email)
	return q
}

// Page is one page of List, newest first.
type Page struct {
	Items    []Summary `json:"items"`
	Page     int       `json:"page"`
	PageSize int       `json:"pageSize"`
	Total    int       `json:"total"`
}

// Change is what one event does to the read model.
type Change struct {
	OrderID  string
	Revision uint64
	Position uint64
	At       time.Time
	Status   ordering.Status
	Placed   *ordering.OrderPlaced // only for OrderPlaced
	Reason   string
	// Fields set by some transitions.
	PaymentID      string
	Carrier        string
	TrackingNumber string
	Refunded       *money.DTO
	// Documents issued (no status change).
	Invoice    *ordering.InvoiceIssued
	CreditNote *ordering.CreditNoteIssued
}

// Store holds the read model. Every adapter passes the contract suite.
type Store interface {
	// Apply makes c in one atomic step with the checkpoint: skipped (false,
	// nil) if the order already reflects c.Revision, ErrOutOfOrder if an
	// earlier revision is missing.
	Apply(ctx context.Context, c Change) (bool, error)
	Get(ctx context.Context, orderID string) (Order, error)
	List(ctx context.Context, q Query) (Page, error)
	Checkpoint(ctx context.Context) (uint64, error)
}

func guard(version uint64, exists bool, rev uint64) (bool, error) {
	if !exists {
		version = 0
	}
	switch {
	case rev < version:
		return false, nil
	case rev > version:
		return false, fmt.Errorf("%w: revision %d but order at version %d", ErrOutOfOrder, rev, version)
	}
	return true, nil
}

// Projector folds ordering events into a Store.
type Projector struct {
	store Store
	// Malformed, when set, hears of each event ApplyBatch skipped because it
	// can never apply (the bus path dead-letters those).
	Malformed func(ev eventstore.RecordedEvent, err error)
}

// NewProjector returns the projector writing to store.
func NewProjector(store Store) (*Projector, error) {
	if store == nil {
		return nil, errors.New("orders: store is required")
	}
	return &Projector{store: store}, nil
}

// Name is HandlerName.
func (p *Projector) Name() string { return HandlerName }

// Filter selects the events this projector needs.
func (p *Projector) Filter() eventstore.Filter {
	return eventstore.Filter{StreamPrefixes: []string{ordering.StreamPrefix}}
}

// Handle applies one stored event; events of other streams are ignored.
func (p *Projector) Handle(ctx context.Context, ev eventstore.RecordedEvent) error {
	c, ok, err := changeOf(ev)
	if !ok || err != nil {
		return err
	}
	_, err = p.store.Apply(ctx, c)
	return err
}

// BatchStore is a Store that applies many changes in one atomic write with
// the checkpoint (PostgreSQL: one transaction), with the same outcome as
// Apply on each in turn: changes already reflected are skipped.
type BatchStore interface {
	ApplyBatch(ctx context.Context, cs []Change) error
}

// ApplyBatch applies stored events (in global order) as one batch when the
// store can, else one by one; events of other streams are ignored. It is
// what the catch-up runner (projections/catchup) calls.
func (p *Projector) ApplyBatch(ctx context.Context, evs []eventstore.RecordedEvent) error {
	cs := make([]Change, 0, len(evs))
	for _, ev := range evs {
		c, ok, err := changeOf(ev)
		switch {
		case errors.Is(err, ErrMalformed) || errors.Is(err, errUndecodable):
			// A poison event: retrying cannot help, and stopping here would
			// stop the read model for good.
			if p.Malformed != nil {
				p.Malformed(ev, err)
			}
		case err != nil:
			return err
		case ok:
			cs = append(cs, c)
		}
	}
	if b, ok := p.store.(BatchStore); ok {
		return b.ApplyBatch(ctx, cs)
	}
	for _, c := range cs {
		if _, err := p.store.Apply(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// Checkpoint is the store's checkpoint: where a catch-up runner resumes.
func (p *Projector) Checkpoint(ctx context.Context) (uint64, error) { return p.store.Checkpoint(ctx) }

// changeOf decodes an ordering event (ok false for other streams).
func changeOf(ev eventstore.RecordedEvent) (Change, bool, error) {
	id, ok := strings.CutPrefix(ev.Stream, ordering.StreamPrefix)
	if !ok || !strings.HasPrefix(ev.Type, "ordering.") {
		return Change{}, false, nil
	}
	if u, err := uuid.Parse(id); err != nil || u.String() != id {
		// Orders are read by their canonical id; any other spelling would
		// store an order that lists but can never be read.
		return Change{}, false, fmt.Errorf("%w: stream %q does not name an order id", ErrMalformed, ev.Stream)
	}
	c, err := decode(id, ev)
	return c, err == nil, err
}

// orderEvents decodes ordering events, including the retired ones, which
// take their place in the stream and change nothing. It is a fixed table,
// built once.
var orderEvents = cmdorder.Codec()

func decode(id string, ev eventstore.RecordedEvent) (Change, error) {
	c := Change{OrderID: id, Revision: ev.Revision, Position: ev.Position, At: ev.Time.UTC()}
	decoded, err := orderEvents.Decode(ev.Type, ev.Data)
	if errors.Is(err, esrepo.ErrUnknownEvent) {
		// An unknown ordering event still takes its place in the stream.
		decoded, err = nil, nil
	}
	if err != nil {
		return Change{}, fmt.Errorf("%w: decode %s at %s/%d: %w", errUndecodable, ev.Type, ev.Stream, ev.Revision, err)
	}
	switch e := decoded.(type) {
	// esrepo.Retired (the checkout steps earlier versions recorded here)
	// takes its place in the stream and changes nothing else.
	case ordering.OrderPlaced:
		c.Placed, c.Status = &e, ordering.StatusPlaced
	case ordering.OrderPaid:
		c.Status, c.PaymentID = ordering.StatusPaid, e.PaymentID
	case ordering.OrderShipped:
		c.Status, c.Carrier, c.TrackingNumber = ordering.StatusShipped, e.Carrier, e.TrackingNumber
	case ordering.OrderDelivered:
		c.Status = ordering.StatusDelivered
	case ordering.OrderCancelled:
		c.Status, c.Reason = ordering.StatusCancelled, e.Reason
	case ordering.OrderRefunded:
		c.Status, c.Reason, c.Refunded = ordering.StatusRefunded, e.Reason, &e.Amount
		if e.RefundedTotal != nil { // absent from events stored before partial refunds
			c.Refunded = e.RefundedTotal
		}
	case ordering.OrderPartiallyRefunded:
		c.Status, c.Reason, c.Refunded = ordering.StatusPartiallyRefunded, e.Reason, &e.RefundedTotal
	case ordering.InvoiceIssued:
		c.Invoice = &e
	case ordering.CreditNoteIssued:
		c.CreditNote = &e
	}
	if ev.Revision == 0 && c.Placed == nil {
		// Every order stream starts with OrderPlaced; anything else first
		// would make a nameless order that lists but cannot be read.
		return Change{}, fmt.Errorf("%w: %s at %s/0: an order stream starts with %s", ErrMalformed, ev.Type, ev.Stream, ordering.EventOrderPlaced)
	}
	return c, nil
}

// applyTo folds c into o (shared by the memory adapter and tests).
func applyTo(o *Order, c Change) {
	if p := c.Placed; p != nil {
		o.OrderID, o.CustomerID, o.Email = c.OrderID, p.CustomerID, p.Email
		o.Total, o.PlacedAt = p.Total, p.PlacedAt.UTC()
		o.ShippingAddress, o.PaymentMethod, o.PaymentLast4 = p.ShippingAddress, p.Payment.Method, p.Payment.Last4
		o.Pricing = PricingOf(p)
		o.Lines, o.ItemCount = nil, 0
		for _, l := range p.Lines {
			o.Lines = append(o.Lines, LineOf(l))
			o.ItemCount += l.Quantity
		}
	}
	if c.PaymentID != "" {
		o.PaymentID = c.PaymentID
	}
	if c.Carrier != "" {
		o.Carrier, o.TrackingNumber = c.Carrier, c.TrackingNumber
	}
	if c.Status == ordering.StatusCancelled {
		o.CancelReason = c.Reason
	}
	if c.Refunded != nil {
		r := *c.Refunded
		o.Refunded = &r
	}
	o.Documents.apply(c)
	if c.Status != ordering.StatusNone {
		o.Status = string(c.Status)
		o.History = append(o.History, HistoryEntry{Status: string(c.Status), Reason: c.Reason, At: c.At})
	}
	o.UpdatedAt = c.At
	o.Version = c.Revision + 1
}

// CatchUp folds one event of the order's stream into a copy of o, exactly as
// the projector would (o is the zero Order for one not projected yet). The
// orders API uses it to bring an order read from the store up to its
// stream's head, so a customer sees the order right after checking out and
// its status as the event store holds it, however far the projector is
// behind. ev must be the event at revision o.Version: a gap is
// ErrOutOfOrder, an event already in o is skipped.
func CatchUp(o Order, ev eventstore.RecordedEvent) (Order, error) {
	id, ok := strings.CutPrefix(ev.Stream, ordering.StreamPrefix)
	if !ok {
		return o, fmt.Errorf("%w: stream %q is not an order stream", ErrMalformed, ev.Stream)
	}
	if ok, err := guard(o.Version, o.Version > 0, ev.Revision); !ok {
		return o, err
	}
	c, err := decode(id, ev)
	if err != nil {
		return o, err
	}
	o = clone(o)
	applyTo(&o, c)
	return o, nil
}
