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
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/testenv"
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
