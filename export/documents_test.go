package export_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/export"
)

// Invoices and credit notes export like every other event: their numbers,
// sequences, amounts and dates are columns, and none of it is personal.
func TestExportDocuments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	es := memory.New()
	id := uuid.NewString()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, e := range []ordering.Event{
		ordering.InvoiceIssued{OrderID: id, Number: "INV-000042", Sequence: 42, IssuedAt: at},
		ordering.CreditNoteIssued{OrderID: id, RefundID: "r1", Number: "CN-000007", Sequence: 7, Amount: money.DTO{Amount: 500, Currency: "EUR"}, IssuedAt: at},
	} {
		data, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := es.Append(ctx, ordering.Stream(id), eventstore.Any(), eventstore.EventData{ID: uuid.NewString(), Type: e.EventName(), Data: data}); err != nil {
			t.Fatal(err)
		}
	}
	var b buffers
	res, err := export.Export(ctx, es, &b, export.Options{Format: export.FormatCSV, Query: export.Query{Types: []string{"ordering.*"}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.PerType[ordering.EventInvoiceIssued] != 1 || res.PerType[ordering.EventCreditNoteIssued] != 1 {
		t.Fatalf("per type %v", res.PerType)
	}
	recs, err := csv.NewReader(b.files[""]).ReadAll()
	if err != nil || len(recs) != 3 {
		t.Fatalf("records %v %v", recs, err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	want := map[string][2]string{ // column → invoice, credit note
		"data.number":          {"INV-000042", "CN-000007"},
		"data.sequence":        {"42", "7"},
		"data.refundId":        {"", "r1"},
		"data.amount.amount":   {"", "500"},
		"data.amount.currency": {"", "EUR"},
	}
	for c, v := range want {
		i, ok := col[c]
		if !ok {
			t.Fatalf("no column %q in %v", c, recs[0])
		}
		if recs[1][i] != v[0] || recs[2][i] != v[1] {
			t.Fatalf("%s = %q, %q; want %q", c, recs[1][i], recs[2][i], v)
		}
	}
}
