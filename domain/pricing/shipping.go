package pricing

import (
	_ "embed"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/evshop/shop/domain/money"
)

// HomeZone in a method's zones stands for the shop's home country (the
// SHOP_COUNTRY setting), so one methods file serves any shop.
const HomeZone = "@home"

// MaxWeightGrams bounds a product's weight (1 t) so parcel weights cannot
// overflow.
const MaxWeightGrams = 1_000_000

// WeightBand prices parcels up to UpToGrams (inclusive).
type WeightBand struct {
	UpToGrams int   `json:"upToGrams"`
	Amount    int64 `json:"amount"`
}

// ShippingMethod is one way to deliver. Amounts are minor units of the
// methods' currency, entered like product prices: gross when prices include
// tax, net otherwise.
type ShippingMethod struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Zones are the destination countries served; HomeZone is the shop's.
	Zones []string `json:"zones"`
	// Flat is the price when Bands is empty.
	Flat int64 `json:"flat,omitempty"`
	// Bands, ascending by weight: the first band that holds the parcel sets
	// the price; a parcel heavier than the last band cannot go this way.
	Bands []WeightBand `json:"weightBands,omitempty"`
	// FreeFrom: a gross line subtotal (after discounts) of at least this
	// ships free; 0 = never.
	FreeFrom int64 `json:"freeFrom,omitempty"`
	// TaxClass of the shipping charge; "" = standard.
	TaxClass TaxClass `json:"taxClass,omitempty"`
}

// ShippingMethods is a validated set of methods in one currency.
type ShippingMethods struct {
	currency string
	list     []ShippingMethod
}

var methodIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// NewShippingMethods validates methods; home replaces HomeZone in zones.
func NewShippingMethods(currency, home string, methods ...ShippingMethod) (ShippingMethods, error) {
	if _, err := money.New(0, currency); err != nil {
		return ShippingMethods{}, invalid("shipping currency %q", truncate(currency, 10))
	}
	if !ValidCountry(home) {
		return ShippingMethods{}, invalid("home country %q is not an ISO 3166 alpha-2 code", truncate(home, 10))
	}
	seen := map[string]bool{}
	out := make([]ShippingMethod, 0, len(methods))
	for _, m := range methods {
		if !methodIDPattern.MatchString(m.ID) || seen[m.ID] {
			return ShippingMethods{}, invalid("shipping method id %q: 1-32 of a-z 0-9 _ -, unique", truncate(m.ID, 40))
		}
		seen[m.ID] = true
		if strings.TrimSpace(m.Name) == "" || utf8.RuneCountInString(m.Name) > 100 || !utf8.ValidString(m.Name) || strings.ContainsAny(m.Name, "\x00\r\n") {
			return ShippingMethods{}, invalid("shipping method %s: name of 1-100 characters", m.ID)
		}
		if len(m.Zones) == 0 {
			return ShippingMethods{}, invalid("shipping method %s: no zones", m.ID)
		}
		zones := make([]string, 0, len(m.Zones))
		for _, z := range m.Zones {
			if z == HomeZone {
				z = home
			}
			if !ValidCountry(z) {
				return ShippingMethods{}, invalid("shipping method %s: zone %q", m.ID, truncate(z, 10))
			}
			zones = append(zones, z)
		}
		m.Zones = zones
		if !amountOK(m.Flat) || !amountOK(m.FreeFrom) {
			return ShippingMethods{}, invalid("shipping method %s: amounts 0..%d", m.ID, money.MaxAmount)
		}
		prev := 0
		for i, b := range m.Bands {
			if b.UpToGrams <= prev || b.UpToGrams > MaxWeightGrams*10 || !amountOK(b.Amount) {
				return ShippingMethods{}, invalid("shipping method %s: band %d must be heavier than the one before and priced 0..%d", m.ID, i, money.MaxAmount)
			}
			prev = b.UpToGrams
		}
		m.Bands = append([]WeightBand(nil), m.Bands...)
		tc, err := ParseTaxClass(string(m.TaxClass))
		if err != nil {
			return ShippingMethods{}, invalid("shipping method %s: %v", m.ID, err)
		}
		m.TaxClass = tc
		out = append(out, m)
	}
	return ShippingMethods{currency: currency, list: out}, nil
}

func amountOK(a int64) bool { return a >= 0 && a <= money.MaxAmount }

// methodsFile is the JSON shape of a shipping methods file.
type methodsFile struct {
	Currency string           `json:"currency"`
	Methods  []ShippingMethod `json:"methods"`
}

// ParseShippingMethods reads a shipping methods file (see docs/pricing.md);
// home is the shop's country.
func ParseShippingMethods(data []byte, home string) (ShippingMethods, error) {
	var f methodsFile
	if err := decodeStrict(data, &f); err != nil {
		return ShippingMethods{}, invalid("shipping methods: %v", err)
	}
	return NewShippingMethods(f.Currency, home, f.Methods...)
}

//go:embed default_shipping_methods.json
var defaultShippingMethods []byte

// DefaultShippingMethods is the embedded demo set: standard (by weight, free
// from 50 EUR), express (flat) and pickup (free, home country only).
func DefaultShippingMethods(home string) (ShippingMethods, error) {
	return ParseShippingMethods(defaultShippingMethods, home)
}

// Currency is the currency of every rate.
func (s ShippingMethods) Currency() string { return s.currency }

// All lists the methods in configured order (zones resolved).
func (s ShippingMethods) All() []ShippingMethod {
	out := make([]ShippingMethod, len(s.list))
	copy(out, s.list)
	return out
}

// Find returns the method with id.
func (s ShippingMethods) Find(id string) (ShippingMethod, bool) {
	for _, m := range s.list {
		if m.ID == id {
			return m, true
		}
	}
	return ShippingMethod{}, false
}

// Serves reports whether m delivers to country.
func (m ShippingMethod) Serves(country string) bool {
	for _, z := range m.Zones {
		if z == country {
			return true
		}
	}
	return false
}

// Price is m's charge for a parcel of weightGrams to a basket whose gross
// subtotal is subtotal (in minor units); ok is false when the parcel is
// heavier than m's last band.
func (m ShippingMethod) Price(weightGrams int, subtotal int64) (amount int64, ok bool) {
	price := m.Flat
	if len(m.Bands) > 0 {
		ok = false
		for _, b := range m.Bands {
			if weightGrams <= b.UpToGrams {
				price, ok = b.Amount, true
				break
			}
		}
		if !ok {
			return 0, false
		}
	}
	if m.FreeFrom > 0 && subtotal >= m.FreeFrom {
		return 0, true
	}
	return price, true
}

// ShippingOffer is a method with its price for one basket.
type ShippingOffer struct {
	Method ShippingMethod
	Price  money.Money
}

// Available lists the methods that deliver weightGrams to country, priced
// for a gross subtotal (same currency as the methods, else nothing).
func (s ShippingMethods) Available(country string, weightGrams int, subtotal money.Money) []ShippingOffer {
	var out []ShippingOffer
	if subtotal.Currency() != "" && subtotal.Currency() != s.currency {
		return nil
	}
	for _, m := range s.list {
		if !m.Serves(country) {
			continue
		}
		amount, ok := m.Price(weightGrams, subtotal.Amount())
		if !ok {
			continue
		}
		p, err := money.New(amount, s.currency)
		if err != nil {
			continue
		}
		out = append(out, ShippingOffer{Method: m, Price: p})
	}
	return out
}
