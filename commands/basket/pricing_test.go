package basket

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	ordercmd "github.com/evshop/shop/commands/ordering"
	domain "github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/pricing"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
)

// refusal is the fake discounts service's DiscountRefusal.
type refusal struct {
	reason   string
	conflict bool
}

func (r *refusal) Error() string  { return "discount refused: " + r.reason }
func (r *refusal) Reason() string { return r.reason }
func (r *refusal) Conflict() bool { return r.conflict }

// fakeCode is a code of the fake service: refuse, when set, is always the
// answer; min is the smallest subtotal; limit caps the uses (0: none).
type fakeCode struct {
	d      pricing.Discount
	refuse *refusal
	min    int64
	limit  int
}

// fakeDiscounts is an in-memory discounts service: the catalogue of codes
// and the uses reserved per order.
type fakeDiscounts struct {
	mu       sync.Mutex
	codes    map[string]fakeCode
	uses     map[string]string // order id → code
	released []string
}

func newFakeDiscounts() *fakeDiscounts {
	return &fakeDiscounts{uses: map[string]string{}, codes: map[string]fakeCode{
		"TEN":      {d: pricing.Discount{Code: "TEN", Kind: pricing.DiscountPercentage, PercentOff: 10}},
		"FIVER":    {d: pricing.Discount{Code: "FIVER", Kind: pricing.DiscountFixed, AmountOff: eurM(500)}, min: 3000},
		"SHIPFREE": {d: pricing.Discount{Code: "SHIPFREE", Kind: pricing.DiscountFreeShipping}},
		"ONCE":     {d: pricing.Discount{Code: "ONCE", Kind: pricing.DiscountPercentage, PercentOff: 50}, limit: 1},
		"OLD":      {refuse: &refusal{reason: ReasonExpired}},
		"SOON":     {refuse: &refusal{reason: ReasonNotYetValid}},
		"HALTED":   {refuse: &refusal{reason: ReasonPaused}},
		"BOOKS":    {refuse: &refusal{reason: ReasonNotApplicable}},
		"GONE":     {refuse: &refusal{reason: ReasonUsedUp, conflict: true}},
	}}
}

func (f *fakeDiscounts) decide(code string, subtotal money.Money, orderID string) (pricing.Discount, error) {
	c, ok := f.codes[code]
	switch {
	case !ok:
		return pricing.Discount{}, &refusal{reason: ReasonUnknown}
	case c.refuse != nil:
		return pricing.Discount{}, c.refuse
	case subtotal.Amount() < c.min:
		return pricing.Discount{}, &refusal{reason: ReasonMinimumNotMet}
	}
	if c.limit > 0 && orderID != "" {
		n := 0
		for o, used := range f.uses {
			if used == code && o != orderID {
				n++
			}
		}
		if n >= c.limit {
			return pricing.Discount{}, &refusal{reason: ReasonUsedUp, conflict: true}
		}
	}
	return c.d, nil
}

func (f *fakeDiscounts) Check(_ context.Context, code, _ string, _ []pricing.Line, subtotal money.Money) (pricing.Discount, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.decide(code, subtotal, "")
}

func (f *fakeDiscounts) Reserve(_ context.Context, code, customerKey, orderID string, _ []pricing.Line, subtotal money.Money) (pricing.Discount, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if customerKey == "" {
		return pricing.Discount{}, errors.New("customer key required")
	}
	d, err := f.decide(code, subtotal, orderID)
	if err == nil {
		f.uses[orderID] = code
	}
	return d, err
}

func (f *fakeDiscounts) Release(_ context.Context, orderID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.uses, orderID)
	f.released = append(f.released, orderID)
	return nil
}

// setupShop is a basket service with the demo pricing (Germany,
// tax-inclusive, standard/express/pickup) and the fake discounts.
func setupShop(t *testing.T) (*Handlers, *ordercmd.Handlers, *priceList, *fakeDiscounts, *memory.Store) {
	t.Helper()
	store := memory.New()
	orders, err := ordercmd.NewHandlers(ordercmd.Config{Store: store, PaymentMethods: []string{"sandbox"}})
	if err != nil {
		t.Fatal(err)
	}
	prices := &priceList{prices: map[string]int64{"MUG": 1000, "TEE": 2000, "BOOK": 1500}, gone: map[string]bool{}}
	d := newFakeDiscounts()
	h, err := NewHandlers(Config{Store: store, Products: ProductLookupFunc(func(ctx context.Context, sku string) (Product, error) {
		p, err := prices.Lookup(ctx, sku)
		if sku == "BOOK" {
			p.TaxClass, p.Category = "reduced", "books"
		}
		p.WeightGrams = 400
		return p, err
	}), Orders: orders, Discounts: d})
	if err != nil {
		t.Fatal(err)
	}
	return h, orders, prices, d, store
}

func TestDiscountCodeInTheBasket(t *testing.T) {
	t.Parallel()
	h, _, _, _, _ := setupShop(t)
	ctx := context.Background()
	if _, err := h.ApplyDiscount(ctx, ApplyDiscount{BasketID: cust(t), Code: "TEN"}); !errors.Is(err, domain.ErrEmpty) {
		t.Fatalf("code on an empty basket: %v", err)
	}
	if _, err := h.AddItem(ctx, AddItem{BasketID: cust(t), SKU: "MUG", Quantity: 2}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		code     string
		reason   string
		conflict bool
	}{
		{"NOPE", ReasonUnknown, false},
		{"OLD", ReasonExpired, false},
		{"SOON", ReasonNotYetValid, false},
		{"HALTED", ReasonPaused, false},
		{"BOOKS", ReasonNotApplicable, false},
		{"FIVER", ReasonMinimumNotMet, false},
		{"GONE", ReasonUsedUp, true},
		{"TEN", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			st, err := h.ApplyDiscount(ctx, ApplyDiscount{BasketID: cust(t), Code: tt.code, CustomerKey: custID})
			if tt.reason == "" {
				if err != nil || st.Discount == nil || st.Discount.Code != tt.code || st.Version != 2 {
					t.Fatalf("apply: %+v %v", st, err)
				}
				return
			}
			r, ok := RefusalOf(err)
			if !ok || r.Reason() != tt.reason || r.Conflict() != tt.conflict {
				t.Fatalf("err = %v, want refusal %s", err, tt.reason)
			}
			if got, _ := h.Get(ctx, cust(t)); got.Version != 1 {
				t.Fatalf("a refusal recorded something: %+v", got)
			}
		})
	}
	for _, bad := range []string{"", "  ", "THIRTY-THREE-CHARACTERS-LONG-CODE"} {
		if _, err := h.ApplyDiscount(ctx, ApplyDiscount{BasketID: cust(t), Code: bad}); !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("code %q: %v", bad, err)
		}
	}
	if st, err := h.RemoveDiscount(ctx, RemoveDiscount{BasketID: cust(t)}); err != nil || st.Discount != nil {
		t.Fatalf("remove: %+v %v", st, err)
	}
	if _, err := h.RemoveDiscount(ctx, RemoveDiscount{BasketID: cust(t)}); !errors.Is(err, domain.ErrNoDiscount) {
		t.Fatalf("remove again: %v", err)
	}
	noCodes, _, _ := setup(t, 0)
	if _, err := noCodes.ApplyDiscount(ctx, ApplyDiscount{BasketID: cust(t), Code: "TEN"}); !errors.Is(err, ErrNoDiscounts) {
		t.Fatalf("a shop without codes: %v", err)
	}
}

func TestEstimate(t *testing.T) {
	t.Parallel()
	h, _, _, _, _ := setupShop(t)
	lines := []domain.Line{
		{SKU: "MUG", Category: "kitchen", Quantity: 2, UnitPrice: eurM(1190), WeightGrams: 400},
		{SKU: "BOOK", Category: "books", Quantity: 1, UnitPrice: eurM(1070), TaxClass: "reduced", WeightGrams: 400},
	}
	ten := pricing.Discount{Code: "TEN", Kind: pricing.DiscountPercentage, PercentOff: 10}.DTO()
	tests := []struct {
		name      string
		country   string
		method    string
		discount  *pricing.DiscountDTO
		wantErr   error
		gross     int64
		tax       int64
		methods   []string
		shipGross int64
	}{
		// DE: 19 % on 2380 = 380, 7 % on 1070 = 70.
		{"the shop's country by default", "", "", nil, nil, 3450, 380 + 70, []string{"standard", "express", "pickup"}, -1},
		{"with standard shipping", "DE", "standard", nil, nil, 3450 + 495, 380 + 70 + 79, []string{"standard", "express", "pickup"}, 495},
		// FR: 20 % on 2380 = 397, 5.5 % on 1070 = 56; no pickup abroad.
		{"another country", "FR", "express", nil, nil, 3450 + 1490, 397 + 56 + 248, []string{"standard", "express"}, 1490},
		{"with the basket's code", "DE", "", &ten, nil, 3450 - 345, 342 + 63, nil, -1},
		{"pickup abroad", "FR", "pickup", nil, ErrShippingUnavailable, 0, 0, nil, 0},
		{"unknown method", "DE", "drone", nil, ErrShippingUnavailable, 0, 0, nil, 0},
		{"a country without tax rates", "JP", "", nil, ErrUnknownCountry, 0, 0, nil, 0},
		{"not a country code", "de", "", nil, ErrUnknownCountry, 0, 0, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := h.Estimate(lines, tt.country, tt.method, tt.discount)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			b := e.Breakdown
			if b.Gross.Amount() != tt.gross || b.Tax.Amount() != tt.tax {
				t.Fatalf("gross %v tax %v, want %d and %d", b.Gross, b.Tax, tt.gross, tt.tax)
			}
			if tt.shipGross >= 0 && (b.Shipping == nil || b.Shipping.Gross.Amount() != tt.shipGross) {
				t.Fatalf("shipping %+v", b.Shipping)
			}
			if tt.methods != nil {
				var got []string
				for _, m := range e.Methods {
					got = append(got, m.Method.ID)
				}
				if fmt.Sprint(got) != fmt.Sprint(tt.methods) {
					t.Fatalf("methods %v, want %v", got, tt.methods)
				}
			}
		})
	}
	if _, err := h.Estimate(nil, "", "", nil); !errors.Is(err, domain.ErrEmpty) {
		t.Fatalf("empty: %v", err)
	}
}

func shopCheckout(key, method string) CheckOut {
	c := checkout(key)
	c.ShippingAddress.Country, c.ShippingMethod = "DE", method
	return c
}

func TestCheckOutPricesShippingDiscountAndVAT(t *testing.T) {
	t.Parallel()
	h, orders, _, d, store := setupShop(t)
	ctx := context.Background()
	for _, l := range []AddItem{{SKU: "MUG", Quantity: 2}, {SKU: "BOOK", Quantity: 1}} {
		l.BasketID = cust(t)
		if _, err := h.AddItem(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.ApplyDiscount(ctx, ApplyDiscount{BasketID: cust(t), Code: "TEN", CustomerKey: custID}); err != nil {
		t.Fatal(err)
	}
	refused := []struct {
		name    string
		cmd     CheckOut
		wantErr error
	}{
		{"no method", shopCheckout("key-refused", ""), ErrShippingRequired},
		{"pickup abroad", func() CheckOut {
			c := shopCheckout("key-refused", "pickup")
			c.ShippingAddress.Country = "FR"
			return c
		}(), ErrShippingUnavailable},
		{"unknown method", shopCheckout("key-refused", "drone"), ErrShippingUnavailable},
		{"a country without tax rates", func() CheckOut {
			c := shopCheckout("key-refused", "standard")
			c.ShippingAddress.Country = "JP"
			return c
		}(), ErrUnknownCountry},
		{"a bad VAT ID", func() CheckOut { c := shopCheckout("key-refused", "standard"); c.VATID = "12"; return c }(), ordering.ErrInvalid},
	}
	for _, tt := range refused {
		if _, _, err := h.CheckOut(ctx, tt.cmd); !errors.Is(err, tt.wantErr) {
			t.Fatalf("%s: err = %v, want %v", tt.name, err, tt.wantErr)
		}
	}
	if st, _ := h.Get(ctx, cust(t)); len(st.Lines) != 2 || st.Discount == nil {
		t.Fatalf("a refused checkout changed the basket: %+v", st)
	}
	if len(d.uses) != 0 {
		t.Fatalf("a refused checkout holds a use: %v", d.uses)
	}
	cmd := shopCheckout("key-priced-1", "standard")
	cmd.VATID = "de 123 456 789"
	id, _, err := h.CheckOut(ctx, cmd)
	if err != nil {
		t.Fatal(err)
	}
	var placed ordering.OrderPlaced
	for ev, err := range store.ReadAll(ctx, 0, eventstore.Filter{EventTypes: []string{ordering.EventOrderPlaced}}) {
		if err != nil {
			t.Fatal(err)
		}
		e, err := ordercmd.Codec().Decode(ev.Type, ev.Data)
		if err != nil {
			t.Fatal(err)
		}
		placed = e.(ordering.OrderPlaced)
	}
	// Lines 2000 + 1500 less 10 % = 3150 (free shipping needs 5000): + 495.
	if placed.OrderID != id || placed.ShippingMethod != "standard" || placed.VATID != "DE123456789" || placed.Guest ||
		placed.Discount == nil || placed.Discount.Code != "TEN" || placed.Breakdown == nil || placed.Total.Amount != 3150+495 {
		t.Fatalf("order placed %+v", placed)
	}
	if placed.Lines[1].TaxClass != "reduced" || placed.Lines[1].WeightGrams != 400 {
		t.Fatalf("lines %+v", placed.Lines)
	}
	if d.uses[id] != "TEN" {
		t.Fatalf("uses %v", d.uses)
	}
	if o, _ := orders.Load(ctx, id); o.Total().Amount() != 3150+495 {
		t.Fatalf("order total %v", o.Total())
	}
	if again, _, err := h.CheckOut(ctx, cmd); err != nil || again != id || len(d.uses) != 1 {
		t.Fatalf("retry: %s %v %v", again, err, d.uses)
	}
}

func TestCheckOutDiscountRefusalsAndRelease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("a used-up code refuses the checkout and leaves the basket", func(t *testing.T) {
		t.Parallel()
		h, _, _, d, store := setupShop(t)
		other, _ := domain.CustomerBasket("c0ffee00-0000-4000-8000-000000000002")
		for _, id := range []domain.ID{cust(t), other} {
			if _, err := h.AddItem(ctx, AddItem{BasketID: id, SKU: "MUG", Quantity: 1}); err != nil {
				t.Fatal(err)
			}
			if _, err := h.ApplyDiscount(ctx, ApplyDiscount{BasketID: id, Code: "ONCE"}); err != nil {
				t.Fatal(err)
			}
		}
		first := shopCheckout("key-once-01", "standard")
		first.CustomerID = other.String()
		if _, _, err := h.CheckOut(ctx, first); err != nil {
			t.Fatal(err)
		}
		_, _, err := h.CheckOut(ctx, shopCheckout("key-once-02", "standard"))
		if r, ok := RefusalOf(err); !ok || r.Reason() != ReasonUsedUp || !r.Conflict() {
			t.Fatalf("err = %v, want used_up", err)
		}
		if st, _ := h.Get(ctx, cust(t)); len(st.Lines) != 1 {
			t.Fatalf("basket emptied: %+v", st)
		}
		n := 0
		for range store.ReadAll(ctx, 0, eventstore.Filter{EventTypes: []string{ordering.EventOrderPlaced}}) {
			n++
		}
		if n != 1 || len(d.uses) != 1 {
			t.Fatalf("%d orders, uses %v", n, d.uses)
		}
	})
	t.Run("a failed placement releases the use; the retry takes it again", func(t *testing.T) {
		t.Parallel()
		h, orders, _, d, _ := setupShop(t)
		if _, err := h.AddItem(ctx, AddItem{BasketID: cust(t), SKU: "MUG", Quantity: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.ApplyDiscount(ctx, ApplyDiscount{BasketID: cust(t), Code: "ONCE"}); err != nil {
			t.Fatal(err)
		}
		failing := *h
		failing.orders = placerFunc(func(context.Context, *ordercmd.PlaceOrder) error { return errors.New("bus down") })
		cmd := shopCheckout("key-crash-02", "standard")
		if _, _, err := failing.CheckOut(ctx, cmd); err == nil {
			t.Fatal("want the injected failure")
		}
		orderID := OrderIDFor(custID, "key-crash-02")
		if len(d.uses) != 0 || len(d.released) != 1 || d.released[0] != orderID {
			t.Fatalf("uses %v released %v", d.uses, d.released)
		}
		id, _, err := h.CheckOut(ctx, cmd)
		if err != nil || id != orderID || d.uses[id] != "ONCE" {
			t.Fatalf("retry: %s %v %v", id, err, d.uses)
		}
		if o, _ := orders.Load(ctx, id); o.Total().Amount() != 500+495 {
			t.Fatalf("order total %v", o.Total())
		}
	})
	t.Run("a guest's order is marked and keyed by the guest identity", func(t *testing.T) {
		t.Parallel()
		h, _, _, d, store := setupShop(t)
		guest, _ := domain.GuestBasket("9f0c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e2f")
		if _, err := h.AddItem(ctx, AddItem{BasketID: guest, SKU: "TEE", Quantity: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.ApplyDiscount(ctx, ApplyDiscount{BasketID: guest, Code: "TEN"}); err != nil {
			t.Fatal(err)
		}
		cmd := shopCheckout("key-guest-02", "standard")
		cmd.CustomerID, cmd.Guest, cmd.Email = "", guest, "grace@example.com"
		id, _, err := h.CheckOut(ctx, cmd)
		if err != nil || d.uses[id] != "TEN" {
			t.Fatalf("guest checkout %v %v", err, d.uses)
		}
		for ev := range store.ReadAll(ctx, 0, eventstore.Filter{EventTypes: []string{ordering.EventOrderPlaced}}) {
			e, _ := ordercmd.Codec().Decode(ev.Type, ev.Data)
			if p := e.(ordering.OrderPlaced); !p.Guest || p.Discount == nil {
				t.Fatalf("placed %+v", p)
			}
		}
	})
}
