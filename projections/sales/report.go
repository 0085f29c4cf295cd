package sales

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// By is how a report breaks its figures down.
type By string

// Breakdowns.
const (
	ByDay      By = "day"
	ByProduct  By = "product"
	ByCategory By = "category"
)

// MaxDays bounds a report's period.
const MaxDays = 366

// ErrInvalidQuery marks a report query that can never be answered.
var ErrInvalidQuery = errors.New("sales: invalid report query")

// FieldError says which query field is wrong and why.
type FieldError struct{ Field, Reason string }

// QueryError lists what is wrong with a query; it wraps ErrInvalidQuery.
type QueryError struct{ Fields []FieldError }

func (e *QueryError) Error() string {
	s := "sales: invalid report query:"
	for _, f := range e.Fields {
		s += fmt.Sprintf(" %s %s;", f.Field, f.Reason)
	}
	return s
}

func (e *QueryError) Unwrap() error { return ErrInvalidQuery }

// Query is a validated report request.
type Query struct {
	From, To Day // inclusive
	By       By
}

// ParseQuery validates the raw inputs (as they come from a URL or flags).
// Empty from and to default to the 30 days ending today in loc; empty by is
// ByDay.
func ParseQuery(from, to, by string, now time.Time, loc *time.Location) (Query, error) {
	var errs []FieldError
	q := Query{By: By(by)}
	switch q.By {
	case "":
		q.By = ByDay
	case ByDay, ByProduct, ByCategory:
	default:
		errs = append(errs, FieldError{"by", "must be one of day, product, category"})
	}
	today := DayOf(now, loc)
	q.To = today
	if to != "" {
		d, err := ParseDay(to)
		if err != nil {
			errs = append(errs, FieldError{"to", "must be a date (YYYY-MM-DD)"})
		}
		q.To = d
	}
	q.From = q.To.AddDays(-29)
	if from != "" {
		d, err := ParseDay(from)
		if err != nil {
			errs = append(errs, FieldError{"from", "must be a date (YYYY-MM-DD)"})
		}
		q.From = d
	}
	if len(errs) == 0 {
		switch {
		case q.To.Before(q.From):
			errs = append(errs, FieldError{"to", "must not be before from"})
		case q.From.AddDays(MaxDays - 1).Before(q.To):
			errs = append(errs, FieldError{"to", fmt.Sprintf("must be at most %d days after from", MaxDays-1)})
		}
	}
	if len(errs) > 0 {
		return Query{}, &QueryError{Fields: errs}
	}
	return q, nil
}

// Totals are a period's figures in one currency.
type Totals struct {
	Currency          string  `json:"currency"`
	Orders            int64   `json:"orders"`
	Gross             int64   `json:"gross"`
	Net               int64   `json:"net"`
	AverageOrderValue int64   `json:"averageOrderValue"`
	Refunds           int64   `json:"refunds"`
	Refunded          int64   `json:"refunded"`
	RefundRate        float64 `json:"refundRate"`
}

// Conversion is basket-to-order conversion.
type Conversion struct {
	BasketsFilled     int64   `json:"basketsFilled"`
	BasketsCheckedOut int64   `json:"basketsCheckedOut"`
	Rate              float64 `json:"rate"`
}

// DayRow is one day (and currency) of a by-day report. A day without sales
// has one row with an empty currency; its conversion is per day, the same
// on every currency's row of that day.
type DayRow struct {
	Day string `json:"day"`
	Totals
	Conversion
}

// ItemRow is one product or category of a report, by gross revenue.
type ItemRow struct {
	SKU      string `json:"sku,omitempty"`
	Name     string `json:"name,omitempty"`
	Category string `json:"category"`
	Currency string `json:"currency"`
	Quantity int64  `json:"quantity"`
	Orders   int64  `json:"orders"`
	Gross    int64  `json:"gross"`
	Net      int64  `json:"net"`
}

// Report is what the API, the dashboard and shopctl show. Amounts are in
// minor units of their currency.
type Report struct {
	From       string     `json:"from"`
	To         string     `json:"to"`
	TimeZone   string     `json:"timeZone"`
	By         By         `json:"by"`
	Totals     []Totals   `json:"totals"`
	Conversion Conversion `json:"conversion"`
	Days       []DayRow   `json:"days,omitempty"`
	Products   []ItemRow  `json:"products,omitempty"`
	Categories []ItemRow  `json:"categories,omitempty"`
}

// Build reads the store's figures for q and shapes the report.
func Build(ctx context.Context, s Store, q Query) (Report, error) {
	f, err := s.Figures(ctx, q.From, q.To)
	if err != nil {
		return Report{}, err
	}
	return Shape(f, q, s.Location()), nil
}

// Shape turns figures into the report of q.
func Shape(f Figures, q Query, loc *time.Location) Report {
	r := Report{From: q.From.String(), To: q.To.String(), TimeZone: loc.String(), By: q.By, Totals: []Totals{},
		Conversion: conversion(f.Filled, f.CheckedOut)}
	byCur := map[string]*Totals{}
	for _, d := range f.Days {
		t := byCur[d.Currency]
		if t == nil {
			t = &Totals{Currency: d.Currency}
			byCur[d.Currency] = t
		}
		t.add(d)
	}
	for _, t := range byCur {
		r.Totals = append(r.Totals, t.rated())
	}
	slices.SortFunc(r.Totals, func(a, b Totals) int { return cmp.Compare(a.Currency, b.Currency) })
	switch q.By {
	case ByDay:
		r.Days = dayRows(f, q)
	case ByProduct:
		r.Products = itemRows(f.Products)
	case ByCategory:
		r.Categories = itemRows(f.Categories)
	}
	return r
}

func (t *Totals) add(d DayFigures) {
	t.Orders += d.Orders
	t.Gross += d.Gross
	t.Net += d.Net
	t.Refunds += d.Refunds
	t.Refunded += d.Refunded
}

// rated fills the derived figures. The average order value rounds half up
// (amounts are never negative).
func (t Totals) rated() Totals {
	if t.Orders > 0 {
		t.AverageOrderValue = (t.Gross + t.Orders/2) / t.Orders
		t.RefundRate = float64(t.Refunds) / float64(t.Orders)
	}
	return t
}

func conversion(filled, checkedOut int64) Conversion {
	c := Conversion{BasketsFilled: filled, BasketsCheckedOut: checkedOut}
	if filled > 0 {
		c.Rate = float64(checkedOut) / float64(filled)
	}
	return c
}

// dayRows lists every day of the period, so a chart shows quiet days as 0.
func dayRows(f Figures, q Query) []DayRow {
	baskets := map[Day]BasketDay{}
	for _, b := range f.Baskets {
		baskets[b.Day] = b
	}
	sales := map[Day][]DayFigures{}
	for _, d := range f.Days {
		sales[d.Day] = append(sales[d.Day], d)
	}
	var out []DayRow
	for day := q.From; !q.To.Before(day); day = day.AddDays(1) {
		b := baskets[day]
		conv := conversion(b.Filled, b.CheckedOut)
		ds := sales[day]
		if len(ds) == 0 {
			ds = []DayFigures{{Day: day}}
		}
		for _, d := range ds {
			t := Totals{Currency: d.Currency}
			t.add(d)
			out = append(out, DayRow{Day: day.String(), Totals: t.rated(), Conversion: conv})
		}
	}
	return out
}

func itemRows(items []ItemFigures) []ItemRow {
	out := make([]ItemRow, 0, len(items))
	for _, it := range items {
		out = append(out, ItemRow{SKU: it.SKU, Name: it.Name, Category: it.Category, Currency: it.Currency,
			Quantity: it.Quantity, Orders: it.Orders, Gross: it.Gross, Net: it.Net})
	}
	slices.SortFunc(out, func(a, b ItemRow) int {
		return cmp.Or(cmp.Compare(b.Gross, a.Gross), cmp.Compare(a.Currency, b.Currency), cmp.Compare(a.SKU, b.SKU),
			cmp.Compare(a.Category, b.Category))
	})
	return out
}
