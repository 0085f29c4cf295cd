// Package pricing computes what a checkout charges: tax per destination
// country and product tax class, shipping by method, zone and weight, and
// discount codes, all in integer minor units. It is pure: it reads no file
// and keeps no state; the configuration (a TaxTable and ShippingMethods) is
// parsed from bytes the caller supplies, with embedded demo defaults.
//
// # Rules
//
// Prices (product prices and shipping rates) are either tax-inclusive (gross,
// the EU consumer default) or tax-exclusive (net); QuoteInput.PricesIncludeTax
// says which. A discount is taken off the price as entered, before tax is
// worked out, so the tax is always that of the discounted amount.
//
// Rounding is per line, half up (a remainder of exactly one half rounds
// away from zero; every amount here is non-negative):
//
//	tax-inclusive:  tax = round(gross × r / (10000 + r)),  net = gross − tax
//	tax-exclusive:  tax = round(net × r / 10000),           gross = net + tax
//
// where r is the rate in basis points (1900 = 19 %) and a line's amount is
// unit price × quantity minus its share of the discount. Shipping is one more
// line. Because every part is rounded before it is added, net + tax = gross
// holds for every line, the per-rate sums equal the line and shipping sums,
// and the total charged is exactly the sum of the line grosses plus the
// shipping gross.
//
// A percentage discount is round(eligible × percent / 100) (half up); a
// fixed discount is capped at the eligible subtotal. The discount is spread
// over the eligible lines in proportion to their amounts, rounding each
// share down; the minor units left over go one each to the largest lines
// (ties: the earlier line), so the shares add up to the discount exactly and
// no line goes below zero. A free-shipping discount zeroes the shipping.
package pricing
