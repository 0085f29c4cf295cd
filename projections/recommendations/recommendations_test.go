package recommendations_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/catalog"
	catalogmemory "github.com/evshop/shop/catalog/memory"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/projectionstest"
	"github.com/evshop/shop/projections/recommendations"
	recomongo "github.com/evshop/shop/projections/recommendations/mongostore"
	recsqlite "github.com/evshop/shop/projections/recommendations/sqlitestore"
)

func stores(t *testing.T) map[string]func(t *testing.T) recommendations.Store {
	return map[string]func(t *testing.T) recommendations.Store{
		"memory": func(*testing.T) recommendations.Store { return recommendations.NewMemoryStore() },
		"mongo": func(t *testing.T) recommendations.Store {
			s, err := recomongo.New(context.Background(), testenv.Mongo(t))
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		"sqlite": func(t *testing.T) recommendations.Store {
			db := testenv.SQLite(t)
			if err := recsqlite.Migrate(context.Background(), db); err != nil {
				t.Fatal(err)
			}
			s, err := recsqlite.New(db)
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	}
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func placed(t *testing.T, pos uint64, orderID, customerID string, at time.Time, lines ...ordering.LineDTO) eventstore.RecordedEvent {
	t.Helper()
	b, err := json.Marshal(ordering.OrderPlaced{OrderID: orderID, CustomerID: customerID, Lines: lines, PlacedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	return eventstore.RecordedEvent{ID: uuid.NewString(), Type: ordering.EventOrderPlaced, Position: pos, Data: b, Time: at}
}

func paid(t *testing.T, pos uint64, orderID string) eventstore.RecordedEvent {
	b, _ := json.Marshal(ordering.OrderPaid{OrderID: orderID, PaymentID: uuid.NewString(), Amount: money.DTO{Amount: 100, Currency: "EUR"}})
	return eventstore.RecordedEvent{ID: uuid.NewString(), Type: ordering.EventOrderPaid, Position: pos, Data: b}
}

func line(sku, cat string) ordering.LineDTO {
	return ordering.LineDTO{SKU: sku, Name: sku, Category: cat, Quantity: 1, UnitPrice: money.DTO{Amount: 100, Currency: "EUR"}}
}

func TestProjectorContract(t *testing.T) {
	t.Parallel()
	for name, mk := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := mk(t)
			p := recommendations.NewProjector(s)
			cust, other := uuid.NewString(), uuid.NewString()
			o1, o2, o3 := uuid.NewString(), uuid.NewString(), uuid.NewString()
			events := []eventstore.RecordedEvent{
				paid(t, 3, o2), // paid before placed: order of arrival must not matter
				placed(t, 1, o1, cust, t0, line("BOO-001", "Books")),
				placed(t, 2, o2, cust, t0.Add(time.Hour), line("OUT-001", "Outdoor"), line("OUT-003", "Outdoor")),
				placed(t, 4, o3, other, t0, line("KIT-001", "Kitchen")),
			}
			for range 2 { // a full replay changes nothing
				for _, e := range events {
					if err := p.Handle(ctx, e); err != nil {
						t.Fatal(err)
					}
				}
			}
			got, err := s.Orders(ctx, cust, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[0].OrderID != o2 || !got[0].Paid || got[1].Paid || len(got[0].Lines) != 2 || got[0].Lines[0].Category != "Outdoor" {
				t.Fatalf("orders: %+v", got)
			}
			if one, _ := s.Orders(ctx, cust, 1); len(one) != 1 {
				t.Fatalf("limit: %d", len(one))
			}
			if pos, err := s.Position(ctx); err != nil || pos != 4 {
				t.Fatalf("position %d %v", pos, err)
			}
			if err := s.Forget(ctx, cust); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.Orders(ctx, cust, 10); len(got) != 0 {
				t.Fatalf("forgotten: %+v", got)
			}
			if got, _ := s.Orders(ctx, other, 10); len(got) != 1 {
				t.Fatalf("other customer touched: %+v", got)
			}
			if err := p.Handle(ctx, eventstore.RecordedEvent{Type: ordering.EventOrderPlaced, Data: json.RawMessage(`{"orderId":1}`)}); err == nil {
				t.Fatal("malformed event accepted")
			}
		})
	}
}

func TestProjectorBatches(t *testing.T) {
	t.Parallel()
	cust := uuid.NewString()
	o1, o2, o3 := uuid.NewString(), uuid.NewString(), uuid.NewString()
	evs := []eventstore.RecordedEvent{
		placed(t, 1, o1, cust, t0, line("BOO-001", "Books")),
		placed(t, 2, o2, cust, t0.Add(time.Hour), line("OUT-001", "Outdoor")),
		paid(t, 3, o2),
		placed(t, 4, o3, cust, t0.Add(2*time.Hour), line("KIT-001", "Kitchen")),
		paid(t, 5, o1),
	}
	tests := projectionstest.Batchings(evs, evs[:2], evs[1:4], evs[2:])
	for name, mk := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			for _, tt := range tests {
				s := mk(t)
				if _, ok := s.(recommendations.BatchStore); !ok {
					t.Fatalf("%T does not store batches", s)
				}
				p := recommendations.NewProjector(s)
				for _, b := range tt.Batches {
					if err := p.ApplyBatch(ctx, b); err != nil {
						t.Fatalf("%s: %v", tt.Name, err)
					}
				}
				got, err := s.Orders(ctx, cust, 10)
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				var paidIDs []string
				for _, o := range got {
					ids = append(ids, o.OrderID)
					if o.Paid {
						paidIDs = append(paidIDs, o.OrderID)
					}
				}
				if !slices.Equal(ids, []string{o3, o2, o1}) || len(paidIDs) != 2 || !slices.Contains(paidIDs, o1) || !slices.Contains(paidIDs, o2) {
					t.Fatalf("%s: orders %v, paid %v", tt.Name, ids, paidIDs)
				}
				if cp, err := p.Checkpoint(ctx); err != nil || cp != 5 {
					t.Fatalf("%s: checkpoint %d %v", tt.Name, cp, err)
				}
			}
		})
	}
}

func TestRecommend(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, err := catalog.New(catalog.Config{Store: catalogmemory.New()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	store := recommendations.NewMemoryStore()
	p := recommendations.NewProjector(store)
	cust := uuid.NewString()
	o := uuid.NewString()
	for _, e := range []eventstore.RecordedEvent{placed(t, 1, o, cust, t0, line("OUT-001", "Outdoor")), paid(t, 2, o)} {
		if err := p.Handle(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	r, err := recommendations.NewRecommender(store, svc)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		customer   string
		favourites []string
		limit      int
		wantFirst  []string // categories of the leading items, in order
	}{
		{"favourites first, then bought", cust, []string{"Books"}, 10, []string{"Books", "Books", "Books", "Books", "Books", "Books", "Books", "Outdoor"}},
		{"bought category without favourites", cust, nil, 3, []string{"Outdoor", "Outdoor", "Outdoor"}},
		{"stranger gets newest", uuid.NewString(), nil, 4, []string{"Kitchen", "Kitchen", "Kitchen", "Kitchen"}},
		{"unknown favourite is skipped", uuid.NewString(), []string{"$gt", "Apparel"}, 2, []string{"Apparel", "Apparel"}},
	}
	for _, c := range cases {
		got, err := r.Recommend(ctx, c.customer, c.favourites, c.limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != c.limit {
			t.Fatalf("%s: %d items, want %d", c.name, len(got), c.limit)
		}
		var cats []string
		for i, pr := range got {
			if pr.SKU().String() == "OUT-001" {
				t.Fatalf("%s: recommended an already bought product", c.name)
			}
			if i < len(c.wantFirst) {
				cats = append(cats, pr.Category().String())
			}
		}
		if !slices.Equal(cats, c.wantFirst) {
			t.Fatalf("%s: categories %v, want %v", c.name, cats, c.wantFirst)
		}
	}
}

func TestMongoReopen(t *testing.T) {
	t.Parallel()
	db := testenv.Mongo(t)
	for i := range 3 {
		if _, err := recomongo.New(context.Background(), db); err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
	}
}
