// Package payments is the payments ledger read model for support and for
// customers checking their order: per order, every payment with its status,
// amounts and the ledger of what happened to it. Adapters: PostgreSQL
// (server mode; rows and checkpoint commit in one transaction) and memory
// (embedded mode). Both pass one contract suite.
package payments

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/eventstore"
)

// HandlerName is the projector's stable name (queue and checkpoint).
const HandlerName = "projections.payments"

// ErrOutOfOrder means an earlier event of the payment was not applied yet;
// the message is retried until it has been.
var ErrOutOfOrder = errors.New("payments projection: event out of order")

// Entry is one ledger line.
type Entry struct {
	Revision   uint64    `json:"revision"`
	Kind       string    `json:"kind"` // requested, action_required, authorized, failed, captured, voided, refunded
	Amount     money.DTO `json:"amount"`
	Code       string    `json:"code,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	GatewayRef string    `json:"gatewayRef,omitempty"`
	At         time.Time `json:"at"`
}

// Payment is one payment of an order, with its ledger.
type Payment struct {
	PaymentID  string    `json:"paymentId"`
	OrderID    string    `json:"orderId"`
	CustomerID string    `json:"customerId"`
	Method     string    `json:"method"`
	Last4      string    `json:"last4,omitempty"`
	Status     string    `json:"status"`
	Amount     money.DTO `json:"amount"`
	Captured   int64     `json:"captured"`
	Refunded   int64     `json:"refunded"`
	FailCode   string    `json:"failCode,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	GatewayRef string    `json:"-"` // support tooling reads it from the ledger
	Version    uint64    `json:"version"`
	UpdatedAt  time.Time `json:"updatedAt"`
	Ledger     []Entry   `json:"ledger"`
}

// Change is what one payment event does.
type Change struct {
	PaymentID string
	OrderID   string
	Position  uint64
	Entry     Entry
	// Set by PaymentRequested only.
	Requested *payment.PaymentRequested
}

// Store holds the read model.
type Store interface {
	// Apply books c atomically with the checkpoint: (false, nil) when the
	// payment already reflects c's revision, ErrOutOfOrder when an earlier
	// revision is missing.
	Apply(ctx context.Context, c Change) (bool, error)
	// ByOrder lists the payments of an order by payment id.
	ByOrder(ctx context.Context, orderID string) ([]Payment, error)
	// Checkpoint is the highest global position applied.
	Checkpoint(ctx context.Context) (uint64, error)
}

// BatchStore is a Store that books many changes in one atomic write with
// the checkpoint, with the same outcome as Apply on each in turn.
type BatchStore interface {
	ApplyBatch(ctx context.Context, cs []Change) error
}

// Projector folds payment events into a Store.
type Projector struct {
	store Store
	// Malformed, when set, hears of each event ApplyBatch skipped because it
	// does not decode (the bus path dead-letters those).
	Malformed func(ev eventstore.RecordedEvent, err error)
}

// NewProjector returns the projector writing to store.
func NewProjector(store Store) (*Projector, error) {
	if store == nil {
		return nil, errors.New("payments projection: store is required")
	}
	return &Projector{store: store}, nil
}

// Name is HandlerName.
func (p *Projector) Name() string { return HandlerName }

// Filter selects the events of payment streams.
func (p *Projector) Filter() eventstore.Filter { return filter() }

// Handle books one stored event; other streams are ignored.
func (p *Projector) Handle(ctx context.Context, ev eventstore.RecordedEvent) error {
	id, ok := strings.CutPrefix(ev.Stream, payment.StreamPrefix)
	if !ok {
		return nil
	}
	c, err := Decode(id, ev)
	if err != nil {
		return err
	}
	_, err = p.store.Apply(ctx, c)
	return err
}

// ApplyBatch books stored events (in global order) as one batch when the
// store can, else one by one; events of other streams are ignored. The
// catch-up runner (projections/catchup) calls it.
func (p *Projector) ApplyBatch(ctx context.Context, evs []eventstore.RecordedEvent) error {
	cs := make([]Change, 0, len(evs))
	for _, ev := range evs {
		id, ok := strings.CutPrefix(ev.Stream, payment.StreamPrefix)
		if !ok {
			continue
		}
		c, err := Decode(id, ev)
		if err != nil {
			if p.Malformed != nil {
				p.Malformed(ev, err)
			}
			continue
		}
		cs = append(cs, c)
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

// Decode turns a stored payment event into a Change.
func Decode(paymentID string, ev eventstore.RecordedEvent) (Change, error) {
	e, known, err := payment.Decode(ev.Type, ev.Data)
	if err != nil {
		return Change{}, fmt.Errorf("payments projection: %s/%d: %w", ev.Stream, ev.Revision, err)
	}
	c := Change{PaymentID: paymentID, Position: ev.Position, Entry: Entry{Revision: ev.Revision, At: ev.Time.UTC(), Kind: "unknown"}}
	if !known {
		return c, nil // still takes its place in the stream
	}
	switch e := e.(type) {
	case payment.PaymentRequested:
		c.OrderID, c.Requested = e.OrderID, &e
		c.Entry.Kind, c.Entry.Amount = "requested", e.Amount
	case payment.PaymentActionRequired:
		c.OrderID, c.Entry.Kind, c.Entry.GatewayRef = e.OrderID, "action_required", e.GatewayRef
	case payment.PaymentAuthorized:
		c.OrderID, c.Entry.Kind, c.Entry.Amount, c.Entry.GatewayRef = e.OrderID, "authorized", e.Amount, e.GatewayRef
	case payment.PaymentFailed:
		c.OrderID, c.Entry.Kind, c.Entry.Code, c.Entry.Reason = e.OrderID, "failed", e.Code, e.Reason
	case payment.PaymentCaptured:
		c.OrderID, c.Entry.Kind, c.Entry.Amount, c.Entry.GatewayRef = e.OrderID, "captured", e.Amount, e.GatewayRef
	case payment.PaymentVoided:
		c.OrderID, c.Entry.Kind, c.Entry.Reason = e.OrderID, "voided", e.Reason
	case payment.PaymentRefunded:
		c.OrderID, c.Entry.Kind, c.Entry.Amount, c.Entry.Reason, c.Entry.GatewayRef = e.OrderID, "refunded", e.Amount, e.Reason, e.GatewayRef
	}
	return c, nil
}

// fold applies c to the summary p (shared by the adapters).
func fold(p *Payment, c Change) {
	e := c.Entry
	if p.PaymentID == "" {
		p.PaymentID, p.OrderID, p.Status = c.PaymentID, c.OrderID, "new"
	}
	if r := c.Requested; r != nil {
		p.CustomerID, p.Method, p.Last4, p.Amount = r.CustomerID, r.Method, r.Last4, r.Amount
	}
	switch e.Kind {
	case "requested", "action_required", "authorized", "failed", "voided":
		p.Status = e.Kind
	case "captured":
		p.Status, p.Captured = "captured", e.Amount.Amount
	case "refunded":
		p.Refunded += e.Amount.Amount
		if p.Refunded >= p.Captured {
			p.Status = "refunded"
		} else {
			p.Status = "partially_refunded"
		}
	}
	if e.Code != "" {
		p.FailCode = e.Code
	}
	if e.Reason != "" {
		p.Reason = e.Reason
	}
	if e.GatewayRef != "" && (e.Kind == "authorized" || e.Kind == "action_required") {
		p.GatewayRef = e.GatewayRef
	}
	p.Version = e.Revision + 1
	p.UpdatedAt = e.At
}

func guard(version uint64, rev uint64) (bool, error) {
	switch {
	case rev < version:
		return false, nil
	case rev > version:
		return false, fmt.Errorf("%w: revision %d but payment at version %d", ErrOutOfOrder, rev, version)
	}
	return true, nil
}
