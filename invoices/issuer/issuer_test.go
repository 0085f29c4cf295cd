package issuer_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	ordercmd "github.com/evshop/shop/commands/ordering"
	"github.com/evshop/shop/domain/money"
	domain "github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore"
	esmemory "github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/invoices"
	"github.com/evshop/shop/invoices/issuer"
	"github.com/evshop/shop/invoices/memory"
	"github.com/evshop/shop/invoices/pgstore"
	"github.com/evshop/shop/invoices/sqlitestore"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/platform/testenv"
)

// sequences are the adapters the process runs against here; PostgreSQL
// skips without a server.
func sequences() map[string]func(t *testing.T) invoices.Sequence {
	return map[string]func(t *testing.T) invoices.Sequence{
		"memory": func(*testing.T) invoices.Sequence { return memory.New() },
		"sqlite": func(t *testing.T) invoices.Sequence {
			s, err := sqlitestore.New(context.Background(), testenv.SQLite(t))
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		"postgres": func(t *testing.T) invoices.Sequence {
			s, err := pgstore.New(context.Background(), testenv.Postgres(t))
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	}
}

type shop struct {
	store *esmemory.Store
	cmds  *ordercmd.Handlers
	proc  *issuer.Issuer
}

func newShop(t *testing.T, seq invoices.Sequence) shop {
	t.Helper()
	store := esmemory.New()
	cmds, err := ordercmd.NewHandlers(ordercmd.Config{Store: store, PaymentMethods: []string{"sandbox"}})
	if err != nil {
		t.Fatal(err)
	}
	proc, err := issuer.New(issuer.Config{Sequence: seq, Commands: cmds})
	if err != nil {
		t.Fatal(err)
	}
	return shop{store, cmds, proc}
}

func orderID(i int) string { return fmt.Sprintf("3b241101-e2bb-4255-8caf-%012d", i) }

// paid places and pays order i and returns its OrderPaid as stored.
func (s shop) paid(t *testing.T, i int) eventstore.RecordedEvent {
	t.Helper()
	ctx := context.Background()
	id := orderID(i)
	if err := s.cmds.PlaceOrder(ctx, &ordercmd.PlaceOrder{OrderID: id, CustomerID: "c0ffee00-0000-4000-8000-000000000001", Email: "ada@example.com",
		Lines:           []domain.LineDTO{{SKU: "MUG", Name: "Mug", Quantity: 1, UnitPrice: money.DTO{Amount: 1000, Currency: "EUR"}}},
		ShippingAddress: domain.AddressDTO{Name: "Ada", Line1: "1 Main", City: "Paris", PostalCode: "75001", Country: "FR"},
		Payment:         domain.PaymentDTO{Method: "sandbox", Token: "tok"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.cmds.MarkOrderPaid(ctx, &ordercmd.MarkOrderPaid{OrderID: id, PaymentID: "p-" + id, Amount: money.DTO{Amount: 1000, Currency: "EUR"}}); err != nil {
		t.Fatal(err)
	}
	return s.last(t, id, domain.EventOrderPaid)
}

// last is the order's last stored event of type typ.
func (s shop) last(t *testing.T, id, typ string) eventstore.RecordedEvent {
	t.Helper()
	var found eventstore.RecordedEvent
	for ev, err := range s.store.Read(context.Background(), domain.Stream(id), 0) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type == typ {
			found = ev
		}
	}
	if found.Type == "" {
		t.Fatalf("%s has no %s", id, typ)
	}
	return found
}

func (s shop) count(t *testing.T, id, typ string) int {
	t.Helper()
	n := 0
	for ev, err := range s.store.Read(context.Background(), domain.Stream(id), 0) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type == typ {
			n++
		}
	}
	return n
}

// 50 orders paid at once, each OrderPaid delivered twice at once and then
// replayed: invoice numbers are exactly 1..50, one per order, and the
// redeliveries change nothing.
func TestInvoiceNumbersStayGaplessUnderConcurrentPayments(t *testing.T) {
	t.Parallel()
	for name, open := range sequences() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newShop(t, open(t))
			const orders = 50
			paid := make([]eventstore.RecordedEvent, orders)
			for i := range orders {
				paid[i] = s.paid(t, i)
			}
			var wg sync.WaitGroup
			for _, ev := range append(slices.Clone(paid), paid...) {
				wg.Go(func() {
					if err := s.proc.Handle(context.Background(), ev); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			for _, ev := range paid { // a replay, one by one
				if err := s.proc.Handle(context.Background(), ev); err != nil {
					t.Fatal(err)
				}
			}
			var numbers []string
			for i := range orders {
				o, err := s.cmds.Load(context.Background(), orderID(i))
				if err != nil {
					t.Fatal(err)
				}
				if n := s.count(t, orderID(i), domain.EventInvoiceIssued); n != 1 {
					t.Fatalf("order %d has %d invoices", i, n)
				}
				if o.Status() != domain.StatusPaid {
					t.Fatalf("order %d is %s", i, o.Status())
				}
				numbers = append(numbers, o.InvoiceNumber())
			}
			slices.Sort(numbers)
			for i, n := range numbers {
				if want := invoices.Format("INV-", int64(i+1)); n != want {
					t.Fatalf("numbers = %v, want INV-000001..INV-%06d each once", numbers, orders)
				}
			}
		})
	}
}

// Refunds get credit notes numbered in their own series, one per refund
// however often the refund is delivered; refund ids are only unique per
// order, so two orders may both have refund "r1".
func TestCreditNotes(t *testing.T) {
	t.Parallel()
	s := newShop(t, memory.New())
	ctx := context.Background()
	refund := func(i int, refundID string, amount int64) eventstore.RecordedEvent {
		t.Helper()
		id := orderID(i)
		body := fmt.Sprintf(`{"paymentId":"p-%s","orderId":"%s","amount":{"amount":%d,"currency":"EUR"},"reason":"damaged","refundId":"%s"}`, id, id, amount, refundID)
		if err := s.cmds.OnPaymentRefunded(ctx, eventstore.RecordedEvent{ID: "e-" + id + refundID, Type: "payment.PaymentRefunded.v1", Data: []byte(body)}); err != nil {
			t.Fatal(err)
		}
		typ := domain.EventOrderPartiallyRefunded
		o, _ := s.cmds.Load(ctx, id)
		if o.Status() == domain.StatusRefunded {
			typ = domain.EventOrderRefunded
		}
		return s.last(t, id, typ)
	}
	for i := range 2 {
		if err := s.proc.Handle(ctx, s.paid(t, i)); err != nil {
			t.Fatal(err)
		}
	}
	// Order 1's refund is handled first: its invoice is already there.
	steps := []struct {
		order int
		ev    eventstore.RecordedEvent
		want  map[string]string // refund id → credit-note number of the order
	}{
		{1, refund(1, "r1", 300), map[string]string{"r1": "CN-000001"}},
		{0, refund(0, "r1", 400), map[string]string{"r1": "CN-000002"}},
		{0, refund(0, "r2", 600), map[string]string{"r1": "CN-000002", "r2": "CN-000003"}},
	}
	for i, st := range steps {
		for range 2 {
			if err := s.proc.Handle(ctx, st.ev); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
		}
		o, err := s.cmds.Load(ctx, orderID(st.order))
		if err != nil {
			t.Fatal(err)
		}
		for refundID, want := range st.want {
			if got := o.CreditNoteNumber(refundID); got != want {
				t.Fatalf("step %d: %s credit note %q, want %q", i, refundID, got, want)
			}
		}
	}
	if n := s.count(t, orderID(0), domain.EventCreditNoteIssued); n != 2 {
		t.Fatalf("order 0 has %d credit notes", n)
	}
	if s.count(t, orderID(0), domain.EventOrderRefunded) != 1 {
		t.Fatal("the refund of the rest (600 of 1000 after 400) did not make the order Refunded")
	}
}

// A refund of an order whose invoice is not there yet (its OrderPaid still
// on its way) issues the invoice first; a refund stored without an id has
// no credit note; a refund of an order that does not exist is dead-lettered.
func TestCreditNoteEdges(t *testing.T) {
	t.Parallel()
	s := newShop(t, memory.New())
	ctx := context.Background()
	s.paid(t, 7)
	id := orderID(7)
	body := fmt.Sprintf(`{"paymentId":"p","orderId":"%s","amount":{"amount":100,"currency":"EUR"},"reason":"x","refundId":"r1"}`, id)
	if err := s.cmds.OnPaymentRefunded(ctx, eventstore.RecordedEvent{ID: "e1", Type: "payment.PaymentRefunded.v1", Data: []byte(body)}); err != nil {
		t.Fatal(err)
	}
	if err := s.proc.Handle(ctx, s.last(t, id, domain.EventOrderPartiallyRefunded)); err != nil {
		t.Fatal(err)
	}
	o, err := s.cmds.Load(ctx, id)
	if err != nil || o.InvoiceNumber() != "INV-000001" || o.CreditNoteNumber("r1") != "CN-000001" {
		t.Fatalf("invoice %q, credit note %q, %v", o.InvoiceNumber(), o.CreditNoteNumber("r1"), err)
	}
	old := eventstore.RecordedEvent{ID: "e2", Stream: domain.Stream(id), Type: domain.EventOrderRefunded,
		Data: []byte(`{"orderId":"` + id + `","amount":{"amount":900,"currency":"EUR"},"reason":"old"}`)}
	if err := s.proc.Handle(ctx, old); err != nil {
		t.Fatalf("a refund without id: %v", err)
	}
	ghost := eventstore.RecordedEvent{ID: "e3", Type: domain.EventOrderPaid,
		Data: []byte(`{"orderId":"` + orderID(99) + `","paymentId":"p","amount":{"amount":1,"currency":"EUR"}}`)}
	if err := s.proc.Handle(ctx, ghost); !messaging.IsPermanent(err) {
		t.Fatalf("an unknown order: %v, want a permanent error", err)
	}
	if err := s.proc.Handle(ctx, eventstore.RecordedEvent{ID: "e4", Type: domain.EventOrderPaid, Data: []byte(`{`)}); !messaging.IsPermanent(err) {
		t.Fatalf("undecodable: %v", err)
	}
	if _, err := issuer.New(issuer.Config{Sequence: memory.New(), Commands: s.cmds, Prefixes: invoices.Prefixes{Invoice: "A B"}}); err == nil {
		t.Fatal("a prefix with a space was accepted")
	}
	if _, err := issuer.New(issuer.Config{}); err == nil {
		t.Fatal("an empty config was accepted")
	}
}
