package returns_test

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/pricing"
	"github.com/evshop/shop/domain/returns"
)

const (
	orderID  = "7d3c1f7e-5a39-4c52-9f0e-2c1bbf8f0c01"
	customer = "c0ffee00-0000-4000-8000-000000000001"
	window   = 30 * 24 * time.Hour
)

var delivered = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func eur(n int64) money.DTO { return money.DTO{Amount: n, Currency: "EUR"} }

// facts folds a priced order (2 mugs at 12.50 with a 10 % discount on the
// line, 1 tee at 19.99, shipping 4.90) that was paid and delivered.
func facts(t *testing.T, deliveredToo bool) returns.OrderFacts {
	t.Helper()
	placed := ordering.OrderPlaced{OrderID: orderID, CustomerID: customer, Email: "ada@example.com",
		Lines: []ordering.LineDTO{
			{SKU: "MUG", Name: "Mug", Quantity: 3, UnitPrice: eur(1250)},
			{SKU: "TEE", Name: "Tee", Quantity: 1, UnitPrice: eur(1999)},
		},
		Total: eur(3334 + 1999 + 490), Currency: "EUR",
		Breakdown: &pricing.BreakdownDTO{Currency: "EUR", Lines: []pricing.LineBreakdownDTO{
			{SKU: "MUG", Quantity: 3, Gross: eur(3334)}, {SKU: "TEE", Quantity: 1, Gross: eur(1999)},
		}, Shipping: &pricing.ShippingBreakdownDTO{Gross: eur(490)}, Gross: eur(3334 + 1999 + 490)},
	}
	var f returns.OrderFacts
	f.Apply(placed, delivered.Add(-72*time.Hour))
	f.Apply(ordering.OrderPaid{OrderID: orderID, PaymentID: "pay-1", Amount: placed.Total}, delivered.Add(-71*time.Hour))
	f.Apply(ordering.OrderShipped{OrderID: orderID}, delivered.Add(-24*time.Hour))
	if deliveredToo {
		f.Apply(ordering.OrderDelivered{OrderID: orderID}, delivered)
	}
	return f
}

func req(key string, lines ...returns.LineDTO) returns.RequestInput {
	return returns.RequestInput{CustomerID: customer, Key: key, Lines: lines, Reason: "no_longer_needed"}
}

func mug(n int) returns.LineDTO { return returns.LineDTO{SKU: "MUG", Quantity: n} }
func tee(n int) returns.LineDTO { return returns.LineDTO{SKU: "TEE", Quantity: n} }

func TestRequestRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		given func(a *returns.OrderReturns, f returns.OrderFacts)
		facts func() returns.OrderFacts
		in    returns.RequestInput
		now   time.Time
		want  error
	}{
		{name: "another customer", in: returns.RequestInput{CustomerID: "someone-else", Key: "k", Lines: []returns.LineDTO{mug(1)}, Reason: "damaged"}, want: returns.ErrNotFound},
		{name: "not delivered", facts: func() returns.OrderFacts { return facts(t, false) }, in: req("k", mug(1)), want: returns.ErrNotDelivered},
		{name: "window closed", in: req("k", mug(1)), now: delivered.Add(window + time.Second), want: returns.ErrWindowClosed},
		{name: "no key", in: req("", mug(1)), want: returns.ErrInvalid},
		{name: "unknown reason", in: returns.RequestInput{CustomerID: customer, Key: "k", Lines: []returns.LineDTO{mug(1)}, Reason: "meh"}, want: returns.ErrInvalid},
		{name: "other without a note", in: returns.RequestInput{CustomerID: customer, Key: "k", Lines: []returns.LineDTO{mug(1)}, Reason: "other"}, want: returns.ErrInvalid},
		{name: "no lines", in: req("k"), want: returns.ErrInvalid},
		{name: "sku not in the order", in: req("k", returns.LineDTO{SKU: "HAT", Quantity: 1}), want: returns.ErrInvalid},
		{name: "repeated sku", in: req("k", mug(1), mug(1)), want: returns.ErrInvalid},
		{name: "zero units", in: req("k", mug(0)), want: returns.ErrInvalid},
		{name: "more than delivered", in: req("k", mug(4)), want: returns.ErrTooManyUnits},
		{name: "more than left after an earlier request", given: func(a *returns.OrderReturns, f returns.OrderFacts) {
			if _, err := a.Request(f, req("first", mug(2)), window, delivered.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}, in: req("k", mug(2)), want: returns.ErrTooManyUnits},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := facts(t, true)
			if tt.facts != nil {
				f = tt.facts()
			}
			a := returns.Blank(orderID)
			if tt.given != nil {
				tt.given(a, f)
			}
			now := tt.now
			if now.IsZero() {
				now = delivered.Add(24 * time.Hour)
			}
			before := len(a.Changes())
			_, err := a.Request(f, tt.in, window, now)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if len(a.Changes()) != before {
				t.Fatalf("a refused request recorded %v", a.Changes()[before:])
			}
		})
	}
}

func TestRequestIsIdempotentAndRejectionFreesUnits(t *testing.T) {
	t.Parallel()
	f := facts(t, true)
	a := returns.Blank(orderID)
	now := delivered.Add(window) // the last moment of the window
	id, err := a.Request(f, req("k1", mug(3)), window, now)
	if err != nil || id != orderID+"-r1" {
		t.Fatalf("id %q err %v", id, err)
	}
	again, err := a.Request(f, req("k1", mug(3)), window, now)
	if err != nil || again != id || len(a.Changes()) != 1 {
		t.Fatalf("repeat: %q %v, %d events", again, err, len(a.Changes()))
	}
	if err := a.Reject(id, "", "staff", now); !errors.Is(err, returns.ErrInvalid) {
		t.Fatalf("reject without reason: %v", err)
	}
	if err := a.Reject(id, "worn", "staff", now); err != nil {
		t.Fatal(err)
	}
	if err := a.Approve(id, "staff", now); !errors.Is(err, returns.ErrIllegalTransition) {
		t.Fatalf("approve a rejected return: %v", err)
	}
	if _, err := a.Request(f, req("k2", mug(3)), window, now); err != nil {
		t.Fatalf("the rejected units are free again: %v", err)
	}
}

// TestLifecycleRefunds follows two returns of the whole order: units come
// back in two receipts, the second completes the order and refunds shipping.
func TestLifecycleRefunds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		refundShipping bool
		wantSecond     int64
	}{
		{"shipping refunded on the full return", true, 1112 + 1999 + 490},
		{"shipping kept", false, 1112 + 1999},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := facts(t, true)
			a := returns.Blank(orderID)
			now := delivered.Add(time.Hour)
			opts := returns.ReceiveOptions{RefundShippingOnFullReturn: tt.refundShipping}
			r1, _ := a.Request(f, req("a", mug(2)), window, now)
			if err := a.Receive(r1, f, []returns.ReceivedLine{{SKU: "MUG", Restock: 2}}, opts, "staff", now); !errors.Is(err, returns.ErrIllegalTransition) {
				t.Fatalf("receive before approval: %v", err)
			}
			if err := a.Approve(r1, "staff", now); err != nil {
				t.Fatal(err)
			}
			if err := a.Receive(r1, f, []returns.ReceivedLine{{SKU: "MUG", Restock: 1}}, opts, "staff", now); !errors.Is(err, returns.ErrInvalid) {
				t.Fatalf("units not adding up: %v", err)
			}
			if err := a.Receive(r1, f, []returns.ReceivedLine{{SKU: "MUG", Restock: 1, Damaged: 1}}, opts, "staff", now); err != nil {
				t.Fatal(err)
			}
			got, _ := a.Get(r1)
			if got.Status != returns.StatusReceived || got.Refund != 2222 || got.Shipping != 0 {
				t.Fatalf("first return: %+v", got)
			}
			r2, _ := a.Request(f, req("b", mug(1), tee(1)), window, now)
			_ = a.Approve(r2, "staff", now)
			if err := a.Receive(r2, f, []returns.ReceivedLine{{SKU: "MUG", Damaged: 1}, {SKU: "TEE", Restock: 1}}, opts, "staff", now); err != nil {
				t.Fatal(err)
			}
			got, _ = a.Get(r2)
			if got.Refund != tt.wantSecond {
				t.Fatalf("second refund %d, want %d", got.Refund, tt.wantSecond)
			}
			if err := a.MarkRefunded(r2, returns.RefundID(r2), got.Refund, "EUR"); err != nil {
				t.Fatal(err)
			}
			n := len(a.Changes())
			_ = a.MarkRefunded(r2, returns.RefundID(r2), got.Refund, "EUR")
			_ = a.Receive(r2, f, nil, opts, "staff", now)
			if len(a.Changes()) != n {
				t.Fatal("repeated steps recorded events")
			}
			// Replaying the recorded events gives the same returns.
			b := returns.Blank(orderID)
			for _, e := range a.Changes() {
				b.ApplyStored(e)
			}
			if r, _ := b.Get(r2); r.Status != returns.StatusRefunded || r.Refund != tt.wantSecond || b.Version() != uint64(n) {
				t.Fatalf("replayed: %+v", r)
			}
		})
	}
}

func TestReceiveRefusesMoreThanLeftOfTheTotal(t *testing.T) {
	t.Parallel()
	f := facts(t, true)
	f.Refunded = f.Total - 100 // staff already refunded nearly everything
	a := returns.Blank(orderID)
	id, _ := a.Request(f, req("a", tee(1)), window, delivered)
	_ = a.Approve(id, "staff", delivered)
	if err := a.Receive(id, f, []returns.ReceivedLine{{SKU: "TEE", Restock: 1}}, returns.ReceiveOptions{}, "staff", delivered); !errors.Is(err, returns.ErrIllegalTransition) {
		t.Fatalf("err = %v", err)
	}
}

func TestOrderPlacedBeforeTheBreakdownRefundsTheUnitPrice(t *testing.T) {
	t.Parallel()
	var f returns.OrderFacts
	f.Apply(ordering.OrderPlaced{OrderID: orderID, CustomerID: customer, Lines: []ordering.LineDTO{{SKU: "MUG", Quantity: 3, UnitPrice: eur(1250)}}, Total: eur(3750)}, delivered)
	if f.Lines[0].Gross != 3750 || f.Shipping != 0 {
		t.Fatalf("facts %+v", f)
	}
	if got := returns.UnitsShare(f.Lines[0].Gross, 3, 0, 1); got != 1250 {
		t.Fatalf("one unit refunds %d", got)
	}
}

// TestUnitsSharesAddUpToTheLine is the rounding property: however a line's
// units are split into returns, the refunds add up to the line's gross, and
// no unit's share is off by more than one minor unit from gross/quantity.
func TestUnitsSharesAddUpToTheLine(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(18, 5))
	for range 20000 {
		q := 1 + r.IntN(99)
		gross := r.Int64N(money.MaxAmount)
		if r.IntN(4) == 0 {
			gross = r.Int64N(1000) // small amounts: many remainders
		}
		var sum int64
		for first := 0; first < q; {
			n := 1 + r.IntN(q-first)
			share := returns.UnitsShare(gross, q, first, n)
			lo, hi := gross*int64(n)/int64(q)-1, gross*int64(n)/int64(q)+1
			if share < lo || share > hi {
				t.Fatalf("gross %d q %d: units %d..%d share %d outside [%d,%d]", gross, q, first, first+n, share, lo, hi)
			}
			sum += share
			first += n
		}
		if sum != gross {
			t.Fatalf("gross %d q %d: shares add up to %d", gross, q, sum)
		}
	}
}

func TestParseID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id      string
		wantErr bool
	}{
		{orderID + "-r1", false}, {orderID + "-r12", false}, {orderID + "-r0", true}, {orderID + "-r01", true},
		{orderID, true}, {"-r1", true}, {orderID + "-rx", true},
	}
	for _, tt := range tests {
		o, n, err := returns.ParseID(tt.id)
		if (err != nil) != tt.wantErr {
			t.Fatalf("%q: err %v", tt.id, err)
		}
		if err == nil && (o != orderID || returns.ID(o, n) != tt.id) {
			t.Fatalf("%q: %q %d", tt.id, o, n)
		}
	}
	if got := returns.ReturnIDFromRefund(returns.RefundID(orderID + "-r3")); got != orderID+"-r3" {
		t.Fatalf("refund id → %q", got)
	}
	if returns.ReturnIDFromRefund("staff-key") != "" {
		t.Fatal("a staff refund names no return")
	}
}
