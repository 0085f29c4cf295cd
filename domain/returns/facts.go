package returns

import (
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"time"
)

// OrderLine is what a return needs of an order line: how many units were
// bought and what the whole line cost after its discount, tax included.
type OrderLine struct {
	SKU      string
	Name     string
	Quantity int
	// Gross is the line's total after discount with tax (the breakdown's
	// line gross); for orders placed before the breakdown existed, unit
	// price × quantity.
	Gross int64
}

// OrderFacts is the order as returns see it, folded from its stream by
// Apply (the command side reads the order stream; the domain does no I/O).
type OrderFacts struct {
	OrderID    string
	CustomerID string
	Email      string
	Currency   string
	Lines      []OrderLine
	// Shipping is the shipping gross (0 without shipping or breakdown).
	Shipping    int64
	Total       int64
	PaymentID   string
	DeliveredAt time.Time // zero until delivered
	Refunded    int64     // what refunds have given back so far
}

// Placed reports whether the order exists.
func (f OrderFacts) Placed() bool { return f.OrderID != "" }

// Delivered reports whether the order was delivered.
func (f OrderFacts) Delivered() bool { return !f.DeliveredAt.IsZero() }

// line finds the order line of sku.
func (f OrderFacts) line(sku string) (OrderLine, bool) {
	for _, l := range f.Lines {
		if l.SKU == sku {
			return l, true
		}
	}
	return OrderLine{}, false
}

// Apply folds one order event recorded at at (its envelope time: the
// delivery event carries no time of its own).
func (f *OrderFacts) Apply(e ordering.Event, at time.Time) {
	switch ev := e.(type) {
	case ordering.OrderPlaced:
		f.OrderID, f.CustomerID, f.Email, f.Currency = ev.OrderID, ev.CustomerID, ev.Email, ev.Total.Currency
		f.Total = ev.Total.Amount
		f.Lines = f.Lines[:0]
		gross := map[string]int64{}
		if ev.Breakdown != nil {
			for _, l := range ev.Breakdown.Lines {
				gross[l.SKU] = l.Gross.Amount
			}
			if ev.Breakdown.Shipping != nil {
				f.Shipping = ev.Breakdown.Shipping.Gross.Amount
			}
		}
		for _, l := range ev.Lines {
			g, ok := gross[l.SKU]
			if !ok {
				g = l.UnitPrice.Amount * int64(l.Quantity)
			}
			f.Lines = append(f.Lines, OrderLine{SKU: l.SKU, Name: l.Name, Quantity: l.Quantity, Gross: g})
		}
	case ordering.OrderPaid:
		f.PaymentID = ev.PaymentID
	case ordering.OrderDelivered:
		if f.DeliveredAt.IsZero() {
			f.DeliveredAt = at.UTC()
		}
	case ordering.OrderPartiallyRefunded:
		f.Refunded += ev.Amount.Amount
	case ordering.OrderRefunded:
		f.Refunded += ev.Amount.Amount
	}
}

// UnitsShare is what units first..first+n-1 of a line of quantity units
// costing gross in all refund: floor(gross·(first+n)/quantity) −
// floor(gross·first/quantity). Whatever order and batches the units come
// back in, the shares of all quantity units add up to gross exactly, and
// two batches of the same size differ by at most one minor unit.
func UnitsShare(gross int64, quantity, first, n int) int64 {
	if quantity <= 0 || n <= 0 || first < 0 || first+n > quantity {
		return 0
	}
	q := int64(quantity)
	return gross*int64(first+n)/q - gross*int64(first)/q
}

func mustMoney(amount int64, currency string) money.DTO {
	return money.DTO{Amount: amount, Currency: currency}
}
