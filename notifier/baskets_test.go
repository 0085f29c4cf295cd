package notifier_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/eventstore"
	esmem "github.com/evshop/shop/eventstore/memory"
	mailmem "github.com/evshop/shop/mail/memory"
	"github.com/evshop/shop/notifier"
	"github.com/evshop/shop/notifier/memstore"
	"github.com/evshop/shop/notifier/pgstore"
	"github.com/evshop/shop/notifier/sqlitestore"
	"github.com/evshop/shop/platform/testenv"
)

// trackerOn returns the basket tracking of a notifier keeping its baskets
// in baskets.
func trackerOn(t *testing.T, baskets notifier.BasketStore) *notifier.BasketTracker {
	t.Helper()
	key, box, tpl := secrets(t)
	mem := memstore.New()
	n, err := notifier.New(notifier.Config{Sender: mailmem.New(), Templates: tpl, Deliveries: mem, Events: esmem.New(), Baskets: baskets,
		LinkBox: box, UnsubscribeKey: key, PublicURL: "https://shop.example", Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return n.BasketTracker()
}

// basketHistory appends, interleaved, the streams of a few baskets (one
// emptied and filled again, a guest's checked out and refilled, one cleared,
// one with a malformed event) and an order, and returns what the tracker's
// filter reads from $all, as a catch-up runner gets it.
func basketHistory(t *testing.T, tr *notifier.BasketTracker) (evs []eventstore.RecordedEvent, eventIDs map[string]string) {
	t.Helper()
	ctx := context.Background()
	store := esmem.New()
	eventIDs = map[string]string{}
	appendEv := func(stream, typ string, data any) {
		t.Helper()
		raw, err := json.Marshal(data)
		if err != nil {
			t.Fatal(err)
		}
		id := uuid.NewString()
		if _, err := store.Append(ctx, stream, eventstore.Any(), eventstore.EventData{ID: id, Type: typ, Data: raw}); err != nil {
			t.Fatal(err)
		}
		eventIDs[stream+" "+typ+" "+string(raw)] = id
	}
	item := func(sku string, qty int) map[string]any {
		return map[string]any{"sku": sku, "name": "Item " + sku, "quantity": qty}
	}
	appendEv("basket-c1", notifier.EventItemAdded, item("MUG", 1))
	appendEv("basket-c2", notifier.EventItemAdded, item("MUG", 1))
	appendEv("basket-guest-g1", notifier.EventItemAdded, item("MUG", 1))
	appendEv("basket-c1", notifier.EventItemAdded, item("TEE", 1))
	appendEv("basket-guest-g1", "basket.ItemRepriced.v1", map[string]any{"sku": "MUG"}) // not tracked: a gap in the revisions
	appendEv("order-o1", notifier.EventOrderPlaced, map[string]any{"orderId": "o1"})
	appendEv("basket-c2", notifier.EventBasketCheckedOut, map[string]any{"customerId": "c2", "orderId": "o1"})
	appendEv("basket-c3", notifier.EventItemAdded, item("PEN", 1))
	appendEv("basket-c1", notifier.EventItemQuantityChanged, item("TEE", 3))
	appendEv("basket-c4", notifier.EventItemAdded, []int{1, 2}) // malformed: skipped
	appendEv("basket-guest-g1", notifier.EventBasketCheckedOut, map[string]any{"customerId": "cust-g", "orderId": "o2"})
	appendEv("basket-c2", notifier.EventItemAdded, item("CAP", 2))
	appendEv("basket-c1", notifier.EventItemRemoved, map[string]any{"sku": "MUG"})
	appendEv("basket-c3", notifier.EventBasketCleared, map[string]any{"reason": "customer"})
	appendEv("basket-guest-g1", notifier.EventItemAdded, item("BAG", 1))
	for ev, err := range store.ReadAll(ctx, 0, tr.Filter()) {
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, ev)
	}
	return evs, eventIDs
}

// snapshot reads every basket the events name, as stored, with the
// checkpoint. It reads through a last fold (which then changes the
// basket, so it is the last thing done with the store).
func snapshot(t *testing.T, s notifier.BasketStore, evs []eventstore.RecordedEvent) string {
	t.Helper()
	ctx := context.Background()
	var ids []string
	for _, ev := range evs {
		ids = append(ids, strings.TrimPrefix(ev.Stream, "basket-"))
	}
	slices.Sort(ids)
	var out []string
	var folds []notifier.BasketFold
	for _, id := range slices.Compact(ids) {
		folds = append(folds, notifier.BasketFold{BasketID: id, Revision: math.MaxUint64 - 1, Apply: func(b *notifier.Basket) {
			var lines []string
			for _, l := range b.Lines {
				lines = append(lines, fmt.Sprintf("%s×%d", l.SKU, l.Quantity))
			}
			last := ""
			if !b.LastActivity.IsZero() {
				last = b.LastActivity.UTC().Format(time.RFC3339Nano)
			}
			out = append(out, fmt.Sprintf("%s v%d customer=%q lines=%q cycle=%q at=%s", id, b.Version, b.CustomerID, lines, b.CycleID, last))
		}})
	}
	cp, err := s.BasketCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.TrackBaskets(ctx, folds, 0); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("checkpoint %d\n%s", cp, strings.Join(out, "\n"))
}

// TestBasketTrackerReplay: the catch-up runner resumes from its checkpoint
// (minus a rewind), applies a batch again after a crash, and the bus path
// redelivers: however the events arrive, and from wherever a replay starts,
// the tracked baskets come out the same, on every store.
func TestBasketTrackerReplay(t *testing.T) {
	t.Parallel()
	stores := []struct {
		name string
		open func(t *testing.T) notifier.BasketStore
	}{
		{"memory", func(*testing.T) notifier.BasketStore { return memstore.New() }},
		{"sqlite", func(t *testing.T) notifier.BasketStore {
			s, err := sqlitestore.New(context.Background(), testenv.SQLite(t))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"postgres", func(t *testing.T) notifier.BasketStore {
			s, err := pgstore.New(context.Background(), testenv.Postgres(t))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
	}
	batches := func(tr *notifier.BasketTracker, evs []eventstore.RecordedEvent, size int) error {
		for b := range slices.Chunk(evs, size) {
			if err := tr.ApplyBatch(context.Background(), b); err != nil {
				return err
			}
		}
		return nil
	}
	// after returns the events a runner reads resuming at checkpoint cp.
	after := func(evs []eventstore.RecordedEvent, cp uint64) []eventstore.RecordedEvent {
		i := slices.IndexFunc(evs, func(ev eventstore.RecordedEvent) bool { return ev.Position > cp })
		if i < 0 {
			return nil
		}
		return evs[i:]
	}
	feeds := []struct {
		name string
		feed func(tr *notifier.BasketTracker, evs []eventstore.RecordedEvent) error
	}{
		{"batches of 3", func(tr *notifier.BasketTracker, evs []eventstore.RecordedEvent) error { return batches(tr, evs, 3) }},
		{"all again from checkpoint 0", func(tr *notifier.BasketTracker, evs []eventstore.RecordedEvent) error {
			if err := batches(tr, evs, 500); err != nil {
				return err
			}
			return batches(tr, evs, 4)
		}},
		{"half, then resumed from an earlier checkpoint", func(tr *notifier.BasketTracker, evs []eventstore.RecordedEvent) error {
			if err := batches(tr, evs[:len(evs)/2], 2); err != nil {
				return err
			}
			cp, err := tr.Checkpoint(context.Background())
			if err != nil {
				return err
			}
			if cp != evs[len(evs)/2-1].Position {
				return fmt.Errorf("checkpoint %d after half the events, want %d", cp, evs[len(evs)/2-1].Position)
			}
			return batches(tr, after(evs, cp-min(cp, 6)), 5)
		}},
		{"the bus: one at a time, each delivered twice", func(tr *notifier.BasketTracker, evs []eventstore.RecordedEvent) error {
			for _, ev := range evs {
				for range 2 {
					if err := tr.Handle(context.Background(), ev); err != nil {
						return err
					}
				}
			}
			return nil
		}},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			store := st.open(t)
			tr := trackerOn(t, store)
			evs, eventIDs := basketHistory(t, tr)
			if err := tr.ApplyBatch(context.Background(), evs); err != nil {
				t.Fatal(err)
			}
			want := snapshot(t, store, evs)
			last := map[string]string{} // basket -> time of its last tracked event
			for _, ev := range evs {
				last[ev.Stream] = ev.Time.UTC().Format(time.RFC3339Nano)
			}
			for _, line := range []string{
				fmt.Sprintf("checkpoint %d", evs[len(evs)-1].Position),
				fmt.Sprintf(`c1 v4 customer="c1" lines=["TEE×3"] cycle=%q at=%s`, eventIDs[`basket-c1 `+notifier.EventItemAdded+` {"name":"Item MUG","quantity":1,"sku":"MUG"}`], last["basket-c1"]),
				fmt.Sprintf(`c2 v3 customer="c2" lines=["CAP×2"] cycle=%q at=%s`, eventIDs[`basket-c2 `+notifier.EventItemAdded+` {"name":"Item CAP","quantity":2,"sku":"CAP"}`], last["basket-c2"]),
				fmt.Sprintf(`c3 v2 customer="c3" lines=[] cycle="" at=%s`, last["basket-c3"]),
				`c4 v0 customer="" lines=[] cycle="" at=`,
				fmt.Sprintf(`guest-g1 v4 customer="cust-g" lines=["BAG×1"] cycle=%q at=%s`, eventIDs[`basket-guest-g1 `+notifier.EventItemAdded+` {"name":"Item BAG","quantity":1,"sku":"BAG"}`], last["basket-guest-g1"]),
			} {
				if !strings.Contains(want+"\n", line+"\n") {
					t.Fatalf("tracked baskets:\n%s\nlack %s", want, line)
				}
			}
			for _, f := range feeds {
				s := st.open(t)
				tr := trackerOn(t, s)
				if err := f.feed(tr, evs); err != nil {
					t.Fatalf("%s: %v", f.name, err)
				}
				if got := snapshot(t, s, evs); got != want {
					t.Fatalf("%s: tracked baskets\n%s\nwant\n%s", f.name, got, want)
				}
			}
		})
	}
}
