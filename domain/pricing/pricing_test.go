package pricing

import (
	"errors"
	"testing"

	"github.com/evshop/shop/domain/money"
)

func eur(t testing.TB, a int64) money.Money {
	t.Helper()
	m, err := money.New(a, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func demo(t testing.TB) (TaxTable, ShippingMethods) {
	t.Helper()
	methods, err := DefaultShippingMethods("DE")
	if err != nil {
		t.Fatal(err)
	}
	return DefaultTaxTable(), methods
}

func TestParseTaxClass(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]TaxClass{"": TaxStandard, "standard": TaxStandard, "reduced": TaxReduced, "zero": TaxZero} {
		got, err := ParseTaxClass(in)
		if err != nil || got != want {
			t.Errorf("ParseTaxClass(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"Standard", "super-reduced", " zero"} {
		if _, err := ParseTaxClass(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseTaxClass(%q): err %v, want ErrInvalid", in, err)
		}
	}
}

func TestDefaultTaxTable(t *testing.T) {
	t.Parallel()
	table := DefaultTaxTable()
	cases := []struct {
		country string
		class   TaxClass
		bp      int
	}{
		{"DE", TaxStandard, 1900}, {"DE", TaxReduced, 700}, {"DE", TaxZero, 0},
		{"FR", TaxStandard, 2000}, {"FR", TaxReduced, 550},
		{"NL", TaxStandard, 2100}, {"NL", TaxReduced, 900},
		{"AT", TaxStandard, 2000}, {"AT", TaxReduced, 1000},
		{"IT", TaxStandard, 2200}, {"IT", TaxReduced, 1000},
		{"ES", TaxStandard, 2100}, {"ES", TaxReduced, 1000},
		{"CH", TaxStandard, 810}, {"CH", TaxReduced, 260},
		{"GB", TaxStandard, 2000}, {"GB", TaxReduced, 500},
		{"US", TaxStandard, 0},
	}
	for _, c := range cases {
		bp, err := table.Rate(c.country, c.class)
		if err != nil || bp != c.bp {
			t.Errorf("Rate(%s, %s) = %d, %v; want %d", c.country, c.class, bp, err, c.bp)
		}
	}
	if _, err := table.Rate("XX", TaxStandard); !errors.Is(err, ErrUnknownCountry) || !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown country: %v", err)
	}
}

func TestParseTaxTableRefuses(t *testing.T) {
	t.Parallel()
	for name, in := range map[string]string{
		"empty":         `{"countries":{}}`,
		"bad country":   `{"countries":{"de":{"standard":1900,"reduced":700}}}`,
		"negative rate": `{"countries":{"DE":{"standard":-1,"reduced":700}}}`,
		"rate above":    `{"countries":{"DE":{"standard":10001,"reduced":700}}}`,
		"unknown field": `{"countries":{"DE":{"standard":1900,"reduced":700,"super":300}}}`,
		"not json":      `{`,
		"trailing":      `{"countries":{"DE":{"standard":1900}}} {}`,
	} {
		if _, err := ParseTaxTable([]byte(in)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err %v, want ErrInvalid", name, err)
		}
	}
}

func TestShippingMethods(t *testing.T) {
	t.Parallel()
	_, methods := demo(t)
	ids := func(offers []ShippingOffer) map[string]int64 {
		out := map[string]int64{}
		for _, o := range offers {
			out[o.Method.ID] = o.Price.Amount()
		}
		return out
	}
	cases := []struct {
		name     string
		country  string
		weight   int
		subtotal int64
		want     map[string]int64
	}{
		{"home country: all three", "DE", 500, 1000, map[string]int64{"standard": 495, "express": 1490, "pickup": 0}},
		{"second band", "DE", 2001, 1000, map[string]int64{"standard": 795, "express": 1490, "pickup": 0}},
		{"free from 50", "DE", 500, 5000, map[string]int64{"standard": 0, "express": 1490, "pickup": 0}},
		{"just below free", "DE", 500, 4999, map[string]int64{"standard": 495, "express": 1490, "pickup": 0}},
		{"no pickup abroad", "FR", 500, 1000, map[string]int64{"standard": 495, "express": 1490}},
		{"no express to Italy", "IT", 500, 1000, map[string]int64{"standard": 495}},
		{"too heavy for standard", "DE", 31501, 1000, map[string]int64{"express": 1490, "pickup": 0}},
		{"not served", "JP", 500, 1000, map[string]int64{}},
	}
	for _, c := range cases {
		got := ids(methods.Available(c.country, c.weight, eur(t, c.subtotal)))
		if len(got) != len(c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
			continue
		}
		for id, p := range c.want {
			if gp, ok := got[id]; !ok || gp != p {
				t.Errorf("%s: %s = %d (%v), want %d", c.name, id, gp, ok, p)
			}
		}
	}
	other, err := DefaultShippingMethods("AT")
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := other.Find("pickup"); !m.Serves("AT") || m.Serves("DE") {
		t.Errorf("pickup zones with home AT: %v", m.Zones)
	}
}

func TestParseShippingMethodsRefuses(t *testing.T) {
	t.Parallel()
	for name, in := range map[string]string{
		"bad currency":   `{"currency":"eur","methods":[]}`,
		"bad id":         `{"currency":"EUR","methods":[{"id":"Std","name":"x","zones":["DE"]}]}`,
		"duplicate id":   `{"currency":"EUR","methods":[{"id":"a","name":"x","zones":["DE"]},{"id":"a","name":"y","zones":["DE"]}]}`,
		"no zones":       `{"currency":"EUR","methods":[{"id":"a","name":"x","zones":[]}]}`,
		"bad zone":       `{"currency":"EUR","methods":[{"id":"a","name":"x","zones":["Germany"]}]}`,
		"no name":        `{"currency":"EUR","methods":[{"id":"a","name":" ","zones":["DE"]}]}`,
		"negative flat":  `{"currency":"EUR","methods":[{"id":"a","name":"x","zones":["DE"],"flat":-1}]}`,
		"bands unsorted": `{"currency":"EUR","methods":[{"id":"a","name":"x","zones":["DE"],"weightBands":[{"upToGrams":2000,"amount":1},{"upToGrams":1000,"amount":2}]}]}`,
		"bad tax class":  `{"currency":"EUR","methods":[{"id":"a","name":"x","zones":["DE"],"taxClass":"low"}]}`,
		"unknown field":  `{"currency":"EUR","methods":[{"id":"a","name":"x","zones":["DE"],"price":3}]}`,
	} {
		if _, err := ParseShippingMethods([]byte(in), "DE"); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err %v, want ErrInvalid", name, err)
		}
	}
	if _, err := ParseShippingMethods([]byte(`{"currency":"EUR","methods":[]}`), "Deutschland"); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad home country: %v", err)
	}
}

func TestAllocate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		total   int64
		amounts []int64
		want    []int64
	}{
		{133, []int64{1000, 333}, []int64{100, 33}},
		{10, []int64{1, 1, 1}, []int64{1, 1, 1}},
		{2, []int64{1, 1, 1}, []int64{1, 1, 0}},
		{1, []int64{100, 300}, []int64{0, 1}},
		{100, []int64{0, 50, 50}, []int64{0, 50, 50}},
		{3, []int64{0, 10, 10}, []int64{0, 2, 1}},
		{0, []int64{5, 5}, []int64{0, 0}},
		{5, []int64{0, 0}, []int64{0, 0}},
	}
	for _, c := range cases {
		got := Allocate(c.total, c.amounts)
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("Allocate(%d, %v) = %v, want %v", c.total, c.amounts, got, c.want)
				break
			}
		}
	}
}

func TestQuote(t *testing.T) {
	t.Parallel()
	table, methods := demo(t)
	book := func(price int64, qty int) Line {
		return Line{SKU: "BOOK", Category: "Books", Quantity: qty, UnitPrice: eur(t, price), TaxClass: TaxReduced, WeightGrams: 400}
	}
	mug := func(price int64, qty int) Line {
		return Line{SKU: "MUG", Category: "Kitchen", Quantity: qty, UnitPrice: eur(t, price), WeightGrams: 350}
	}
	type lineWant struct{ net, tax, gross, discount int64 }
	type shipWant struct{ net, tax, gross int64 }
	cases := []struct {
		name     string
		in       QuoteInput
		lines    []lineWant
		shipping *shipWant
		rates    map[int][2]int64 // bp → net, tax
		gross    int64
		err      error
	}{
		{
			name:  "inclusive reduced: tax = round(1999*700/10700) = round(130.78)",
			in:    QuoteInput{Lines: []Line{book(1999, 1)}, Country: "DE", PricesIncludeTax: true},
			lines: []lineWant{{1868, 131, 1999, 0}}, rates: map[int][2]int64{700: {1868, 131}}, gross: 1999,
		},
		{
			name:  "exclusive standard: 3 × 10.00 net + 19 %",
			in:    QuoteInput{Lines: []Line{mug(1000, 3)}, Country: "DE"},
			lines: []lineWant{{3000, 570, 3570, 0}}, rates: map[int][2]int64{1900: {3000, 570}}, gross: 3570,
		},
		{
			name:  "exclusive half rounds up: 50 × 19 % = 9.5",
			in:    QuoteInput{Lines: []Line{mug(50, 1)}, Country: "DE"},
			lines: []lineWant{{50, 10, 60, 0}}, rates: map[int][2]int64{1900: {50, 10}}, gross: 60,
		},
		{
			name:  "inclusive below half rounds down: 100 at 5.5 % = 5.21",
			in:    QuoteInput{Lines: []Line{book(100, 1)}, Country: "FR", PricesIncludeTax: true},
			lines: []lineWant{{95, 5, 100, 0}}, rates: map[int][2]int64{550: {95, 5}}, gross: 100,
		},
		{
			name:  "zero class and a country without VAT",
			in:    QuoteInput{Lines: []Line{{SKU: "GIFT", Quantity: 2, UnitPrice: eur(t, 2500), TaxClass: TaxZero}, mug(1000, 1)}, Country: "US", PricesIncludeTax: true},
			lines: []lineWant{{5000, 0, 5000, 0}, {1000, 0, 1000, 0}}, rates: map[int][2]int64{0: {6000, 0}}, gross: 6000,
		},
		{
			name: "two rates, standard shipping by weight taxed at standard",
			in:   QuoteInput{Lines: []Line{book(1999, 1), mug(1200, 1)}, Country: "DE", ShippingMethod: "standard", PricesIncludeTax: true},
			// 1200*1900/11900 = 191.6 → 192; shipping 495*1900/11900 = 79.03 → 79
			lines:    []lineWant{{1868, 131, 1999, 0}, {1008, 192, 1200, 0}},
			shipping: &shipWant{416, 79, 495},
			rates:    map[int][2]int64{700: {1868, 131}, 1900: {1008 + 416, 192 + 79}},
			gross:    1999 + 1200 + 495,
		},
		{
			name:     "free shipping from 50 EUR gross",
			in:       QuoteInput{Lines: []Line{mug(2500, 2)}, Country: "DE", ShippingMethod: "standard", PricesIncludeTax: true},
			lines:    []lineWant{{4202, 798, 5000, 0}},
			shipping: &shipWant{0, 0, 0},
			rates:    map[int][2]int64{1900: {4202, 798}},
			gross:    5000,
		},
		{
			name: "10 % off everything: 133 spread as 100 + 33",
			in: QuoteInput{Lines: []Line{mug(1000, 1), book(333, 1)}, Country: "DE", PricesIncludeTax: true,
				Discount: &Discount{Code: "TEN", Kind: DiscountPercentage, PercentOff: 10}},
			// mug 900 gross: 900*1900/11900 = 143.7 → 144; book 300: 300*700/10700 = 19.6 → 20
			lines: []lineWant{{756, 144, 900, 100}, {280, 20, 300, 33}},
			rates: map[int][2]int64{1900: {756, 144}, 700: {280, 20}},
			gross: 1200,
		},
		{
			name: "fixed discount restricted to books, capped at their subtotal",
			in: QuoteInput{Lines: []Line{mug(1000, 1), book(500, 2)}, Country: "DE",
				Discount: &Discount{Code: "BOOKS50", Kind: DiscountFixed, AmountOff: eur(t, 5000), Categories: []string{"Books"}}},
			lines: []lineWant{{1000, 190, 1190, 0}, {0, 0, 0, 1000}},
			rates: map[int][2]int64{1900: {1000, 190}, 700: {0, 0}},
			gross: 1190,
		},
		{
			name: "free shipping code zeroes express",
			in: QuoteInput{Lines: []Line{mug(1000, 1)}, Country: "FR", ShippingMethod: "express", PricesIncludeTax: true,
				Discount: &Discount{Code: "SHIPFREE", Kind: DiscountFreeShipping}},
			lines:    []lineWant{{833, 167, 1000, 0}},
			shipping: &shipWant{0, 0, 0},
			rates:    map[int][2]int64{2000: {833, 167}},
			gross:    1000,
		},
		{
			name:     "pickup at home is free",
			in:       QuoteInput{Lines: []Line{mug(1000, 1)}, Country: "DE", ShippingMethod: "pickup"},
			lines:    []lineWant{{1000, 190, 1190, 0}},
			shipping: &shipWant{0, 0, 0},
			rates:    map[int][2]int64{1900: {1000, 190}},
			gross:    1190,
		},
		{name: "pickup abroad refused", in: QuoteInput{Lines: []Line{mug(1000, 1)}, Country: "FR", ShippingMethod: "pickup"}, err: ErrShippingUnavailable},
		{name: "unknown method refused", in: QuoteInput{Lines: []Line{mug(1000, 1)}, Country: "DE", ShippingMethod: "drone"}, err: ErrShippingUnavailable},
		{name: "too heavy refused", in: QuoteInput{Lines: []Line{{SKU: "ANVIL", Quantity: 2, UnitPrice: eur(t, 100), WeightGrams: 20000}}, Country: "DE", ShippingMethod: "standard"}, err: ErrShippingUnavailable},
		{name: "unknown country refused", in: QuoteInput{Lines: []Line{mug(1000, 1)}, Country: "JP"}, err: ErrUnknownCountry},
		{name: "malformed country refused", in: QuoteInput{Lines: []Line{mug(1000, 1)}, Country: "de"}, err: ErrUnknownCountry},
		{name: "no lines", in: QuoteInput{Country: "DE"}, err: ErrInvalid},
		{name: "zero quantity", in: QuoteInput{Lines: []Line{mug(1000, 0)}, Country: "DE"}, err: ErrInvalid},
		{name: "bad tax class", in: QuoteInput{Lines: []Line{{SKU: "X", Quantity: 1, UnitPrice: eur(t, 1), TaxClass: "luxury"}}, Country: "DE"}, err: ErrInvalid},
		{name: "mixed currencies", in: QuoteInput{Lines: []Line{mug(1000, 1), {SKU: "Y", Quantity: 1, UnitPrice: money.Zero("USD")}}, Country: "DE"}, err: ErrInvalid},
		{name: "percent out of range", in: QuoteInput{Lines: []Line{mug(1000, 1)}, Country: "DE", Discount: &Discount{Code: "X", Kind: DiscountPercentage, PercentOff: 101}}, err: ErrInvalid},
		{name: "subtotal too large", in: QuoteInput{Lines: []Line{mug(money.MaxAmount, 2)}, Country: "DE"}, err: ErrInvalid},
		{name: "exclusive total too large", in: QuoteInput{Lines: []Line{mug(money.MaxAmount, 1)}, Country: "DE"}, err: ErrInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b, err := Quote(c.in, table, methods)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("err %v, want %v", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, w := range c.lines {
				l := b.Lines[i]
				got := lineWant{l.Net.Amount(), l.Tax.Amount(), l.Gross.Amount(), l.Discount.Amount()}
				if got != w {
					t.Errorf("line %d: got %+v, want %+v", i, got, w)
				}
			}
			switch {
			case c.shipping == nil && b.Shipping != nil:
				t.Errorf("unexpected shipping %+v", b.Shipping)
			case c.shipping != nil && b.Shipping == nil:
				t.Errorf("no shipping, want %+v", *c.shipping)
			case c.shipping != nil:
				got := shipWant{b.Shipping.Net.Amount(), b.Shipping.Tax.Amount(), b.Shipping.Gross.Amount()}
				if got != *c.shipping {
					t.Errorf("shipping: got %+v, want %+v", got, *c.shipping)
				}
			}
			if len(b.Rates) != len(c.rates) {
				t.Errorf("rates %+v, want %v", b.Rates, c.rates)
			}
			for _, r := range b.Rates {
				if w := c.rates[r.RateBP]; w != [2]int64{r.Net.Amount(), r.Tax.Amount()} {
					t.Errorf("rate %d: net %d tax %d, want %v", r.RateBP, r.Net.Amount(), r.Tax.Amount(), w)
				}
			}
			if b.Gross.Amount() != c.gross || b.Total() != b.Gross {
				t.Errorf("gross %s, want %d", b.Gross, c.gross)
			}
		})
	}
}

func TestDiscountDTORoundTrip(t *testing.T) {
	t.Parallel()
	for _, d := range []Discount{
		{Code: "TEN", Kind: DiscountPercentage, PercentOff: 10, Categories: []string{"Books"}},
		{Code: "FIVE", Kind: DiscountFixed, AmountOff: eur(t, 500)},
		{Code: "SHIP", Kind: DiscountFreeShipping},
	} {
		got, err := DiscountFromDTO(d.DTO())
		if err != nil {
			t.Fatalf("%s: %v", d.Code, err)
		}
		if got.Code != d.Code || got.Kind != d.Kind || got.PercentOff != d.PercentOff || got.AmountOff != d.AmountOff || len(got.Categories) != len(d.Categories) {
			t.Errorf("round trip %+v → %+v", d, got)
		}
	}
	a := eur(t, 5).DTO()
	for name, d := range map[string]DiscountDTO{
		"bad code":         {Code: "no spaces", Kind: "percentage", PercentOff: 5},
		"unknown kind":     {Code: "X", Kind: "bogo"},
		"fixed no amount":  {Code: "X", Kind: "fixed"},
		"percent w amount": {Code: "X", Kind: "percentage", PercentOff: 5, AmountOff: &a},
		"zero percent":     {Code: "X", Kind: "percentage"},
		"ship w percent":   {Code: "X", Kind: "free_shipping", PercentOff: 5},
	} {
		if _, err := DiscountFromDTO(d); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err %v, want ErrInvalid", name, err)
		}
	}
}
