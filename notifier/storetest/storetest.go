// Package storetest is the contract suite of the notifier's store ports. Every
// adapter (memstore, pgstore, sqlitestore) runs it, so they cannot drift apart.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/notifier"
	"github.com/evshop/shop/notifier/templates"
)

// Store is what an adapter implements.
type Store interface {
	notifier.DeliveryLog
	notifier.OrderBook
	notifier.BasketStore
	notifier.BackInStock
}

// Run runs every contract test against stores made by newStore (a fresh,
// empty store per call).
func Run(t *testing.T, newStore func(t *testing.T) Store) {
	t.Run("DeliveryLog", func(t *testing.T) { t.Parallel(); DeliveryLog(t, newStore(t)) })
	t.Run("DeliveryLogConcurrentClaims", func(t *testing.T) { t.Parallel(); ConcurrentClaims(t, newStore(t)) })
	t.Run("OrderBook", func(t *testing.T) { t.Parallel(); OrderBook(t, newStore(t)) })
	t.Run("BasketStore", func(t *testing.T) { t.Parallel(); BasketStore(t, newStore(t)) })
	t.Run("BasketStoreSerialisesUpdates", func(t *testing.T) { t.Parallel(); BasketSerialised(t, newStore(t)) })
	t.Run("BackInStock", func(t *testing.T) { t.Parallel(); BackInStock(t, newStore(t)) })
}

// t0 has microsecond precision, like PostgreSQL timestamps.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func claim(key string, at time.Time) notifier.Claim {
	return notifier.Claim{Key: key, Kind: "verify_email", To: "ann@example.com", Now: at, Lease: time.Minute}
}

// DeliveryLog checks the claim / mark life cycle.
func DeliveryLog(t *testing.T, s notifier.DeliveryLog) {
	ctx := context.Background()
	steps := []struct {
		name string
		do   func() error
		want error
	}{
		{"first claim wins", func() error { return s.Claim(ctx, claim("e1", t0)) }, nil},
		{"second claim inside the lease waits", func() error { return s.Claim(ctx, claim("e1", t0.Add(30*time.Second))) }, notifier.ErrInFlight},
		{"claim after the lease takes over", func() error { return s.Claim(ctx, claim("e1", t0.Add(2*time.Minute))) }, nil},
		{"released claim can be taken at once", func() error {
			if err := s.Release(ctx, "e1", "throttled", t0.Add(2*time.Minute+time.Second)); err != nil {
				return err
			}
			return s.Claim(ctx, claim("e1", t0.Add(2*time.Minute+2*time.Second)))
		}, nil},
		{"mark sent", func() error { return s.MarkSent(ctx, "e1", "msg-1", t0.Add(3*time.Minute)) }, nil},
		{"sent key is never claimed again", func() error { return s.Claim(ctx, claim("e1", t0.Add(time.Hour))) }, notifier.ErrAlreadySent},
		{"release after sent changes nothing", func() error { return s.Release(ctx, "e1", "late", t0.Add(time.Hour)) }, nil},
		{"sent key still refused", func() error { return s.Claim(ctx, claim("e1", t0.Add(2*time.Hour))) }, notifier.ErrAlreadySent},
		{"failed key is never claimed again", func() error {
			if err := s.Claim(ctx, claim("e2", t0)); err != nil {
				return err
			}
			if err := s.MarkFailed(ctx, "e2", "MessageRejected", t0.Add(time.Second)); err != nil {
				return err
			}
			return s.Claim(ctx, claim("e2", t0.Add(time.Hour)))
		}, notifier.ErrAlreadyFailed},
		{"mark unknown key", func() error { return s.MarkSent(ctx, "nope", "x", t0) }, notifier.ErrNotFound},
	}
	for _, st := range steps {
		if err := st.do(); !errors.Is(err, st.want) {
			t.Fatalf("%s: err = %v, want %v", st.name, err, st.want)
		}
	}
	d, err := s.Get(ctx, "e1")
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != notifier.StatusSent || d.MessageID != "msg-1" || d.Attempts != 3 || d.Kind != "verify_email" ||
		d.To != "ann@example.com" || !d.CreatedAt.Equal(t0) || d.LastError != "" {
		t.Fatalf("e1 = %+v", d)
	}
	if _, err := s.Get(ctx, "nope"); !errors.Is(err, notifier.ErrNotFound) {
		t.Fatalf("Get(unknown) = %v", err)
	}

	// Failed lists permanent failures only, newest first, bounded.
	for i := range 3 {
		key := fmt.Sprintf("f%d", i)
		if err := s.Claim(ctx, claim(key, t0)); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkFailed(ctx, key, "bad address", t0.Add(time.Duration(10+i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Claim(ctx, claim("pending", t0)); err != nil {
		t.Fatal(err)
	}
	failed, err := s.Failed(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 3 || failed[0].Key != "f2" || failed[1].Key != "f1" || failed[2].Key != "f0" || failed[0].LastError != "bad address" {
		t.Fatalf("Failed(3) = %+v", failed)
	}
	all, err := s.Failed(ctx, 100)
	if err != nil || len(all) != 4 || all[3].Key != "e2" || all[3].Status != notifier.StatusFailed {
		t.Fatalf("Failed(100) = %+v, %v", all, err)
	}
}

// ConcurrentClaims checks that exactly one of many racing workers wins.
func ConcurrentClaims(t *testing.T, s notifier.DeliveryLog) {
	ctx := context.Background()
	const workers = 16
	var wg sync.WaitGroup
	results := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- s.Claim(ctx, claim("race", t0))
		}()
	}
	wg.Wait()
	close(results)
	won := 0
	for err := range results {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, notifier.ErrInFlight):
			t.Fatalf("unexpected claim error %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d workers won the claim, want exactly 1", won)
	}
}

// OrderBook checks put/get and idempotent upserts.
func OrderBook(t *testing.T, s notifier.OrderBook) {
	ctx := context.Background()
	o := notifier.Order{OrderID: "o-1", CustomerID: "c-1", Email: "ann@example.com", PlacedAt: t0,
		Lines:   []templates.Line{{SKU: "MUG", Name: "Mug", Quantity: 2, UnitPrice: money.DTO{Amount: 1250, Currency: "EUR"}}},
		Total:   money.DTO{Amount: 2500, Currency: "EUR"},
		Address: templates.Address{Name: "Ann", Line1: "1 Road", City: "Berlin", PostalCode: "10115", Country: "DE"}}
	if _, err := s.Order(ctx, "o-1"); !errors.Is(err, notifier.ErrNotFound) {
		t.Fatalf("unknown order: %v", err)
	}
	for range 2 {
		if err := s.PutOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Order(ctx, "o-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != o.Email || len(got.Lines) != 1 || got.Lines[0] != o.Lines[0] || got.Total != o.Total ||
		got.Address != o.Address || !got.PlacedAt.Equal(t0) {
		t.Fatalf("Order = %+v", got)
	}
}

func add(sku string, qty int, rev uint64, cycle string, at time.Time) func(*notifier.Basket) bool {
	return func(b *notifier.Basket) bool {
		b.Lines = append(b.Lines, notifier.BasketLine{SKU: sku, Name: sku, Quantity: qty})
		b.Version, b.LastActivity, b.CustomerID = rev+1, at, "c-"+b.BasketID
		if b.CycleID == "" {
			b.CycleID = cycle
		}
		return true
	}
}

// BasketStore checks tracking, due selection and the reminded guard.
func BasketStore(t *testing.T, s notifier.BasketStore) {
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.UpdateBasket(ctx, "b-old", add("MUG", 1, 0, "cyc-1", t0)))
	must(s.UpdateBasket(ctx, "b-old", add("TEE", 2, 1, "ignored", t0.Add(time.Minute))))
	must(s.UpdateBasket(ctx, "b-new", add("MUG", 1, 0, "cyc-2", t0.Add(2*time.Hour))))
	must(s.UpdateBasket(ctx, "b-empty", func(b *notifier.Basket) bool { b.LastActivity = t0; return true }))
	must(s.UpdateBasket(ctx, "b-unsaved", func(b *notifier.Basket) bool {
		if b.BasketID != "b-unsaved" || b.Version != 0 {
			t.Errorf("fresh basket = %+v", b)
		}
		b.Lines = []notifier.BasketLine{{SKU: "X", Quantity: 1}}
		return false
	}))
	var seen notifier.Basket
	must(s.UpdateBasket(ctx, "b-old", func(b *notifier.Basket) bool { seen = *b; return false }))
	if seen.Version != 2 || seen.Items() != 3 || seen.CycleID != "cyc-1" || seen.CustomerID != "c-b-old" || !seen.LastActivity.Equal(t0.Add(time.Minute)) {
		t.Fatalf("b-old = %+v", seen)
	}

	due, err := s.DueBaskets(ctx, t0.Add(time.Hour), 10)
	must(err)
	if len(due) != 1 || due[0].BasketID != "b-old" || len(due[0].Lines) != 2 {
		t.Fatalf("due at t0+1h = %+v, want only b-old", due)
	}
	due, err = s.DueBaskets(ctx, t0.Add(3*time.Hour), 1)
	must(err)
	if len(due) != 1 || due[0].BasketID != "b-old" {
		t.Fatalf("due with limit 1 = %+v, want the oldest", due)
	}

	must(s.MarkReminded(ctx, "b-old", "stale-cycle")) // another cycle: no effect
	due, err = s.DueBaskets(ctx, t0.Add(3*time.Hour), 10)
	must(err)
	if len(due) != 2 {
		t.Fatalf("after stale MarkReminded due = %+v, want 2", due)
	}
	must(s.MarkReminded(ctx, "b-old", "cyc-1"))
	due, err = s.DueBaskets(ctx, t0.Add(3*time.Hour), 10)
	must(err)
	if len(due) != 1 || due[0].BasketID != "b-new" {
		t.Fatalf("after MarkReminded due = %+v, want only b-new", due)
	}
	if err := s.MarkReminded(ctx, "b-none", "x"); !errors.Is(err, notifier.ErrNotFound) {
		t.Fatalf("MarkReminded(unknown) = %v", err)
	}

	// A new cycle (emptied, then filled again) is due again.
	must(s.UpdateBasket(ctx, "b-old", func(b *notifier.Basket) bool {
		b.Lines, b.CycleID, b.LastActivity = []notifier.BasketLine{{SKU: "CAP", Quantity: 1}}, "cyc-3", t0.Add(time.Hour)
		return true
	}))
	due, err = s.DueBaskets(ctx, t0.Add(3*time.Hour), 10)
	must(err)
	if len(due) != 2 || due[0].BasketID != "b-old" || due[0].RemindedCycle != "cyc-1" {
		t.Fatalf("new cycle due = %+v", due)
	}
}

// BasketSerialised checks that concurrent updates of one basket do not lose
// each other's changes.
func BasketSerialised(t *testing.T, s notifier.BasketStore) {
	ctx := context.Background()
	const n = 12
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.UpdateBasket(ctx, "b-race", func(b *notifier.Basket) bool {
				b.Version++
				return true
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	var got uint64
	if err := s.UpdateBasket(ctx, "b-race", func(b *notifier.Basket) bool { got = b.Version; return false }); err != nil {
		t.Fatal(err)
	}
	if got != n {
		t.Fatalf("version after %d concurrent updates = %d", n, got)
	}
}

// BackInStock checks the subscriptions: idempotent, per SKU, oldest first.
func BackInStock(t *testing.T, s notifier.BackInStock) {
	ctx := context.Background()
	steps := []struct {
		name string
		do   func() error
		sku  string
		want []string
	}{
		{"nobody waits at first", func() error { return nil }, "MUG-01", []string{}},
		{"ann subscribes", func() error { return s.Subscribe(ctx, "MUG-01", "ann", t0) }, "MUG-01", []string{"ann"}},
		{"bob subscribes later", func() error { return s.Subscribe(ctx, "MUG-01", "bob", t0.Add(time.Minute)) }, "MUG-01", []string{"ann", "bob"}},
		{"ann again keeps her place", func() error { return s.Subscribe(ctx, "MUG-01", "ann", t0.Add(time.Hour)) }, "MUG-01", []string{"ann", "bob"}},
		{"a variant has its own list", func() error { return s.Subscribe(ctx, "MUG-01-RED", "bob", t0) }, "MUG-01-RED", []string{"bob"}},
		{"ann leaves", func() error { return s.Unsubscribe(ctx, "MUG-01", "ann") }, "MUG-01", []string{"bob"}},
		{"leaving twice is fine", func() error { return s.Unsubscribe(ctx, "MUG-01", "ann") }, "MUG-01", []string{"bob"}},
		{"the variant kept bob", func() error { return nil }, "MUG-01-RED", []string{"bob"}},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		got, err := s.Subscribers(ctx, st.sku)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(st.want) {
			t.Fatalf("%s: subscribers of %s = %v, want %v", st.name, st.sku, got, st.want)
		}
		for _, id := range []string{"ann", "bob"} {
			in, err := s.Subscribed(ctx, st.sku, id)
			if err != nil || in != slices.Contains(st.want, id) {
				t.Fatalf("%s: Subscribed(%s, %s) = %v, %v", st.name, st.sku, id, in, err)
			}
		}
	}
}
