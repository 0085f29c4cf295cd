package basket

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"testing"

	ordercmd "github.com/evshop/shop/commands/ordering"
	domain "github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/platform/guestorder"
)

// priceList is a catalog whose prices a test changes between adding and
// checking out.
type priceList struct {
	mu     sync.Mutex
	prices map[string]int64 // minor units in EUR; absent: unknown
	gone   map[string]bool  // archived
}

func (p *priceList) set(sku string, amount int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.prices[sku] = amount
}

func (p *priceList) archive(sku string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.gone[sku] = true
}

func (p *priceList) Lookup(_ context.Context, sku string) (Product, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n, ok := p.prices[sku]
	if !ok {
		return Product{}, ErrUnknownProduct
	}
	price, _ := money.New(n, "EUR")
	return Product{SKU: sku, Name: "Product " + sku, Category: "misc", Price: price, Archived: p.gone[sku]}, nil
}

func setupPrices(t *testing.T) (*Handlers, *ordercmd.Handlers, *priceList, *memory.Store) {
	t.Helper()
	store := memory.New()
	orders, err := ordercmd.NewHandlers(ordercmd.Config{Store: store, PaymentMethods: []string{"sandbox"}})
	if err != nil {
		t.Fatal(err)
	}
	prices := &priceList{prices: map[string]int64{"MUG": 1000, "TEE": 2000, "CAP": 500}, gone: map[string]bool{}}
	h, err := NewHandlers(Config{Store: store, Products: prices, Orders: orders, Pricing: noShipping()})
	if err != nil {
		t.Fatal(err)
	}
	return h, orders, prices, store
}

func eurM(n int64) money.Money { m, _ := money.New(n, "EUR"); return m }

func TestCheckOutRefusesChangedPrices(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		change    func(p *priceList)
		want      []domain.PriceChange
		wantTotal int64 // of the order placed by the confirming retry
	}{
		{"prices unchanged: placed at once", func(*priceList) {}, nil, 2*1000 + 2000 + 500},
		{"one price rose", func(p *priceList) { p.set("MUG", 1200) },
			[]domain.PriceChange{{SKU: "MUG", Name: "Product MUG", Quantity: 2, Old: eurM(1000), New: eurM(1200)}}, 2*1200 + 2000 + 500},
		{"one price fell, one product archived", func(p *priceList) { p.set("TEE", 1500); p.archive("CAP") },
			[]domain.PriceChange{{SKU: "TEE", Name: "Product TEE", Quantity: 1, Old: eurM(2000), New: eurM(1500)},
				{SKU: "CAP", Name: "Product CAP", Quantity: 1, Old: eurM(500), Removed: true}}, 2*1000 + 1500},
		{"a product left the catalog", func(p *priceList) { p.mu.Lock(); delete(p.prices, "TEE"); p.mu.Unlock() },
			[]domain.PriceChange{{SKU: "TEE", Name: "Product TEE", Quantity: 1, Old: eurM(2000), Removed: true}}, 2*1000 + 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, orders, prices, store := setupPrices(t)
			ctx := context.Background()
			for sku, q := range map[string]int{"MUG": 2, "TEE": 1, "CAP": 1} {
				if _, err := h.AddItem(ctx, AddItem{BasketID: cust(t), SKU: sku, Quantity: q}); err != nil {
					t.Fatal(err)
				}
			}
			tt.change(prices)
			cmd := checkout("key-prices-1")
			cmd.IfMatch = ptr(3)
			id, st, err := h.CheckOut(ctx, cmd)
			if tt.want != nil {
				var pc *PricesChanged
				if !errors.As(err, &pc) || !errors.Is(err, ErrPricesChanged) {
					t.Fatalf("err = %v, want PricesChanged", err)
				}
				byName := func(c []domain.PriceChange) map[string]domain.PriceChange {
					m := map[string]domain.PriceChange{}
					for _, l := range c {
						m[l.SKU] = l
					}
					return m
				}
				if !reflect.DeepEqual(byName(pc.Lines), byName(tt.want)) {
					t.Fatalf("changed lines %+v, want %+v", pc.Lines, tt.want)
				}
				if st.Version != 3+uint64(len(tt.want)) {
					t.Fatalf("repriced basket at version %d", st.Version)
				}
				for range store.ReadAll(ctx, 0, eventstore.Filter{EventTypes: []string{ordering.EventOrderPlaced}}) {
					t.Fatal("an order was placed at the old prices")
				}
				// The buyer confirms: the same key, against the repriced basket.
				cmd.IfMatch = ptr(st.Version)
				if id, _, err = h.CheckOut(ctx, cmd); err != nil {
					t.Fatalf("confirming retry: %v", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			o, err := orders.Load(ctx, id)
			if err != nil || o.Total().Amount() != tt.wantTotal {
				t.Fatalf("order total %v (err %v), want %d", o.Total(), err, tt.wantTotal)
			}
			// A retry of the successful checkout returns the same order even
			// if prices change again.
			prices.set("MUG", 9900)
			if again, _, err := h.CheckOut(ctx, cmd); err != nil || again != id {
				t.Fatalf("retry after success: %s %v", again, err)
			}
		})
	}
}

func TestCheckOutFailsWhenTheCatalogFails(t *testing.T) {
	t.Parallel()
	h, _, _, _ := setupPrices(t)
	ctx := context.Background()
	if _, err := h.AddItem(ctx, AddItem{BasketID: cust(t), SKU: "MUG", Quantity: 1}); err != nil {
		t.Fatal(err)
	}
	broken := *h
	broken.products = ProductLookupFunc(func(context.Context, string) (Product, error) { return Product{}, errors.New("catalog down") })
	if _, _, err := broken.CheckOut(ctx, checkout("key-down-01")); err == nil || errors.Is(err, ErrPricesChanged) {
		t.Fatalf("err = %v, want the lookup failure", err)
	}
	if st, _ := h.Get(ctx, cust(t)); len(st.Lines) != 1 || st.Version != 1 {
		t.Fatalf("basket changed: %+v", st)
	}
}

func TestGuestCheckOut(t *testing.T) {
	t.Parallel()
	h, orders, _, _ := setupPrices(t)
	ctx := context.Background()
	guest, _ := domain.GuestBasket("9f0c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e2f")
	if _, err := h.AddItem(ctx, AddItem{BasketID: guest, SKU: "TEE", Quantity: 1}); err != nil {
		t.Fatal(err)
	}
	cmd := checkout("key-guest-1")
	cmd.CustomerID, cmd.Guest, cmd.Email = "", guest, "Grace@Example.com"
	tests := []struct {
		name    string
		mutate  func(c *CheckOut)
		wantErr error
	}{
		{"no email", func(c *CheckOut) { c.Email = "" }, ordering.ErrInvalid},
		{"not a guest basket", func(c *CheckOut) { c.Guest = cust(t) }, domain.ErrInvalid},
		{"no basket at all", func(c *CheckOut) { c.Guest = domain.ID{} }, domain.ErrInvalid},
	}
	for _, tt := range tests {
		c := cmd
		tt.mutate(&c)
		if _, _, err := h.CheckOut(ctx, c); !errors.Is(err, tt.wantErr) {
			t.Fatalf("%s: err = %v, want %v", tt.name, err, tt.wantErr)
		}
	}
	id, st, err := h.CheckOut(ctx, cmd)
	if err != nil || len(st.Lines) != 0 {
		t.Fatalf("guest checkout: %v %+v", err, st)
	}
	if id != OrderIDFor(guest.String(), "key-guest-1") {
		t.Fatalf("order id %s not derived from the guest basket and key", id)
	}
	o, err := orders.Load(ctx, id)
	if err != nil || o.CustomerID() != guestorder.CustomerID("grace@example.com") || o.Email() != "Grace@Example.com" {
		t.Fatalf("order %+v %v", o, err)
	}
	if again, _, err := h.CheckOut(ctx, cmd); err != nil || again != id {
		t.Fatalf("retry: %s %v", again, err)
	}
}

// TestStoredBasketEventsStillLoad: an ItemRemoved stored before removals had
// a reason loads as the customer's removal.
func TestStoredBasketEventsStillLoad(t *testing.T) {
	t.Parallel()
	store := memory.New()
	ctx := context.Background()
	_, err := store.Append(ctx, domain.Stream(custID), eventstore.NoStream(),
		eventstore.EventData{ID: "00000000-0000-4000-8000-000000000001", Type: domain.EventItemAdded, Data: json.RawMessage(`{"basketId":"` + custID +
			`","sku":"MUG","name":"Mug","category":"k","quantity":2,"unitPrice":{"amount":1250,"currency":"EUR"}}`)},
		eventstore.EventData{ID: "00000000-0000-4000-8000-000000000002", Type: domain.EventItemAdded, Data: json.RawMessage(`{"basketId":"` + custID +
			`","sku":"TEE","name":"Tee","category":"k","quantity":1,"unitPrice":{"amount":900,"currency":"EUR"}}`)},
		eventstore.EventData{ID: "00000000-0000-4000-8000-000000000003", Type: domain.EventItemRemoved, Data: json.RawMessage(`{"basketId":"` + custID + `","sku":"MUG"}`)},
	)
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHandlers(Config{Store: store, Products: catalog(), Orders: placerFunc(func(context.Context, *ordercmd.PlaceOrder) error { return nil })})
	if err != nil {
		t.Fatal(err)
	}
	st, err := h.Get(ctx, cust(t))
	if err != nil || st.Version != 3 || len(st.Lines) != 1 || st.Lines[0].SKU != "TEE" {
		t.Fatalf("loaded %+v %v", st, err)
	}
}
