package messaging_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	wamqp "github.com/ThreeDotsLabs/watermill-amqp/v2/pkg/amqp"
	"github.com/prometheus/client_golang/prometheus"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/platform/testenv"
)

const (
	typeA = "ordering.OrderPlaced.v1"
	typeB = "ordering.OrderPaid.v1"
	typeC = "basket.ItemAdded.v1"
)

// newBus returns a bus on the transport, with its metrics in reg.
func newBus(t *testing.T, transport messaging.Transport, reg prometheus.Registerer) *messaging.Bus {
	t.Helper()
	if transport == messaging.TransportAMQP {
		return amqpBus(t, func(c *messaging.Config) { c.Metrics = reg })
	}
	b, err := messaging.New(goChannelConfig(reg))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var transports = []messaging.Transport{messaging.TransportAMQP, messaging.TransportGoChannel}

// TestEventsReachOnlyTheHandlersOfTheirType checks the routing at the
// consumers: messaging_delivered_total counts what the broker delivered to a
// queue, so a queue bound to A that never sees B proves B was not routed
// there (the old fan-out delivered every event everywhere and filtered it).
func TestEventsReachOnlyTheHandlersOfTheirType(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			reg := prometheus.NewRegistry()
			b := newBus(t, tr, reg)
			handlers := []struct {
				name  string
				types []string
				want  map[string]int
			}{
				{"only-a", []string{typeA}, map[string]int{typeA: 6}},
				{"a-and-b", []string{typeA, typeB, typeA}, map[string]int{typeA: 6, typeB: 4}},
				{"every-type", nil, map[string]int{typeA: 6, typeB: 4, typeC: 2}},
			}
			var mu sync.Mutex
			got := map[string]map[string]int{}
			for _, h := range handlers {
				got[h.name] = map[string]int{}
				if err := b.AddEventHandler(messaging.EventHandler{Name: h.name, Types: h.types,
					Handle: func(_ context.Context, e eventstore.RecordedEvent) error {
						mu.Lock()
						defer mu.Unlock()
						got[h.name][e.Type]++
						return nil
					}}); err != nil {
					t.Fatal(err)
				}
			}
			startBus(t, b)
			for i := range 12 {
				typ := map[int]string{0: typeA, 1: typeB, 2: typeA}[i%3]
				if i%6 == 5 {
					typ = typeC
				}
				if err := b.PublishEvent(context.Background(), event(i, typ)); err != nil {
					t.Fatal(err)
				}
			}
			for _, h := range handlers {
				total := 0
				for _, n := range h.want {
					total += n
				}
				waitFor(t, h.name+" deliveries", func() bool {
					mu.Lock()
					defer mu.Unlock()
					n := 0
					for _, c := range got[h.name] {
						n += c
					}
					return n >= total
				})
			}
			// Give a wrongly routed message time to arrive before counting.
			time.Sleep(300 * time.Millisecond)
			mu.Lock()
			defer mu.Unlock()
			for _, h := range handlers {
				if fmt.Sprint(got[h.name]) != fmt.Sprint(h.want) {
					t.Errorf("%s handled %v, want %v", h.name, got[h.name], h.want)
				}
				total := 0
				for _, n := range h.want {
					total += n
				}
				if d := counterValue(t, reg, "messaging_delivered_total", h.name); d != float64(total) {
					t.Errorf("%s: %v messages delivered to its queue, want %d", h.name, d, total)
				}
			}
		})
	}
}

// TestEventHandlerTypesAreValidated keeps AMQP wildcards and junk out of
// the bindings.
func TestEventHandlerTypesAreValidated(t *testing.T) {
	t.Parallel()
	for _, typ := range []string{"", "ordering.*", "#", "ordering.OrderPlaced.v1 ", "a/b"} {
		b, err := messaging.New(goChannelConfig(nil))
		if err != nil {
			t.Fatal(err)
		}
		err = b.AddEventHandler(messaging.EventHandler{Name: "h", Types: []string{typeA, typ},
			Handle: func(context.Context, eventstore.RecordedEvent) error { return nil }})
		if !errors.Is(err, messaging.ErrInvalidConfig) {
			t.Errorf("type %q: err = %v, want ErrInvalidConfig", typ, err)
		}
	}
}

// TestAMQPStreamOrderIsKeptAcrossTypes publishes several streams at once,
// each stream's events one after the other (as the relay's lanes do) and
// alternating types; a single-consumer handler of both types sees every
// stream in revision order.
func TestAMQPStreamOrderIsKeptAcrossTypes(t *testing.T) {
	b := amqpBus(t, nil)
	const streams, perStream = 4, 40
	var mu sync.Mutex
	seen := map[string][]uint64{}
	if err := b.AddEventHandler(messaging.EventHandler{Name: "projector", Types: []string{typeA, typeB},
		Handle: func(_ context.Context, e eventstore.RecordedEvent) error {
			mu.Lock()
			defer mu.Unlock()
			seen[e.Stream] = append(seen[e.Stream], e.Revision)
			return nil
		}}); err != nil {
		t.Fatal(err)
	}
	startBus(t, b)
	var wg sync.WaitGroup
	for s := range streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range perStream {
				e := event(r, []string{typeA, typeB}[r%2])
				e.Stream, e.Revision = fmt.Sprintf("order-%d", s), uint64(r)
				if err := b.PublishEvent(context.Background(), e); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	waitFor(t, "every event", func() bool {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, revs := range seen {
			n += len(revs)
		}
		return n == streams*perStream
	})
	mu.Lock()
	defer mu.Unlock()
	for stream, revs := range seen {
		for i, r := range revs {
			if r != uint64(i) {
				t.Fatalf("%s: revisions arrived as %v", stream, revs)
			}
		}
	}
}

// TestAMQPTypedHandlerDeadLetterIsRedrivenToItOnly: the redrive of a routed
// handler goes to its own queue (not through the events exchange), so a
// second handler of the same type does not see the event again.
func TestAMQPTypedHandlerDeadLetterIsRedrivenToItOnly(t *testing.T) {
	b := amqpBus(t, nil)
	var healed atomic.Bool
	var handled, other atomic.Int32
	if err := b.AddEventHandler(messaging.EventHandler{Name: "fragile", Types: []string{typeB},
		Handle: func(context.Context, eventstore.RecordedEvent) error {
			if !healed.Load() {
				return errors.New("mail provider down")
			}
			handled.Add(1)
			return nil
		}}); err != nil {
		t.Fatal(err)
	}
	if err := b.AddEventHandler(messaging.EventHandler{Name: "other", Types: []string{typeB},
		Handle: func(context.Context, eventstore.RecordedEvent) error { other.Add(1); return nil }}); err != nil {
		t.Fatal(err)
	}
	startBus(t, b)
	e := event(2, typeB)
	if err := b.PublishEvent(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var list []messaging.DeadLetter
	waitFor(t, "the dead letter", func() bool {
		list, _ = b.DeadLetters().List(ctx, messaging.ListOptions{Handler: "fragile"})
		return len(list) == 1
	})
	if dl := list[0]; dl.MessageID != e.ID || dl.RedriveTo != b.EventQueue("fragile") {
		t.Fatalf("dead letter %+v", dl)
	}
	healed.Store(true)
	if err := b.Redrive(ctx, list[0].ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the redriven event", func() bool { return handled.Load() == 1 })
	time.Sleep(200 * time.Millisecond)
	if n := other.Load(); n != 1 {
		t.Fatalf("the other handler saw the event %d times, want 1", n)
	}
}

// TestAMQPStartsBesideTheLegacyFanoutExchange: a broker of an earlier
// version holds the fan-out exchange and the handler queues bound to it.
// The bus starts (no PRECONDITION_FAILED), routes through its own topic
// exchange, and an event still arriving through the old binding during the
// upgrade is acked without reaching a handler of other types.
func TestAMQPStartsBesideTheLegacyFanoutExchange(t *testing.T) {
	reg := prometheus.NewRegistry()
	b := amqpBus(t, func(c *messaging.Config) { c.Metrics = reg })
	url := testenvAMQPURL(t)
	conn, err := amqp.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	legacy, queue := b.LegacyEventsExchange(), b.EventQueue("only-a")
	testenv.DeleteAMQP(t, url, func() ([]string, []string) { return nil, []string{legacy} })
	if err := ch.ExchangeDeclare(legacy, "fanout", true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.QueueDeclare(queue, true, false, false, false, amqp.Table{"x-queue-type": messaging.QueueClassic}); err != nil {
		t.Fatal(err)
	}
	if err := ch.QueueBind(queue, "", legacy, false, nil); err != nil {
		t.Fatal(err)
	}
	var got atomic.Int32
	if err := b.AddEventHandler(messaging.EventHandler{Name: "only-a", Types: []string{typeA},
		Handle: func(context.Context, eventstore.RecordedEvent) error { got.Add(1); return nil }}); err != nil {
		t.Fatal(err)
	}
	startBus(t, b)
	// An old relay still publishing a B through the fan-out exchange.
	old, err := wamqp.DefaultMarshaler{}.Marshal(messaging.EncodeEvent(event(1, typeB)))
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.PublishWithContext(context.Background(), legacy, "", false, false, old); err != nil {
		t.Fatal(err)
	}
	if err := b.PublishEvent(context.Background(), event(2, typeA)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the routed event and the legacy one", func() bool {
		return got.Load() == 1 && counterValue(t, reg, "messaging_delivered_total", "only-a") == 2
	})
	if n := counterValue(t, reg, "messaging_ignored_total", "only-a"); n != 1 {
		t.Fatalf("ignored %v legacy events, want 1", n)
	}
	if _, exchanges := b.DeclaredTopology(); fmt.Sprint(exchanges) != fmt.Sprint([]string{b.EventsExchange()}) {
		t.Fatalf("declared exchanges %v, want only %s", exchanges, b.EventsExchange())
	}
}

func testenvAMQPURL(t *testing.T) string {
	url, _ := testenv.AMQP(t)
	return url
}
