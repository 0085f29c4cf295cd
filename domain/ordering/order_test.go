package ordering

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/pricing"
)

const orderID = "3b241101-e2bb-4255-8caf-4136c566a962"

var placedAt = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func eur(n int64) money.DTO { return money.DTO{Amount: n, Currency: "EUR"} }

func validInput() PlaceInput {
	return PlaceInput{
		CustomerID: "c0ffee00-0000-4000-8000-000000000001",
		Email:      "ada@example.com",
		Lines: []LineDTO{
			{SKU: "MUG-1", Name: "Mug", Category: "kitchen", Quantity: 2, UnitPrice: eur(1250)},
			{SKU: "TEE-M", Name: "Tee", Category: "apparel", Quantity: 1, UnitPrice: eur(1999)},
		},
		ShippingAddress: AddressDTO{Name: "Ada", Line1: "1 Main St", City: "Paris", PostalCode: "75001", Country: "FR"},
		Payment:         PaymentDTO{Method: "sandbox", Token: "tok_sandbox_success", Last4: "4242"},
	}
}

// accepted is the shop's configured payment methods in these tests.
var accepted = func() PaymentMethods {
	m, err := NewPaymentMethods("sandbox", "stripe")
	if err != nil {
		panic(err)
	}
	return m
}()

// prices is the demo pricing of a shop in Germany: tax-inclusive.
var prices = func() Pricing {
	p, err := DefaultPricing("DE")
	if err != nil {
		panic(err)
	}
	return p
}()

// placed is the OrderPlaced of validInput: tax-inclusive prices to France,
// no shipping, so the total is the sum of the lines. The breakdown's
// arithmetic is domain/pricing's, tested there; TestPlacePricing checks
// what the order takes from it.
func placed() OrderPlaced {
	in := validInput()
	lines := append([]LineDTO(nil), in.Lines...)
	var q pricing.QuoteInput
	for i := range lines {
		lines[i].TaxClass = "standard"
		p, _ := money.FromDTO(lines[i].UnitPrice)
		q.Lines = append(q.Lines, pricing.Line{SKU: lines[i].SKU, Category: lines[i].Category, Quantity: lines[i].Quantity, UnitPrice: p, TaxClass: pricing.TaxStandard})
	}
	q.Country, q.PricesIncludeTax = "FR", true
	b, err := pricing.Quote(q, prices.Taxes, prices.Shipping)
	if err != nil {
		panic(err)
	}
	dto := b.DTO()
	return OrderPlaced{OrderID: orderID, CustomerID: in.CustomerID, Email: in.Email, Lines: lines,
		Total: eur(4499), Currency: "EUR", ShippingAddress: in.ShippingAddress, Payment: in.Payment, PlacedAt: placedAt, Breakdown: &dto}
}

// given replays events into a fresh order.
func given(events ...Event) *Order {
	o := Blank(orderID)
	for _, e := range events {
		o.ApplyStored(e)
	}
	return o
}

func TestPlace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		given   []Event
		mutate  func(*PlaceInput)
		want    []Event
		wantErr error
	}{
		{name: "valid order records OrderPlaced with computed total", want: []Event{placed()}},
		{name: "placing twice is refused", given: []Event{placed()}, wantErr: ErrAlreadyPlaced},
		{name: "no lines", mutate: func(in *PlaceInput) { in.Lines = nil }, wantErr: ErrInvalid},
		{name: "quantity 0", mutate: func(in *PlaceInput) { in.Lines[0].Quantity = 0 }, wantErr: ErrInvalid},
		{name: "quantity 100", mutate: func(in *PlaceInput) { in.Lines[0].Quantity = 100 }, wantErr: ErrInvalid},
		{name: "duplicate sku", mutate: func(in *PlaceInput) { in.Lines[1].SKU = "MUG-1" }, wantErr: ErrInvalid},
		{name: "mixed currencies", mutate: func(in *PlaceInput) { in.Lines[1].UnitPrice.Currency = "USD" }, wantErr: ErrInvalid},
		{name: "bad email", mutate: func(in *PlaceInput) { in.Email = "not-an-email" }, wantErr: ErrInvalid},
		{name: "missing city", mutate: func(in *PlaceInput) { in.ShippingAddress.City = "" }, wantErr: ErrInvalid},
		{name: "bad country", mutate: func(in *PlaceInput) { in.ShippingAddress.Country = "France" }, wantErr: ErrInvalid},
		{name: "sandbox without token", mutate: func(in *PlaceInput) { in.Payment.Token = "" }, wantErr: ErrInvalid},
		{name: "unknown method", mutate: func(in *PlaceInput) { in.Payment.Method = "cash" }, wantErr: ErrInvalid},
		{name: "last4 not digits", mutate: func(in *PlaceInput) { in.Payment.Last4 = "42a2" }, wantErr: ErrInvalid},
		{name: "method outside the accepted set", mutate: func(in *PlaceInput) { in.Payment = PaymentDTO{Method: "paypal"} }, wantErr: ErrPaymentMethodNotAccepted},
		{name: "no tax rates for the destination", mutate: func(in *PlaceInput) { in.ShippingAddress.Country = "JP" }, wantErr: pricing.ErrUnknownCountry},
		{name: "shipping method not serving the destination", mutate: func(in *PlaceInput) { in.ShippingMethod = "pickup" }, wantErr: pricing.ErrShippingUnavailable},
		{name: "unknown shipping method", mutate: func(in *PlaceInput) { in.ShippingMethod = "teleport" }, wantErr: ErrInvalid},
		{name: "unknown tax class", mutate: func(in *PlaceInput) { in.Lines[0].TaxClass = "luxury" }, wantErr: ErrInvalid},
		{name: "negative weight", mutate: func(in *PlaceInput) { in.Lines[0].WeightGrams = -1 }, wantErr: ErrInvalid},
		{name: "malformed discount", mutate: func(in *PlaceInput) { in.Discount = &pricing.DiscountDTO{Code: "X", Kind: "percentage", PercentOff: 0} }, wantErr: ErrInvalid},
		{name: "malformed VAT ID", mutate: func(in *PlaceInput) { in.VATID = "123456789" }, wantErr: ErrInvalid},
		{name: "stripe needs no token", mutate: func(in *PlaceInput) { in.Payment = PaymentDTO{Method: "stripe"} },
			want: []Event{func() OrderPlaced { p := placed(); p.Payment = PaymentDTO{Method: "stripe"}; return p }()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := given(tt.given...)
			in := validInput()
			if tt.mutate != nil {
				tt.mutate(&in)
			}
			err := o.Place(in, accepted, prices, placedAt)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := o.Changes(); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("events = %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

// command is one transition, named by its target status.
type command struct {
	target Status
	run    func(*Order) error
}

var commands = []command{
	{StatusPaid, func(o *Order) error { return o.MarkPaid("pay-1", money.Money{}) }},
	{StatusShipped, func(o *Order) error { return o.Ship("DHL", "TRK1") }},
	{StatusDelivered, func(o *Order) error { return o.Deliver() }},
	{StatusCancelled, func(o *Order) error { return o.Cancel("changed my mind") }},
	{StatusRefunded, func(o *Order) error { return o.Refund(mustEUR(max(o.RemainingRefundable(), 1)), "returned", "r-full") }},
	{StatusPartiallyRefunded, func(o *Order) error { return o.Refund(mustEUR(1000), "scratch", "r-part") }},
}

func mustEUR(n int64) money.Money {
	m, err := money.New(n, "EUR")
	if err != nil {
		panic(err)
	}
	return m
}

// historyTo returns the events that bring an order to s by the usual path.
func historyTo(s Status) []Event {
	total := mustEUR(4499)
	happy := []Event{placed(), OrderPaid{orderID, "pay-1", total.DTO()}, OrderShipped{orderID, "DHL", "TRK1"}, OrderDelivered{orderID}}
	switch s {
	case StatusCancelled:
		return []Event{placed(), OrderCancelled{orderID, "out of stock"}}
	case StatusRefunded:
		return append(happy[:2:2], OrderRefunded{OrderID: orderID, Amount: eur(4499), Reason: "returned"})
	case StatusPartiallyRefunded:
		return append(happy[:2:2], OrderPartiallyRefunded{orderID, eur(1000), "scratch", "r0", eur(1000)})
	}
	for i, e := range happy {
		if StatusOf(e) == s {
			return happy[:i+1]
		}
	}
	panic(s)
}

// TestTransitionMatrix tries every command in every status. "E" records the
// event, "-" is an idempotent no-op (the order already went through that
// status), "X" is ErrIllegalTransition.
func TestTransitionMatrix(t *testing.T) {
	t.Parallel()
	//                           Pd  Sh  De  Ca  Re  PR
	matrix := map[Status]string{
		StatusPlaced:            "E   X   X   E   X   X",
		StatusPaid:              "-   E   X   X   E   E",
		StatusShipped:           "-   -   E   X   E   E",
		StatusDelivered:         "-   -   -   X   E   E",
		StatusCancelled:         "X   X   X   -   X   X",
		StatusRefunded:          "-   X   X   X   X   X",
		StatusPartiallyRefunded: "-   E   X   X   E   E",
	}
	for _, from := range Statuses() {
		cells := splitCells(matrix[from])
		if len(cells) != len(commands) {
			t.Fatalf("matrix row %s has %d cells", from, len(cells))
		}
		for i, cmd := range commands {
			t.Run(string(from)+"→"+string(cmd.target), func(t *testing.T) {
				t.Parallel()
				o := given(historyTo(from)...)
				if o.Status() != from {
					t.Fatalf("setup reached %s, want %s", o.Status(), from)
				}
				if cmd.target == StatusPaid {
					cmd = command{StatusPaid, func(o *Order) error { return o.MarkPaid("pay-1", o.Total()) }}
				}
				err := cmd.run(o)
				switch cells[i] {
				case "E":
					if err != nil || len(o.Changes()) != 1 || StatusOf(o.Changes()[0]) != cmd.target || o.Status() != cmd.target {
						t.Fatalf("want one %s event, got err=%v changes=%v", cmd.target, err, o.Changes())
					}
				case "-":
					if err != nil || len(o.Changes()) != 0 || o.Status() != from {
						t.Fatalf("want idempotent no-op, got err=%v changes=%v", err, o.Changes())
					}
				case "X":
					if !errors.Is(err, ErrIllegalTransition) || len(o.Changes()) != 0 {
						t.Fatalf("want ErrIllegalTransition, got err=%v changes=%v", err, o.Changes())
					}
				}
			})
		}
	}
}

func splitCells(row string) []string {
	var out []string
	for _, f := range []rune(row) {
		if f != ' ' {
			out = append(out, string(f))
		}
	}
	return out
}

func TestTransitionsOnMissingOrder(t *testing.T) {
	t.Parallel()
	for _, cmd := range commands {
		if err := cmd.run(Blank(orderID)); !errors.Is(err, ErrNotPlaced) {
			t.Errorf("%s on a blank order: err = %v, want ErrNotPlaced", cmd.target, err)
		}
	}
}

func TestTransitionInputs(t *testing.T) {
	t.Parallel()
	paid := historyTo(StatusPaid)
	tests := []struct {
		name    string
		given   []Event
		when    func(*Order) error
		want    []Event
		wantErr error
	}{
		{"ship needs a carrier", paid, func(o *Order) error { return o.Ship("", "T") }, nil, ErrInvalid},
		{"ship records carrier and tracking", paid, func(o *Order) error { return o.Ship("UPS", "1Z") }, []Event{OrderShipped{orderID, "UPS", "1Z"}}, nil},
		{"cancel needs a reason", historyTo(StatusPlaced), func(o *Order) error { return o.Cancel(" ") }, nil, ErrInvalid},
		{"refund above total refused", paid, func(o *Order) error { return o.Refund(mustEUR(5000), "x", "r1") }, nil, ErrRefundTooLarge},
		{"refund zero refused", paid, func(o *Order) error { return o.Refund(mustEUR(0), "x", "r1") }, nil, ErrInvalid},
		{"refund needs an id", paid, func(o *Order) error { return o.Refund(mustEUR(100), "x", "") }, nil, ErrInvalid},
		{"partial refund", paid, func(o *Order) error { return o.Refund(mustEUR(100), "scratch", "r1") }, []Event{OrderPartiallyRefunded{orderID, eur(100), "scratch", "r1", eur(100)}}, nil},
		{"deliver a partially refunded order before shipping", historyTo(StatusPartiallyRefunded), func(o *Order) error { return o.Deliver() }, nil, ErrIllegalTransition},
		{"paid amount must equal total", historyTo(StatusPlaced), func(o *Order) error { return o.MarkPaid("pay-1", mustEUR(1)) }, nil, ErrInvalid},
		{"payment id required", historyTo(StatusPlaced), func(o *Order) error { return o.MarkPaid("", o.Total()) }, nil, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := given(tt.given...)
			if err := tt.when(o); !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := o.Changes(); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("events = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestReplayRestoresState(t *testing.T) {
	t.Parallel()
	o := given(historyTo(StatusPaid)...)
	if o.Version() != 2 || o.PaymentID() != "pay-1" || o.Total() != mustEUR(4499) || o.CustomerID() != validInput().CustomerID {
		t.Fatalf("replayed state wrong: v=%d pay=%s total=%s", o.Version(), o.PaymentID(), o.Total())
	}
}

func TestNewPaymentMethods(t *testing.T) {
	t.Parallel()
	tests := []struct {
		names   []string
		accepts map[string]bool
		wantErr error
	}{
		{names: []string{"stripe", "paypal"}, accepts: map[string]bool{"stripe": true, "paypal": true, "sandbox": false, "": false}},
		{names: []string{"sandbox"}, accepts: map[string]bool{"sandbox": true, "stripe": false}},
		{names: nil, wantErr: ErrInvalid},
		{names: []string{"stripe", "cash"}, wantErr: ErrInvalid},
		{names: []string{""}, wantErr: ErrInvalid},
	}
	for _, tt := range tests {
		m, err := NewPaymentMethods(tt.names...)
		if !errors.Is(err, tt.wantErr) {
			t.Fatalf("%v: err = %v, want %v", tt.names, err, tt.wantErr)
		}
		for method, want := range tt.accepts {
			if got := m.Accepts(method); got != want {
				t.Errorf("%v accepts %q = %v, want %v", tt.names, method, got, want)
			}
		}
	}
}

// TestStoredMethodOutsideTheSetStillLoads: the accepted set applies to
// placing only; an order stored with the sandbox goes on in a shop that no
// longer offers it.
func TestStoredMethodOutsideTheSetStillLoads(t *testing.T) {
	t.Parallel()
	stripeOnly, err := NewPaymentMethods("stripe")
	if err != nil {
		t.Fatal(err)
	}
	o := given(placed())
	if o.Status() != StatusPlaced || o.Total() != mustEUR(4499) {
		t.Fatalf("replayed %s %s", o.Status(), o.Total())
	}
	if err := o.MarkPaid("pay-1", o.Total()); err != nil {
		t.Fatal(err)
	}
	if err := Blank(orderID).Place(validInput(), stripeOnly, prices, placedAt); !errors.Is(err, ErrPaymentMethodNotAccepted) {
		t.Fatalf("placing a sandbox order in a stripe shop: %v", err)
	}
}

// TestRefunds: refunds add up to the total, each once by its id; the order
// is partially refunded until the whole total is back.
func TestRefunds(t *testing.T) {
	t.Parallel()
	type step struct {
		amount  int64
		id      string
		wantErr error
	}
	tests := []struct {
		name         string
		given        []Event
		steps        []step
		wantStatus   Status
		wantRefunded int64
		wantEvents   int
	}{
		{"two partials then the rest", historyTo(StatusPaid), []step{{1000, "a", nil}, {1500, "b", nil}, {1999, "c", nil}}, StatusRefunded, 4499, 3},
		{"one partial", historyTo(StatusDelivered), []step{{1, "a", nil}}, StatusPartiallyRefunded, 1, 1},
		{"over-refund refused", historyTo(StatusPaid), []step{{4000, "a", nil}, {500, "b", ErrRefundTooLarge}}, StatusPartiallyRefunded, 4000, 1},
		{"same id twice is one refund", historyTo(StatusPaid), []step{{1000, "a", nil}, {1000, "a", nil}}, StatusPartiallyRefunded, 1000, 1},
		{"same id with another amount is the same refund", historyTo(StatusPaid), []step{{1000, "a", nil}, {3000, "a", nil}}, StatusPartiallyRefunded, 1000, 1},
		{"nothing left after the full refund", historyTo(StatusPaid), []step{{4499, "a", nil}, {1, "b", ErrIllegalTransition}}, StatusRefunded, 4499, 1},
		{"before payment", historyTo(StatusPlaced), []step{{1, "a", ErrIllegalTransition}}, StatusPlaced, 0, 0},
		// Stored before partial refunds: the first refund made it Refunded.
		{"legacy partial refund loads as refunded", append(historyTo(StatusPaid), OrderRefunded{OrderID: orderID, Amount: eur(500), Reason: "old"}),
			[]step{{1, "b", ErrIllegalTransition}}, StatusRefunded, 500, 0},
		{"a stored partial refund loads", historyTo(StatusPartiallyRefunded), nil, StatusPartiallyRefunded, 1000, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := given(tt.given...)
			for i, s := range tt.steps {
				if err := o.Refund(mustEUR(s.amount), "why", s.id); !errors.Is(err, s.wantErr) {
					t.Fatalf("step %d: err = %v, want %v", i, err, s.wantErr)
				}
			}
			if o.Status() != tt.wantStatus || o.Refunded().Amount() != tt.wantRefunded || len(o.Changes()) != tt.wantEvents {
				t.Fatalf("status %s refunded %s events %d; want %s %d %d", o.Status(), o.Refunded(), len(o.Changes()), tt.wantStatus, tt.wantRefunded, tt.wantEvents)
			}
			// What was recorded replays to the same state.
			r := given(append(append([]Event{}, tt.given...), o.Changes()...)...)
			if r.Status() != o.Status() || r.Refunded() != o.Refunded() {
				t.Fatalf("replayed %s %s, decided %s %s", r.Status(), r.Refunded(), o.Status(), o.Refunded())
			}
		})
	}
}

// TestPlacePricing: the order's total is the breakdown's gross, with
// shipping, discount and tax classes, in both tax modes; the order keeps
// the breakdown and records method, discount, VAT ID and guest flag.
func TestPlacePricing(t *testing.T) {
	t.Parallel()
	book := LineDTO{SKU: "BOOK-1", Name: "Book", Category: "Books", Quantity: 1, UnitPrice: eur(1999), TaxClass: "reduced", WeightGrams: 400}
	mug := LineDTO{SKU: "MUG-1", Name: "Mug", Category: "Kitchen", Quantity: 2, UnitPrice: eur(1250), WeightGrams: 350}
	exclusive := prices
	exclusive.PricesIncludeTax = false
	tests := []struct {
		name                string
		prices              Pricing
		mutate              func(*PlaceInput)
		total, tax, ship    int64
		rates               int
		wantShippingMethod  string
		wantDiscount, wantV string
	}{
		{name: "inclusive, standard shipping to Germany", prices: prices,
			mutate: func(in *PlaceInput) { in.ShippingMethod = "standard" },
			// book 1999 at 7 %: 131; mugs 2500 at 19 %: 399; shipping 495 at 19 %: 79
			total: 1999 + 2500 + 495, tax: 131 + 399 + 79, ship: 495, rates: 2, wantShippingMethod: "standard"},
		{name: "exclusive, express, 10 % off books, B2B", prices: exclusive,
			mutate: func(in *PlaceInput) {
				in.ShippingMethod = "express"
				in.Discount = &pricing.DiscountDTO{Code: "READ10", Kind: "percentage", PercentOff: 10, Categories: []string{"Books"}}
				in.VATID = "de 123 456 789"
			},
			// book 1999-200 = 1799 net + 126 (7 %); mugs 2500 + 475; express 1490 + 283
			total: 1799 + 126 + 2500 + 475 + 1490 + 283, tax: 126 + 475 + 283, ship: 1490 + 283, rates: 2,
			wantShippingMethod: "express", wantDiscount: "READ10", wantV: "DE123456789"},
		{name: "free shipping code, guest", prices: prices,
			mutate: func(in *PlaceInput) {
				in.ShippingMethod = "standard"
				in.Discount = &pricing.DiscountDTO{Code: "SHIPFREE", Kind: "free_shipping"}
				in.Guest = true
			},
			total: 1999 + 2500, tax: 131 + 399, ship: 0, rates: 2, wantShippingMethod: "standard", wantDiscount: "SHIPFREE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := validInput()
			in.Lines = []LineDTO{book, mug}
			in.ShippingAddress.Country = "DE"
			tt.mutate(&in)
			o := Blank(orderID)
			if err := o.Place(in, accepted, tt.prices, placedAt); err != nil {
				t.Fatal(err)
			}
			ev := o.Changes()[0].(OrderPlaced)
			b := ev.Breakdown
			if b == nil || o.Breakdown() != b {
				t.Fatalf("breakdown not recorded and kept: %+v", b)
			}
			if ev.Total.Amount != tt.total || o.Total().Amount() != tt.total || b.Gross.Amount != tt.total || b.Tax.Amount != tt.tax || len(b.TaxRates) != tt.rates {
				t.Errorf("total %d (order %s), gross %d, tax %d, %d rates; want %d, %d, %d rates", ev.Total.Amount, o.Total(), b.Gross.Amount, b.Tax.Amount, len(b.TaxRates), tt.total, tt.tax, tt.rates)
			}
			if b.Shipping == nil || b.Shipping.Gross.Amount != tt.ship {
				t.Errorf("shipping %+v, want gross %d", b.Shipping, tt.ship)
			}
			if b.PricesIncludeTax != tt.prices.PricesIncludeTax || ev.ShippingMethod != tt.wantShippingMethod || ev.VATID != tt.wantV || ev.Guest != in.Guest {
				t.Errorf("recorded %+v", ev)
			}
			if (ev.Discount == nil) != (tt.wantDiscount == "") || ev.Discount != nil && ev.Discount.Code != tt.wantDiscount {
				t.Errorf("discount %+v, want %q", ev.Discount, tt.wantDiscount)
			}
			if ev.Lines[1].TaxClass != "standard" || ev.Lines[0].TaxClass != "reduced" {
				t.Errorf("line tax classes %q, %q", ev.Lines[0].TaxClass, ev.Lines[1].TaxClass)
			}
			if err := o.MarkPaid("pay-1", mustEUR(tt.total)); err != nil {
				t.Errorf("paying the breakdown's gross: %v", err)
			}
		})
	}
}

func TestNormalizeVATID(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"": "", "DE123456789": "DE123456789", "de 123.456-789": "DE123456789", "NL123456789B01": "NL123456789B01", "ATU12": "ATU12"} {
		if got, err := NormalizeVATID(in); err != nil || got != want {
			t.Errorf("NormalizeVATID(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"D1234", "DE1", "123456789", "DE1234567890ABCD", "DE12345ü", "DE_123"} {
		if _, err := NormalizeVATID(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("NormalizeVATID(%q): %v, want ErrInvalid", in, err)
		}
	}
}
