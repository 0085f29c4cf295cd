package catalog_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/memory"
	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/messaging"
)

type recorder struct {
	mu     sync.Mutex
	events []eventstore.EventData
	stream []string
}

func (r *recorder) Append(_ context.Context, stream string, events ...eventstore.EventData) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range events {
		r.events = append(r.events, e)
		r.stream = append(r.stream, stream)
	}
	return nil
}

func (r *recorder) last(t *testing.T) (string, eventstore.EventData) {
	t.Helper()
	if len(r.events) == 0 {
		t.Fatal("no event emitted")
	}
	return r.stream[len(r.stream)-1], r.events[len(r.events)-1]
}

func TestStockHandlers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, err := catalog.New(catalog.Config{Store: memory.New()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	out := &recorder{}
	h, err := catalog.NewStockHandlers(svc, out)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(h.CommandHandlers()); n != 3 {
		t.Fatalf("%d command handlers", n)
	}
	order := uuid.NewString()
	reserve := &domain.ReserveStock{OrderID: order, Lines: []domain.LineDTO{{SKU: "KIT-001", Quantity: 2}, {SKU: "BOO-001", Quantity: 1}}}

	steps := []struct {
		name     string
		run      func() error
		wantType string
		check    func(t *testing.T, data []byte)
	}{
		{"reserve", func() error { return h.ReserveStock(ctx, reserve) }, domain.EventStockReserved, nil},
		{"reserve redelivered", func() error { return h.ReserveStock(ctx, reserve) }, domain.EventStockReserved, nil},
		{"commit", func() error { return h.CommitStock(ctx, &domain.CommitStock{OrderID: order}) }, domain.EventStockCommitted, nil},
		{"too many units", func() error {
			return h.ReserveStock(ctx, &domain.ReserveStock{OrderID: uuid.NewString(), Lines: []domain.LineDTO{{SKU: "OUT-001", Quantity: 999}, {SKU: "NOPE-1", Quantity: 1}}})
		}, domain.EventStockReservationFailed, func(t *testing.T, data []byte) {
			var ev domain.StockReservationFailed
			json.Unmarshal(data, &ev)                                          //nolint:errcheck
			if ev.Reason != domain.ReasonUnknownProduct || len(ev.SKUs) != 2 { // lines are checked in SKU order
				t.Fatalf("failure: %+v", ev)
			}
		}},
		{"bad lines answer with a failure", func() error {
			return h.ReserveStock(ctx, &domain.ReserveStock{OrderID: uuid.NewString(), Lines: []domain.LineDTO{{SKU: "$gt", Quantity: 1}}})
		}, domain.EventStockReservationFailed, nil},
		{"release unknown order leaves a tombstone", func() error {
			return h.ReleaseStock(ctx, &domain.ReleaseStock{OrderID: uuid.NewString(), Reason: "payment timeout"})
		}, domain.EventStockReleased, nil},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		stream, e := out.last(t)
		if e.Type != s.wantType || stream[:len(domain.StockStreamPrefix)] != domain.StockStreamPrefix {
			t.Fatalf("%s: emitted %s to %s", s.name, e.Type, stream)
		}
		if s.check != nil {
			s.check(t, e.Data)
		}
	}
	// A redelivered command re-emits the same event id (idempotent append).
	if out.events[0].ID != out.events[1].ID {
		t.Fatal("redelivery produced a new event id")
	}
	p, _ := svc.Get(ctx, "KIT-001")
	if p.OnHand() != 38 || p.Reserved() != 0 {
		t.Fatalf("after commit: %d/%d", p.OnHand(), p.Reserved())
	}
	permanent := []error{
		h.ReserveStock(ctx, &domain.ReserveStock{OrderID: "x"}),
		h.ReleaseStock(ctx, &domain.ReleaseStock{OrderID: order}), // committed: cannot release
		h.CommitStock(ctx, &domain.CommitStock{OrderID: uuid.NewString()}),
	}
	for i, err := range permanent {
		if !messaging.IsPermanent(err) {
			t.Fatalf("case %d: %v is not permanent", i, err)
		}
	}
}

func TestAdjustStockRecordsARestockFromNoneAvailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	out := &recorder{}
	svc, err := catalog.New(catalog.Config{Store: memory.New(), Events: out})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name      string
		delta     int
		restocked int // Available in the new StockRestocked, 0 for none
	}{
		{"sold out (the demo tent has 12)", -12, 0},
		{"from none to two", 2, 2},
		{"more on top is no restock", 3, 0},
		{"written off to none", -5, 0},
		{"back again", 1, 1},
	}
	for _, st := range steps {
		before := len(out.events)
		if _, err := svc.AdjustStock(ctx, "OUT-001", st.delta); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if st.restocked == 0 {
			if len(out.events) != before {
				t.Fatalf("%s: %d events recorded, want none", st.name, len(out.events)-before)
			}
			continue
		}
		stream, ev := out.last(t)
		var got domain.StockRestocked
		if err := json.Unmarshal(ev.Data, &got); err != nil || len(out.events) != before+1 || stream != "restock-OUT-001" ||
			ev.Type != domain.EventStockRestocked || got.SKU != "OUT-001" || got.Available != st.restocked || got.Name == "" {
			t.Fatalf("%s: %d new events, last %s %s %+v (%v)", st.name, len(out.events)-before, stream, ev.Type, got, err)
		}
	}
}

// TestRestockNamesTheVariant: the back-in-stock email of a variant says
// which one is back (the demo's large T-shirt is sold out).
func TestRestockNamesTheVariant(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	out := &recorder{}
	svc, err := catalog.New(catalog.Config{Store: memory.New(), Events: out})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AdjustStock(ctx, "APP-002-L", 3); err != nil {
		t.Fatal(err)
	}
	stream, ev := out.last(t)
	var got domain.StockRestocked
	if err := json.Unmarshal(ev.Data, &got); err != nil || stream != "restock-APP-002-L" || got.Name != "Organic Cotton T-Shirt — L" || got.Available != 3 {
		t.Fatalf("restock %s %+v (%v)", stream, got, err)
	}
}
