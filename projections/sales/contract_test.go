package sales_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/pricing"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/projectionstest"
	"github.com/evshop/shop/projections/sales"
)

var day1 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func eur(n int64) money.DTO { return money.DTO{Amount: n, Currency: "EUR"} }

func oid(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

// history builds stored events with consecutive positions; each event's
// revision follows the previous one of its stream.
type history struct {
	t    *testing.T
	evs  []eventstore.RecordedEvent
	revs map[string]uint64
}

func newHistory(t *testing.T) *history { return &history{t: t, revs: map[string]uint64{}} }

func (h *history) add(stream string, at time.Time, e interface{ EventName() string }) {
	data, err := json.Marshal(e)
	if err != nil {
		h.t.Fatal(err)
	}
	h.raw(stream, at, e.EventName(), data)
}

func (h *history) raw(stream string, at time.Time, typ string, data []byte) {
	pos := uint64(len(h.evs) + 1)
	h.evs = append(h.evs, eventstore.RecordedEvent{ID: fmt.Sprint(pos), Stream: stream, Revision: h.revs[stream], Position: pos,
		Type: typ, Time: at, Data: data})
	h.revs[stream]++
}

var (
	mug = ordering.LineDTO{SKU: "MUG-01", Name: "Mug", Category: "kitchen", Quantity: 2, UnitPrice: eur(1250)}
	tee = ordering.LineDTO{SKU: "TEE-02-M", Name: "T-shirt M", Category: "apparel", Quantity: 1, UnitPrice: eur(1999)}
)

func (h *history) order(id string, at time.Time, lines ...ordering.LineDTO) int64 {
	var total int64
	for _, l := range lines {
		total += l.UnitPrice.Amount * int64(l.Quantity)
	}
	h.add(ordering.Stream(id), at, ordering.OrderPlaced{OrderID: id, Lines: lines, Total: eur(total), Currency: "EUR", PlacedAt: at})
	return total
}

// shop is a small history over two days: two paid orders (one refunded in
// part the next day), one cancelled, and three baskets.
func shop(t *testing.T) []eventstore.RecordedEvent {
	h := newHistory(t)
	a, b, c := oid(1), oid(2), oid(3)
	ta := h.order(a, day1, mug, tee)
	h.add(basket.Stream("b1"), day1, basket.ItemAdded{BasketID: "b1", SKU: "MUG-01", Quantity: 2})
	h.add(basket.Stream("b2"), day1, basket.ItemAdded{BasketID: "b2", SKU: "TEE-02-M", Quantity: 1})
	// A retired event type still takes its place in the stream.
	h.raw(ordering.Stream(a), day1.Add(time.Minute), ordering.EventOrderStockReserved, []byte(`{"orderId":"`+a+`"}`))
	h.add(ordering.Stream(a), day1.Add(2*time.Minute), ordering.OrderPaid{OrderID: a, Amount: eur(ta)})
	h.add(basket.Stream("b1"), day1.Add(3*time.Minute), basket.BasketCheckedOut{BasketID: "b1", OrderID: a})
	tb := h.order(b, day1.Add(14*time.Hour), mug)                                                                  // 2026-03-02 00:00 UTC
	h.add(ordering.Stream(b), day1.Add(14*time.Hour+time.Minute), ordering.OrderPaid{OrderID: b, Amount: eur(tb)}) // still day 2
	h.order(c, day1.Add(15*time.Hour), tee)
	h.add(ordering.Stream(c), day1.Add(15*time.Hour+time.Minute), ordering.OrderCancelled{OrderID: c, Reason: "out of stock"})
	h.add(ordering.Stream(a), day1.Add(24*time.Hour), ordering.OrderPartiallyRefunded{OrderID: a, Amount: eur(500), RefundID: "r1", RefundedTotal: eur(500)})
	h.add(basket.Stream("b2"), day1.Add(24*time.Hour), basket.ItemQuantityChanged{BasketID: "b2", SKU: "TEE-02-M", Quantity: 3})
	h.add(basket.Stream("b3"), day1.Add(24*time.Hour), basket.ItemAdded{BasketID: "b3", SKU: "MUG-01", Quantity: 1})
	h.add(basket.Stream("b3"), day1.Add(25*time.Hour), basket.BasketCheckedOut{BasketID: "b3", OrderID: oid(4)})
	h.add(basket.Stream("b1"), day1.Add(25*time.Hour), basket.ItemAdded{BasketID: "b1", SKU: "TEE-02-M", Quantity: 1})
	return h.evs
}

func project(t *testing.T, s sales.Store, batches ...[]eventstore.RecordedEvent) {
	t.Helper()
	p, err := sales.NewProjector(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range batches {
		if err := p.ApplyBatch(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
}

func report(t *testing.T, s sales.Store, from, to string, by sales.By) sales.Report {
	t.Helper()
	q, err := sales.ParseQuery(from, to, string(by), time.Time{}, s.Location())
	if err != nil {
		t.Fatal(err)
	}
	r, err := sales.Build(context.Background(), s, q)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func runContract(t *testing.T, newStore func(t *testing.T, loc *time.Location) sales.Store) {
	ctx := context.Background()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("figures", func(t *testing.T) {
		t.Parallel()
		s := newStore(t, time.UTC)
		project(t, s, shop(t))
		eurTotals := sales.Totals{Currency: "EUR", Orders: 2, Gross: 4499 + 2500, Net: 4499 + 2500, AverageOrderValue: 3500,
			Refunds: 1, Refunded: 500, RefundRate: 0.5}
		conv := sales.Conversion{BasketsFilled: 3, BasketsCheckedOut: 2, Rate: 2.0 / 3}
		tests := []struct {
			by   sales.By
			want sales.Report
		}{
			{sales.ByDay, sales.Report{Days: []sales.DayRow{
				{Day: "2026-03-01", Totals: sales.Totals{Currency: "EUR", Orders: 1, Gross: 4499, Net: 4499, AverageOrderValue: 4499},
					Conversion: sales.Conversion{BasketsFilled: 2, BasketsCheckedOut: 1, Rate: 0.5}},
				{Day: "2026-03-02", Totals: sales.Totals{Currency: "EUR", Orders: 1, Gross: 2500, Net: 2500, AverageOrderValue: 2500,
					Refunds: 1, Refunded: 500, RefundRate: 1}, Conversion: sales.Conversion{BasketsFilled: 2, BasketsCheckedOut: 1, Rate: 0.5}},
				{Day: "2026-03-03", Conversion: sales.Conversion{}},
			}}},
			{sales.ByProduct, sales.Report{Products: []sales.ItemRow{
				{SKU: "MUG-01", Name: "Mug", Category: "kitchen", Currency: "EUR", Quantity: 4, Orders: 2, Gross: 5000, Net: 5000},
				{SKU: "TEE-02-M", Name: "T-shirt M", Category: "apparel", Currency: "EUR", Quantity: 1, Orders: 1, Gross: 1999, Net: 1999},
			}}},
			{sales.ByCategory, sales.Report{Categories: []sales.ItemRow{
				{Category: "kitchen", Currency: "EUR", Quantity: 4, Orders: 2, Gross: 5000, Net: 5000},
				{Category: "apparel", Currency: "EUR", Quantity: 1, Orders: 1, Gross: 1999, Net: 1999},
			}}},
		}
		for _, tt := range tests {
			t.Run(string(tt.by), func(t *testing.T) {
				want := tt.want
				want.From, want.To, want.TimeZone, want.By = "2026-03-01", "2026-03-03", "UTC", tt.by
				want.Totals, want.Conversion = []sales.Totals{eurTotals}, conv
				if got := report(t, s, "2026-03-01", "2026-03-03", tt.by); !reflect.DeepEqual(got, want) {
					t.Fatalf("report by %s:\n got %+v\nwant %+v", tt.by, got, want)
				}
			})
		}
		if cp, err := s.Checkpoint(ctx); err != nil || cp != uint64(len(shop(t))) {
			t.Fatalf("checkpoint %d, %v", cp, err)
		}
	})
	t.Run("days in the shop's time zone", func(t *testing.T) {
		t.Parallel()
		s := newStore(t, paris)
		project(t, s, shop(t))
		// Order b, paid at 00:01 UTC on the 2nd, is 01:01 in Paris: still the
		// 2nd. Order a's refund at 10:00 UTC on the 2nd too. Order a at 10:02.
		got := report(t, s, "2026-03-01", "2026-03-02", sales.ByDay)
		if got.TimeZone != "Europe/Paris" || len(got.Days) != 2 || got.Days[0].Orders != 1 || got.Days[1].Orders != 1 {
			t.Fatalf("report in Paris: %+v", got)
		}
		h := newHistory(t)
		late := time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC) // 00:30 on the 2nd in Paris
		total := h.order(oid(9), late, mug)
		h.add(ordering.Stream(oid(9)), late, ordering.OrderPaid{OrderID: oid(9), Amount: eur(total)})
		for _, loc := range []*time.Location{time.UTC, paris} {
			s := newStore(t, loc)
			project(t, s, h.evs)
			want := map[*time.Location]string{time.UTC: "2026-03-01", paris: "2026-03-02"}[loc]
			r := report(t, s, want, want, sales.ByDay)
			if len(r.Days) != 1 || r.Days[0].Orders != 1 || r.Days[0].Gross != 2500 {
				t.Fatalf("in %s the order is not on %s: %+v", loc, want, r)
			}
		}
	})
	t.Run("batches count what one-by-one delivery counts", func(t *testing.T) {
		t.Parallel()
		evs := shop(t)
		want := newStore(t, time.UTC)
		for _, ev := range evs {
			project(t, want, []eventstore.RecordedEvent{ev})
		}
		wantReports := map[sales.By]sales.Report{}
		for _, by := range []sales.By{sales.ByDay, sales.ByProduct, sales.ByCategory} {
			wantReports[by] = report(t, want, "2026-03-01", "2026-03-03", by)
		}
		for _, tt := range projectionstest.Batchings(evs, evs[:4], evs[0:9], evs[6:12], evs[8:]) {
			t.Run(tt.Name, func(t *testing.T) {
				s := newStore(t, time.UTC)
				project(t, s, tt.Batches...)
				for by, w := range wantReports {
					if got := report(t, s, "2026-03-01", "2026-03-03", by); !reflect.DeepEqual(got, w) {
						t.Fatalf("by %s after batches:\n got %+v\nwant %+v", by, got, w)
					}
				}
				if cp, err := s.Checkpoint(ctx); err != nil || cp != uint64(len(evs)) {
					t.Fatalf("checkpoint %d %v, want %d", cp, err, len(evs))
				}
			})
		}
	})
	t.Run("a priced order counts net without tax, lines after their discount", func(t *testing.T) {
		t.Parallel()
		h := newHistory(t)
		// Mug 2 × 12.50 with 2.50 off, T-shirt 19.99, shipping 4.90: 19 % tax.
		bd := &pricing.BreakdownDTO{Currency: "EUR", Country: "DE", PricesIncludeTax: true,
			Lines: []pricing.LineBreakdownDTO{
				{SKU: "MUG-01", Quantity: 2, UnitPrice: eur(1250), Amount: eur(2500), Discount: eur(250), Net: eur(1891), Tax: eur(359), Gross: eur(2250)},
				{SKU: "TEE-02-M", Quantity: 1, UnitPrice: eur(1999), Amount: eur(1999), Discount: eur(0), Net: eur(1680), Tax: eur(319), Gross: eur(1999)},
			},
			Shipping: &pricing.ShippingBreakdownDTO{Method: "standard", Amount: eur(490), Discount: eur(0), Net: eur(412), Tax: eur(78), Gross: eur(490)},
			Subtotal: eur(4499), Discount: eur(250), Net: eur(3983), Tax: eur(756), Gross: eur(4739)}
		h.add(ordering.Stream(oid(7)), day1, ordering.OrderPlaced{OrderID: oid(7), Lines: []ordering.LineDTO{mug, tee}, Total: eur(4739),
			Currency: "EUR", PlacedAt: day1, Breakdown: bd})
		h.add(ordering.Stream(oid(7)), day1, ordering.OrderPaid{OrderID: oid(7), Amount: eur(4739)})
		// An order placed before pricing existed, paid the same day.
		legacy := h.order(oid(8), day1, mug)
		h.add(ordering.Stream(oid(8)), day1, ordering.OrderPaid{OrderID: oid(8), Amount: eur(legacy)})
		for _, tt := range projectionstest.Batchings(h.evs, h.evs[:1], h.evs[:3], h.evs[1:]) {
			t.Run(tt.Name, func(t *testing.T) {
				s := newStore(t, time.UTC)
				project(t, s, tt.Batches...)
				day := report(t, s, "2026-03-01", "2026-03-01", sales.ByDay)
				if tot := day.Totals[0]; tot.Gross != 4739+2500 || tot.Net != 3983+2500 || tot.Orders != 2 {
					t.Fatalf("day totals %+v, want gross %d net %d", tot, 4739+2500, 3983+2500)
				}
				got := map[string][2]int64{}
				for _, r := range report(t, s, "2026-03-01", "2026-03-01", sales.ByProduct).Products {
					got[r.SKU] = [2]int64{r.Gross, r.Net}
				}
				for _, r := range report(t, s, "2026-03-01", "2026-03-01", sales.ByCategory).Categories {
					got["category "+r.Category] = [2]int64{r.Gross, r.Net}
				}
				want := map[string][2]int64{"MUG-01": {2250 + 2500, 1891 + 2500}, "TEE-02-M": {1999, 1680},
					"category kitchen": {2250 + 2500, 1891 + 2500}, "category apparel": {1999, 1680}}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("items (gross, net) %v, want %v (shipping is no product's)", got, want)
				}
			})
		}
	})
	t.Run("a batch with a gap counts nothing", func(t *testing.T) {
		t.Parallel()
		s := newStore(t, time.UTC)
		evs := shop(t)
		p, _ := sales.NewProjector(s)
		// evs[0] is order a's OrderPlaced; evs[4], its OrderPaid, skips evs[3].
		if err := p.ApplyBatch(ctx, []eventstore.RecordedEvent{evs[1], evs[0], evs[4]}); !errors.Is(err, sales.ErrOutOfOrder) {
			t.Fatalf("err = %v, want ErrOutOfOrder", err)
		}
		r := report(t, s, "2026-03-01", "2026-03-03", sales.ByDay)
		if len(r.Totals) != 0 || r.Conversion != (sales.Conversion{}) {
			t.Fatalf("a refused batch counted %+v", r)
		}
		if cp, _ := s.Checkpoint(ctx); cp != 0 {
			t.Fatalf("checkpoint %d after a refused batch", cp)
		}
	})
	t.Run("an undecodable event counts nothing and keeps its place", func(t *testing.T) {
		t.Parallel()
		s := newStore(t, time.UTC)
		h := newHistory(t)
		total := h.order(oid(5), day1, mug)
		h.raw(ordering.Stream(oid(5)), day1, ordering.EventOrderRefunded, []byte(`{"amount":"lots"}`))
		h.add(ordering.Stream(oid(5)), day1, ordering.OrderPaid{OrderID: oid(5), Amount: eur(total)})
		p, _ := sales.NewProjector(s)
		var bad []string
		p.Malformed = func(ev eventstore.RecordedEvent, err error) { bad = append(bad, ev.Type) }
		if err := p.ApplyBatch(ctx, h.evs); err != nil {
			t.Fatal(err)
		}
		r := report(t, s, "2026-03-01", "2026-03-01", sales.ByDay)
		if len(bad) != 1 || r.Totals[0].Orders != 1 || r.Totals[0].Refunds != 0 {
			t.Fatalf("malformed %v, report %+v", bad, r)
		}
	})
}

func TestMemory(t *testing.T) {
	t.Parallel()
	runContract(t, func(t *testing.T, loc *time.Location) sales.Store { return sales.NewMemory(loc) })
}

func TestSwappable(t *testing.T) {
	t.Parallel()
	runContract(t, func(t *testing.T, loc *time.Location) sales.Store {
		s, err := sales.NewSwappable(sales.NewMemory(loc))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func newPostgres(t *testing.T, loc *time.Location) sales.Store {
	pool := testenv.Postgres(t)
	if err := sales.Migrate(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
	s, err := sales.NewPostgres(pool, loc, "")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	runContract(t, newPostgres)
}

func newSQLite(t *testing.T, loc *time.Location) sales.Store {
	db := testenv.SQLite(t)
	if err := sales.MigrateSQLite(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	s, err := sales.NewSQLite(db, loc, "")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSQLite(t *testing.T) {
	t.Parallel()
	runContract(t, newSQLite)
}

func TestParseQuery(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 10, 23, 30, 0, 0, time.UTC)
	paris, _ := time.LoadLocation("Europe/Paris")
	tests := []struct {
		name, from, to, by string
		loc                *time.Location
		want               string // "from..to by" or the invalid fields
	}{
		{"defaults: the last 30 days", "", "", "", time.UTC, "2026-02-09..2026-03-10 day"},
		{"today is the shop's today", "", "", "product", paris, "2026-02-10..2026-03-11 product"},
		{"explicit period", "2026-01-01", "2026-01-31", "category", time.UTC, "2026-01-01..2026-01-31 category"},
		{"one day", "2026-01-01", "2026-01-01", "day", time.UTC, "2026-01-01..2026-01-01 day"},
		{"a leap year's 366 days", "2024-01-01", "2024-12-31", "", time.UTC, "2024-01-01..2024-12-31 day"},
		{"too long", "2024-01-01", "2025-01-01", "", time.UTC, "to"},
		{"reversed", "2026-02-01", "2026-01-01", "", time.UTC, "to"},
		{"not a date", "01/02/2026", "2026-13-01", "", time.UTC, "to from"},
		{"unknown breakdown", "", "", "week", time.UTC, "by"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := sales.ParseQuery(tt.from, tt.to, tt.by, now, tt.loc)
			var got string
			var qe *sales.QueryError
			switch {
			case errors.As(err, &qe):
				for i, f := range qe.Fields {
					if i > 0 {
						got += " "
					}
					got += f.Field
				}
			case err != nil:
				t.Fatal(err)
			default:
				got = fmt.Sprintf("%s..%s %s", q.From, q.To, q.By)
			}
			if got != tt.want {
				t.Fatalf("ParseQuery = %q, want %q", got, tt.want)
			}
		})
	}
}
