package baskets

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	domain "github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/pricing"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/projectionstest"
)

const bid = "c0ffee00-0000-4000-8000-000000000001"

func recorded(t *testing.T, rev, pos uint64, e domain.Event) eventstore.RecordedEvent {
	t.Helper()
	data, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return eventstore.RecordedEvent{ID: "e", Stream: domain.Stream(bid), Revision: rev, Position: pos, Type: e.EventName(),
		Time: time.Date(2026, 1, 1, 0, 0, int(rev), 0, time.UTC), Data: data}
}

func history(t *testing.T) []eventstore.RecordedEvent {
	eur := func(n int64) money.DTO { return money.DTO{Amount: n, Currency: "EUR"} }
	return []eventstore.RecordedEvent{
		recorded(t, 0, 10, domain.ItemAdded{BasketID: bid, SKU: "MUG", Name: "Mug", Category: "k", Quantity: 1, UnitPrice: eur(1250)}),
		recorded(t, 1, 12, domain.ItemAdded{BasketID: bid, SKU: "TEE", Name: "Tee", Category: "a", Quantity: 2, UnitPrice: eur(2000)}),
		recorded(t, 2, 15, domain.ItemQuantityChanged{BasketID: bid, SKU: "MUG", Quantity: 4}),
		recorded(t, 3, 20, domain.ItemRemoved{BasketID: bid, SKU: "TEE"}),
	}
}

// runContract is the Store contract every adapter passes.
func runContract(t *testing.T, newStore func(t *testing.T) Store) {
	t.Run("projects events into a view", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		s := newStore(t)
		p, _ := NewProjector(s)
		if _, err := s.Get(ctx, bid); !errors.Is(err, ErrNotFound) {
			t.Fatalf("empty store: %v", err)
		}
		for _, ev := range history(t) {
			if err := p.Handle(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		v, err := s.Get(ctx, bid)
		if err != nil {
			t.Fatal(err)
		}
		if v.Version != 4 || v.Position != 20 || len(v.Lines) != 1 || v.Lines[0].Quantity != 4 || v.Total().Amount != 5000 {
			t.Fatalf("view %+v", v)
		}
		if cp, err := s.Checkpoint(ctx); err != nil || cp != 20 {
			t.Fatalf("checkpoint %d %v", cp, err)
		}
	})
	t.Run("duplicate delivery changes nothing", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		s := newStore(t)
		p, _ := NewProjector(s)
		h := history(t)
		for _, ev := range h {
			if err := p.Handle(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		before, _ := s.Get(ctx, bid)
		for _, ev := range append(h, h[1], h[0]) { // replay all, then stragglers
			if err := p.Handle(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		after, _ := s.Get(ctx, bid)
		if !reflect.DeepEqual(before, after) {
			t.Fatalf("duplicate changed the view:\n%+v\n%+v", before, after)
		}
	})
	t.Run("gap is refused for redelivery", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		s := newStore(t)
		p, _ := NewProjector(s)
		h := history(t)
		if err := p.Handle(ctx, h[1]); !errors.Is(err, ErrOutOfOrder) {
			t.Fatalf("out of order: %v", err)
		}
		if _, err := s.Get(ctx, bid); !errors.Is(err, ErrNotFound) {
			t.Fatalf("out-of-order event was applied: %v", err)
		}
	})
	t.Run("checkout and clear empty the view", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		s := newStore(t)
		p, _ := NewProjector(s)
		h := history(t)
		h = append(h, recorded(t, 4, 30, domain.BasketCheckedOut{BasketID: bid, OrderID: "o"}))
		for _, ev := range h {
			if err := p.Handle(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		v, _ := s.Get(ctx, bid)
		if len(v.Lines) != 0 || v.Version != 5 {
			t.Fatalf("after checkout %+v", v)
		}
		if err := s.Reset(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, bid); !errors.Is(err, ErrNotFound) {
			t.Fatalf("after reset: %v", err)
		}
	})
	t.Run("batches change what one-by-one delivery changes", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		other := "c0ffee00-0000-4000-8000-000000000002"
		evs := history(t)
		for i, ev := range history(t) {
			ev.Stream, ev.Position = domain.Stream(other), ev.Position+1 // interleaved with bid's
			evs = append(evs[:2*i+1], append([]eventstore.RecordedEvent{ev}, evs[2*i+1:]...)...)
		}
		tests := projectionstest.Batchings(evs, evs[:3], evs[1:6], evs[4:])
		want := newStore(t)
		wp, _ := NewProjector(want)
		for _, ev := range evs {
			if err := wp.Handle(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		for _, tt := range tests {
			t.Run(tt.Name, func(t *testing.T) {
				s := newStore(t)
				if _, ok := s.(BatchStore); !ok {
					t.Fatalf("%T does not apply batches", s)
				}
				p, _ := NewProjector(s)
				for _, batch := range tt.Batches {
					if err := p.ApplyBatch(ctx, batch); err != nil {
						t.Fatal(err)
					}
				}
				for _, id := range []string{bid, other} {
					got, err := s.Get(ctx, id)
					exp, _ := want.Get(ctx, id)
					if err != nil || !reflect.DeepEqual(got, exp) {
						t.Fatalf("basket %s after batches:\n%+v %v\nwant\n%+v", id, got, err, exp)
					}
				}
				if cp, err := s.Checkpoint(ctx); err != nil || cp != 21 {
					t.Fatalf("checkpoint %d %v, want 21", cp, err)
				}
			})
		}
	})
	t.Run("a batch with a gap changes nothing", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		s := newStore(t)
		p, _ := NewProjector(s)
		h := history(t)
		if err := p.ApplyBatch(ctx, h[:1]); err != nil {
			t.Fatal(err)
		}
		before, _ := s.Get(ctx, bid)
		if err := p.ApplyBatch(ctx, []eventstore.RecordedEvent{h[1], h[3]}); !errors.Is(err, ErrOutOfOrder) {
			t.Fatalf("gap in a batch: %v", err)
		}
		after, _ := s.Get(ctx, bid)
		if !reflect.DeepEqual(before, after) {
			t.Fatalf("a refused batch changed the view:\n%+v\n%+v", before, after)
		}
		if cp, _ := s.Checkpoint(ctx); cp != h[0].Position {
			t.Fatalf("checkpoint %d after a refused batch, want %d", cp, h[0].Position)
		}
	})
	t.Run("keeps the discount code, tax classes and weights", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		s := newStore(t)
		p, _ := NewProjector(s)
		eur := func(n int64) money.DTO { return money.DTO{Amount: n, Currency: "EUR"} }
		off := pricing.DiscountDTO{Code: "TEN", Kind: "percentage", PercentOff: 10, Categories: []string{"k"}}
		evs := []eventstore.RecordedEvent{
			recorded(t, 0, 40, domain.ItemAdded{BasketID: bid, SKU: "MUG", Name: "Mug", Category: "k", Quantity: 1, UnitPrice: eur(1250), TaxClass: "reduced", WeightGrams: 350}),
			recorded(t, 1, 41, domain.DiscountCodeApplied{BasketID: bid, Code: "TEN", Discount: off}),
		}
		for _, ev := range evs {
			if err := p.Handle(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		v, err := s.Get(ctx, bid)
		if err != nil || v.Discount == nil || !reflect.DeepEqual(*v.Discount, off) || v.Lines[0].TaxClass != "reduced" || v.Lines[0].WeightGrams != 350 {
			t.Fatalf("view %+v %v", v, err)
		}
		for i, ev := range []domain.Event{domain.DiscountCodeRemoved{BasketID: bid, Code: "TEN"}, domain.DiscountCodeApplied{BasketID: bid, Code: "TEN", Discount: off},
			domain.BasketCleared{BasketID: bid, Reason: "customer"}} {
			if err := p.Handle(ctx, recorded(t, uint64(2+i), uint64(42+i), ev)); err != nil {
				t.Fatal(err)
			}
			v, _ = s.Get(ctx, bid)
			if (v.Discount != nil) != (i == 1) {
				t.Fatalf("after %s: discount %+v", ev.EventName(), v.Discount)
			}
		}
	})
	t.Run("other streams are ignored", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		p, _ := NewProjector(s)
		if err := p.Handle(context.Background(), eventstore.RecordedEvent{Stream: "order-1", Type: "ordering.OrderPlaced.v1"}); err != nil {
			t.Fatal(err)
		}
		if cp, _ := s.Checkpoint(context.Background()); cp != 0 {
			t.Fatalf("checkpoint moved: %d", cp)
		}
	})
}

func TestMemoryContract(t *testing.T) {
	t.Parallel()
	runContract(t, func(*testing.T) Store { return NewMemory() })
}

func TestRedisContract(t *testing.T) {
	t.Parallel()
	runContract(t, func(t *testing.T) Store {
		c, prefix := testenv.Redis(t)
		s, err := NewRedis(c, prefix)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
