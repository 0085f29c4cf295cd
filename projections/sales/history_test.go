package sales_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"iter"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/export"
	"github.com/evshop/shop/projections/projectionstest"
	"github.com/evshop/shop/projections/sales"
)

// spread reads a store as if its history had been appended over weeks:
// event n happened 37 minutes after event n-1, so days, and the midnights
// of every time zone, cut through the orders' lives.
type spread struct{ *memory.Store }

func (s spread) ReadAll(ctx context.Context, after uint64, f eventstore.Filter) iter.Seq2[eventstore.RecordedEvent, error] {
	return func(yield func(eventstore.RecordedEvent, error) bool) {
		for ev, err := range s.Store.ReadAll(ctx, after, f) {
			ev.Time = projectionstest.Start.Add(time.Duration(ev.Position) * 37 * time.Minute)
			if !yield(ev, err) {
				return
			}
		}
	}
}

// generated seeds a history of orders and baskets, checks a third of the
// baskets out (the generator's baskets never are), and returns it read
// through spread.
func generated(t *testing.T) spread {
	ctx := context.Background()
	es := memory.New()
	if _, err := projectionstest.Seed(ctx, es, 19, 120, 60); err != nil {
		t.Fatal(err)
	}
	var baskets []string
	for ev, err := range es.ReadAll(ctx, 0, eventstore.Filter{StreamPrefixes: []string{basket.StreamPrefix}}) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Revision == 0 {
			baskets = append(baskets, ev.Stream)
		}
	}
	for i, s := range baskets {
		if i%3 != 0 {
			continue
		}
		id := strings.TrimPrefix(s, basket.StreamPrefix)
		data, _ := json.Marshal(basket.BasketCheckedOut{BasketID: id, OrderID: oid(i)})
		if _, err := es.Append(ctx, s, eventstore.Any(), eventstore.EventData{ID: oid(1000 + i), Type: basket.EventBasketCheckedOut, Data: data}); err != nil {
			t.Fatal(err)
		}
	}
	return spread{es}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// exported is the history as an analyst gets it: `shopctl events export`
// as JSON Lines, read back.
func exported(t *testing.T, r export.Reader) []eventstore.RecordedEvent {
	var buf bytes.Buffer
	sink := export.SinkFunc(func(string) (io.WriteCloser, error) { return nopCloser{&buf}, nil })
	// With personal data kept: a redacted shipping address no longer
	// decodes as an OrderPlaced, which would drop the order's lines.
	if _, err := export.Export(context.Background(), r, sink, export.Options{Format: export.FormatJSONL, IncludePersonalData: true}); err != nil {
		t.Fatal(err)
	}
	var out []eventstore.RecordedEvent
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev eventstore.RecordedEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
	return out
}

// direct computes the figures straight from the events, the way an analyst
// would over the export, without the projector.
func direct(t *testing.T, evs []eventstore.RecordedEvent, loc *time.Location, from, to sales.Day) sales.Figures {
	type item struct{ sku, category, currency string }
	lines := map[string][]ordering.LineDTO{}
	days := map[sales.Day]map[string]*sales.DayFigures{}
	products, categories := map[item]*sales.ItemFigures{}, map[item]*sales.ItemFigures{}
	lastName := map[item]time.Time{}
	filled, checkedOut := map[sales.Day]map[string]bool{}, map[sales.Day]map[string]bool{}
	dayFig := func(d sales.Day, cur string) *sales.DayFigures {
		if days[d] == nil {
			days[d] = map[string]*sales.DayFigures{}
		}
		if days[d][cur] == nil {
			days[d][cur] = &sales.DayFigures{Day: d, Currency: cur}
		}
		return days[d][cur]
	}
	mark := func(m map[sales.Day]map[string]bool, d sales.Day, id string) {
		if m[d] == nil {
			m[d] = map[string]bool{}
		}
		m[d][id] = true
	}
	un := func(ev eventstore.RecordedEvent, v any) {
		if err := json.Unmarshal(ev.Data, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, ev := range evs {
		d := sales.DayOf(ev.Time, loc)
		if d.Before(from) || to.Before(d) {
			if ev.Type == ordering.EventOrderPlaced { // lines are needed whenever the order is paid
				var e ordering.OrderPlaced
				un(ev, &e)
				lines[e.OrderID] = e.Lines
			}
			continue
		}
		switch ev.Type {
		case ordering.EventOrderPlaced:
			var e ordering.OrderPlaced
			un(ev, &e)
			lines[e.OrderID] = e.Lines
		case ordering.EventOrderPaid:
			var e ordering.OrderPaid
			un(ev, &e)
			f := dayFig(d, e.Amount.Currency)
			f.Orders++
			f.Gross += e.Amount.Amount
			f.Net += e.Amount.Amount
			seen := map[item]bool{}
			for _, l := range lines[e.OrderID] {
				for _, m := range []struct {
					into map[item]*sales.ItemFigures
					k    item
				}{{products, item{l.SKU, l.Category, l.UnitPrice.Currency}}, {categories, item{"", l.Category, l.UnitPrice.Currency}}} {
					f := m.into[m.k]
					if f == nil {
						f = &sales.ItemFigures{SKU: m.k.sku, Category: m.k.category, Currency: m.k.currency}
						m.into[m.k] = f
					}
					if m.k.sku != "" && !ev.Time.Before(lastName[m.k]) {
						f.Name, lastName[m.k] = l.Name, ev.Time
					}
					f.Quantity += int64(l.Quantity)
					f.Gross += l.UnitPrice.Amount * int64(l.Quantity)
					f.Net += l.UnitPrice.Amount * int64(l.Quantity)
					if !seen[m.k] {
						seen[m.k] = true
						f.Orders++
					}
				}
			}
		case ordering.EventOrderRefunded, ordering.EventOrderPartiallyRefunded:
			var e struct{ Amount money.DTO }
			un(ev, &e)
			f := dayFig(d, e.Amount.Currency)
			f.Refunds++
			f.Refunded += e.Amount.Amount
		case basket.EventItemAdded, basket.EventGuestBasketMerged:
			mark(filled, d, ev.Stream)
		case basket.EventBasketCheckedOut:
			mark(checkedOut, d, ev.Stream)
		}
	}
	var f sales.Figures
	allFilled, allOut := map[string]bool{}, map[string]bool{}
	for d := from; !to.Before(d); d = d.AddDays(1) {
		for _, cur := range []string{"EUR"} {
			if x := days[d][cur]; x != nil {
				f.Days = append(f.Days, *x)
			}
		}
		if len(filled[d])+len(checkedOut[d]) > 0 {
			f.Baskets = append(f.Baskets, sales.BasketDay{Day: d, Filled: int64(len(filled[d])), CheckedOut: int64(len(checkedOut[d]))})
		}
		for id := range filled[d] {
			allFilled[id] = true
		}
		for id := range checkedOut[d] {
			allOut[id] = true
		}
	}
	f.Filled, f.CheckedOut = int64(len(allFilled)), int64(len(allOut))
	for _, p := range products {
		f.Products = append(f.Products, *p)
	}
	for _, c := range categories {
		f.Categories = append(f.Categories, *c)
	}
	return f
}

// The model's figures equal a direct computation over the exported events,
// for every breakdown, in time zones on both sides of UTC (one with a
// 45-minute offset), over the whole history and over a period cut inside it.
func TestFiguresEqualDirectComputationOverExport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	history := generated(t)
	evs := exported(t, history)
	stores := map[string]func(t *testing.T, loc *time.Location) sales.Store{
		"memory":   func(t *testing.T, loc *time.Location) sales.Store { return sales.NewMemory(loc) },
		"postgres": newPostgres,
	}
	for name, newStore := range stores {
		for _, zone := range []string{"UTC", "Europe/Paris", "America/Los_Angeles", "Asia/Kathmandu"} {
			t.Run(name+"/"+zone, func(t *testing.T) {
				t.Parallel()
				loc, err := time.LoadLocation(zone)
				if err != nil {
					t.Fatal(err)
				}
				s := newStore(t, loc)
				p, _ := sales.NewProjector(s)
				var batch []eventstore.RecordedEvent
				for ev, err := range history.ReadAll(ctx, 0, p.Filter()) {
					if err != nil {
						t.Fatal(err)
					}
					if batch = append(batch, ev); len(batch) == 100 {
						project(t, s, batch)
						batch = nil
					}
				}
				project(t, s, batch)
				first := sales.DayOf(evs[0].Time, loc)
				last := sales.DayOf(evs[len(evs)-1].Time, loc)
				for _, period := range []struct{ from, to sales.Day }{{first, last}, {first.AddDays(13), last.AddDays(-9)}} {
					want := direct(t, evs, loc, period.from, period.to)
					if period.from == first && (want.Filled == 0 || want.CheckedOut == 0 || len(want.Days) < 3 || len(want.Products) < 2 || !refunded(want)) {
						t.Fatalf("the generated history is too thin to compare: %+v", want)
					}
					for _, by := range []sales.By{sales.ByDay, sales.ByProduct, sales.ByCategory} {
						q := sales.Query{From: period.from, To: period.to, By: by}
						got, err := sales.Build(ctx, s, q)
						if err != nil {
							t.Fatal(err)
						}
						if w := sales.Shape(want, q, loc); !reflect.DeepEqual(got, w) {
							t.Fatalf("%s..%s by %s:\n got %+v\nwant %+v", period.from, period.to, by, got, w)
						}
					}
				}
			})
		}
	}
}

func refunded(f sales.Figures) bool {
	for _, d := range f.Days {
		if d.Refunds > 0 {
			return true
		}
	}
	return false
}
