// Package sales is the sales analytics read model for the shop's owner:
// revenue per day (in the shop's time zone, SHOP_TIMEZONE), per product
// (keyed by SKU, so a variant with its own SKU is its own row) and per
// category; paid orders and the average order value; refunds and the refund
// rate, each counted on the day it happened; and basket-to-order conversion
// (baskets that had an item added against baskets checked out).
//
// Definitions, shared by the adapters and by the HTTP API and shopctl that
// read them:
//   - An order counts on the day of its OrderPaid, with OrderPaid's amount as
//     its gross revenue; its lines (from OrderPlaced) give the per-product and
//     per-category figures on that same day.
//   - Net is gross without tax. An order priced with a breakdown (OrderPlaced's
//     net, tax and gross per line and for the order) counts its paid amount
//     minus the order's tax as net, and each line its net and gross after its
//     share of the discount; shipping counts towards the day's figures, not a
//     product's. Orders placed before pricing existed carry no breakdown: their
//     net is their gross and a line counts unit price × quantity. Orders paid
//     before this model knew breakdowns count net = gross until the model is
//     rebuilt (`shopctl projections rebuild sales`).
//   - A refund (OrderRefunded or OrderPartiallyRefunded) counts its own amount
//     on the day it happened, whatever day the order was paid. The refund rate
//     is refunds / paid orders of the same period, so a day can exceed 1.
//   - Discount usage (codes and amounts) is the discounts service's own
//     record (api/admindiscounts); here a discount only lowers the figures.
//   - Conversion is distinct baskets checked out / distinct baskets with an
//     item added (or a guest basket merged in) in the period.
//
// Days are bucketed when an event is applied, in the time zone the store was
// built with: changing SHOP_TIMEZONE needs a rebuild (`shopctl projections
// rebuild sales`). Adapters: PostgreSQL (server mode), SQLite (the durable
// embedded shop) — in both a batch and its checkpoint commit in one
// transaction — and memory (the in-memory embedded shop); all pass one
// contract suite. Every change is guarded by its stream's revision, so a
// re-delivered event changes nothing and a gap is refused (ErrOutOfOrder).
package sales

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/pricing"
	"github.com/evshop/shop/eventstore"
)

// HandlerName names this projector's checkpoint row. Never rename.
const HandlerName = "projections.sales"

// RebuildName is the name operators use for this projection.
const RebuildName = "sales"

// ErrOutOfOrder means an earlier event of a stream was not applied yet.
var ErrOutOfOrder = errors.New("sales: event arrived out of order")

// kind is what an event means to the sales figures.
type kind int

const (
	kindNone kind = iota // takes its place in the stream, counts nothing
	kindPlaced
	kindPaid
	kindRefund
	kindBasketFilled
	kindCheckedOut
)

// Line is an order line as the model keeps it until the order is paid. The
// row with an empty SKU (products always have one) carries the order's own
// totals when it was priced.
type Line struct {
	SKU, Name, Category string
	Quantity            int
	UnitPrice           money.DTO
	// Priced: Gross and Net come from the order's breakdown — the line after
	// its share of the discount, with and without tax. Otherwise both are
	// UnitPrice × Quantity.
	Priced     bool
	Gross, Net int64
}

// amounts returns the line's gross and net.
func (l Line) amounts() (gross, net int64) {
	if l.Priced {
		return l.Gross, l.Net
	}
	g := l.UnitPrice.Amount * int64(l.Quantity)
	return g, g
}

// placedLines is what OrderPlaced leaves for OrderPaid to book: its lines,
// priced from the breakdown when there is one, and then the totals row.
func placedLines(e ordering.OrderPlaced) []Line {
	priced := map[string]pricing.LineBreakdownDTO{}
	if e.Breakdown != nil {
		for _, b := range e.Breakdown.Lines {
			priced[b.SKU] = b
		}
	}
	out := make([]Line, 0, len(e.Lines)+1)
	for _, l := range e.Lines {
		line := Line{SKU: l.SKU, Name: l.Name, Category: l.Category, Quantity: l.Quantity, UnitPrice: l.UnitPrice}
		if b, ok := priced[l.SKU]; ok {
			line.Priced, line.Gross, line.Net = true, b.Gross.Amount, b.Net.Amount
		}
		out = append(out, line)
	}
	if b := e.Breakdown; b != nil {
		out = append(out, Line{UnitPrice: money.DTO{Currency: b.Gross.Currency}, Priced: true, Gross: b.Gross.Amount, Net: b.Net.Amount})
	}
	return out
}

// orderTax is the tax of a priced order (0 for one placed before pricing).
func orderTax(lines []Line) int64 {
	for _, l := range lines {
		if l.SKU == "" && l.Priced {
			return l.Gross - l.Net
		}
	}
	return 0
}

// Change is what one stored event does to the model.
type Change struct {
	Stream   string
	Revision uint64
	Position uint64
	At       time.Time
	kind     kind
	id       string // order or basket id
	lines    []Line
	amount   money.DTO
}

// Filter selects the events the model needs: order and basket streams.
func Filter() eventstore.Filter {
	return eventstore.Filter{StreamPrefixes: []string{ordering.StreamPrefix, basket.StreamPrefix}}
}

// Decode turns stored events into changes, in order, ignoring other streams.
// An event whose data does not decode still takes its place in its stream
// (it counts nothing) and is reported to malformed, when set: stopping the
// model on it would stop it for good.
func Decode(evs []eventstore.RecordedEvent, malformed func(eventstore.RecordedEvent, error)) []Change {
	out := make([]Change, 0, len(evs))
	for _, ev := range evs {
		c, ok, err := decode(ev)
		if err != nil && malformed != nil {
			malformed(ev, err)
		}
		if ok {
			out = append(out, c)
		}
	}
	return out
}

func decode(ev eventstore.RecordedEvent) (Change, bool, error) {
	c := Change{Stream: ev.Stream, Revision: ev.Revision, Position: ev.Position, At: ev.Time}
	var err error
	un := func(v any) { err = json.Unmarshal(ev.Data, v) }
	if id, ok := strings.CutPrefix(ev.Stream, ordering.StreamPrefix); ok {
		c.id = id
		switch ev.Type {
		case ordering.EventOrderPlaced:
			var e ordering.OrderPlaced
			if un(&e); err == nil {
				c.kind, c.lines = kindPlaced, placedLines(e)
			}
		case ordering.EventOrderPaid:
			var e ordering.OrderPaid
			if un(&e); err == nil {
				c.kind, c.amount = kindPaid, e.Amount
			}
		case ordering.EventOrderRefunded:
			var e ordering.OrderRefunded
			if un(&e); err == nil {
				c.kind, c.amount = kindRefund, e.Amount
			}
		case ordering.EventOrderPartiallyRefunded:
			var e ordering.OrderPartiallyRefunded
			if un(&e); err == nil {
				c.kind, c.amount = kindRefund, e.Amount
			}
		}
	} else if id, ok := strings.CutPrefix(ev.Stream, basket.StreamPrefix); ok {
		c.id = id
		switch ev.Type {
		case basket.EventItemAdded, basket.EventGuestBasketMerged:
			c.kind = kindBasketFilled
		case basket.EventBasketCheckedOut:
			c.kind = kindCheckedOut
		}
	} else {
		return Change{}, false, nil
	}
	if err != nil {
		return c, true, fmt.Errorf("sales: decode %s at %s/%d: %w", ev.Type, ev.Stream, ev.Revision, err)
	}
	return c, true, nil
}

// Projector folds order and basket events into a Store.
type Projector struct {
	store Store
	// Malformed, when set, hears of each event that does not decode.
	Malformed func(ev eventstore.RecordedEvent, err error)
}

// NewProjector returns the projector writing to store.
func NewProjector(store Store) (*Projector, error) {
	if store == nil {
		return nil, errors.New("sales: store is required")
	}
	return &Projector{store: store}, nil
}

// Name is HandlerName.
func (p *Projector) Name() string { return HandlerName }

// Filter selects the events this projector needs.
func (p *Projector) Filter() eventstore.Filter { return Filter() }

// Handle applies one stored event.
func (p *Projector) Handle(ctx context.Context, ev eventstore.RecordedEvent) error {
	return p.ApplyBatch(ctx, []eventstore.RecordedEvent{ev})
}

// ApplyBatch applies stored events (in global order) in one atomic write
// with the checkpoint. The catch-up runner (projections/catchup) calls it.
func (p *Projector) ApplyBatch(ctx context.Context, evs []eventstore.RecordedEvent) error {
	return p.store.ApplyBatch(ctx, Decode(evs, p.Malformed))
}

// Checkpoint is the store's checkpoint: where a catch-up runner resumes.
func (p *Projector) Checkpoint(ctx context.Context) (uint64, error) { return p.store.Checkpoint(ctx) }

// Store holds the model. Every adapter passes the contract suite.
type Store interface {
	// ApplyBatch applies cs and moves the checkpoint in one atomic step:
	// changes a stream already reflects are skipped; a gap in a stream is
	// ErrOutOfOrder and applies nothing.
	ApplyBatch(ctx context.Context, cs []Change) error
	// Checkpoint is the highest global position applied.
	Checkpoint(ctx context.Context) (uint64, error)
	// Figures sums the model over the days from..to (inclusive).
	Figures(ctx context.Context, from, to Day) (Figures, error)
	// Location is the time zone the store buckets days in.
	Location() *time.Location
}

// Day is a calendar day in the shop's time zone.
type Day struct{ t time.Time } // midnight UTC of that date

// DayOf is the day t falls on in loc.
func DayOf(t time.Time, loc *time.Location) Day {
	y, m, d := t.In(loc).Date()
	return Day{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// ParseDay reads YYYY-MM-DD.
func ParseDay(s string) (Day, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Day{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return Day{t}, nil
}

func (d Day) String() string { return d.t.Format(time.DateOnly) }

// AddDays is the day n days after d.
func (d Day) AddDays(n int) Day { return Day{d.t.AddDate(0, 0, n)} }

// Before reports whether d is before e.
func (d Day) Before(e Day) bool { return d.t.Before(e.t) }

// Time is midnight UTC of d (how PostgreSQL's date type travels).
func (d Day) Time() time.Time { return d.t }

// DayFigures are the money figures of one day and currency.
type DayFigures struct {
	Day      Day
	Currency string
	Orders   int64
	Gross    int64
	Net      int64
	Refunds  int64
	Refunded int64
}

// ItemFigures are the figures of one product (SKU) or category and currency.
type ItemFigures struct {
	SKU      string // empty for a category
	Name     string // the latest name in the period
	Category string
	Currency string
	Quantity int64
	Orders   int64 // paid orders with at least one such line
	Gross    int64
	Net      int64
}

// BasketDay is one day's conversion figures.
type BasketDay struct {
	Day        Day
	Filled     int64 // distinct baskets that had an item added
	CheckedOut int64 // distinct baskets checked out
}

// Figures are the raw sums a report is built from.
type Figures struct {
	Days       []DayFigures  // by day, then currency
	Products   []ItemFigures // unordered
	Categories []ItemFigures // unordered
	Baskets    []BasketDay   // by day
	// Distinct baskets over the whole period.
	Filled, CheckedOut int64
}

// batch is the state a batch folds over: the version of each stream it
// touches and the lines of the orders it pays. The adapter loads it.
type batch struct {
	versions map[string]uint64
	lines    map[string][]Line
}

type dayKey struct {
	day      Day
	currency string
}

type itemKey struct {
	day                     Day
	sku, category, currency string
}

type basketKey struct {
	id  string
	day Day
}

type basketMark struct{ filled, checkedOut bool }

// delta is what a batch adds to the stored model.
type delta struct {
	versions   map[string]uint64 // stream -> new version
	lines      map[string][]Line // orders placed in the batch
	days       map[dayKey]*DayFigures
	products   map[itemKey]*ItemFigures
	categories map[itemKey]*ItemFigures
	baskets    map[basketKey]basketMark
	top        uint64
}

// needs lists the streams cs touch and the orders cs pay. The stored lines
// of every paid order are loaded, even when the batch also carries its
// OrderPlaced: a re-delivered OrderPlaced is skipped and brings no lines.
func needs(cs []Change) (streams, orders []string) {
	seenStream, seenOrder := map[string]bool{}, map[string]bool{}
	for _, c := range cs {
		if !seenStream[c.Stream] {
			seenStream[c.Stream] = true
			streams = append(streams, c.Stream)
		}
		if c.kind == kindPaid && !seenOrder[c.id] {
			seenOrder[c.id] = true
			orders = append(orders, c.id)
		}
	}
	return streams, orders
}

// fold computes what cs add to the model, given b. It is pure, so both
// adapters share the definitions and a refused batch writes nothing.
func fold(loc *time.Location, b batch, cs []Change) (delta, error) {
	d := delta{versions: map[string]uint64{}, lines: map[string][]Line{}, days: map[dayKey]*DayFigures{},
		products: map[itemKey]*ItemFigures{}, categories: map[itemKey]*ItemFigures{}, baskets: map[basketKey]basketMark{}}
	for _, c := range cs {
		d.top = max(d.top, c.Position)
		v := b.versions[c.Stream]
		switch {
		case c.Revision < v:
			continue
		case c.Revision > v:
			return delta{}, fmt.Errorf("%w: %s revision %d but the model is at version %d", ErrOutOfOrder, c.Stream, c.Revision, v)
		}
		b.versions[c.Stream], d.versions[c.Stream] = v+1, v+1
		day := DayOf(c.At, loc)
		switch c.kind {
		case kindPlaced:
			b.lines[c.id], d.lines[c.id] = c.lines, c.lines
		case kindPaid:
			f := d.day(day, c.amount.Currency)
			f.Orders++
			f.Gross += c.amount.Amount
			f.Net += c.amount.Amount - orderTax(b.lines[c.id])
			d.addLines(day, b.lines[c.id])
		case kindRefund:
			f := d.day(day, c.amount.Currency)
			f.Refunds++
			f.Refunded += c.amount.Amount
		case kindBasketFilled, kindCheckedOut:
			k := basketKey{c.id, day}
			m := d.baskets[k]
			m.filled = m.filled || c.kind == kindBasketFilled
			m.checkedOut = m.checkedOut || c.kind == kindCheckedOut
			d.baskets[k] = m
		}
	}
	return d, nil
}

func (d *delta) day(day Day, currency string) *DayFigures {
	k := dayKey{day, currency}
	f := d.days[k]
	if f == nil {
		f = &DayFigures{Day: day, Currency: currency}
		d.days[k] = f
	}
	return f
}

// addLines books one paid order's lines per product and per category; an
// order counts once per product and once per category however many lines
// it has of them.
func (d *delta) addLines(day Day, lines []Line) {
	counted := map[itemKey]bool{}
	for _, l := range lines {
		if l.SKU == "" { // the order's totals
			continue
		}
		gross, net := l.amounts()
		for _, t := range []struct {
			m map[itemKey]*ItemFigures
			k itemKey
		}{
			{d.products, itemKey{day, l.SKU, l.Category, l.UnitPrice.Currency}},
			{d.categories, itemKey{day, "", l.Category, l.UnitPrice.Currency}},
		} {
			f := t.m[t.k]
			if f == nil {
				f = &ItemFigures{SKU: t.k.sku, Category: t.k.category, Currency: t.k.currency}
				t.m[t.k] = f
			}
			if t.k.sku != "" {
				f.Name = l.Name
			}
			f.Quantity += int64(l.Quantity)
			f.Gross += gross
			f.Net += net
			if !counted[t.k] {
				counted[t.k] = true
				f.Orders++
			}
		}
	}
}
