// Package issuer is the process that numbers the shop's documents: when an
// order is paid it assigns the order an invoice number (key: the order id)
// and has the order record it; when a refund is recorded it assigns the
// refund a credit-note number (key: order id and refund id) and has the
// order record that. Both numbers come from the gapless sequences of
// package invoices, which return the same number for the same key, so a
// redelivered or replayed event finds its number again and the order
// (which keeps one invoice, and one credit note per refund) changes
// nothing.
package issuer

import (
	"context"
	"errors"
	"fmt"

	ordercmd "github.com/evshop/shop/commands/ordering"
	domain "github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/invoices"
	"github.com/evshop/shop/messaging"
)

// HandlerName names the process's event queue. Never rename.
const HandlerName = "invoices.issue-documents"

// Commands is the ordering write side (commands/ordering.Handlers).
type Commands interface {
	IssueInvoice(ctx context.Context, cmd *ordercmd.IssueInvoice) error
	IssueCreditNote(ctx context.Context, cmd *ordercmd.IssueCreditNote) error
}

// Config configures the Issuer.
type Config struct {
	Sequence invoices.Sequence
	Commands Commands
	// Prefixes start the printed numbers (defaults: invoices.DefaultPrefixes
	// when both are empty).
	Prefixes invoices.Prefixes
}

// Issuer is the process.
type Issuer struct {
	cfg   Config
	codec messaging.EventDecoder
}

// New validates cfg.
func New(cfg Config) (*Issuer, error) {
	if cfg.Sequence == nil || cfg.Commands == nil {
		return nil, errors.New("invoices issuer: Sequence and Commands are required")
	}
	if cfg.Prefixes == (invoices.Prefixes{}) {
		cfg.Prefixes = invoices.DefaultPrefixes
	}
	if !invoices.ValidPrefix(cfg.Prefixes.Invoice) || !invoices.ValidPrefix(cfg.Prefixes.CreditNote) {
		return nil, fmt.Errorf("invoices issuer: prefixes %q, %q: at most 16 letters, digits, '-' or '_'", cfg.Prefixes.Invoice, cfg.Prefixes.CreditNote)
	}
	return &Issuer{cfg: cfg, codec: ordercmd.Codec()}, nil
}

// EventHandler is the bus subscription: OrderPaid, OrderRefunded and
// OrderPartiallyRefunded. It is Concurrent: the numbers are handed out one
// transaction at a time by the sequence whatever the order of the events,
// the same key always gets its number again, and a refund's event is only
// recorded after its order was paid, so its credit note finds the order
// paid (the invoice it needs is assigned first, idempotently). Handled one
// at a time, numbering capped checkouts in server mode: the confirmation
// email waits for the invoice.
func (i *Issuer) EventHandler() messaging.EventHandler {
	return messaging.TypedEventHandler{Name: HandlerName, Codec: i.codec,
		Events: []messaging.Event{domain.OrderPaid{}, domain.OrderRefunded{}, domain.OrderPartiallyRefunded{}},
		Handle: i.handle, Concurrent: true}.EventHandler()
}

// Handle processes one stored event (tests, replays); other events are
// ignored.
func (i *Issuer) Handle(ctx context.Context, rec eventstore.RecordedEvent) error {
	e, err := messaging.DecodeRecorded(i.codec, rec)
	if err != nil {
		return err
	}
	return i.handle(ctx, rec, e)
}

func (i *Issuer) handle(ctx context.Context, _ eventstore.RecordedEvent, e messaging.Event) error {
	switch ev := e.(type) {
	case domain.OrderPaid:
		return outcome(i.invoice(ctx, ev.OrderID))
	case domain.OrderPartiallyRefunded:
		return outcome(i.creditNote(ctx, ev.OrderID, ev.RefundID))
	case domain.OrderRefunded:
		return outcome(i.creditNote(ctx, ev.OrderID, ev.RefundID))
	}
	return nil
}

func (i *Issuer) invoice(ctx context.Context, orderID string) error {
	n, err := i.cfg.Sequence.Assign(ctx, invoices.SeriesInvoice, orderID)
	if err != nil {
		return err
	}
	return i.cfg.Commands.IssueInvoice(ctx, &ordercmd.IssueInvoice{OrderID: orderID, Number: invoices.Format(i.cfg.Prefixes.Invoice, n), Sequence: n})
}

// creditNote issues the refund's credit note, and first the invoice it
// corrects if the order has none yet (its OrderPaid still on its way, or
// paid before invoices existed): a paid order is owed its invoice anyway.
// A refund stored before refunds were named has no credit note.
func (i *Issuer) creditNote(ctx context.Context, orderID, refundID string) error {
	if refundID == "" {
		return nil
	}
	if err := i.invoice(ctx, orderID); err != nil {
		return err
	}
	n, err := i.cfg.Sequence.Assign(ctx, invoices.SeriesCreditNote, orderID+"/"+refundID)
	if err != nil {
		return err
	}
	return i.cfg.Commands.IssueCreditNote(ctx, &ordercmd.IssueCreditNote{OrderID: orderID, RefundID: refundID,
		Number: invoices.Format(i.cfg.Prefixes.CreditNote, n), Sequence: n})
}

// outcome: input no retry can fix is dead-lettered for staff to see;
// everything else (a store or database down) is retried.
func outcome(err error) error {
	if errors.Is(err, domain.ErrInvalid) || errors.Is(err, domain.ErrIllegalTransition) ||
		errors.Is(err, invoices.ErrInvalid) || ordercmd.IsNotFound(err) {
		return messaging.Permanent(err)
	}
	return err
}
