package basket

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	ordercmd "github.com/evshop/shop/commands/ordering"
	domain "github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/pricing"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
)

const custID = "c0ffee00-0000-4000-8000-000000000001"

// catalog is a fake ProductLookup: the catalog is another service, not a
// server running here.
func catalog() ProductLookup {
	return ProductLookupFunc(func(_ context.Context, sku string) (Product, error) {
		price, _ := money.New(1000, "EUR")
		switch sku {
		case "OLD":
			return Product{SKU: sku, Name: "Old", Price: price, Archived: true}, nil
		case "GHOST":
			return Product{}, fmt.Errorf("catalog: %w", ErrUnknownProduct)
		}
		return Product{SKU: sku, Name: "Product " + sku, Category: "misc", Price: price}, nil
	})
}

func setup(t *testing.T, retries int) (*Handlers, *ordercmd.Handlers, *memory.Store) {
	t.Helper()
	store := memory.New()
	orders, err := ordercmd.NewHandlers(ordercmd.Config{Store: store, PaymentMethods: []string{"sandbox", "stripe", "paypal"}})
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHandlers(Config{Store: store, Products: catalog(), Orders: orders, Retries: retries, Pricing: noShipping()})
	if err != nil {
		t.Fatal(err)
	}
	return h, orders, store
}

// noShipping is a shop that ships nothing: checkouts name no method, and
// totals are the lines' (tax-inclusive prices).
func noShipping() *ordering.Pricing {
	return &ordering.Pricing{Taxes: pricing.DefaultTaxTable(), PricesIncludeTax: true}
}

func cust(t *testing.T) domain.ID {
	id, err := domain.CustomerBasket(custID)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func ptr(v uint64) *uint64 { return &v }

func TestBasketCommands(t *testing.T) {
	t.Parallel()
	h, _, _ := setup(t, 0)
	ctx := context.Background()
	id := cust(t)
	st, err := h.AddItem(ctx, AddItem{BasketID: id, SKU: "MUG", Quantity: 2})
	if err != nil || st.Version != 1 || len(st.Lines) != 1 || st.Total.Amount() != 2000 {
		t.Fatalf("add: %+v %v", st, err)
	}
	tests := []struct {
		name    string
		run     func() (State, error)
		wantErr error
		version uint64
	}{
		{"unknown sku", func() (State, error) { return h.AddItem(ctx, AddItem{BasketID: id, SKU: "GHOST", Quantity: 1}) }, ErrUnknownProduct, 0},
		{"archived sku", func() (State, error) { return h.AddItem(ctx, AddItem{BasketID: id, SKU: "OLD", Quantity: 1}) }, ErrUnknownProduct, 0},
		{"bad quantity", func() (State, error) { return h.AddItem(ctx, AddItem{BasketID: id, SKU: "MUG", Quantity: 0}) }, domain.ErrInvalid, 0},
		{"stale If-Match", func() (State, error) {
			return h.ChangeItemQuantity(ctx, ChangeItemQuantity{BasketID: id, SKU: "MUG", Quantity: 3, IfMatch: ptr(0)})
		}, ErrPrecondition, 0},
		{"fresh If-Match", func() (State, error) {
			return h.ChangeItemQuantity(ctx, ChangeItemQuantity{BasketID: id, SKU: "MUG", Quantity: 3, IfMatch: ptr(1)})
		}, nil, 2},
		{"remove missing", func() (State, error) { return h.RemoveItem(ctx, RemoveItem{BasketID: id, SKU: "TEE"}) }, domain.ErrItemNotFound, 0},
		{"remove", func() (State, error) { return h.RemoveItem(ctx, RemoveItem{BasketID: id, SKU: "MUG"}) }, nil, 3},
		{"clear empty is a no-op keeping the version", func() (State, error) { return h.ClearBasket(ctx, ClearBasket{BasketID: id}) }, nil, 3},
	}
	for _, tt := range tests { // sequential: each step builds on the last
		st, err := tt.run()
		if !errors.Is(err, tt.wantErr) {
			t.Fatalf("%s: err = %v, want %v", tt.name, err, tt.wantErr)
		}
		if err == nil && st.Version != tt.version {
			t.Fatalf("%s: version = %d, want %d", tt.name, st.Version, tt.version)
		}
	}
}

func checkout(key string) CheckOut {
	return CheckOut{CustomerID: custID, Email: "ada@example.com", IdempotencyKey: key,
		ShippingAddress: ordering.AddressDTO{Name: "Ada", Line1: "1 Main", City: "Paris", PostalCode: "75001", Country: "FR"},
		Payment:         ordering.PaymentDTO{Method: "sandbox", Token: "tok_sandbox_success", Last4: "4242"}}
}

func TestCheckOutSameKeyMakesOneOrder(t *testing.T) {
	t.Parallel()
	h, orders, store := setup(t, 0)
	ctx := context.Background()
	if _, err := h.AddItem(ctx, AddItem{BasketID: cust(t), SKU: "MUG", Quantity: 2}); err != nil {
		t.Fatal(err)
	}
	bad := checkout("key-00000001")
	bad.ShippingAddress.Country = ""
	if _, _, err := h.CheckOut(ctx, bad); !errors.Is(err, ordering.ErrInvalid) {
		t.Fatalf("bad address: %v", err)
	}
	first, st, err := h.CheckOut(ctx, checkout("key-00000001"))
	if err != nil || len(st.Lines) != 0 {
		t.Fatalf("checkout: %v %+v", err, st)
	}
	if first != OrderIDFor(custID, "key-00000001") {
		t.Fatalf("order id %s is not derived from the key", first)
	}
	again, _, err := h.CheckOut(ctx, checkout("key-00000001"))
	if err != nil || again != first {
		t.Fatalf("retry: %s %v", again, err)
	}
	if _, _, err := h.CheckOut(ctx, checkout("key-00000002")); !errors.Is(err, domain.ErrEmpty) {
		t.Fatalf("new key on empty basket: %v", err)
	}
	o, err := orders.Load(ctx, first)
	if err != nil || o.Total().Amount() != 2000 || o.Email() != "ada@example.com" {
		t.Fatalf("order: %+v %v", o, err)
	}
	n := 0
	for range store.ReadAll(ctx, 0, eventstore.Filter{EventTypes: []string{ordering.EventOrderPlaced}}) {
		n++
	}
	if n != 1 {
		t.Fatalf("%d OrderPlaced events, want 1", n)
	}
}

// A crash after BasketCheckedOut but before PlaceOrder is healed by the
// client's retry with the same key.
func TestCheckOutRetryAfterCrashPlacesOrder(t *testing.T) {
	t.Parallel()
	h, orders, _ := setup(t, 0)
	ctx := context.Background()
	if _, err := h.AddItem(ctx, AddItem{BasketID: cust(t), SKU: "MUG", Quantity: 1}); err != nil {
		t.Fatal(err)
	}
	failing := *h
	failing.orders = placerFunc(func(context.Context, *ordercmd.PlaceOrder) error { return errors.New("crash") })
	if _, _, err := failing.CheckOut(ctx, checkout("key-crash-1")); err == nil {
		t.Fatal("want the injected failure")
	}
	id, _, err := h.CheckOut(ctx, checkout("key-crash-1"))
	if err != nil {
		t.Fatal(err)
	}
	if o, err := orders.Load(ctx, id); err != nil || o.Total().Amount() != 1000 {
		t.Fatalf("order after retry: %v", err)
	}
}

type placerFunc func(context.Context, *ordercmd.PlaceOrder) error

func (f placerFunc) PlaceOrder(ctx context.Context, c *ordercmd.PlaceOrder) error { return f(ctx, c) }

// TestConcurrentWritersLoseNoUpdate: many writers add to one basket at once
// with retries disabled in the handler; each retries on ErrConcurrency
// itself. Every increment must be in the final quantity.
func TestConcurrentWritersLoseNoUpdate(t *testing.T) {
	t.Parallel()
	h, _, _ := setup(t, 1)
	ctx := context.Background()
	id := cust(t)
	const writers, each = 8, 5
	var conflicts sync.Map
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for range each {
				for {
					_, err := h.AddItem(ctx, AddItem{BasketID: id, SKU: "MUG", Quantity: 1})
					if errors.Is(err, eventstore.ErrConcurrency) {
						conflicts.Store(w, true)
						continue
					}
					if err != nil {
						t.Error(err)
					}
					break
				}
			}
		})
	}
	wg.Wait()
	st, err := h.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Lines) != 1 || st.Lines[0].Quantity != writers*each || st.Version != writers*each {
		t.Fatalf("final basket %+v, want quantity %d at version %d", st, writers*each, writers*each)
	}
	n := 0
	conflicts.Range(func(any, any) bool { n++; return true })
	t.Logf("%d of %d writers hit ErrConcurrency and retried", n, writers)
}

func TestMergeGuestBasket(t *testing.T) {
	t.Parallel()
	h, _, _ := setup(t, 0)
	ctx := context.Background()
	token := "9f0c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e2f"
	guest, _ := domain.GuestBasket(token)
	for _, sku := range []string{"MUG", "TEE"} {
		if _, err := h.AddItem(ctx, AddItem{BasketID: guest, SKU: sku, Quantity: 2}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.AddItem(ctx, AddItem{BasketID: cust(t), SKU: "MUG", Quantity: 1}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // a repeated merge changes nothing more
		st, err := h.MergeGuestBasket(ctx, token, custID)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Lines) != 2 || st.Lines[0].Quantity != 3 || st.Lines[1].Quantity != 2 {
			t.Fatalf("merged basket %+v", st.Lines)
		}
	}
	g, _ := h.Get(ctx, guest)
	if len(g.Lines) != 0 {
		t.Fatalf("guest basket not emptied: %+v", g)
	}
	if _, err := h.MergeGuestBasket(ctx, "not-a-uuid", custID); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("bad token: %v", err)
	}
}
