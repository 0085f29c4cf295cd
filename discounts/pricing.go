package discounts

import "github.com/evshop/shop/domain/pricing"

// Pricing returns what the code takes off, as the price maths applies it
// to an order's lines and shipping (domain/pricing).
func (c Code) Pricing() pricing.Discount {
	d := pricing.Discount{Code: c.Code, PercentOff: c.PercentOff, Categories: c.Clone().Categories}
	switch c.Kind {
	case KindPercentage:
		d.Kind = pricing.DiscountPercentage
	case KindFixed:
		d.Kind, d.AmountOff = pricing.DiscountFixed, c.AmountOff
	case KindFreeShipping:
		d.Kind = pricing.DiscountFreeShipping
	}
	return d
}
