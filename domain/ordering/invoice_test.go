package ordering

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestDocuments(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 3, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	at := now.UTC()
	paid := OrderPaid{OrderID: orderID, PaymentID: "p1", Amount: eur(4499)}
	invoiced := InvoiceIssued{OrderID: orderID, Number: "INV-000007", Sequence: 7, IssuedAt: at}
	partial := OrderPartiallyRefunded{OrderID: orderID, Amount: eur(1000), Reason: "damaged", RefundID: "r1", RefundedTotal: eur(1000)}
	rest := eur(4499)
	full := OrderRefunded{OrderID: orderID, Amount: eur(3499), Reason: "returned", RefundID: "r2", RefundedTotal: &rest}
	credited := CreditNoteIssued{OrderID: orderID, RefundID: "r1", Number: "CN-000003", Sequence: 3, Amount: eur(1000), IssuedAt: at}
	invoice := func(o *Order) error { return o.IssueInvoice("INV-000007", 7, now) }
	credit := func(refund string) func(o *Order) error {
		return func(o *Order) error { return o.IssueCreditNote(refund, "CN-000003", 3, now) }
	}
	tests := []struct {
		name    string
		given   []Event
		when    func(o *Order) error
		want    []Event
		wantErr error
	}{
		{name: "a paid order gets its invoice", given: []Event{placed(), paid}, when: invoice, want: []Event{invoiced}},
		{name: "a shipped order too", given: []Event{placed(), paid, OrderShipped{OrderID: orderID, Carrier: "DHL", TrackingNumber: "T"}},
			when: invoice, want: []Event{invoiced}},
		{name: "one invoice per order: a second is a no-op", given: []Event{placed(), paid, invoiced},
			when: func(o *Order) error { return o.IssueInvoice("INV-000008", 8, now) }},
		{name: "not before it is paid", given: []Event{placed()}, when: invoice, wantErr: ErrIllegalTransition},
		{name: "not for a cancelled order", given: []Event{placed(), OrderCancelled{OrderID: orderID, Reason: "x"}}, when: invoice, wantErr: ErrIllegalTransition},
		{name: "not for a missing order", when: invoice, wantErr: ErrNotPlaced},
		{name: "a number is required", given: []Event{placed(), paid}, when: func(o *Order) error { return o.IssueInvoice("", 7, now) }, wantErr: ErrInvalid},
		{name: "a sequence is required", given: []Event{placed(), paid}, when: func(o *Order) error { return o.IssueInvoice("INV-1", 0, now) }, wantErr: ErrInvalid},
		{name: "a refund gets its credit note for the refunded amount", given: []Event{placed(), paid, invoiced, partial},
			when: credit("r1"), want: []Event{credited}},
		{name: "the refund that gives back the rest too", given: []Event{placed(), paid, invoiced, partial, full},
			when: credit("r2"), want: []Event{func() CreditNoteIssued { c := credited; c.RefundID, c.Amount = "r2", eur(3499); return c }()}},
		{name: "one credit note per refund", given: []Event{placed(), paid, invoiced, partial, credited},
			when: func(o *Order) error { return o.IssueCreditNote("r1", "CN-000009", 9, now) }},
		{name: "an unknown refund is refused", given: []Event{placed(), paid, invoiced, partial}, when: credit("r9"), wantErr: ErrInvalid},
		{name: "a refund stored without an id has no credit note", given: []Event{placed(), paid, invoiced,
			OrderRefunded{OrderID: orderID, Amount: eur(4499), Reason: "old"}}, when: credit(""), wantErr: ErrInvalid},
		{name: "the invoice comes first", given: []Event{placed(), paid, partial}, when: credit("r1"), wantErr: ErrIllegalTransition},
		// Paid before invoices existed, then refunded: the invoice the
		// credit note needs says so (the confirmation went out long ago).
		{name: "an invoice after a refund is marked", given: []Event{placed(), paid, partial}, when: invoice,
			want: []Event{func() InvoiceIssued { i := invoiced; i.AfterRefund = true; return i }()}},
		{name: "after a full refund too", given: []Event{placed(), paid, OrderRefunded{OrderID: orderID, Amount: eur(4499), Reason: "x", RefundID: "r1", RefundedTotal: &rest}},
			when: invoice, want: []Event{func() InvoiceIssued { i := invoiced; i.AfterRefund = true; return i }()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := given(tt.given...)
			status := o.Status()
			err := tt.when(o)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(o.Changes(), tt.want) {
				t.Fatalf("changes = %+v, want %+v", o.Changes(), tt.want)
			}
			if o.Status() != status {
				t.Fatalf("status moved %s → %s: documents change no status", status, o.Status())
			}
		})
	}
}

// The documents survive a replay: the numbers read back, and issuing again
// changes nothing.
func TestDocumentsReplay(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 3, 10, 0, 0, 0, time.UTC)
	o := given(placed(), OrderPaid{OrderID: orderID, PaymentID: "p1", Amount: eur(4499)},
		InvoiceIssued{OrderID: orderID, Number: "INV-000001", Sequence: 1, IssuedAt: at},
		OrderPartiallyRefunded{OrderID: orderID, Amount: eur(100), Reason: "r", RefundID: "r1", RefundedTotal: eur(100)},
		CreditNoteIssued{OrderID: orderID, RefundID: "r1", Number: "CN-000001", Sequence: 1, Amount: eur(100), IssuedAt: at})
	if o.InvoiceNumber() != "INV-000001" || o.CreditNoteNumber("r1") != "CN-000001" || o.CreditNoteNumber("r2") != "" {
		t.Fatalf("numbers = %q, %q", o.InvoiceNumber(), o.CreditNoteNumber("r1"))
	}
	if o.Status() != StatusPartiallyRefunded || o.Version() != 5 {
		t.Fatalf("status %s, version %d", o.Status(), o.Version())
	}
	if err := o.IssueInvoice("INV-000002", 2, at); err != nil || len(o.Changes()) != 0 {
		t.Fatalf("re-issue: %v, %v", err, o.Changes())
	}
	if err := o.IssueCreditNote("r1", "CN-000002", 2, at); err != nil || len(o.Changes()) != 0 {
		t.Fatalf("re-issue credit note: %v, %v", err, o.Changes())
	}
	if StatusOf(InvoiceIssued{}) != StatusNone || StatusOf(CreditNoteIssued{}) != StatusNone {
		t.Fatal("documents must not be statuses")
	}
}
