package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/pricing"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/projectionstest"
)

const cust = "c0ffee00-0000-4000-8000-000000000001"

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func eur(n int64) money.DTO { return money.DTO{Amount: n, Currency: "EUR"} }

func rec(t *testing.T, orderID string, rev, pos uint64, e ordering.Event) eventstore.RecordedEvent {
	t.Helper()
	data, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return eventstore.RecordedEvent{ID: fmt.Sprint(pos), Stream: ordering.Stream(orderID), Revision: rev, Position: pos,
		Type: e.EventName(), Time: t0.Add(time.Duration(rev) * time.Minute), Data: data}
}

func placedEvent(orderID, customer string, at time.Time) ordering.OrderPlaced {
	return ordering.OrderPlaced{OrderID: orderID, CustomerID: customer, Email: "Ada@Example.com",
		Lines: []ordering.LineDTO{
			{SKU: "MUG", Name: "Mug", Category: "k", Quantity: 2, UnitPrice: eur(1250)},
			{SKU: "TEE", Name: "Tee", Category: "a", Quantity: 1, UnitPrice: eur(2000)},
		},
		Total: eur(4500), Currency: "EUR",
		ShippingAddress: ordering.AddressDTO{Name: "Ada", Line1: "1 Main", City: "Paris", PostalCode: "75001", Country: "FR"},
		Payment:         ordering.PaymentDTO{Method: "sandbox", Token: "tok_secret", Last4: "4242"}, PlacedAt: at}
}

// retiredStep is an event of a retired type, in the shape it was stored.
type retiredStep struct {
	name      string
	OrderID   string `json:"orderId"`
	PaymentID string `json:"paymentId,omitempty"`
}

func (r retiredStep) EventName() string { return r.name }

func lifecycle(t *testing.T, orderID string, pos0 uint64) []eventstore.RecordedEvent {
	return []eventstore.RecordedEvent{
		rec(t, orderID, 0, pos0+1, placedEvent(orderID, cust, t0)),
		// Checkout steps earlier versions recorded in the order's stream:
		// they keep their revisions and add nothing to the history.
		rec(t, orderID, 1, pos0+2, retiredStep{ordering.EventOrderStockReserved, orderID, ""}),
		rec(t, orderID, 2, pos0+3, retiredStep{ordering.EventOrderPaymentAuthorized, orderID, "pay-1"}),
		rec(t, orderID, 3, pos0+4, retiredStep{ordering.EventOrderConfirmed, orderID, ""}),
		rec(t, orderID, 4, pos0+5, ordering.OrderPaid{OrderID: orderID, PaymentID: "pay-1", Amount: eur(4500)}),
		rec(t, orderID, 5, pos0+6, ordering.OrderShipped{OrderID: orderID, Carrier: "DHL", TrackingNumber: "T1"}),
		rec(t, orderID, 6, pos0+7, ordering.OrderRefunded{OrderID: orderID, Amount: eur(500), Reason: "scratched"}),
	}
}

func oid(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

func runContract(t *testing.T, newStore func(t *testing.T) Store) {
	ctx := context.Background()
	t.Run("projects an order with lines and history", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		p, _ := NewProjector(s)
		for _, ev := range lifecycle(t, oid(1), 0) {
			if err := p.Handle(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		o, err := s.Get(ctx, oid(1))
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != "Refunded" || o.ItemCount != 3 || o.Total != eur(4500) || o.Carrier != "DHL" || o.TrackingNumber != "T1" ||
			o.PaymentID != "pay-1" || o.PaymentLast4 != "4242" || o.Refunded == nil || *o.Refunded != eur(500) || o.Version != 7 ||
			len(o.Lines) != 2 || o.Lines[1].SKU != "TEE" || len(o.History) != 4 || o.History[3].Reason != "scratched" ||
			o.History[1].Status != "Paid" || !o.History[1].At.Equal(t0.Add(4*time.Minute)) || o.ShippingAddress.City != "Paris" {
			t.Fatalf("order %+v", o)
		}
		if cp, err := s.Checkpoint(ctx); err != nil || cp != 7 {
			t.Fatalf("checkpoint %d %v", cp, err)
		}
		if _, err := s.Get(ctx, oid(99)); !errors.Is(err, ErrNotFound) {
			t.Fatalf("missing order: %v", err)
		}
	})
	t.Run("a priced order keeps its breakdown, an order placed before has none", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		p, _ := NewProjector(s)
		priced := placedEvent(oid(5), cust, t0)
		priced.Lines[0].TaxClass, priced.Lines[0].WeightGrams = "reduced", 450
		priced.Lines[1].TaxClass = "standard"
		priced.ShippingMethod, priced.VATID, priced.Guest = "standard", "FR12345678901", true
		priced.Discount = &pricing.DiscountDTO{Code: "TEN", Kind: "percentage", PercentOff: 10}
		priced.Breakdown = &pricing.BreakdownDTO{Currency: "EUR", Country: "FR", PricesIncludeTax: true, DiscountCode: "TEN",
			Lines: []pricing.LineBreakdownDTO{{SKU: "MUG", Quantity: 2, UnitPrice: eur(1250), TaxClass: "reduced", RateBP: 550,
				Amount: eur(2500), Discount: eur(250), Net: eur(2133), Tax: eur(117), Gross: eur(2250)}},
			Shipping: &pricing.ShippingBreakdownDTO{Method: "standard", Name: "Standard", TaxClass: "standard", RateBP: 2000,
				Amount: eur(495), Discount: eur(0), Net: eur(412), Tax: eur(83), Gross: eur(495)},
			TaxRates: []pricing.RateBreakdownDTO{{RateBP: 2000, Net: eur(412), Tax: eur(83), Gross: eur(495)}, {RateBP: 550, Net: eur(2133), Tax: eur(117), Gross: eur(2250)}},
			Subtotal: eur(2250), Discount: eur(250), Net: eur(2545), Tax: eur(200), Gross: eur(2745)}
		priced.Total = eur(2745)
		for _, ev := range []eventstore.RecordedEvent{rec(t, oid(5), 0, 1, priced), rec(t, oid(6), 0, 2, placedEvent(oid(6), cust, t0))} {
			if err := p.Handle(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		o, err := s.Get(ctx, oid(5))
		if err != nil {
			t.Fatal(err)
		}
		if want := PricingOf(&priced); !reflect.DeepEqual(o.Pricing, want) {
			t.Fatalf("pricing %+v\nwant %+v", o.Pricing, want)
		}
		if o.Lines[0].TaxClass != "reduced" || o.Lines[0].WeightGrams != 450 || o.Lines[1].TaxClass != "standard" || o.Total != eur(2745) {
			t.Fatalf("lines %+v, total %v", o.Lines, o.Total)
		}
		if old, err := s.Get(ctx, oid(6)); err != nil || !old.Pricing.IsZero() || old.Lines[0].TaxClass != "" {
			t.Fatalf("old order: %+v %v", old, err)
		}
	})
	t.Run("partial refunds add up until the whole total is back", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		p, _ := NewProjector(s)
		full := eur(4500)
		evs := append(lifecycle(t, oid(3), 100)[:6],
			rec(t, oid(3), 6, 107, ordering.OrderPartiallyRefunded{OrderID: oid(3), Amount: eur(500), Reason: "scratched", RefundID: "r1", RefundedTotal: eur(500)}),
			rec(t, oid(3), 7, 108, ordering.OrderPartiallyRefunded{OrderID: oid(3), Amount: eur(1000), Reason: "dented", RefundID: "r2", RefundedTotal: eur(1500)}))
		for _, ev := range evs {
			if err := p.Handle(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		if o, err := s.Get(ctx, oid(3)); err != nil || o.Status != "PartiallyRefunded" || o.Refunded == nil || *o.Refunded != eur(1500) {
			t.Fatalf("after two partial refunds: %+v %v", o, err)
		}
		last := rec(t, oid(3), 8, 109, ordering.OrderRefunded{OrderID: oid(3), Amount: eur(3000), Reason: "returned", RefundID: "r3", RefundedTotal: &full})
		if err := p.Handle(ctx, last); err != nil {
			t.Fatal(err)
		}
		if o, err := s.Get(ctx, oid(3)); err != nil || o.Status != "Refunded" || o.Refunded == nil || *o.Refunded != full {
			t.Fatalf("after the rest: %+v %v", o, err)
		}
	})
	t.Run("records the invoice and the credit notes, one by one or in a batch", func(t *testing.T) {
		t.Parallel()
		at := t0.Add(time.Hour)
		id := oid(5)
		evs := append(lifecycle(t, id, 200)[:5],
			rec(t, id, 5, 206, ordering.InvoiceIssued{OrderID: id, Number: "INV-000042", Sequence: 42, IssuedAt: at}),
			rec(t, id, 6, 207, ordering.OrderPartiallyRefunded{OrderID: id, Amount: eur(500), Reason: "scratched", RefundID: "r1", RefundedTotal: eur(500)}),
			rec(t, id, 7, 208, ordering.CreditNoteIssued{OrderID: id, RefundID: "r1", Number: "CN-000007", Sequence: 7, Amount: eur(500), IssuedAt: at}),
			rec(t, id, 8, 209, ordering.OrderPartiallyRefunded{OrderID: id, Amount: eur(100), Reason: "late", RefundID: "r2", RefundedTotal: eur(600)}),
			rec(t, id, 9, 210, ordering.CreditNoteIssued{OrderID: id, RefundID: "r2", Number: "CN-000008", Sequence: 8, Amount: eur(100), IssuedAt: at.Add(time.Minute)}))
		want := Documents{Invoice: &Invoice{Number: "INV-000042", IssuedAt: at}, CreditNotes: []CreditNote{
			{Number: "CN-000007", RefundID: "r1", Amount: eur(500), IssuedAt: at},
			{Number: "CN-000008", RefundID: "r2", Amount: eur(100), IssuedAt: at.Add(time.Minute)},
		}}
		one, batch := newStore(t), newStore(t)
		p, _ := NewProjector(one)
		for _, ev := range append(evs, evs[5:]...) { // the documents delivered twice
			if err := p.Handle(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		bp, _ := NewProjector(batch)
		if err := bp.ApplyBatch(ctx, evs[:6]); err != nil {
			t.Fatal(err)
		}
		if err := bp.ApplyBatch(ctx, evs[4:]); err != nil {
			t.Fatal(err)
		}
		for name, s := range map[string]Store{"one by one": one, "batched": batch} {
			o, err := s.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(o.Documents, want) {
				t.Fatalf("%s: documents %+v, want %+v", name, o.Documents, want)
			}
			if o.Status != "PartiallyRefunded" || len(o.History) != 4 || o.Version != 10 {
				t.Fatalf("%s: documents must not change the status or history: %+v", name, o)
			}
			if n, ok := o.CreditNote("CN-000008"); !ok || n.RefundID != "r2" {
				t.Fatalf("%s: credit note CN-000008: %+v %v", name, n, ok)
			}
			if _, ok := o.CreditNote("INV-000042"); ok {
				t.Fatalf("%s: an invoice number found as a credit note", name)
			}
		}
		caught := Order{}
		for _, ev := range evs {
			var err error
			if caught, err = CatchUp(caught, ev); err != nil {
				t.Fatal(err)
			}
		}
		if !reflect.DeepEqual(caught.Documents, want) {
			t.Fatalf("CatchUp: documents %+v", caught.Documents)
		}
	})
	t.Run("an order's pricing is kept whether applied one by one or in a batch", func(t *testing.T) {
		t.Parallel()
		id := oid(6)
		e := placedEvent(id, cust, t0)
		e.VATID, e.ShippingMethod = "FR12345678901", "standard"
		for i := range e.Lines {
			e.Lines[i].TaxClass, e.Lines[i].WeightGrams = string(pricing.TaxReduced), 250*(i+1)
		}
		evs := []eventstore.RecordedEvent{rec(t, id, 0, 301, e),
			rec(t, id, 1, 302, ordering.OrderPaid{OrderID: id, PaymentID: "pay-6", Amount: eur(4500)})}
		one, batch := newStore(t), newStore(t)
		p, _ := NewProjector(one)
		for _, ev := range evs {
			if err := p.Handle(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		bp, _ := NewProjector(batch)
		if err := bp.ApplyBatch(ctx, evs); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for name, s := range map[string]Store{"one by one": one, "batched": batch} {
			o, err := s.Get(ctx, id)
			if err != nil || o.VATID != "FR12345678901" || o.ShippingMethod != "standard" || o.Status != "Paid" {
				t.Fatalf("%s: pricing %+v, status %s, %v", name, o.Pricing, o.Status, err)
			}
			for _, l := range o.Lines {
				if l.TaxClass != string(pricing.TaxReduced) || l.WeightGrams == 0 {
					t.Fatalf("%s: line %+v lost its tax class or weight", name, l)
				}
			}
			b, _ := json.Marshal(o)
			got[name] = string(b)
		}
		if got["one by one"] != got["batched"] {
			t.Fatalf("the batch stored another order:\none by one %s\nbatched    %s", got["one by one"], got["batched"])
		}
	})
	t.Run("duplicate delivery changes nothing", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		p, _ := NewProjector(s)
		evs := lifecycle(t, oid(2), 0)
		for _, ev := range evs {
			if err := p.Handle(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		before, _ := s.Get(ctx, oid(2))
		var wg sync.WaitGroup
		for range 3 { // concurrent redeliveries of the whole stream
			wg.Go(func() {
				for _, ev := range evs {
					if err := p.Handle(ctx, ev); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		after, _ := s.Get(ctx, oid(2))
		if !reflect.DeepEqual(before, after) {
			t.Fatalf("duplicates changed the order:\n%+v\n%+v", before, after)
		}
	})
	t.Run("concurrent duplicate OrderPlaced inserts once", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ev := lifecycle(t, oid(3), 0)[0]
		var wg sync.WaitGroup
		var mu sync.Mutex
		applied := 0
		for range 4 {
			wg.Go(func() {
				ok, err := s.Apply(ctx, mustDecode(t, ev))
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				if ok {
					applied++
				}
				mu.Unlock()
			})
		}
		wg.Wait()
		o, err := s.Get(ctx, oid(3))
		if applied != 1 || err != nil || len(o.Lines) != 2 || len(o.History) != 1 {
			t.Fatalf("applied %d times; order %+v %v", applied, o, err)
		}
	})
	t.Run("gap is refused for redelivery", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		p, _ := NewProjector(s)
		evs := lifecycle(t, oid(4), 0)
		if err := p.Handle(ctx, evs[1]); !errors.Is(err, ErrOutOfOrder) {
			t.Fatalf("transition before placement: %v", err)
		}
		_ = p.Handle(ctx, evs[0])
		if err := p.Handle(ctx, evs[3]); !errors.Is(err, ErrOutOfOrder) {
			t.Fatalf("skipped revision: %v", err)
		}
		if o, _ := s.Get(ctx, oid(4)); o.Status != "Placed" || o.Version != 1 {
			t.Fatalf("order moved: %+v", o)
		}
	})
	t.Run("batches change what one-by-one delivery changes", func(t *testing.T) {
		t.Parallel()
		a, b := oid(30), oid(31)
		evs := append(lifecycle(t, a, 0), lifecycle(t, b, 7)...)
		tests := append(projectionstest.Batchings(evs, evs[:5], evs[3:10], evs[2:12], evs[8:]),
			projectionstest.Batching{Name: "one event per batch", Batches: func() (out [][]eventstore.RecordedEvent) {
				for i := range evs {
					out = append(out, evs[i:i+1])
				}
				return out
			}()},
		)
		want := newStore(t)
		wp, _ := NewProjector(want)
		for _, ev := range evs {
			if err := wp.Handle(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		for _, tt := range tests {
			t.Run(tt.Name, func(t *testing.T) {
				s := newStore(t)
				if _, ok := s.(BatchStore); !ok {
					t.Fatalf("%T does not apply batches", s)
				}
				p, _ := NewProjector(s)
				for _, batch := range tt.Batches {
					if err := p.ApplyBatch(ctx, batch); err != nil {
						t.Fatal(err)
					}
				}
				for _, id := range []string{a, b} {
					got, err := s.Get(ctx, id)
					exp, _ := want.Get(ctx, id)
					if err != nil || !reflect.DeepEqual(got, exp) {
						t.Fatalf("order %s after batches:\n%+v %v\nwant\n%+v", id, got, err, exp)
					}
				}
				if cp, err := s.Checkpoint(ctx); err != nil || cp != 14 {
					t.Fatalf("checkpoint %d %v, want 14", cp, err)
				}
			})
		}
	})
	t.Run("a batch with a gap changes nothing", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		p, _ := NewProjector(s)
		evs := lifecycle(t, oid(32), 0)
		if err := p.ApplyBatch(ctx, evs[:2]); err != nil {
			t.Fatal(err)
		}
		before, _ := s.Get(ctx, oid(32))
		placedOther := lifecycle(t, oid(33), 20)[0]
		err := p.ApplyBatch(ctx, []eventstore.RecordedEvent{placedOther, evs[2], evs[4]})
		if !errors.Is(err, ErrOutOfOrder) {
			t.Fatalf("gap in a batch: %v", err)
		}
		after, _ := s.Get(ctx, oid(32))
		if !reflect.DeepEqual(before, after) {
			t.Fatalf("a refused batch moved the order:\n%+v\n%+v", before, after)
		}
		if _, err := s.Get(ctx, oid(33)); !errors.Is(err, ErrNotFound) {
			t.Fatalf("a refused batch stored another order: %v", err)
		}
		if cp, _ := s.Checkpoint(ctx); cp != evs[1].Position {
			t.Fatalf("checkpoint %d after a refused batch, want %d", cp, evs[1].Position)
		}
	})
	t.Run("a malformed event in a batch is skipped and reported", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		p, _ := NewProjector(s)
		var skipped []string
		p.Malformed = func(ev eventstore.RecordedEvent, err error) { skipped = append(skipped, ev.ID) }
		good := lifecycle(t, oid(34), 0)[0]
		bad := good
		bad.ID, bad.Stream, bad.Position = "bad", ordering.StreamPrefix+"not-a-uuid", 2
		if err := p.ApplyBatch(ctx, []eventstore.RecordedEvent{good, bad}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, oid(34)); err != nil || !reflect.DeepEqual(skipped, []string{"bad"}) {
			t.Fatalf("good order %v; skipped %v", err, skipped)
		}
	})
	t.Run("lists newest first with filters and pages", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		p, _ := NewProjector(s)
		other := "c0ffee00-0000-4000-8000-000000000002"
		pos := uint64(0)
		for i := range 5 {
			customer := cust
			if i == 4 {
				customer = other
			}
			pos++
			if err := p.Handle(ctx, rec(t, oid(10+i), 0, pos, placedEvent(oid(10+i), customer, t0.Add(time.Duration(i)*time.Hour)))); err != nil {
				t.Fatal(err)
			}
		}
		pos++
		if err := p.Handle(ctx, rec(t, oid(10), 1, pos, ordering.OrderCancelled{OrderID: oid(10), Reason: "no stock"})); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name  string
			q     Query
			want  []string
			total int
		}{
			{"mine, page 1", Query{CustomerID: cust, PageSize: 2}, []string{oid(13), oid(12)}, 4},
			{"mine, page 2", Query{CustomerID: cust, PageSize: 2, Page: 2}, []string{oid(11), oid(10)}, 4},
			{"past the end", Query{CustomerID: cust, PageSize: 2, Page: 9}, []string{}, 4},
			{"by status", Query{Status: "Cancelled"}, []string{oid(10)}, 1},
			{"mine by status (the back office's customer page)", Query{CustomerID: cust, Status: "Cancelled"}, []string{oid(10)}, 1},
			{"mine by another status", Query{CustomerID: cust, Status: "Paid"}, []string{}, 0},
			{"by email, any case", Query{Email: "ADA@example.COM", PageSize: 1}, []string{oid(14)}, 5},
			{"nobody", Query{CustomerID: "nobody"}, []string{}, 0},
			{"mine and my guest orders", Query{CustomerID: other, AlsoCustomerID: cust, PageSize: 2, Page: 2}, []string{oid(12), oid(11)}, 5},
			{"no orders of my own, only guest ones", Query{CustomerID: "nobody", AlsoCustomerID: other}, []string{oid(14)}, 1},
			{"also without a customer is ignored", Query{AlsoCustomerID: other, Status: "Cancelled"}, []string{oid(10)}, 1},
			{"page past the end with also", Query{CustomerID: other, AlsoCustomerID: cust, PageSize: 2, Page: 9}, []string{}, 5},
		}
		for _, tt := range tests {
			page, err := s.List(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, it := range page.Items {
				got = append(got, it.OrderID)
			}
			if !reflect.DeepEqual(got, tt.want) || page.Total != tt.total {
				t.Errorf("%s: got %v total %d, want %v total %d", tt.name, got, page.Total, tt.want, tt.total)
			}
		}
		o, _ := s.Get(ctx, oid(10))
		if o.CancelReason != "no stock" || o.Status != "Cancelled" {
			t.Errorf("cancelled order %+v", o)
		}
	})
}

func mustDecode(t *testing.T, ev eventstore.RecordedEvent) Change {
	c, err := decode(ev.Stream[len(ordering.StreamPrefix):], ev)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMemoryContract(t *testing.T) {
	t.Parallel()
	runContract(t, func(*testing.T) Store { return NewMemory() })
}

func TestPostgresContract(t *testing.T) {
	t.Parallel()
	pool := testenv.Postgres(t)
	if err := Migrate(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
	n := 0
	var mu sync.Mutex
	runContract(t, func(t *testing.T) Store {
		// Each subtest gets its own shadow tables: this also exercises the
		// rebuild path (suffix + EnsureShadow).
		mu.Lock()
		n++
		suffix := fmt.Sprintf("_c%d", n)
		mu.Unlock()
		s, err := NewPostgres(pool, suffix)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.EnsureShadow(context.Background()); err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestPostgresLiveTablesAndSuffixValidation(t *testing.T) {
	t.Parallel()
	pool := testenv.Postgres(t)
	ctx := context.Background()
	if err := Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if err := Migrate(ctx, pool); err != nil { // idempotent
		t.Fatal(err)
	}
	s, err := NewPostgres(pool, "")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := NewProjector(s)
	for _, ev := range lifecycle(t, oid(1), 100) {
		if err := p.Handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	var checkpoint uint64
	if err := pool.QueryRow(ctx, `SELECT position FROM orders_projection_checkpoints WHERE projector=$1`, HandlerName).Scan(&checkpoint); err != nil || checkpoint != 107 {
		t.Fatalf("checkpoint row %d %v", checkpoint, err)
	}
	var token int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM orders WHERE shipping_address::text LIKE '%tok_secret%' OR payment_last4 LIKE '%tok%'`).Scan(&token); err != nil || token != 0 {
		t.Fatalf("payment token leaked into the read model: %d %v", token, err)
	}
	for _, bad := range []string{"x", "_; DROP TABLE orders", "_UPPER"} {
		if _, err := NewPostgres(pool, bad); err == nil {
			t.Errorf("suffix %q accepted", bad)
		}
	}
}
