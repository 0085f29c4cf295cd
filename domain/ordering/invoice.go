package ordering

import (
	"fmt"
	"time"

	"github.com/evshop/shop/domain/money"
)

// Invoices and credit notes. A paid order gets one invoice; every refund of
// it gets one credit note. Both are facts of the order's stream but change
// no status: the order is Paid (or Shipped, Refunded…) with or without its
// documents. Their numbers come from the shop's gapless sequences (package
// invoices); the order only refuses a second document for the same thing.

// Wire names of the document events. Never rename.
const (
	EventInvoiceIssued    = "ordering.InvoiceIssued.v1"
	EventCreditNoteIssued = "ordering.CreditNoteIssued.v1"
)

// InvoiceIssued records the order's invoice. Number is the printed number
// (e.g. "INV-000042"), Sequence its place in the shop's invoice series.
type InvoiceIssued struct {
	OrderID  string    `json:"orderId"`
	Number   string    `json:"number"`
	Sequence int64     `json:"sequence"`
	IssuedAt time.Time `json:"issuedAt"`
	// AfterRefund: the order had a refund before its invoice — it was paid
	// before invoices existed, and its first refund's credit note needed
	// the invoice. Its confirmation went out when it was paid, so the
	// notifier sends none now. Absent (false) in every other invoice.
	AfterRefund bool `json:"afterRefund,omitempty"`
}

// CreditNoteIssued records the credit note of one refund: Amount is what
// that refund gave back.
type CreditNoteIssued struct {
	OrderID  string    `json:"orderId"`
	RefundID string    `json:"refundId"`
	Number   string    `json:"number"`
	Sequence int64     `json:"sequence"`
	Amount   money.DTO `json:"amount"`
	IssuedAt time.Time `json:"issuedAt"`
}

// EventName implementations: the fixed wire names.
func (InvoiceIssued) EventName() string    { return EventInvoiceIssued }
func (CreditNoteIssued) EventName() string { return EventCreditNoteIssued }

// documents is the part of the order's state the document methods decide on.
type documents struct {
	invoice     string               // the invoice number, "" before it is issued
	creditNotes map[string]string    // refund id → credit-note number
	refunds     map[string]money.DTO // refund id → amount, for refunds that carry an id
}

func (d *documents) apply(e Event) {
	switch ev := e.(type) {
	case InvoiceIssued:
		d.invoice = ev.Number
	case CreditNoteIssued:
		if d.creditNotes == nil {
			d.creditNotes = map[string]string{}
		}
		d.creditNotes[ev.RefundID] = ev.Number
	case OrderPartiallyRefunded:
		d.refund(ev.RefundID, ev.Amount)
	case OrderRefunded:
		d.refund(ev.RefundID, ev.Amount)
	}
}

func (d *documents) refund(id string, amount money.DTO) {
	if id == "" {
		return // stored before refunds were named: no credit note can name it
	}
	if d.refunds == nil {
		d.refunds = map[string]money.DTO{}
	}
	d.refunds[id] = amount
}

// InvoiceNumber is the invoice's printed number, "" before it is issued.
func (o *Order) InvoiceNumber() string { return o.docs.invoice }

// CreditNoteNumber is the credit-note number of the refund, "" when none.
func (o *Order) CreditNoteNumber(refundID string) string { return o.docs.creditNotes[refundID] }

// validNumber: a printed document number, 1–40 characters of text.
func validNumber(number string, sequence int64) error {
	if !validText(number, true) || len(number) > 40 || sequence < 1 {
		return invalid("a document number (1–40 characters) and its sequence (≥ 1) are required")
	}
	return nil
}

// IssueInvoice records the order's invoice once it is paid. An order has at
// most one invoice: once issued, issuing again changes nothing (a
// redelivered payment, a replay), whatever number is offered.
func (o *Order) IssueInvoice(number string, sequence int64, now time.Time) error {
	if o.status == StatusNone {
		return ErrNotPlaced
	}
	if o.docs.invoice != "" {
		return nil
	}
	if err := validNumber(number, sequence); err != nil {
		return err
	}
	if !o.reached[StatusPaid] {
		return fmt.Errorf("%w: an invoice before the order is paid (%s)", ErrIllegalTransition, o.status)
	}
	late := o.reached[StatusPartiallyRefunded] || o.reached[StatusRefunded]
	o.record(InvoiceIssued{OrderID: o.id, Number: number, Sequence: sequence, IssuedAt: now.UTC(), AfterRefund: late})
	return nil
}

// IssueCreditNote records the credit note of a refund the order recorded,
// for the amount that refund gave back. It corrects the invoice, so the
// invoice comes first. One credit note per refund: issuing again changes
// nothing.
func (o *Order) IssueCreditNote(refundID, number string, sequence int64, now time.Time) error {
	if o.status == StatusNone {
		return ErrNotPlaced
	}
	if _, done := o.docs.creditNotes[refundID]; done {
		return nil
	}
	if err := validNumber(number, sequence); err != nil {
		return err
	}
	amount, ok := o.docs.refunds[refundID]
	if !ok || refundID == "" {
		return invalid("the order has no refund %q", refundID)
	}
	if o.docs.invoice == "" {
		return fmt.Errorf("%w: a credit note before the invoice", ErrIllegalTransition)
	}
	o.record(CreditNoteIssued{OrderID: o.id, RefundID: refundID, Number: number, Sequence: sequence, Amount: amount, IssuedAt: now.UTC()})
	return nil
}
