package basket

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/pricing"
)

const (
	custID  = "c0ffee00-0000-4000-8000-000000000001"
	orderID = "3b241101-e2bb-4255-8caf-4136c566a962"
	guestID = "guest-9f0c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e2f"
)

func eur(n int64) money.Money {
	m, err := money.New(n, "EUR")
	if err != nil {
		panic(err)
	}
	return m
}

func product(sku string, price money.Money) Product {
	s, err := NewSKU(sku)
	if err != nil {
		panic(err)
	}
	p, err := NewProduct(s, "Name "+sku, "cat", price)
	if err != nil {
		panic(err)
	}
	return p
}

func qty(n int) Quantity {
	q, err := NewQuantity(n)
	if err != nil {
		panic(err)
	}
	return q
}

func sku(s string) SKU { k, _ := NewSKU(s); return k }

func added(sku string, q int, price int64) ItemAdded {
	return ItemAdded{BasketID: custID, SKU: sku, Name: "Name " + sku, Category: "cat", Quantity: q, UnitPrice: eur(price).DTO()}
}

func given(id string, events ...Event) *Basket {
	b := Blank(id)
	for _, e := range events {
		b.ApplyStored(e)
	}
	return b
}

func TestBasketBehaviour(t *testing.T) {
	t.Parallel()
	fifty := make([]Event, 50)
	for i := range fifty {
		fifty[i] = added(fmt.Sprintf("S%d", i), 1, 100)
	}
	tests := []struct {
		name    string
		given   []Event
		when    func(b *Basket) error
		want    []Event
		wantErr error
	}{
		{"add new item", nil, func(b *Basket) error { return b.AddItem(product("MUG", eur(1250)), qty(2)) },
			[]Event{added("MUG", 2, 1250)}, nil},
		{"add existing item raises quantity", []Event{added("MUG", 2, 1250)},
			func(b *Basket) error { return b.AddItem(product("MUG", eur(1250)), qty(3)) },
			[]Event{ItemQuantityChanged{custID, "MUG", 5}}, nil},
		{"adding beyond 99 refused", []Event{added("MUG", 98, 1250)},
			func(b *Basket) error { return b.AddItem(product("MUG", eur(1250)), qty(2)) }, nil, ErrQuantityLimit},
		{"51st line refused", fifty, func(b *Basket) error { return b.AddItem(product("NEW", eur(100)), qty(1)) }, nil, ErrTooManyLines},
		{"other currency refused", []Event{added("MUG", 1, 1250)}, func(b *Basket) error {
			usd, _ := money.New(100, "USD")
			return b.AddItem(product("TEE", usd), qty(1))
		}, nil, ErrCurrencyMismatch},
		{"zero-value product refused", nil, func(b *Basket) error { return b.AddItem(Product{}, qty(1)) }, nil, ErrInvalid},
		{"change quantity", []Event{added("MUG", 2, 1250)}, func(b *Basket) error { return b.ChangeQuantity(sku("MUG"), qty(7)) },
			[]Event{ItemQuantityChanged{custID, "MUG", 7}}, nil},
		{"same quantity is a no-op", []Event{added("MUG", 2, 1250)}, func(b *Basket) error { return b.ChangeQuantity(sku("MUG"), qty(2)) }, nil, nil},
		{"change missing item", nil, func(b *Basket) error { return b.ChangeQuantity(sku("MUG"), qty(2)) }, nil, ErrItemNotFound},
		{"remove item", []Event{added("MUG", 2, 1250)}, func(b *Basket) error { return b.RemoveItem(sku("MUG")) },
			[]Event{ItemRemoved{BasketID: custID, SKU: "MUG"}}, nil},
		{"remove removed item", []Event{added("MUG", 2, 1250), ItemRemoved{BasketID: custID, SKU: "MUG"}}, func(b *Basket) error { return b.RemoveItem(sku("MUG")) }, nil, ErrItemNotFound},
		{"clear", []Event{added("MUG", 2, 1250)}, func(b *Basket) error { b.Clear(); return nil }, []Event{BasketCleared{custID, "customer"}}, nil},
		{"clear empty is a no-op", nil, func(b *Basket) error { b.Clear(); return nil }, nil, nil},
		{"check out", []Event{added("MUG", 2, 1250)}, func(b *Basket) error { _, err := b.CheckOut(custID, orderID, "key-12345", nil); return err },
			[]Event{BasketCheckedOut{BasketID: custID, CustomerID: custID, OrderID: orderID, IdempotencyKey: "key-12345",
				Lines: []LineDTO{added("MUG", 2, 1250).line()}, Total: eur(2500).DTO()}}, nil},
		{"check out empty", nil, func(b *Basket) error { _, err := b.CheckOut(custID, orderID, "key-12345", nil); return err }, nil, ErrEmpty},
		{"same key again is remembered, records nothing", []Event{added("MUG", 2, 1250), BasketCheckedOut{BasketID: custID, OrderID: orderID, IdempotencyKey: "key-12345"}},
			func(b *Basket) error {
				c, err := b.CheckOut(custID, "00000000-0000-4000-8000-000000000000", "key-12345", nil)
				if c.OrderID != orderID {
					return fmt.Errorf("got order %s", c.OrderID)
				}
				return err
			}, nil, nil},
		{"short idempotency key", []Event{added("MUG", 2, 1250)}, func(b *Basket) error { _, err := b.CheckOut(custID, orderID, "k", nil); return err }, nil, ErrInvalid},
		{"customer id must be a UUID", []Event{added("MUG", 2, 1250)}, func(b *Basket) error { _, err := b.CheckOut("guest", orderID, "key-12345", nil); return err }, nil, ErrInvalid},
		{"reprice records changed and gone lines", []Event{added("MUG", 2, 1250), added("TEE", 1, 900), added("CAP", 1, 500), added("PEN", 1, 100)},
			func(b *Basket) error {
				usd, _ := money.New(100, "USD")
				got := b.Reprice(map[string]CatalogPrice{"MUG": {Price: eur(1400)}, "TEE": {Price: eur(900)}, "CAP": {Gone: true}, "PEN": {Price: usd}})
				want := []PriceChange{{SKU: "MUG", Name: "Name MUG", Quantity: 2, Old: eur(1250), New: eur(1400)},
					{SKU: "CAP", Name: "Name CAP", Quantity: 1, Old: eur(500), Removed: true},
					{SKU: "PEN", Name: "Name PEN", Quantity: 1, Old: eur(100), Removed: true}}
				if !reflect.DeepEqual(got, want) {
					return fmt.Errorf("changes = %+v, want %+v", got, want)
				}
				if b.Total() != eur(2800+900) {
					return fmt.Errorf("total after reprice = %v", b.Total())
				}
				return nil
			},
			[]Event{ItemRepriced{BasketID: custID, SKU: "MUG", OldUnitPrice: eur(1250).DTO(), UnitPrice: eur(1400).DTO()},
				ItemRemoved{BasketID: custID, SKU: "CAP", Reason: RemovedUnavailable},
				ItemRemoved{BasketID: custID, SKU: "PEN", Reason: RemovedUnavailable}}, nil},
		{"apply a discount code", []Event{added("MUG", 2, 1250)}, func(b *Basket) error { return b.ApplyDiscount(tenOff) },
			[]Event{DiscountCodeApplied{BasketID: custID, Code: "TEN", Discount: tenOff.DTO()}}, nil},
		{"the same code again is a no-op", []Event{added("MUG", 2, 1250), DiscountCodeApplied{BasketID: custID, Code: "TEN", Discount: tenOff.DTO()}},
			func(b *Basket) error { return b.ApplyDiscount(tenOff) }, nil, nil},
		{"a code needs lines", nil, func(b *Basket) error { return b.ApplyDiscount(tenOff) }, nil, ErrEmpty},
		{"a malformed discount is refused", []Event{added("MUG", 2, 1250)}, func(b *Basket) error { return b.ApplyDiscount(pricing.Discount{Code: "X"}) }, nil, ErrInvalid},
		{"remove the code", []Event{added("MUG", 2, 1250), DiscountCodeApplied{BasketID: custID, Code: "TEN", Discount: tenOff.DTO()}},
			func(b *Basket) error { return b.RemoveDiscount() }, []Event{DiscountCodeRemoved{BasketID: custID, Code: "TEN"}}, nil},
		{"remove without a code", []Event{added("MUG", 2, 1250)}, func(b *Basket) error { return b.RemoveDiscount() }, nil, ErrNoDiscount},
		{"clearing drops the code", []Event{added("MUG", 2, 1250), DiscountCodeApplied{BasketID: custID, Code: "TEN", Discount: tenOff.DTO()}, BasketCleared{BasketID: custID}},
			func(b *Basket) error { return b.RemoveDiscount() }, nil, ErrNoDiscount},
		{"check out remembers the code and takes the current tax class and weight",
			[]Event{added("MUG", 2, 1250), DiscountCodeApplied{BasketID: custID, Code: "TEN", Discount: tenOff.DTO()}},
			func(b *Basket) error {
				_, err := b.CheckOut(custID, orderID, "key-12345", map[string]CatalogPrice{"MUG": {Price: eur(1250), TaxClass: "reduced", WeightGrams: 300}})
				return err
			},
			[]Event{BasketCheckedOut{BasketID: custID, CustomerID: custID, OrderID: orderID, IdempotencyKey: "key-12345",
				Lines: []LineDTO{{SKU: "MUG", Name: "Name MUG", Category: "cat", Quantity: 2, UnitPrice: eur(1250).DTO(), TaxClass: "reduced", WeightGrams: 300}},
				Total: eur(2500).DTO(), DiscountCode: "TEN"}}, nil},
		{"reprice with current prices records nothing", []Event{added("MUG", 2, 1250)},
			func(b *Basket) error {
				if got := b.Reprice(map[string]CatalogPrice{"MUG": {Price: eur(1250)}}); len(got) != 0 {
					return fmt.Errorf("changes = %+v", got)
				}
				return nil
			}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := given(custID, tt.given...)
			if err := tt.when(b); !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := b.Changes(); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("events = %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

var tenOff = pricing.Discount{Code: "TEN", Kind: pricing.DiscountPercentage, PercentOff: 10}

func TestProductTaxAndWeight(t *testing.T) {
	t.Parallel()
	p := product("MUG", eur(100))
	for _, tt := range []struct {
		class string
		grams int
		ok    bool
	}{{"", 0, true}, {"reduced", 500, true}, {"zero", pricing.MaxWeightGrams, true}, {"luxury", 0, false}, {"standard", -1, false}, {"standard", pricing.MaxWeightGrams + 1, false}} {
		if _, err := p.WithTaxAndWeight(tt.class, tt.grams); (err == nil) != tt.ok {
			t.Errorf("%q %d: %v", tt.class, tt.grams, err)
		}
	}
	b := Blank(custID)
	p, _ = p.WithTaxAndWeight("reduced", 250)
	if err := b.AddItem(p, qty(1)); err != nil {
		t.Fatal(err)
	}
	if l := b.Lines()[0]; l.TaxClass != "reduced" || l.WeightGrams != 250 {
		t.Fatalf("line %+v", l)
	}
}

func (e ItemAdded) line() LineDTO {
	return LineDTO{SKU: e.SKU, Name: e.Name, Category: e.Category, Quantity: e.Quantity, UnitPrice: e.UnitPrice}
}

func TestMerge(t *testing.T) {
	t.Parallel()
	guestAdded := func(sku string, q int) ItemAdded { e := added(sku, q, 100); e.BasketID = guestID; return e }
	guest := given(guestID, guestAdded("MUG", 60), guestAdded("TEE", 1))
	cust := given(custID, added("MUG", 50, 100))
	if _, err := cust.Merge(guest); err != nil {
		t.Fatal(err)
	}
	want := []Event{
		ItemQuantityChanged{custID, "MUG", 99}, // capped, not refused: login must not fail
		ItemAdded{BasketID: custID, SKU: "TEE", Name: "Name TEE", Category: "cat", Quantity: 1, UnitPrice: eur(100).DTO()},
		GuestBasketMerged{BasketID: custID, GuestBasketID: guestID, GuestVersion: 2},
	}
	if !reflect.DeepEqual(cust.Changes(), want) {
		t.Fatalf("merge events = %#v", cust.Changes())
	}
	// A retried merge of the same guest version adds nothing.
	again := given(custID, append([]Event{added("MUG", 50, 100)}, want...)...)
	if _, err := again.Merge(guest); err != nil || len(again.Changes()) != 0 {
		t.Fatalf("second merge: err=%v changes=%v", err, again.Changes())
	}
	if _, err := guest.Merge(cust); !errors.Is(err, ErrNotGuest) {
		t.Fatalf("merging a customer basket into a guest: %v", err)
	}
}

// TestMergeDiscountCode: the guest's code comes along into a basket without
// one; a basket with its own code keeps it.
func TestMergeDiscountCode(t *testing.T) {
	t.Parallel()
	guestAdded := func(sku string, q int) ItemAdded { e := added(sku, q, 100); e.BasketID = guestID; return e }
	welcome := pricing.DiscountDTO{Code: "WELCOME10", Kind: "percentage", PercentOff: 10}
	loyal := pricing.DiscountDTO{Code: "LOYAL5", Kind: "percentage", PercentOff: 5}
	guest := given(guestID, guestAdded("TEE", 1), DiscountCodeApplied{BasketID: guestID, Code: welcome.Code, Discount: welcome})
	tests := []struct {
		name string
		cust *Basket
		want string
	}{
		{"empty basket takes the guest's code", given(custID), "WELCOME10"},
		{"basket without a code takes it", given(custID, added("MUG", 1, 100)), "WELCOME10"},
		{"basket with its own code keeps it", given(custID, added("MUG", 1, 100), DiscountCodeApplied{BasketID: custID, Code: loyal.Code, Discount: loyal}), "LOYAL5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.cust.Merge(guest); err != nil {
				t.Fatal(err)
			}
			if d, ok := tt.cust.Discount(); !ok || d.Code != tt.want {
				t.Fatalf("discount after merge = %+v %v, want %s", d, ok, tt.want)
			}
		})
	}
}

func TestValueConstructors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
	}{
		{"sku empty", func() error { _, e := NewSKU(""); return e }()},
		{"sku with space", func() error { _, e := NewSKU("A B"); return e }()},
		{"sku too long", func() error { _, e := NewSKU(string(make([]byte, 65))); return e }()},
		{"quantity 0", func() error { _, e := NewQuantity(0); return e }()},
		{"quantity 100", func() error { _, e := NewQuantity(100); return e }()},
		{"guest token not uuid", func() error { _, e := GuestBasket("x"); return e }()},
		{"customer id not uuid", func() error { _, e := CustomerBasket("guest-" + custID); return e }()},
		{"free product", func() error { _, e := NewProduct(sku("A"), "n", "c", eur(0)); return e }()},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", tt.name, tt.err)
		}
	}
	id, err := ParseID(guestID)
	if err != nil || !id.IsGuest() || id.String() != guestID {
		t.Fatalf("ParseID(guest) = %v, %v", id, err)
	}
}

func TestGuestBasketChecksOutToTheGuestIdentity(t *testing.T) {
	t.Parallel()
	e := added("MUG", 1, 1250)
	e.BasketID = guestID
	b := given(guestID, e)
	c, err := b.CheckOut(custID, orderID, "key-12345", nil)
	if err != nil || c.OrderID != orderID || len(b.Lines()) != 0 {
		t.Fatalf("guest checkout: %+v %v", c, err)
	}
	if got := b.Changes()[0].(BasketCheckedOut); got.BasketID != guestID || got.CustomerID != custID {
		t.Fatalf("event = %+v", got)
	}
}

// TestCopy: a copy applies the rest of a history to the same basket as a
// replay of the whole history, and what either then applies or records
// leaves the other as it was.
func TestCopy(t *testing.T) {
	t.Parallel()
	checkout := func(n int) Event {
		return BasketCheckedOut{BasketID: custID, CustomerID: custID, OrderID: fmt.Sprintf("order-%d", n),
			IdempotencyKey: fmt.Sprintf("key-%d", n), Lines: []LineDTO{added("MUG", 1, 100).line()}, Total: eur(100).DTO()}
	}
	var history []Event
	for n := range rememberedCheckouts + 5 { // past the bound: the oldest checkouts are dropped in place
		history = append(history, added("MUG", 1, 100), added("TEE", 2, 250), ItemQuantityChanged{custID, "TEE", 3},
			ItemRemoved{BasketID: custID, SKU: "MUG"}, GuestBasketMerged{BasketID: custID, GuestBasketID: fmt.Sprintf("guest-%d", n), GuestVersion: 1},
			DiscountCodeApplied{BasketID: custID, Code: "TEN", Discount: pricing.DiscountDTO{Code: "TEN", Kind: "percent", PercentOff: 10, Categories: []string{"cat"}}},
			checkout(n))
	}
	history = append(history, added("CAP", 1, 900), DiscountCodeApplied{BasketID: custID, Code: "FIVE",
		Discount: pricing.DiscountDTO{Code: "FIVE", Kind: "percent", PercentOff: 5}})
	for _, at := range []int{0, 1, 3, 7, 20, len(history) / 2, len(history) - 1, len(history)} {
		t.Run(fmt.Sprint("copied after ", at), func(t *testing.T) {
			t.Parallel()
			orig := given(custID, history[:at]...)
			orig.changes = []Event{BasketCleared{BasketID: custID}} // not carried over
			cp := orig.Copy()
			if len(cp.Changes()) != 0 {
				t.Fatalf("copy has changes %v", cp.Changes())
			}
			for _, e := range history[at:] {
				cp.ApplyStored(e)
			}
			if want := given(custID, history...); !reflect.DeepEqual(cp, want) {
				t.Fatalf("copy + rest = %#v\nwant %#v", cp, want)
			}
			// The copy changing (the oldest checkouts dropped in place, lines
			// removed, merges noted) leaves the original as it was, and the
			// original changing leaves the copy.
			before := given(custID, history[:at]...)
			before.changes = orig.changes
			for n := range rememberedCheckouts + 1 {
				cp.ApplyStored(added("ZIP", 1, 100))
				cp.ApplyStored(ItemRemoved{BasketID: custID, SKU: "TEE"})
				cp.ApplyStored(GuestBasketMerged{BasketID: custID, GuestBasketID: "guest-0", GuestVersion: 9})
				cp.ApplyStored(checkout(1000 + n))
			}
			if !reflect.DeepEqual(orig, before) {
				t.Fatalf("changing the copy changed the original:\n%#v\nwant %#v", orig, before)
			}
			after := cp.Copy()
			orig.Clear()
			orig.ApplyStored(checkout(2000))
			if !reflect.DeepEqual(cp.Copy(), after) {
				t.Fatal("changing the original changed the copy")
			}
		})
	}
}

// TestCheckedOutSharesNothing: the check-out a basket returns is the
// caller's to change; the basket and its copies keep theirs.
func TestCheckedOutSharesNothing(t *testing.T) {
	t.Parallel()
	b := given(custID, added("MUG", 1, 100), BasketCheckedOut{BasketID: custID, CustomerID: custID, OrderID: orderID,
		IdempotencyKey: "key-1", Lines: []LineDTO{added("MUG", 1, 100).line()}, Total: eur(100).DTO()})
	cp := b.Copy()
	got, ok := b.CheckedOut("key-1")
	if !ok || len(got.Lines) != 1 {
		t.Fatalf("CheckedOut = %+v, %v", got, ok)
	}
	got.Lines[0].Quantity = 99
	for name, basket := range map[string]*Basket{"basket": b, "copy": cp} {
		if again, _ := basket.CheckedOut("key-1"); again.Lines[0].Quantity != 1 {
			t.Fatalf("%s: changing a returned check-out changed the %s's: %+v", name, name, again)
		}
	}
}
