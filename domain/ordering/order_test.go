package ordering

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/evshop/shop/domain/money"
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

func placed() OrderPlaced {
	in := validInput()
	return OrderPlaced{OrderID: orderID, CustomerID: in.CustomerID, Email: in.Email, Lines: in.Lines,
		Total: eur(4499), Currency: "EUR", ShippingAddress: in.ShippingAddress, Payment: in.Payment, PlacedAt: placedAt}
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
			err := o.Place(in, placedAt)
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
	{StatusStockReserved, func(o *Order) error { return o.MarkStockReserved() }},
	{StatusPaymentAuthorized, func(o *Order) error { return o.MarkPaymentAuthorized("pay-1") }},
	{StatusConfirmed, func(o *Order) error { return o.Confirm() }},
	{StatusPaid, func(o *Order) error { return o.MarkPaid("pay-1", money.Money{}) }},
	{StatusShipped, func(o *Order) error { return o.Ship("DHL", "TRK1") }},
	{StatusDelivered, func(o *Order) error { return o.Deliver() }},
	{StatusCancelled, func(o *Order) error { return o.Cancel("changed my mind") }},
	{StatusRefunded, func(o *Order) error { return o.Refund(mustEUR(1000), "damaged") }},
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
	happy := []Event{placed(), OrderStockReserved{orderID}, OrderPaymentAuthorized{orderID, "pay-1"}, OrderConfirmed{orderID},
		OrderPaid{orderID, "pay-1", total.DTO()}, OrderShipped{orderID, "DHL", "TRK1"}, OrderDelivered{orderID}}
	switch s {
	case StatusCancelled:
		return []Event{placed(), OrderCancelled{orderID, "out of stock"}}
	case StatusRefunded:
		return append(happy[:5:5], OrderRefunded{orderID, eur(4499), "returned"})
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
	//                           SR  PA  Co  Pd  Sh  De  Ca  Re
	matrix := map[Status]string{
		StatusPlaced:            "E   X   X   X   X   X   E   X",
		StatusStockReserved:     "-   E   X   X   X   X   E   X",
		StatusPaymentAuthorized: "-   -   E   X   X   X   E   X",
		StatusConfirmed:         "-   -   -   E   X   X   E   X",
		StatusPaid:              "-   -   -   -   E   X   X   E",
		StatusShipped:           "-   -   -   -   -   E   X   E",
		StatusDelivered:         "-   -   -   -   -   -   X   E",
		StatusCancelled:         "X   X   X   X   X   X   -   X",
		StatusRefunded:          "-   -   -   -   X   X   X   -",
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
		{"refund above total refused", paid, func(o *Order) error { return o.Refund(mustEUR(5000), "x") }, nil, ErrInvalid},
		{"refund zero refused", paid, func(o *Order) error { return o.Refund(mustEUR(0), "x") }, nil, ErrInvalid},
		{"partial refund", paid, func(o *Order) error { return o.Refund(mustEUR(100), "scratch") }, []Event{OrderRefunded{orderID, eur(100), "scratch"}}, nil},
		{"paid amount must equal total", historyTo(StatusConfirmed), func(o *Order) error { return o.MarkPaid("pay-1", mustEUR(1)) }, nil, ErrInvalid},
		{"payment id required", historyTo(StatusStockReserved), func(o *Order) error { return o.MarkPaymentAuthorized("") }, nil, ErrInvalid},
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
	if o.Version() != 5 || o.PaymentID() != "pay-1" || o.Total() != mustEUR(4499) || o.CustomerID() != validInput().CustomerID {
		t.Fatalf("replayed state wrong: v=%d pay=%s total=%s", o.Version(), o.PaymentID(), o.Total())
	}
}
