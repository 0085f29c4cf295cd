// Package storetest is the contract suite of the notifier's store ports. Every
// adapter (memstore, pgstore, sqlitestore) runs it, so they cannot drift apart.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/evshop/shop/notifier"
)

// Store is what an adapter implements.
type Store interface {
	notifier.DeliveryLog
	notifier.BasketStore
	notifier.BackInStock
}

// Run runs every contract test against stores made by newStore (a fresh,
// empty store per call).
func Run(t *testing.T, newStore func(t *testing.T) Store) {
	t.Run("DeliveryLog", func(t *testing.T) { t.Parallel(); DeliveryLog(t, newStore(t)) })
	t.Run("DeliveryLogConcurrentClaims", func(t *testing.T) { t.Parallel(); ConcurrentClaims(t, newStore(t)) })
	t.Run("BasketStore", func(t *testing.T) { t.Parallel(); BasketStore(t, newStore(t)) })
	t.Run("BasketStoreBatches", func(t *testing.T) { t.Parallel(); BasketBatches(t, newStore(t)) })
	t.Run("BasketStoreSerialisesBatches", func(t *testing.T) { t.Parallel(); BasketSerialised(t, newStore(t)) })
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

// addLine is a fold adding a line; it names the basket's customer and
// starts a cycle when the basket has none.
func addLine(id string, rev uint64, sku string, qty int, cycle string, at time.Time) notifier.BasketFold {
	return notifier.BasketFold{BasketID: id, Revision: rev, Apply: func(b *notifier.Basket) {
		if i := slices.IndexFunc(b.Lines, func(l notifier.BasketLine) bool { return l.SKU == sku }); i >= 0 {
			b.Lines[i].Quantity += qty
		} else {
			b.Lines = append(b.Lines, notifier.BasketLine{SKU: sku, Name: sku, Quantity: qty})
		}
		b.LastActivity, b.CustomerID = at, "c-"+b.BasketID
		if b.CycleID == "" {
			b.CycleID = cycle
		}
	}}
}

// setQty is a fold setting a line's quantity.
func setQty(id string, rev uint64, sku string, qty int) notifier.BasketFold {
	return notifier.BasketFold{BasketID: id, Revision: rev, Apply: func(b *notifier.Basket) {
		if i := slices.IndexFunc(b.Lines, func(l notifier.BasketLine) bool { return l.SKU == sku }); i >= 0 {
			b.Lines[i].Quantity = qty
		}
	}}
}

// tracked reads every basket with items whose cycle was not reminded: all
// the suite's baskets that have items.
func tracked(t *testing.T, s notifier.BasketStore) map[string]notifier.Basket {
	t.Helper()
	due, err := s.DueBaskets(context.Background(), t0.Add(1000*time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]notifier.Basket{}
	for _, b := range due {
		out[b.BasketID] = b
	}
	return out
}

// lines renders a basket's lines as "SKU×qty ..." in order.
func lines(b notifier.Basket) string {
	var parts []string
	for _, l := range b.Lines {
		parts = append(parts, fmt.Sprintf("%s×%d", l.SKU, l.Quantity))
	}
	return strings.Join(parts, " ")
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
	fresh := notifier.BasketFold{BasketID: "b-empty", Revision: 0, Apply: func(b *notifier.Basket) {
		if b.BasketID != "b-empty" || b.Version != 0 || len(b.Lines) != 0 {
			t.Errorf("fresh basket = %+v", b)
		}
		b.LastActivity = t0
	}}
	must(s.TrackBaskets(ctx, []notifier.BasketFold{addLine("b-old", 0, "MUG", 1, "cyc-1", t0), fresh}, 0))
	must(s.TrackBaskets(ctx, []notifier.BasketFold{addLine("b-old", 1, "TEE", 2, "ignored", t0.Add(time.Minute))}, 0))
	must(s.TrackBaskets(ctx, []notifier.BasketFold{addLine("b-new", 0, "MUG", 1, "cyc-2", t0.Add(2*time.Hour))}, 0))
	seen := tracked(t, s)["b-old"]
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

	// A new cycle (emptied, then filled again) is due again; the fold sees
	// which cycle was reminded.
	must(s.TrackBaskets(ctx, []notifier.BasketFold{{BasketID: "b-old", Revision: 2, Apply: func(b *notifier.Basket) {
		if b.RemindedCycle != "cyc-1" {
			t.Errorf("fold of b-old sees RemindedCycle %q, want cyc-1", b.RemindedCycle)
		}
		b.Lines, b.CycleID, b.LastActivity = []notifier.BasketLine{{SKU: "CAP", Quantity: 1}}, "cyc-3", t0.Add(time.Hour)
	}}}, 0))
	due, err = s.DueBaskets(ctx, t0.Add(3*time.Hour), 10)
	must(err)
	if len(due) != 2 || due[0].BasketID != "b-old" || due[0].RemindedCycle != "cyc-1" || due[0].Version != 3 {
		t.Fatalf("new cycle due = %+v", due)
	}
}

// BasketBatches checks TrackBaskets as a catch-up runner uses it: a batch
// folds in order, skips what a basket already reflects, and stores the
// checkpoint with the baskets; a batch that fails stores neither.
func BasketBatches(t *testing.T, s notifier.BasketStore) {
	if cp, err := s.BasketCheckpoint(context.Background()); err != nil || cp != 0 {
		t.Fatalf("checkpoint of an empty store = %d, %v", cp, err)
	}
	at := t0.Add(time.Minute)
	steps := []struct {
		name       string
		folds      func(cancel func()) []notifier.BasketFold
		checkpoint uint64
		wantErr    bool
		want       map[string]string // basket -> lines; baskets not named are absent
		wantCP     uint64
	}{
		{"a batch folds in order, several events per basket", func(func()) []notifier.BasketFold {
			return []notifier.BasketFold{
				addLine("b-a", 0, "MUG", 1, "cyc-a", at), addLine("b-b", 0, "TEE", 1, "cyc-b", at),
				setQty("b-a", 1, "MUG", 5), addLine("b-a", 2, "CAP", 1, "x", at),
			}
		}, 10, false, map[string]string{"b-a": "MUG×5 CAP×1", "b-b": "TEE×1"}, 10},
		{"duplicates and older revisions change nothing; a new basket is added", func(func()) []notifier.BasketFold {
			return []notifier.BasketFold{
				setQty("b-a", 1, "MUG", 9),               // duplicate of an applied event
				addLine("b-a", 0, "BAG", 1, "x", at),     // older than the basket
				addLine("b-b", 0, "TEE", 1, "x", at),     // duplicate
				addLine("b-c", 0, "PEN", 2, "cyc-c", at), // new
				addLine("b-c", 0, "PEN", 2, "cyc-c", at), // its duplicate in the same batch
			}
		}, 20, false, map[string]string{"b-a": "MUG×5 CAP×1", "b-b": "TEE×1", "b-c": "PEN×2"}, 20},
		{"the checkpoint never goes back", func(func()) []notifier.BasketFold {
			return []notifier.BasketFold{addLine("b-b", 1, "TEE", 1, "x", at)}
		}, 5, false, map[string]string{"b-a": "MUG×5 CAP×1", "b-b": "TEE×2", "b-c": "PEN×2"}, 20},
		{"a batch that fails midway stores neither baskets nor checkpoint", func(cancel func()) []notifier.BasketFold {
			boom := addLine("b-d", 0, "CUP", 1, "cyc-d", at)
			apply := boom.Apply
			boom.Apply = func(b *notifier.Basket) { apply(b); cancel() } // the process stops mid-batch
			return []notifier.BasketFold{addLine("b-c", 1, "INK", 1, "x", at), boom, addLine("b-a", 3, "HAT", 1, "x", at)}
		}, 30, true, map[string]string{"b-a": "MUG×5 CAP×1", "b-b": "TEE×2", "b-c": "PEN×2"}, 20},
		{"the same batch applies once retried", func(func()) []notifier.BasketFold {
			return []notifier.BasketFold{addLine("b-c", 1, "INK", 1, "x", at), addLine("b-d", 0, "CUP", 1, "cyc-d", at), addLine("b-a", 3, "HAT", 1, "x", at)}
		}, 30, false, map[string]string{"b-a": "MUG×5 CAP×1 HAT×1", "b-b": "TEE×2", "b-c": "PEN×2 INK×1", "b-d": "CUP×1"}, 30},
		{"a batch of no basket event still stores its checkpoint", func(func()) []notifier.BasketFold {
			return nil
		}, 40, false, map[string]string{"b-a": "MUG×5 CAP×1 HAT×1", "b-b": "TEE×2", "b-c": "PEN×2 INK×1", "b-d": "CUP×1"}, 40},
	}
	for _, st := range steps {
		ctx, cancel := context.WithCancel(context.Background())
		err := s.TrackBaskets(ctx, st.folds(cancel), st.checkpoint)
		cancel()
		if (err != nil) != st.wantErr {
			t.Fatalf("%s: err = %v, want error %v", st.name, err, st.wantErr)
		}
		got := map[string]string{}
		for id, b := range tracked(t, s) {
			got[id] = lines(b)
		}
		if fmt.Sprint(got) != fmt.Sprint(st.want) {
			t.Fatalf("%s: baskets = %v, want %v", st.name, got, st.want)
		}
		if cp, err := s.BasketCheckpoint(context.Background()); err != nil || cp != st.wantCP {
			t.Fatalf("%s: checkpoint = %d, %v, want %d", st.name, cp, err, st.wantCP)
		}
	}
	b := tracked(t, s)["b-a"]
	if b.Version != 4 || b.CycleID != "cyc-a" || b.CustomerID != "c-b-a" || !b.LastActivity.Equal(at) {
		t.Fatalf("b-a = %+v, want version 4 in cycle cyc-a", b)
	}
}

// BasketSerialised checks that concurrent batches touching the same
// baskets (in different orders) neither lose each other's folds nor
// deadlock: every fold applied saw the basket as the previous one left it.
func BasketSerialised(t *testing.T, s notifier.BasketStore) {
	ctx := context.Background()
	const n = 12
	var mu sync.Mutex
	applied := map[string][]uint64{} // basket -> the Version each applied fold saw
	fold := func(id string, rev uint64) notifier.BasketFold {
		return notifier.BasketFold{BasketID: id, Revision: rev, Apply: func(b *notifier.Basket) {
			mu.Lock()
			applied[id] = append(applied[id], b.Version)
			mu.Unlock()
			b.Lines = append(b.Lines, notifier.BasketLine{SKU: fmt.Sprint("SKU-", rev), Quantity: 1})
			b.LastActivity, b.CycleID = t0, "cyc"
		}}
	}
	var wg sync.WaitGroup
	for i := range uint64(n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			folds := []notifier.BasketFold{fold("b-race-1", i), fold("b-race-2", i)}
			if i%2 == 1 {
				slices.Reverse(folds)
			}
			if err := s.TrackBaskets(ctx, folds, i+1); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got := tracked(t, s)
	for _, id := range []string{"b-race-1", "b-race-2"} {
		seen := applied[id]
		slices.Sort(seen)
		if len(seen) != len(slices.Compact(slices.Clone(seen))) {
			t.Fatalf("%s: two folds saw the same version (a lost update): %v", id, seen)
		}
		if b := got[id]; b.Version != n || b.Items() != len(seen) {
			t.Fatalf("%s = version %d with %d items, want version %d and one item per applied fold (%d)", id, b.Version, b.Items(), n, len(seen))
		}
	}
	if cp, err := s.BasketCheckpoint(ctx); err != nil || cp != n {
		t.Fatalf("checkpoint = %d, %v, want %d", cp, err, n)
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
