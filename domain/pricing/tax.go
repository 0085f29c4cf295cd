package pricing

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Errors. Both refusals of a destination are also ErrInvalid: the HTTP edge
// answers 422 for all three.
var (
	// ErrInvalid refuses malformed input or configuration.
	ErrInvalid = errors.New("pricing: invalid input")
	// ErrUnknownCountry refuses a destination the tax table has no rates for.
	ErrUnknownCountry = fmt.Errorf("%w: no tax rates for the destination country", ErrInvalid)
	// ErrShippingUnavailable refuses a shipping method that does not serve
	// the destination (or the parcel's weight), or that does not exist.
	ErrShippingUnavailable = fmt.Errorf("%w: shipping method not available for the destination", ErrInvalid)
)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// TaxClass is a product's tax class. Its values are wire values.
type TaxClass string

// The tax classes.
const (
	TaxStandard TaxClass = "standard"
	TaxReduced  TaxClass = "reduced"
	TaxZero     TaxClass = "zero"
)

// TaxClasses lists every class.
func TaxClasses() []TaxClass { return []TaxClass{TaxStandard, TaxReduced, TaxZero} }

// ParseTaxClass validates s; "" reads as standard (products and order lines
// stored before tax classes existed).
func ParseTaxClass(s string) (TaxClass, error) {
	switch TaxClass(s) {
	case "", TaxStandard:
		return TaxStandard, nil
	case TaxReduced:
		return TaxReduced, nil
	case TaxZero:
		return TaxZero, nil
	}
	return "", invalid("tax class %q (standard, reduced or zero)", truncate(s, 20))
}

// MaxRateBP bounds a tax rate: 100 %.
const MaxRateBP = 10000

// CountryRates are one country's rates in basis points (1900 = 19 %).
type CountryRates struct {
	Standard int `json:"standard"`
	Reduced  int `json:"reduced"`
	Zero     int `json:"zero"`
}

// TaxTable holds the rates per destination country (ISO 3166 alpha-2).
type TaxTable struct{ rates map[string]CountryRates }

// NewTaxTable validates rates: at least one country, codes of two upper-case
// letters, every rate 0..MaxRateBP.
func NewTaxTable(rates map[string]CountryRates) (TaxTable, error) {
	if len(rates) == 0 {
		return TaxTable{}, invalid("a tax table needs at least one country")
	}
	out := make(map[string]CountryRates, len(rates))
	for c, r := range rates {
		if !ValidCountry(c) {
			return TaxTable{}, invalid("country %q is not an ISO 3166 alpha-2 code", truncate(c, 10))
		}
		for _, bp := range []int{r.Standard, r.Reduced, r.Zero} {
			if bp < 0 || bp > MaxRateBP {
				return TaxTable{}, invalid("%s: rate %d bp out of 0..%d", c, bp, MaxRateBP)
			}
		}
		out[c] = r
	}
	return TaxTable{rates: out}, nil
}

// taxFile is the JSON shape of a tax table file:
//
//	{"countries": {"DE": {"standard": 1900, "reduced": 700}, ...}}
//
// "zero" may be left out (0).
type taxFile struct {
	Countries map[string]CountryRates `json:"countries"`
}

// ParseTaxTable reads a tax table file (see docs/pricing.md).
func ParseTaxTable(data []byte) (TaxTable, error) {
	var f taxFile
	if err := decodeStrict(data, &f); err != nil {
		return TaxTable{}, invalid("tax table: %v", err)
	}
	return NewTaxTable(f.Countries)
}

//go:embed default_tax_rates.json
var defaultTaxRates []byte

// DefaultTaxTable is the embedded table: the EU standard and reduced rates
// of DE, FR, NL, AT, IT, ES and BE, and three non-EU examples: CH, GB
// and US (which has no VAT: 0).
func DefaultTaxTable() TaxTable {
	t, err := ParseTaxTable(defaultTaxRates)
	if err != nil {
		// The file is part of the binary and tested; this cannot happen.
		panic("pricing: embedded tax table: " + err.Error())
	}
	return t
}

// Rate is the rate in basis points for class in country.
func (t TaxTable) Rate(country string, class TaxClass) (int, error) {
	r, ok := t.rates[country]
	if !ok {
		return 0, fmt.Errorf("%w: %q", ErrUnknownCountry, truncate(country, 10))
	}
	switch class {
	case TaxStandard, "":
		return r.Standard, nil
	case TaxReduced:
		return r.Reduced, nil
	case TaxZero:
		return r.Zero, nil
	}
	return 0, invalid("tax class %q", truncate(string(class), 20))
}

// Has reports whether the table has rates for country.
func (t TaxTable) Has(country string) bool { _, ok := t.rates[country]; return ok }

// Countries lists the countries of the table, sorted.
func (t TaxTable) Countries() []string {
	out := make([]string, 0, len(t.rates))
	for c := range t.rates {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// ValidCountry reports whether c is two upper-case ASCII letters.
func ValidCountry(c string) bool {
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data")
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
