package pricing

import "github.com/evshop/shop/domain/money"

// BreakdownDTO is a Breakdown on the wire: in OrderPlaced, the orders read
// model, the API and the event export. Its field names are forever.
type BreakdownDTO struct {
	Currency         string                `json:"currency"`
	Country          string                `json:"country"`
	PricesIncludeTax bool                  `json:"pricesIncludeTax"`
	Lines            []LineBreakdownDTO    `json:"lines"`
	Shipping         *ShippingBreakdownDTO `json:"shipping,omitempty"`
	DiscountCode     string                `json:"discountCode,omitempty"`
	TaxRates         []RateBreakdownDTO    `json:"taxRates"`
	Subtotal         money.DTO             `json:"subtotal"`
	Discount         money.DTO             `json:"discount"`
	Net              money.DTO             `json:"net"`
	Tax              money.DTO             `json:"tax"`
	Gross            money.DTO             `json:"gross"`
}

// LineBreakdownDTO is a LineBreakdown on the wire.
type LineBreakdownDTO struct {
	SKU       string    `json:"sku"`
	Quantity  int       `json:"quantity"`
	UnitPrice money.DTO `json:"unitPrice"`
	TaxClass  string    `json:"taxClass"`
	RateBP    int       `json:"rateBp"`
	Amount    money.DTO `json:"amount"`
	Discount  money.DTO `json:"discount"`
	Net       money.DTO `json:"net"`
	Tax       money.DTO `json:"tax"`
	Gross     money.DTO `json:"gross"`
}

// ShippingBreakdownDTO is a ShippingBreakdown on the wire.
type ShippingBreakdownDTO struct {
	Method   string    `json:"method"`
	Name     string    `json:"name"`
	TaxClass string    `json:"taxClass"`
	RateBP   int       `json:"rateBp"`
	Amount   money.DTO `json:"amount"`
	Discount money.DTO `json:"discount"`
	Net      money.DTO `json:"net"`
	Tax      money.DTO `json:"tax"`
	Gross    money.DTO `json:"gross"`
}

// RateBreakdownDTO is a RateBreakdown on the wire.
type RateBreakdownDTO struct {
	RateBP int       `json:"rateBp"`
	Net    money.DTO `json:"net"`
	Tax    money.DTO `json:"tax"`
	Gross  money.DTO `json:"gross"`
}

// DTO returns the wire shape.
func (b Breakdown) DTO() BreakdownDTO {
	out := BreakdownDTO{
		Currency: b.Currency, Country: b.Country, PricesIncludeTax: b.PricesIncludeTax,
		Lines: make([]LineBreakdownDTO, 0, len(b.Lines)), DiscountCode: b.DiscountCode,
		TaxRates: make([]RateBreakdownDTO, 0, len(b.Rates)),
		Subtotal: b.Subtotal.DTO(), Discount: b.Discount.DTO(), Net: b.Net.DTO(), Tax: b.Tax.DTO(), Gross: b.Gross.DTO(),
	}
	for _, l := range b.Lines {
		out.Lines = append(out.Lines, LineBreakdownDTO{
			SKU: l.SKU, Quantity: l.Quantity, UnitPrice: l.UnitPrice.DTO(), TaxClass: string(l.TaxClass), RateBP: l.RateBP,
			Amount: l.Amount.DTO(), Discount: l.Discount.DTO(), Net: l.Net.DTO(), Tax: l.Tax.DTO(), Gross: l.Gross.DTO(),
		})
	}
	if s := b.Shipping; s != nil {
		out.Shipping = &ShippingBreakdownDTO{
			Method: s.Method, Name: s.Name, TaxClass: string(s.TaxClass), RateBP: s.RateBP,
			Amount: s.Amount.DTO(), Discount: s.Discount.DTO(), Net: s.Net.DTO(), Tax: s.Tax.DTO(), Gross: s.Gross.DTO(),
		}
	}
	for _, r := range b.Rates {
		out.TaxRates = append(out.TaxRates, RateBreakdownDTO{RateBP: r.RateBP, Net: r.Net.DTO(), Tax: r.Tax.DTO(), Gross: r.Gross.DTO()})
	}
	return out
}
