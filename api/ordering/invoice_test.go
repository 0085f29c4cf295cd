package ordering

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	ordercmd "github.com/evshop/shop/commands/ordering"
	"github.com/evshop/shop/domain/money"
	domain "github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/eventstore"
)

var testSeller = Seller{Name: "evshop GmbH", Address: []string{"1 Demo Street", "10115 Berlin", "DE"}, VATID: "DE123456789", Email: "billing@evshop.test"}

func TestSellerAddress(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][]string{
		"":                                   {},
		"1 Demo Street; 10115 Berlin;DE":     {"1 Demo Street", "10115 Berlin", "DE"},
		" ; One line only ;; ":               {"One line only"},
		"Rue de la Paix 1, 75002 Paris; FR ": {"Rue de la Paix 1, 75002 Paris", "FR"},
	} {
		if got := SellerAddress(in); !reflect.DeepEqual(got, want) {
			t.Errorf("SellerAddress(%q) = %q, want %q", in, got, want)
		}
	}
}

// The invoice is there once the order is paid and numbered (404 before),
// for the owner and staff only; each refund's credit note has its own
// document, naming the invoice it corrects.
func TestInvoiceAndCreditNoteDocuments(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	invoice := "/api/orders/" + orderID + "/invoice"
	if s, _, raw := e.do(t, "GET", invoice, "alice", ""); s != 404 {
		t.Fatalf("before payment: %d %s", s, raw)
	}
	if err := e.cmds.MarkOrderPaid(ctx, &ordercmd.MarkOrderPaid{OrderID: orderID, PaymentID: "p1", Amount: money.DTO{Amount: 2000, Currency: "EUR"}}); err != nil {
		t.Fatal(err)
	}
	if s, _, raw := e.do(t, "GET", invoice, "alice", ""); s != 404 {
		t.Fatalf("paid but not numbered yet: %d %s", s, raw)
	}
	if err := e.cmds.IssueInvoice(ctx, &ordercmd.IssueInvoice{OrderID: orderID, Number: "INV-000042", Sequence: 42}); err != nil {
		t.Fatal(err)
	}
	// Not projected yet: the API folds the stream in, so the invoice is
	// there at once.
	s, _, raw := e.do(t, "GET", invoice, "alice", "")
	if s != 200 {
		t.Fatalf("invoice: %d %s", s, raw)
	}
	var d Document
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		t.Fatal(err)
	}
	eur := func(n int64) money.DTO { return money.DTO{Amount: n, Currency: "EUR"} }
	if d.Kind != KindInvoice || d.Number != "INV-000042" || d.OrderID != orderID || d.IssuedAt.IsZero() || d.OrderedAt.IsZero() ||
		!reflect.DeepEqual(d.Seller, testSeller) || d.Buyer.Name != "Alice" || d.Buyer.Email != "alice@example.com" ||
		d.Buyer.Address.City != "Paris" || d.Buyer.CustomerID != aliceID || d.Total != eur(2000) || d.PaymentMethod != "sandbox" ||
		len(d.Lines) != 1 || d.Lines[0].Total != eur(2000) || d.Lines[0].UnitPrice != eur(1000) || d.Lines[0].Quantity != 2 ||
		d.CreditNotes != nil || d.InvoiceNumber != "" || d.Buyer.VATID != "" {
		t.Fatalf("invoice = %+v", d)
	}
	if b := d.Breakdown; b == nil || b.Gross != d.Total || len(b.TaxRates) == 0 || b.Country != "FR" {
		t.Fatalf("the invoice's tax breakdown = %+v", b)
	}
	e.sync()
	tests := []struct {
		name, path, token string
		status            int
	}{
		{"owner", invoice, "alice", 200},
		{"staff", invoice, "support", 200},
		{"another customer", invoice, "bob", 404},
		{"anonymous", invoice, "", 401},
		{"malformed order id", "/api/orders/nope/invoice", "alice", 404},
		{"unknown order", "/api/orders/3b241101-e2bb-4255-8caf-000000000000/invoice", "alice", 404},
		{"no credit note yet", "/api/orders/" + orderID + "/credit-notes/CN-000001", "alice", 404},
		{"the invoice is not a credit note", "/api/orders/" + orderID + "/credit-notes/INV-000042", "alice", 404},
		{"overlong number", "/api/orders/" + orderID + "/credit-notes/" + strings.Repeat("C", 41), "alice", 404},
		// A guest has no session: the order's signed link opens its documents.
		{"order link without a session", invoice + "?token=" + e.links.Token(orderID), "", 200},
		{"order link with another customer's session", invoice + "?token=" + e.links.Token(orderID), "bob", 200},
		{"another order's link", invoice + "?token=" + e.links.Token(guestOrderID), "", 404},
		{"another order's link with the owner's session", invoice + "?token=" + e.links.Token(guestOrderID), "alice", 404},
		{"empty link token", invoice + "?token=", "", 404},
		{"credit note by link, none yet", "/api/orders/" + orderID + "/credit-notes/CN-000001?token=" + e.links.Token(orderID), "", 404},
	}
	for _, tt := range tests {
		if s, _, raw := e.do(t, "GET", tt.path, tt.token, ""); s != tt.status {
			t.Errorf("%s: %d (want %d) %s", tt.name, s, tt.status, raw)
		}
	}

	refund := `{"paymentId":"p1","orderId":"` + orderID + `","amount":{"amount":500,"currency":"EUR"},"reason":"dented","refundId":"r1"}`
	if err := e.cmds.OnPaymentRefunded(ctx, eventstore.RecordedEvent{ID: "e-r1", Type: payment.EventPaymentRefunded, Data: []byte(refund)}); err != nil {
		t.Fatal(err)
	}
	if err := e.cmds.IssueCreditNote(ctx, &ordercmd.IssueCreditNote{OrderID: orderID, RefundID: "r1", Number: "CN-000007", Sequence: 7}); err != nil {
		t.Fatal(err)
	}
	note := "/api/orders/" + orderID + "/credit-notes/CN-000007"
	s, _, raw = e.do(t, "GET", note, "alice", "")
	if s != 200 {
		t.Fatalf("credit note: %d %s", s, raw)
	}
	var cn Document
	if err := json.Unmarshal([]byte(raw), &cn); err != nil {
		t.Fatal(err)
	}
	if cn.Kind != KindCreditNote || cn.Number != "CN-000007" || cn.InvoiceNumber != "INV-000042" || cn.RefundID != "r1" ||
		cn.Total != eur(500) || len(cn.Lines) != 0 || cn.Buyer.Name != "Alice" || cn.Seller.Name != testSeller.Name {
		t.Fatalf("credit note = %+v", cn)
	}
	if s, _, _ := e.do(t, "GET", note, "bob", ""); s != 404 {
		t.Fatalf("bob reads alice's credit note: %d", s)
	}
	_, _, raw = e.do(t, "GET", invoice, "alice", "")
	if err := json.Unmarshal([]byte(raw), &d); err != nil || len(d.CreditNotes) != 1 || d.CreditNotes[0].Number != "CN-000007" ||
		d.CreditNotes[0].Amount != eur(500) || d.CreditNotes[0].IssuedAt.After(time.Now()) {
		t.Fatalf("the invoice lists its credit notes: %+v %v", d.CreditNotes, err)
	}
	_, body, _ := e.do(t, "GET", "/api/orders/"+orderID, "alice", "")
	if inv, _ := body["invoice"].(map[string]any); inv["number"] != "INV-000042" || len(body["creditNotes"].([]any)) != 1 {
		t.Fatalf("the order names its documents: %v %v", body["invoice"], body["creditNotes"])
	}
}

// A B2B buyer's VAT ID is printed on the invoice.
func TestInvoiceShowsTheBuyersVATID(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const b2b = "3b241101-e2bb-4255-8caf-4136c566a963"
	if err := e.cmds.PlaceOrder(ctx, &ordercmd.PlaceOrder{OrderID: b2b, CustomerID: aliceID, Email: "alice@example.com", VATID: "fr 12 345678901",
		Lines:           []domain.LineDTO{{SKU: "MUG", Name: "Mug", Quantity: 1, UnitPrice: money.DTO{Amount: 1000, Currency: "EUR"}}},
		ShippingAddress: domain.AddressDTO{Name: "Alice SARL", Line1: "1 Main", City: "Paris", PostalCode: "75001", Country: "FR"},
		Payment:         domain.PaymentDTO{Method: "sandbox", Token: "tok_sandbox_success"}}); err != nil {
		t.Fatal(err)
	}
	o, err := e.cmds.Load(ctx, b2b)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.cmds.MarkOrderPaid(ctx, &ordercmd.MarkOrderPaid{OrderID: b2b, PaymentID: "p2", Amount: o.Total().DTO()}); err != nil {
		t.Fatal(err)
	}
	if err := e.cmds.IssueInvoice(ctx, &ordercmd.IssueInvoice{OrderID: b2b, Number: "INV-000043", Sequence: 43}); err != nil {
		t.Fatal(err)
	}
	s, _, raw := e.do(t, "GET", "/api/orders/"+b2b+"/invoice", "alice", "")
	var d Document
	if s != 200 || json.Unmarshal([]byte(raw), &d) != nil || d.Buyer.VATID != "FR12345678901" || d.Buyer.Name != "Alice SARL" {
		t.Fatalf("invoice: %d %s", s, raw)
	}
}
