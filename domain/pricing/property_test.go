package pricing

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/evshop/shop/domain/money"
)

// randomInput builds a random basket: 1-8 lines, prices 0..200.00, both tax
// modes, sometimes a discount (any kind, sometimes restricted to a category)
// and sometimes a shipping method that may or may not serve the country.
func randomInput(t testing.TB, r *rand.Rand) QuoteInput {
	countries := []string{"DE", "FR", "NL", "AT", "IT", "ES", "BE", "CH", "US"}
	categories := []string{"Books", "Kitchen", "Garden"}
	classes := []TaxClass{TaxStandard, TaxReduced, TaxZero, ""}
	in := QuoteInput{Country: countries[r.IntN(len(countries))], PricesIncludeTax: r.IntN(2) == 0}
	n := 1 + r.IntN(8)
	for i := range n {
		price := r.Int64N(20001)
		if r.IntN(10) == 0 {
			price = r.Int64N(10) // tiny prices stress rounding
		}
		qty := 1 + r.IntN(5)
		if r.IntN(10) == 0 {
			qty = 1 + r.IntN(MaxQuantity)
		}
		in.Lines = append(in.Lines, Line{
			SKU: string(rune('A' + i)), Category: categories[r.IntN(len(categories))],
			Quantity: qty, UnitPrice: eur(t, price),
			TaxClass: classes[r.IntN(len(classes))], WeightGrams: r.IntN(1500),
		})
	}
	switch r.IntN(4) {
	case 1:
		in.Discount = &Discount{Code: "PCT", Kind: DiscountPercentage, PercentOff: 1 + r.IntN(100)}
	case 2:
		in.Discount = &Discount{Code: "FIX", Kind: DiscountFixed, AmountOff: eur(t, 1+r.Int64N(100000))}
	case 3:
		in.Discount = &Discount{Code: "SHIP", Kind: DiscountFreeShipping}
	}
	if in.Discount != nil && r.IntN(3) == 0 {
		in.Discount.Categories = []string{categories[r.IntN(len(categories))]}
	}
	if r.IntN(3) > 0 {
		in.ShippingMethod = []string{"standard", "express", "pickup"}[r.IntN(3)]
	}
	return in
}

// checkBreakdown asserts every invariant of a quote.
func checkBreakdown(t testing.TB, in QuoteInput, b Breakdown) {
	t.Helper()
	var lineNet, lineTax, lineGross, discount, eligible, allocated int64
	for i, l := range b.Lines {
		if l.Net.Amount()+l.Tax.Amount() != l.Gross.Amount() {
			t.Fatalf("line %d: net %d + tax %d != gross %d", i, l.Net.Amount(), l.Tax.Amount(), l.Gross.Amount())
		}
		if l.Net.Amount() < 0 || l.Tax.Amount() < 0 || l.Discount.Amount() < 0 || l.Discount.Amount() > l.Amount.Amount() {
			t.Fatalf("line %d negative or over-discounted: %+v", i, l)
		}
		if l.Amount.Amount() != in.Lines[i].UnitPrice.Amount()*int64(in.Lines[i].Quantity) {
			t.Fatalf("line %d amount %d", i, l.Amount.Amount())
		}
		entered := l.Amount.Amount() - l.Discount.Amount()
		if in.PricesIncludeTax && l.Gross.Amount() != entered || !in.PricesIncludeTax && l.Net.Amount() != entered {
			t.Fatalf("line %d: the discounted price %d is neither gross nor net as entered: %+v", i, entered, l)
		}
		lineNet += l.Net.Amount()
		lineTax += l.Tax.Amount()
		lineGross += l.Gross.Amount()
		discount += l.Discount.Amount()
		allocated += l.Discount.Amount()
		if in.Discount != nil && in.Discount.applies(in.Lines[i].Category) {
			eligible += l.Amount.Amount()
		} else if l.Discount.Amount() != 0 {
			t.Fatalf("line %d is not eligible but got %d off", i, l.Discount.Amount())
		}
	}
	if d := in.Discount; d != nil {
		var want int64
		switch d.Kind {
		case DiscountPercentage:
			want = roundDiv(eligible*int64(d.PercentOff), 100)
		case DiscountFixed:
			want = min(d.AmountOff.Amount(), eligible)
		}
		if allocated != want {
			t.Fatalf("allocated %d, want %d", allocated, want)
		}
	}
	net, tax, gross := lineNet, lineTax, lineGross
	if s := b.Shipping; s != nil {
		if s.Net.Amount()+s.Tax.Amount() != s.Gross.Amount() || s.Net.Amount() < 0 || s.Tax.Amount() < 0 {
			t.Fatalf("shipping parts: %+v", s)
		}
		if in.Discount != nil && in.Discount.Kind == DiscountFreeShipping && s.Gross.Amount() != 0 {
			t.Fatalf("free shipping charged %d", s.Gross.Amount())
		}
		net += s.Net.Amount()
		tax += s.Tax.Amount()
		gross += s.Gross.Amount()
		discount += s.Discount.Amount()
	} else if in.ShippingMethod != "" {
		t.Fatal("shipping asked, none quoted")
	}
	var rNet, rTax, rGross int64
	for _, r := range b.Rates {
		if r.Net.Amount()+r.Tax.Amount() != r.Gross.Amount() {
			t.Fatalf("rate %d parts", r.RateBP)
		}
		rNet += r.Net.Amount()
		rTax += r.Tax.Amount()
		rGross += r.Gross.Amount()
	}
	if rNet != net || rTax != tax || rGross != gross {
		t.Fatalf("per-rate sums %d/%d/%d != line+shipping %d/%d/%d", rNet, rTax, rGross, net, tax, gross)
	}
	if b.Net.Amount() != net || b.Tax.Amount() != tax || b.Gross.Amount() != gross || b.Net.Amount()+b.Tax.Amount() != b.Gross.Amount() {
		t.Fatalf("totals %s/%s/%s, parts %d/%d/%d", b.Net, b.Tax, b.Gross, net, tax, gross)
	}
	if b.Subtotal.Amount() != lineGross || b.Discount.Amount() != discount {
		t.Fatalf("subtotal %s (lines %d), discount %s (%d)", b.Subtotal, lineGross, b.Discount, discount)
	}
	dto := b.DTO()
	if dto.Gross.Amount != gross || len(dto.Lines) != len(b.Lines) || len(dto.TaxRates) != len(b.Rates) || (dto.Shipping == nil) != (b.Shipping == nil) {
		t.Fatalf("DTO differs: %+v", dto)
	}
}

func TestQuoteProperties(t *testing.T) {
	t.Parallel()
	table, methods := demo(t)
	r := rand.New(rand.NewPCG(17, 2024))
	quoted := 0
	for range 5000 {
		in := randomInput(t, r)
		b, err := Quote(in, table, methods)
		if err != nil {
			// The only refusal a random basket may meet: a method that does
			// not serve the country or the parcel.
			if !errors.Is(err, ErrShippingUnavailable) {
				t.Fatalf("%+v: %v", in, err)
			}
			continue
		}
		quoted++
		checkBreakdown(t, in, b)
	}
	if quoted < 3000 {
		t.Fatalf("only %d of 5000 random baskets were quoted", quoted)
	}
}

func TestAllocateProperties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(4, 2))
	for range 5000 {
		amounts := make([]int64, 1+r.IntN(10))
		var sum int64
		for i := range amounts {
			amounts[i] = r.Int64N(100000)
			if r.IntN(5) == 0 {
				amounts[i] = 0
			}
			sum += amounts[i]
		}
		total := r.Int64N(sum + 2)
		shares := Allocate(total, amounts)
		var got int64
		for i, s := range shares {
			if s < 0 || s > amounts[i] {
				t.Fatalf("Allocate(%d, %v) = %v: share %d out of 0..%d", total, amounts, shares, i, amounts[i])
			}
			got += s
		}
		if want := min(total, sum); got != want {
			t.Fatalf("Allocate(%d, %v) = %v sums to %d, want %d", total, amounts, shares, got, want)
		}
	}
}

func FuzzQuote(f *testing.F) {
	f.Add(int64(1999), uint8(3), uint8(1), uint8(0), true, uint8(1), uint8(10), int64(0), uint16(400))
	f.Add(int64(50), uint8(1), uint8(0), uint8(2), false, uint8(2), uint8(0), int64(500), uint16(30000))
	f.Add(int64(0), uint8(99), uint8(2), uint8(1), true, uint8(3), uint8(0), int64(0), uint16(0))
	table := DefaultTaxTable()
	methods, err := DefaultShippingMethods("DE")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, price int64, qty, class, method uint8, inclusive bool, kind, pct uint8, off int64, weight uint16) {
		unit, err := money.New(price, "EUR")
		if err != nil {
			return
		}
		in := QuoteInput{
			Country:          []string{"DE", "FR", "CH", "US"}[int(class)%4],
			PricesIncludeTax: inclusive,
			ShippingMethod:   []string{"", "standard", "express", "pickup"}[int(method)%4],
			Lines: []Line{
				{SKU: "A", Category: "Books", Quantity: int(qty), UnitPrice: unit, TaxClass: TaxClasses()[int(class)%3], WeightGrams: int(weight)},
				{SKU: "B", Category: "Kitchen", Quantity: 1, UnitPrice: unit, WeightGrams: int(weight) / 2},
			},
		}
		switch kind % 4 {
		case 1:
			in.Discount = &Discount{Code: "P", Kind: DiscountPercentage, PercentOff: int(pct)}
		case 2:
			if a, err := money.New(off, "EUR"); err == nil {
				in.Discount = &Discount{Code: "F", Kind: DiscountFixed, AmountOff: a, Categories: []string{"Books"}}
			}
		case 3:
			in.Discount = &Discount{Code: "S", Kind: DiscountFreeShipping}
		}
		b, err := Quote(in, table, methods)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("refusal not ErrInvalid: %v", err)
			}
			return
		}
		checkBreakdown(t, in, b)
	})
}

func FuzzParseConfig(f *testing.F) {
	f.Add(defaultTaxRates, defaultShippingMethods)
	f.Add([]byte(`{"countries":{"DE":{"standard":1900}}}`), []byte(`{"currency":"EUR","methods":[{"id":"a","name":"A","zones":["@home"],"flat":1}]}`))
	f.Fuzz(func(t *testing.T, tax, ship []byte) {
		if table, err := ParseTaxTable(tax); err == nil {
			for _, c := range table.Countries() {
				for _, tc := range TaxClasses() {
					if bp, err := table.Rate(c, tc); err != nil || bp < 0 || bp > MaxRateBP {
						t.Fatalf("%s %s: %d %v", c, tc, bp, err)
					}
				}
			}
		} else if !errors.Is(err, ErrInvalid) {
			t.Fatalf("tax table refusal not ErrInvalid: %v", err)
		}
		if methods, err := ParseShippingMethods(ship, "DE"); err == nil {
			for _, m := range methods.All() {
				for _, z := range m.Zones {
					if !ValidCountry(z) {
						t.Fatalf("zone %q", z)
					}
				}
			}
		} else if !errors.Is(err, ErrInvalid) {
			t.Fatalf("methods refusal not ErrInvalid: %v", err)
		}
	})
}
