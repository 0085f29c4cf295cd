// Package shipping is the public HTTP API over the shop's shipping methods:
// GET /api/shipping/methods?country=XX[&weightGrams=&subtotal=] lists the
// methods that deliver to a country, each priced for a parcel weight and a
// gross basket subtotal (minor units). The basket prices its own lines;
// this answers "what would delivery cost" without one.
package shipping

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/pricing"
	"github.com/evshop/shop/platform/httpx"
)

// Deps are the API's collaborators.
type Deps struct {
	Taxes            pricing.TaxTable
	Methods          pricing.ShippingMethods
	PricesIncludeTax bool
}

// API serves /api/shipping.
type API struct{ d Deps }

// New validates deps.
func New(d Deps) (*API, error) {
	if d.Methods.Currency() == "" || len(d.Taxes.Countries()) == 0 {
		return nil, errors.New("shipping api: Taxes and Methods are required")
	}
	return &API{d: d}, nil
}

// Mount registers the route (mounted at /api/shipping).
func (a *API) Mount(r fiber.Router) { r.Get("/methods", a.methods) }

// MethodDTO is one method with its price for the asked parcel.
type MethodDTO struct {
	ID       string     `json:"id"`
	Name     string     `json:"name"`
	Price    money.DTO  `json:"price"`
	TaxClass string     `json:"taxClass"`
	RateBP   int        `json:"rateBp"`
	FreeFrom *money.DTO `json:"freeFrom,omitempty"`
}

// MethodsDTO is the answer.
type MethodsDTO struct {
	Country          string      `json:"country"`
	Currency         string      `json:"currency"`
	PricesIncludeTax bool        `json:"pricesIncludeTax"`
	Methods          []MethodDTO `json:"methods"`
}

// maxQueryInt bounds the numeric query parameters.
const maxQueryInt = 1_000_000_000

func (a *API) methods(c *fiber.Ctx) error {
	var fields []httpx.FieldError
	country := c.Query("country")
	if !pricing.ValidCountry(country) {
		fields = append(fields, httpx.FieldError{Field: "country", Reason: "must be an ISO 3166 alpha-2 code such as DE"})
	} else if !a.d.Taxes.Has(country) {
		fields = append(fields, httpx.FieldError{Field: "country", Reason: "the shop does not deliver there (no tax rates)"})
	}
	weight, ok := queryInt(c, "weightGrams", 100*pricing.MaxWeightGrams)
	if !ok {
		fields = append(fields, httpx.FieldError{Field: "weightGrams", Reason: "must be a whole number of grams, 0 to 100000000"})
	}
	subtotal, ok := queryInt(c, "subtotal", int(money.MaxAmount))
	if !ok {
		fields = append(fields, httpx.FieldError{Field: "subtotal", Reason: "must be a whole number of minor units, 0 to 1000000000"})
	}
	if len(fields) > 0 {
		return httpx.Invalid(fields...)
	}
	sub, err := money.New(int64(subtotal), a.d.Methods.Currency())
	if err != nil {
		return httpx.Invalid(httpx.FieldError{Field: "subtotal", Reason: err.Error()})
	}
	out := MethodsDTO{Country: country, Currency: a.d.Methods.Currency(), PricesIncludeTax: a.d.PricesIncludeTax, Methods: []MethodDTO{}}
	for _, o := range a.d.Methods.Available(country, weight, sub) {
		rate, err := a.d.Taxes.Rate(country, o.Method.TaxClass)
		if err != nil {
			return err
		}
		m := MethodDTO{ID: o.Method.ID, Name: o.Method.Name, Price: o.Price.DTO(), TaxClass: string(o.Method.TaxClass), RateBP: rate}
		if o.Method.FreeFrom > 0 {
			m.FreeFrom = &money.DTO{Amount: o.Method.FreeFrom, Currency: out.Currency}
		}
		out.Methods = append(out.Methods, m)
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	return c.JSON(out)
}

// queryInt reads an optional non-negative integer parameter (0 when absent).
func queryInt(c *fiber.Ctx, name string, max int) (int, bool) {
	s := c.Query(name)
	if s == "" {
		return 0, true
	}
	if len(s) > 10 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > max || s[0] == '+' {
		return 0, false
	}
	return n, true
}
