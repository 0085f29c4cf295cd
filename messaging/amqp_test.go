package messaging_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/components/cqrs"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/platform/testenv"
)

// amqpBus returns a bus on the real broker with a private prefix; what it
// declares is deleted when the test ends.
func amqpBus(t *testing.T, mutate func(*messaging.Config)) *messaging.Bus {
	t.Helper()
	url, prefix := testenv.AMQP(t)
	cfg := messaging.Config{Transport: messaging.TransportAMQP, AMQPURL: url, Prefix: prefix,
		Retry: fastRetry(), DrainTimeout: 5 * time.Second, DeadLetters: messaging.NewMemoryDeadLetters()}
	if mutate != nil {
		mutate(&cfg)
	}
	b, err := messaging.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	testenv.DeleteAMQP(t, url, b.DeclaredTopology)
	t.Cleanup(func() { b.Close() })
	return b
}

func TestAMQPEventsFanOutToDurableQueues(t *testing.T) {
	for _, qt := range []string{messaging.QueueClassic, messaging.QueueQuorum} {
		t.Run(qt, func(t *testing.T) {
			b := amqpBus(t, func(c *messaging.Config) { c.QueueType = qt })
			var mu sync.Mutex
			got := map[string][]eventstore.RecordedEvent{}
			for _, h := range []messaging.EventHandler{
				{Name: "all"},
				{Name: "paid-only", Types: []string{"ordering.OrderPaid.v1"}},
			} {
				name := h.Name
				h.Handle = func(ctx context.Context, e eventstore.RecordedEvent) error {
					mu.Lock()
					defer mu.Unlock()
					got[name] = append(got[name], e)
					return nil
				}
				if err := b.AddEventHandler(h); err != nil {
					t.Fatal(err)
				}
			}
			startBus(t, b)
			sent := map[string]eventstore.RecordedEvent{}
			for i := range 20 {
				typ := "ordering.OrderPlaced.v1"
				if i%4 == 0 {
					typ = "ordering.OrderPaid.v1"
				}
				e := event(i, typ)
				sent[e.ID] = e
				if err := b.PublishEvent(context.Background(), e); err != nil {
					t.Fatal(err)
				}
			}
			waitFor(t, "deliveries", func() bool {
				mu.Lock()
				defer mu.Unlock()
				return len(got["all"]) == 20 && len(got["paid-only"]) == 5
			})
			mu.Lock()
			defer mu.Unlock()
			for _, e := range got["all"] {
				want := sent[e.ID]
				if e.Stream != want.Stream || e.Position != want.Position || e.Revision != want.Revision || e.Type != want.Type ||
					!e.Time.Equal(want.Time) || string(e.Data) != string(want.Data) || e.Metadata != want.Metadata {
					t.Fatalf("envelope changed in transit:\n got %+v\nwant %+v", e, want)
				}
			}
			queues, exchanges := b.DeclaredTopology()
			if len(queues) < 2 || len(exchanges) != 1 {
				t.Fatalf("declared queues %v exchanges %v", queues, exchanges)
			}
		})
	}
}

func TestAMQPPoisonMessageIsDeadLetteredAndRedriven(t *testing.T) {
	b := amqpBus(t, nil)
	var attempts, handled, other atomic.Int32
	var healed atomic.Bool
	if err := b.AddEventHandler(messaging.EventHandler{Name: "fragile", Handle: func(context.Context, eventstore.RecordedEvent) error {
		if !healed.Load() {
			attempts.Add(1)
			return errors.New("projection table missing")
		}
		handled.Add(1)
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	if err := b.AddEventHandler(messaging.EventHandler{Name: "other", Handle: func(context.Context, eventstore.RecordedEvent) error {
		other.Add(1)
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	startBus(t, b)
	e := event(3, "ordering.OrderPlaced.v1")
	if err := b.PublishEvent(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var list []messaging.DeadLetter
	waitFor(t, "dead letter in the store", func() bool {
		list, _ = b.DeadLetters().List(ctx, messaging.ListOptions{Handler: "fragile"})
		return len(list) == 1
	})
	if n := attempts.Load(); n != 4 {
		t.Fatalf("attempts = %d, want 1 + 3 retries", n)
	}
	if dl := list[0]; dl.MessageID != e.ID || dl.Reason != "projection table missing" || dl.Topic != b.EventQueue("fragile") {
		t.Fatalf("dead letter %+v", dl)
	}
	healed.Store(true)
	if err := b.Redrive(ctx, list[0].ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "redriven delivery", func() bool { return handled.Load() == 1 })
	time.Sleep(200 * time.Millisecond)
	if n := other.Load(); n != 1 {
		t.Fatalf("other handler got the event %d times, want 1", n)
	}
	if left, _ := b.DeadLetters().List(ctx, messaging.ListOptions{}); len(left) != 0 {
		t.Fatalf("%d dead letters left after redrive", len(left))
	}
}

func TestAMQPCorrelationRoundTripsThroughACommand(t *testing.T) {
	b := amqpBus(t, func(c *messaging.Config) { c.QueueType = messaging.QueueQuorum })
	type seen struct{ corr, cause, user, id, orderID string }
	got := make(chan seen, 1)
	if err := b.AddCommandHandler(cqrs.NewCommandHandler("catalog.reserve-stock", func(ctx context.Context, c *reserveStock) error {
		got <- seen{messaging.CorrelationID(ctx), messaging.CausationID(ctx), messaging.UserID(ctx),
			cqrs.OriginalMessageFromCtx(ctx).UUID, c.OrderID}
		return nil
	})); err != nil {
		t.Fatal(err)
	}
	// Sent before the consumer runs: the queue is declared on first send, so
	// the command waits for its handler instead of being dropped.
	ctx := messaging.WithUserID(messaging.WithCausation(messaging.WithCorrelation(context.Background(), "corr-amqp"), "evt-9"), "user-3")
	if err := b.Send(ctx, reserveStock{OrderID: "o-9", SKU: "SKU-9"}); err != nil {
		t.Fatal(err)
	}
	startBus(t, b)
	select {
	case s := <-got:
		if s.corr != "corr-amqp" || s.user != "user-3" || s.cause != s.id || s.orderID != "o-9" {
			t.Fatalf("handler saw %+v", s)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("command not handled")
	}
}

// inFlight counts concurrent calls and how often each key was handled.
type inFlight struct {
	now, max atomic.Int32
	mu       sync.Mutex
	handled  map[string]int
}

func (f *inFlight) handle(key string) {
	n := f.now.Add(1)
	defer f.now.Add(-1)
	for m := f.max.Load(); n > m && !f.max.CompareAndSwap(m, n); m = f.max.Load() {
	}
	time.Sleep(20 * time.Millisecond)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handled[key]++
}

func (f *inFlight) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.handled)
}

// TestAMQPCompetingConsumers: with Consumers = 4 one process handles up to
// four messages of a command queue, or of a Concurrent event handler's
// queue, at once — each exactly once — while an ordinary event handler
// (a projector) still takes one at a time.
func TestAMQPCompetingConsumers(t *testing.T) {
	const consumers, messages = 4, 40
	b := amqpBus(t, func(c *messaging.Config) { c.Consumers = consumers })
	cmds, concurrent, ordered := &inFlight{handled: map[string]int{}}, &inFlight{handled: map[string]int{}}, &inFlight{handled: map[string]int{}}
	if err := b.AddCommandHandler(cqrs.NewCommandHandler("catalog.reserve-stock", func(ctx context.Context, c *reserveStock) error {
		cmds.handle(c.OrderID)
		return nil
	})); err != nil {
		t.Fatal(err)
	}
	for _, h := range []struct {
		name       string
		concurrent bool
		f          *inFlight
	}{{"saga", true, concurrent}, {"projector", false, ordered}} {
		if err := b.AddEventHandler(messaging.EventHandler{Name: h.name, Concurrent: h.concurrent,
			Handle: func(ctx context.Context, e eventstore.RecordedEvent) error { h.f.handle(e.ID); return nil }}); err != nil {
			t.Fatal(err)
		}
	}
	// Consumers registered before the messages arrive share them round
	// robin. (A backlog waiting at start goes mostly to the first consumer,
	// up to its prefetch of 100.)
	startBus(t, b)
	for i := range messages {
		if err := b.Send(context.Background(), reserveStock{OrderID: "o-" + strconv.Itoa(i), SKU: "SKU-1"}); err != nil {
			t.Fatal(err)
		}
		if err := b.PublishEvent(context.Background(), event(i, "ordering.OrderPlaced.v1")); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "every message", func() bool {
		return cmds.count() == messages && concurrent.count() == messages && ordered.count() == messages
	})
	time.Sleep(100 * time.Millisecond) // a duplicate would arrive now
	cases := []struct {
		name     string
		f        *inFlight
		min, max int32
	}{
		// Consumers still registering when the first messages came may
		// have missed some, so not every run reaches four.
		{"commands", cmds, 2, consumers},
		{"concurrent event handler", concurrent, 2, consumers},
		{"ordinary event handler", ordered, 1, 1},
	}
	for _, c := range cases {
		c.f.mu.Lock()
		for id, n := range c.f.handled {
			if n != 1 {
				t.Errorf("%s: %s handled %d times", c.name, id, n)
			}
		}
		c.f.mu.Unlock()
		if m := c.f.max.Load(); m < c.min || m > c.max {
			t.Errorf("%s: at most %d in flight, want %d–%d", c.name, m, c.min, c.max)
		}
	}
}

func TestConsumersNeedAMQP(t *testing.T) {
	t.Parallel()
	for _, n := range []int{-1, 2, 65} {
		_, err := messaging.New(messaging.Config{Transport: messaging.TransportGoChannel, Prefix: "t", Consumers: n})
		if !errors.Is(err, messaging.ErrInvalidConfig) {
			t.Fatalf("Consumers %d on Go channels: %v, want ErrInvalidConfig", n, err)
		}
	}
}
