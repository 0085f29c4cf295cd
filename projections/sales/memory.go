package sales

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"
)

// Memory is the embedded-mode Store.
type Memory struct {
	loc        *time.Location
	mu         sync.RWMutex
	versions   map[string]uint64
	lines      map[string][]Line
	days       map[dayKey]DayFigures
	products   map[itemKey]ItemFigures
	categories map[itemKey]ItemFigures
	baskets    map[basketKey]basketMark
	checkpoint uint64
}

// NewMemory returns an empty store bucketing days in loc (UTC when nil).
func NewMemory(loc *time.Location) *Memory {
	if loc == nil {
		loc = time.UTC
	}
	return &Memory{loc: loc, versions: map[string]uint64{}, lines: map[string][]Line{}, days: map[dayKey]DayFigures{},
		products: map[itemKey]ItemFigures{}, categories: map[itemKey]ItemFigures{}, baskets: map[basketKey]basketMark{}}
}

// Location implements Store.
func (m *Memory) Location() *time.Location { return m.loc }

// ApplyBatch implements Store.
func (m *Memory) ApplyBatch(_ context.Context, cs []Change) error {
	if len(cs) == 0 {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	streams, orders := needs(cs)
	b := batch{versions: map[string]uint64{}, lines: map[string][]Line{}}
	for _, s := range streams {
		b.versions[s] = m.versions[s]
	}
	for _, o := range orders {
		b.lines[o] = m.lines[o]
	}
	d, err := fold(m.loc, b, cs)
	if err != nil {
		return err
	}
	for s, v := range d.versions {
		m.versions[s] = v
	}
	for o, l := range d.lines {
		m.lines[o] = l
	}
	for k, f := range d.days {
		cur := m.days[k]
		cur.Day, cur.Currency = f.Day, f.Currency
		cur.Orders += f.Orders
		cur.Gross += f.Gross
		cur.Net += f.Net
		cur.Refunds += f.Refunds
		cur.Refunded += f.Refunded
		m.days[k] = cur
	}
	addItems(m.products, d.products)
	addItems(m.categories, d.categories)
	for k, mk := range d.baskets {
		cur := m.baskets[k]
		cur.filled = cur.filled || mk.filled
		cur.checkedOut = cur.checkedOut || mk.checkedOut
		m.baskets[k] = cur
	}
	m.checkpoint = max(m.checkpoint, d.top)
	return nil
}

func addItems(into map[itemKey]ItemFigures, add map[itemKey]*ItemFigures) {
	for k, f := range add {
		cur, ok := into[k]
		if !ok {
			cur = ItemFigures{SKU: f.SKU, Category: f.Category, Currency: f.Currency}
		}
		if f.Name != "" {
			cur.Name = f.Name
		}
		cur.Quantity += f.Quantity
		cur.Orders += f.Orders
		cur.Gross += f.Gross
		cur.Net += f.Net
		into[k] = cur
	}
}

// Checkpoint implements Store.
func (m *Memory) Checkpoint(context.Context) (uint64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.checkpoint, nil
}

func within(d, from, to Day) bool { return !d.Before(from) && !to.Before(d) }

// Figures implements Store.
func (m *Memory) Figures(_ context.Context, from, to Day) (Figures, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var f Figures
	for k, d := range m.days {
		if within(k.day, from, to) {
			f.Days = append(f.Days, d)
		}
	}
	slices.SortFunc(f.Days, func(a, b DayFigures) int {
		if c := a.Day.t.Compare(b.Day.t); c != 0 {
			return c
		}
		return cmp.Compare(a.Currency, b.Currency)
	})
	f.Products = sumItems(m.products, from, to)
	f.Categories = sumItems(m.categories, from, to)
	perDay := map[Day]*BasketDay{}
	filled, checkedOut := map[string]bool{}, map[string]bool{}
	for k, mk := range m.baskets {
		if !within(k.day, from, to) {
			continue
		}
		bd := perDay[k.day]
		if bd == nil {
			bd = &BasketDay{Day: k.day}
			perDay[k.day] = bd
		}
		if mk.filled {
			bd.Filled++
			filled[k.id] = true
		}
		if mk.checkedOut {
			bd.CheckedOut++
			checkedOut[k.id] = true
		}
	}
	for _, bd := range perDay {
		f.Baskets = append(f.Baskets, *bd)
	}
	slices.SortFunc(f.Baskets, func(a, b BasketDay) int { return a.Day.t.Compare(b.Day.t) })
	f.Filled, f.CheckedOut = int64(len(filled)), int64(len(checkedOut))
	return f, nil
}

// sumItems adds up the days of each product or category in the period; the
// name is the one of the latest day.
func sumItems(items map[itemKey]ItemFigures, from, to Day) []ItemFigures {
	type key struct{ sku, category, currency string }
	sums := map[key]*ItemFigures{}
	latest := map[key]Day{}
	for k, it := range items {
		if !within(k.day, from, to) {
			continue
		}
		sk := key{k.sku, k.category, k.currency}
		s := sums[sk]
		if s == nil {
			s = &ItemFigures{SKU: it.SKU, Category: it.Category, Currency: it.Currency}
			sums[sk] = s
		}
		if l, ok := latest[sk]; !ok || l.Before(k.day) {
			latest[sk], s.Name = k.day, it.Name
		}
		s.Quantity += it.Quantity
		s.Orders += it.Orders
		s.Gross += it.Gross
		s.Net += it.Net
	}
	out := make([]ItemFigures, 0, len(sums))
	for _, s := range sums {
		out = append(out, *s)
	}
	return out
}
