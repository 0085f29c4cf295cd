package basket

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/pricing"
)

// ID identifies a basket: a customer id (UUID), or "guest-<uuid>" for an
// anonymous basket. The prefix keeps a guest cookie from ever naming a
// customer's basket.
type ID struct{ s string }

// GuestPrefix marks anonymous baskets.
const GuestPrefix = "guest-"

// CustomerBasket is the basket id of a customer; customerID must be a UUID.
func CustomerBasket(customerID string) (ID, error) {
	if !isUUID(customerID) {
		return ID{}, fmt.Errorf("%w: customer id must be a UUID", ErrInvalid)
	}
	return ID{s: strings.ToLower(customerID)}, nil
}

// GuestBasket is the basket id of an anonymous visitor holding token (a UUID
// from the basket_id cookie).
func GuestBasket(token string) (ID, error) {
	if !isUUID(token) {
		return ID{}, fmt.Errorf("%w: guest basket token must be a UUID", ErrInvalid)
	}
	return ID{s: GuestPrefix + strings.ToLower(token)}, nil
}

// ParseID accepts either form.
func ParseID(s string) (ID, error) {
	if t, ok := strings.CutPrefix(s, GuestPrefix); ok {
		return GuestBasket(t)
	}
	return CustomerBasket(s)
}

func (i ID) String() string { return i.s }

// IsGuest reports whether the basket is anonymous.
func (i ID) IsGuest() bool { return strings.HasPrefix(i.s, GuestPrefix) }

// IsZero reports whether i is unset.
func (i ID) IsZero() bool { return i.s == "" }

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
				return false
			}
		}
	}
	return true
}

// SKU is a product's stock keeping unit: 1–64 letters, digits, '-', '_' or '.'.
type SKU struct{ s string }

// NewSKU validates s.
func NewSKU(s string) (SKU, error) {
	if len(s) == 0 || len(s) > 64 {
		return SKU{}, fmt.Errorf("%w: sku length", ErrInvalid)
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return SKU{}, fmt.Errorf("%w: sku %q", ErrInvalid, s)
		}
	}
	return SKU{s: s}, nil
}

func (s SKU) String() string { return s.s }

// Limits of a basket.
const (
	MinQuantity = 1
	MaxQuantity = 99
	MaxLines    = 50
)

// Quantity is a line quantity, 1–99.
type Quantity struct{ n int }

// NewQuantity validates n.
func NewQuantity(n int) (Quantity, error) {
	if n < MinQuantity || n > MaxQuantity {
		return Quantity{}, fmt.Errorf("%w: quantity must be %d to %d", ErrInvalid, MinQuantity, MaxQuantity)
	}
	return Quantity{n: n}, nil
}

// Int is the quantity as an int.
func (q Quantity) Int() int { return q.n }

// Product is the catalog snapshot a line is added with.
type Product struct {
	sku         SKU
	name        string
	category    string
	price       money.Money
	taxClass    string
	weightGrams int
}

// WithTaxAndWeight adds the product's tax class ("" is standard) and weight
// in grams to the snapshot.
func (p Product) WithTaxAndWeight(taxClass string, weightGrams int) (Product, error) {
	tc, err := pricing.ParseTaxClass(taxClass)
	if err != nil {
		return Product{}, fmt.Errorf("%w: product tax class", ErrInvalid)
	}
	if weightGrams < 0 || weightGrams > pricing.MaxWeightGrams {
		return Product{}, fmt.Errorf("%w: product weight", ErrInvalid)
	}
	p.taxClass, p.weightGrams = string(tc), weightGrams
	return p, nil
}

// NewProduct validates a catalog snapshot.
func NewProduct(sku SKU, name, category string, price money.Money) (Product, error) {
	if sku.s == "" {
		return Product{}, fmt.Errorf("%w: sku required", ErrInvalid)
	}
	if strings.TrimSpace(name) == "" || !utf8.ValidString(name) || len(name) > 200 || len(category) > 100 || !utf8.ValidString(category) {
		return Product{}, fmt.Errorf("%w: product name/category", ErrInvalid)
	}
	if price.Currency() == "" || price.Amount() <= 0 {
		return Product{}, fmt.Errorf("%w: product price", ErrInvalid)
	}
	return Product{sku: sku, name: name, category: category, price: price}, nil
}

// Line is one basket line.
type Line struct {
	SKU         string
	Name        string
	Category    string
	Quantity    int
	UnitPrice   money.Money
	TaxClass    string // "" (lines added before tax classes) is standard
	WeightGrams int
}

// Subtotal is price × quantity.
func (l Line) Subtotal() money.Money { return l.UnitPrice.Times(l.Quantity) }

// DTO is the wire shape.
func (l Line) DTO() LineDTO {
	return LineDTO{SKU: l.SKU, Name: l.Name, Category: l.Category, Quantity: l.Quantity, UnitPrice: l.UnitPrice.DTO(),
		TaxClass: l.TaxClass, WeightGrams: l.WeightGrams}
}
