package pricing

import (
	"fmt"
	"sort"

	"github.com/evshop/shop/domain/money"
)

// Line is one basket or order line to price. UnitPrice is gross or net as
// QuoteInput.PricesIncludeTax says.
type Line struct {
	SKU         string
	Category    string
	Quantity    int
	UnitPrice   money.Money
	TaxClass    TaxClass
	WeightGrams int
}

// QuoteInput is what a quote needs.
type QuoteInput struct {
	Lines   []Line
	Country string
	// ShippingMethod is a method id; "" quotes without shipping (an estimate).
	ShippingMethod   string
	Discount         *Discount
	PricesIncludeTax bool
}

// Limits of a quote, the order's own.
const (
	MaxLines    = 50
	MaxQuantity = 99
)

// LineBreakdown is one priced line. Amount is unit price × quantity as
// entered (gross or net), Discount its share of the discount in the same
// terms; Net + Tax = Gross.
type LineBreakdown struct {
	SKU       string
	Quantity  int
	UnitPrice money.Money
	TaxClass  TaxClass
	RateBP    int
	Amount    money.Money
	Discount  money.Money
	Net       money.Money
	Tax       money.Money
	Gross     money.Money
}

// ShippingBreakdown is the priced shipping. Amount is the method's price as
// entered, Discount what a free-shipping code took off it.
type ShippingBreakdown struct {
	Method   string
	Name     string
	TaxClass TaxClass
	RateBP   int
	Amount   money.Money
	Discount money.Money
	Net      money.Money
	Tax      money.Money
	Gross    money.Money
}

// RateBreakdown sums the lines and shipping taxed at one rate.
type RateBreakdown struct {
	RateBP int
	Net    money.Money
	Tax    money.Money
	Gross  money.Money
}

// Breakdown is a priced basket. Gross is the total to charge: the sum of
// the line grosses and the shipping gross.
type Breakdown struct {
	Currency         string
	Country          string
	PricesIncludeTax bool
	Lines            []LineBreakdown
	Shipping         *ShippingBreakdown
	DiscountCode     string
	Rates            []RateBreakdown
	// Subtotal is the sum of the line grosses (after discounts).
	Subtotal money.Money
	// Discount is everything taken off, lines and shipping, as entered.
	Discount money.Money
	Net      money.Money
	Tax      money.Money
	Gross    money.Money
}

// Total is the amount to charge.
func (b Breakdown) Total() money.Money { return b.Gross }

// Quote prices in against table and methods. Refusals: ErrInvalid for
// malformed lines or discount (a currency other than the lines'),
// ErrUnknownCountry, ErrShippingUnavailable.
func Quote(in QuoteInput, table TaxTable, methods ShippingMethods) (Breakdown, error) {
	if len(in.Lines) == 0 || len(in.Lines) > MaxLines {
		return Breakdown{}, invalid("a quote has 1 to %d lines", MaxLines)
	}
	if !ValidCountry(in.Country) || !table.Has(in.Country) {
		return Breakdown{}, fmtUnknown(in.Country)
	}
	cur := in.Lines[0].UnitPrice.Currency()
	if _, err := money.New(0, cur); err != nil {
		return Breakdown{}, invalid("line 0: no currency")
	}
	amounts := make([]int64, len(in.Lines))
	classes := make([]TaxClass, len(in.Lines))
	var subtotal int64
	weight := 0
	for i, l := range in.Lines {
		if l.UnitPrice.Currency() != cur {
			return Breakdown{}, invalid("line %d: currency %q, not %s", i, l.UnitPrice.Currency(), cur)
		}
		if l.Quantity < 1 || l.Quantity > MaxQuantity {
			return Breakdown{}, invalid("line %d: quantity must be 1 to %d", i, MaxQuantity)
		}
		if l.WeightGrams < 0 || l.WeightGrams > MaxWeightGrams {
			return Breakdown{}, invalid("line %d: weight must be 0 to %d g", i, MaxWeightGrams)
		}
		tc, err := ParseTaxClass(string(l.TaxClass))
		if err != nil {
			return Breakdown{}, invalid("line %d: %v", i, err)
		}
		classes[i] = tc
		amounts[i] = l.UnitPrice.Amount() * int64(l.Quantity)
		subtotal += amounts[i]
		if subtotal > money.MaxAmount {
			return Breakdown{}, invalid("subtotal too large")
		}
		weight += l.WeightGrams * l.Quantity
	}

	b := Breakdown{Currency: cur, Country: in.Country, PricesIncludeTax: in.PricesIncludeTax}
	shares := make([]int64, len(in.Lines))
	freeShipping := false
	if d := in.Discount; d != nil {
		if err := d.Validate(); err != nil {
			return Breakdown{}, err
		}
		b.DiscountCode = d.Code
		eligible := make([]int64, len(in.Lines))
		var eligibleSum int64
		for i, l := range in.Lines {
			if d.applies(l.Category) {
				eligible[i] = amounts[i]
				eligibleSum += amounts[i]
			}
		}
		var off int64
		switch d.Kind {
		case DiscountPercentage:
			off = roundDiv(eligibleSum*int64(d.PercentOff), 100)
		case DiscountFixed:
			if d.AmountOff.Currency() != cur {
				return Breakdown{}, invalid("discount %s: currency %s, not %s", d.Code, d.AmountOff.Currency(), cur)
			}
			off = min(d.AmountOff.Amount(), eligibleSum)
		case DiscountFreeShipping:
			freeShipping = true
		}
		shares = Allocate(off, eligible)
	}

	rates := map[int]*[3]int64{}
	addRate := func(bp int, net, tax int64) {
		r := rates[bp]
		if r == nil {
			r = &[3]int64{}
			rates[bp] = r
		}
		r[0] += net
		r[1] += tax
		r[2] += net + tax
	}
	// Every amount is at most money.MaxAmount once the subtotal is, except
	// when tax-exclusive prices or shipping push the totals above it.
	tooLarge := false
	m := func(a int64) money.Money {
		v, err := money.New(a, cur)
		if err != nil {
			tooLarge = true
		}
		return v
	}
	var net, tax, gross, discount int64
	for i, l := range in.Lines {
		bp, err := table.Rate(in.Country, classes[i])
		if err != nil {
			return Breakdown{}, err
		}
		n, t := split(amounts[i]-shares[i], bp, in.PricesIncludeTax)
		b.Lines = append(b.Lines, LineBreakdown{
			SKU: l.SKU, Quantity: l.Quantity, UnitPrice: l.UnitPrice, TaxClass: classes[i], RateBP: bp,
			Amount: m(amounts[i]), Discount: m(shares[i]), Net: m(n), Tax: m(t), Gross: m(n + t),
		})
		addRate(bp, n, t)
		net, tax, gross, discount = net+n, tax+t, gross+n+t, discount+shares[i]
	}
	b.Subtotal = m(gross)

	if in.ShippingMethod != "" {
		method, ok := methods.Find(in.ShippingMethod)
		if !ok || !method.Serves(in.Country) {
			return Breakdown{}, fmtUnavailable(in.ShippingMethod, in.Country)
		}
		if methods.Currency() != cur {
			return Breakdown{}, invalid("shipping is priced in %s, the lines in %s", methods.Currency(), cur)
		}
		price, ok := method.Price(weight, gross)
		if !ok {
			return Breakdown{}, fmtUnavailable(in.ShippingMethod, in.Country)
		}
		bp, err := table.Rate(in.Country, method.TaxClass)
		if err != nil {
			return Breakdown{}, err
		}
		var off int64
		if freeShipping {
			off = price
		}
		n, t := split(price-off, bp, in.PricesIncludeTax)
		b.Shipping = &ShippingBreakdown{
			Method: method.ID, Name: method.Name, TaxClass: method.TaxClass, RateBP: bp,
			Amount: m(price), Discount: m(off), Net: m(n), Tax: m(t), Gross: m(n + t),
		}
		addRate(bp, n, t)
		net, tax, gross, discount = net+n, tax+t, gross+n+t, discount+off
	}

	bps := make([]int, 0, len(rates))
	for bp := range rates {
		bps = append(bps, bp)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(bps)))
	for _, bp := range bps {
		r := rates[bp]
		b.Rates = append(b.Rates, RateBreakdown{RateBP: bp, Net: m(r[0]), Tax: m(r[1]), Gross: m(r[2])})
	}
	b.Discount, b.Net, b.Tax, b.Gross = m(discount), m(net), m(tax), m(gross)
	if tooLarge {
		return Breakdown{}, invalid("total too large")
	}
	return b, nil
}

// split turns an amount as entered into net and tax at bp basis points.
func split(amount int64, bp int, inclusive bool) (net, tax int64) {
	if inclusive {
		tax = roundDiv(amount*int64(bp), int64(MaxRateBP+bp))
		return amount - tax, tax
	}
	tax = roundDiv(amount*int64(bp), MaxRateBP)
	return amount, tax
}

// roundDiv is a/b rounded half up, for a >= 0 and b > 0.
func roundDiv(a, b int64) int64 { return (2*a + b) / (2 * b) }

func fmtUnknown(country string) error {
	return wrapf(ErrUnknownCountry, "%q", truncate(country, 10))
}

func fmtUnavailable(method, country string) error {
	return wrapf(ErrShippingUnavailable, "%q to %s", truncate(method, 40), country)
}

func wrapf(err error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{err}, args...)...)
}
