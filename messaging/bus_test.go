package messaging_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/components/cqrs"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/messaging"
)

type reserveStock struct {
	OrderID string `json:"orderId"`
	SKU     string `json:"sku"`
}

func (reserveStock) CommandName() string { return "catalog.ReserveStock.v1" }

type notACommand struct{}

func fastRetry() messaging.RetryConfig {
	return messaging.RetryConfig{MaxRetries: 3, Initial: time.Millisecond, Max: 5 * time.Millisecond, Multiplier: 2}
}

func goChannelConfig(reg prometheus.Registerer) messaging.Config {
	return messaging.Config{Transport: messaging.TransportGoChannel, Prefix: "t", Retry: fastRetry(),
		DrainTimeout: 5 * time.Second, Metrics: reg}
}

// startBus runs b until the test ends and waits until it consumes.
func startBus(t *testing.T, b *messaging.Bus) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	select {
	case <-b.Running():
	case err := <-done:
		t.Fatalf("bus stopped: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("bus not running after 10s")
	}
}

func event(n int, typ string) eventstore.RecordedEvent {
	return eventstore.RecordedEvent{
		ID: uuid.NewString(), Stream: fmt.Sprintf("order-%d", n%3), Revision: uint64(n / 3), Position: uint64(n + 1),
		Type: typ, Time: time.Date(2026, 3, 4, 5, 6, 7, 891011000, time.UTC),
		Data:     json.RawMessage(fmt.Sprintf(`{"n":%d}`, n)),
		Metadata: eventstore.Metadata{CorrelationID: "corr", CausationID: "cause", UserID: "u-1", SchemaVersion: 2},
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestEncodeDecodeEventRoundTrip(t *testing.T) {
	t.Parallel()
	want := event(7, "ordering.OrderPlaced.v1")
	got, err := messaging.DecodeEvent(messaging.EncodeEvent(want))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != want.ID || got.Stream != want.Stream || got.Revision != want.Revision || got.Position != want.Position ||
		got.Type != want.Type || !got.Time.Equal(want.Time) || string(got.Data) != string(want.Data) || got.Metadata != want.Metadata {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
	}
}

func TestDecodeEventRejectsMalformedMessages(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		mutate func(*message.Message)
	}{
		{"no stream", func(m *message.Message) { m.Metadata.Set(messaging.MetaStream, "") }},
		{"no type", func(m *message.Message) { m.Metadata.Set(messaging.MetaName, "") }},
		{"bad revision", func(m *message.Message) { m.Metadata.Set(messaging.MetaRevision, "-1") }},
		{"bad position", func(m *message.Message) { m.Metadata.Set(messaging.MetaPosition, "x") }},
		{"bad time", func(m *message.Message) { m.Metadata.Set(messaging.MetaTime, "yesterday") }},
		{"bad schema version", func(m *message.Message) { m.Metadata.Set(messaging.MetaSchemaVersion, "v2") }},
		{"payload not JSON", func(m *message.Message) { m.Payload = []byte("{") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			msg := messaging.EncodeEvent(event(1, "x.Y.v1"))
			c.mutate(msg)
			_, err := messaging.DecodeEvent(msg)
			if !errors.Is(err, messaging.ErrMalformedMessage) || !messaging.IsPermanent(err) {
				t.Fatalf("err = %v, want a permanent ErrMalformedMessage", err)
			}
		})
	}
}

func TestNewValidatesConfig(t *testing.T) {
	t.Parallel()
	ok := messaging.Config{Transport: messaging.TransportGoChannel, Prefix: "shop"}
	cases := []struct {
		name   string
		mutate func(*messaging.Config)
	}{
		{"unknown transport", func(c *messaging.Config) { c.Transport = "kafka" }},
		{"amqp without url", func(c *messaging.Config) { c.Transport = messaging.TransportAMQP }},
		{"empty prefix", func(c *messaging.Config) { c.Prefix = "" }},
		{"prefix with spaces", func(c *messaging.Config) { c.Prefix = "a b" }},
		{"unknown queue type", func(c *messaging.Config) { c.QueueType = "stream" }},
		{"prefetch too small", func(c *messaging.Config) { c.Prefetch = 10 }},
		{"negative channels", func(c *messaging.Config) { c.PublishChannels = -1 }},
		{"max below initial", func(c *messaging.Config) {
			c.Retry = messaging.RetryConfig{Initial: time.Second, Max: time.Millisecond}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg := ok
			c.mutate(&cfg)
			if _, err := messaging.New(cfg); !errors.Is(err, messaging.ErrInvalidConfig) {
				t.Fatalf("New = %v, want ErrInvalidConfig", err)
			}
		})
	}
	b, err := messaging.New(ok)
	if err != nil {
		t.Fatalf("valid config: %v", err)
	}
	b.Close()
}

func TestEventsFanOutToEveryHandlerWithTypeFilter(t *testing.T) {
	t.Parallel()
	b, err := messaging.New(goChannelConfig(nil))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	got := map[string][]eventstore.RecordedEvent{}
	record := func(name string) func(context.Context, eventstore.RecordedEvent) error {
		return func(ctx context.Context, e eventstore.RecordedEvent) error {
			mu.Lock()
			defer mu.Unlock()
			got[name] = append(got[name], e)
			if messaging.CorrelationID(ctx) != "corr" || messaging.CausationID(ctx) != e.ID {
				t.Errorf("%s: ctx correlation %q causation %q", name, messaging.CorrelationID(ctx), messaging.CausationID(ctx))
			}
			return nil
		}
	}
	for _, h := range []messaging.EventHandler{
		{Name: "all", Handle: record("all")},
		{Name: "placed-only", Types: []string{"ordering.OrderPlaced.v1"}, Handle: record("placed-only")},
	} {
		if err := b.AddEventHandler(h); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.AddEventHandler(messaging.EventHandler{Name: "all", Handle: record("x")}); !errors.Is(err, messaging.ErrInvalidConfig) {
		t.Fatalf("duplicate handler: %v", err)
	}
	startBus(t, b)
	var sent []eventstore.RecordedEvent
	for i := range 6 {
		typ := "ordering.OrderPlaced.v1"
		if i%2 == 1 {
			typ = "ordering.OrderPaid.v1"
		}
		e := event(i, typ)
		sent = append(sent, e)
		if err := b.PublishEvent(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got["all"]) != 6 || len(got["placed-only"]) != 3 {
		t.Fatalf("all got %d, placed-only got %d; want 6 and 3", len(got["all"]), len(got["placed-only"]))
	}
	// Publishing on Go channels waits for the handlers, so order holds.
	for i, e := range got["all"] {
		if e.ID != sent[i].ID || string(e.Data) != string(sent[i].Data) || e.Metadata != sent[i].Metadata {
			t.Fatalf("event %d: got %+v want %+v", i, e, sent[i])
		}
	}
}

func TestPoisonEventIsDeadLetteredAfterRetriesAndRedriven(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	b, err := messaging.New(goChannelConfig(reg))
	if err != nil {
		t.Fatal(err)
	}
	var attempts, otherCalls atomic.Int32
	var healed atomic.Bool
	var handled atomic.Int32
	if err := b.AddEventHandler(messaging.EventHandler{Name: "fragile", Handle: func(ctx context.Context, e eventstore.RecordedEvent) error {
		if !healed.Load() {
			attempts.Add(1)
			return errors.New("database down")
		}
		handled.Add(1)
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	if err := b.AddEventHandler(messaging.EventHandler{Name: "other", Handle: func(context.Context, eventstore.RecordedEvent) error {
		otherCalls.Add(1)
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	startBus(t, b)
	e := event(1, "ordering.OrderPlaced.v1")
	if err := b.PublishEvent(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var list []messaging.DeadLetter
	waitFor(t, "the dead letter", func() bool {
		list, _ = b.DeadLetters().List(ctx, messaging.ListOptions{})
		return len(list) == 1
	})
	if got := attempts.Load(); got != 4 {
		t.Fatalf("attempts = %d, want 1 + 3 retries", got)
	}
	dl := list[0]
	if dl.Handler != "fragile" || dl.MessageID != e.ID || dl.Reason != "database down" || dl.Topic != b.EventQueue("fragile") ||
		dl.Metadata[messaging.MetaName] != e.Type || string(dl.Payload) != string(e.Data) {
		t.Fatalf("dead letter %+v", dl)
	}
	if got := counterValue(t, reg, "messaging_dead_lettered_total", "fragile"); got != 1 {
		t.Fatalf("dead-lettered metric = %v", got)
	}
	healed.Store(true)
	if err := b.Redrive(ctx, dl.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the redriven event", func() bool { return handled.Load() == 1 })
	if n := otherCalls.Load(); n != 1 {
		t.Fatalf("the other handler saw the event %d times, want once (redrive targets one handler)", n)
	}
	if _, err := b.DeadLetters().Get(ctx, dl.ID); !errors.Is(err, messaging.ErrDeadLetterNotFound) {
		t.Fatalf("after redrive: %v", err)
	}
	if err := b.Redrive(ctx, dl.ID); !errors.Is(err, messaging.ErrDeadLetterNotFound) {
		t.Fatalf("second redrive: %v", err)
	}
}

// counterValue reads one handler's counter from the registry.
func counterValue(t *testing.T, reg *prometheus.Registry, name, handler string) float64 {
	t.Helper()
	return labeledValue(t, reg, name, "handler", handler)
}

// labeledValue reads the counter name{label=value} from the registry.
func labeledValue(t *testing.T, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("metric %s{%s=%s} not found", name, label, value)
	return 0
}

func TestPermanentErrorsAndPanicsSkipRetries(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		handle func() error
		reason string
		panics bool // every attempt counts in panics_recovered_total{where="bus"}
	}{
		{"permanent error", func() error { return messaging.Permanent(errors.New("invalid sku")) }, "invalid sku", false},
		{"panic", func() error { panic("nil map") }, "nil map", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			reg := prometheus.NewRegistry()
			b, err := messaging.New(goChannelConfig(reg))
			if err != nil {
				t.Fatal(err)
			}
			var calls atomic.Int32
			if err := b.AddEventHandler(messaging.EventHandler{Name: "h", Handle: func(context.Context, eventstore.RecordedEvent) error {
				calls.Add(1)
				return c.handle()
			}}); err != nil {
				t.Fatal(err)
			}
			startBus(t, b)
			if err := b.PublishEvent(context.Background(), event(1, "a.B.v1")); err != nil {
				t.Fatal(err)
			}
			var list []messaging.DeadLetter
			waitFor(t, "dead letter", func() bool {
				list, _ = b.DeadLetters().List(context.Background(), messaging.ListOptions{})
				return len(list) == 1
			})
			if c.name == "permanent error" && calls.Load() != 1 {
				t.Fatalf("calls = %d, want 1 (no retry)", calls.Load())
			}
			if !strings.Contains(list[0].Reason, c.reason) {
				t.Fatalf("reason %q does not mention %q", list[0].Reason, c.reason)
			}
			want := 0.0
			if c.panics {
				want = float64(calls.Load())
			}
			if got := labeledValue(t, reg, "panics_recovered_total", "where", "bus"); got != want || (c.panics && want == 0) {
				t.Fatalf("panics_recovered_total{where=bus} = %v, want %v", got, want)
			}
		})
	}
}

func TestCommandCarriesCorrelationCausationAndUser(t *testing.T) {
	t.Parallel()
	b, err := messaging.New(goChannelConfig(nil))
	if err != nil {
		t.Fatal(err)
	}
	type seen struct {
		cmd                     reserveStock
		corr, cause, user, name string
		msgID                   string
	}
	got := make(chan seen, 2)
	if err := b.AddCommandHandler(cqrs.NewCommandHandler("catalog.reserve-stock", func(ctx context.Context, c *reserveStock) error {
		msg := cqrs.OriginalMessageFromCtx(ctx)
		got <- seen{*c, messaging.CorrelationID(ctx), messaging.CausationID(ctx), messaging.UserID(ctx),
			msg.Metadata.Get(messaging.MetaName), msg.UUID}
		return nil
	})); err != nil {
		t.Fatal(err)
	}
	if err := b.AddCommandHandler(cqrs.NewCommandHandler("other", func(ctx context.Context, c *notACommand) error { return nil })); !errors.Is(err, messaging.ErrNotCommand) {
		t.Fatalf("handler of a non-command: %v", err)
	}
	startBus(t, b)

	ctx := messaging.WithUserID(messaging.WithCausation(messaging.WithCorrelation(context.Background(), "corr-42"), "evt-1"), "user-7")
	if err := b.Send(ctx, reserveStock{OrderID: "o-1", SKU: "SKU-1"}); err != nil {
		t.Fatal(err)
	}
	s := <-got
	if s.cmd != (reserveStock{OrderID: "o-1", SKU: "SKU-1"}) || s.name != "catalog.ReserveStock.v1" {
		t.Fatalf("command %+v named %q", s.cmd, s.name)
	}
	if s.corr != "corr-42" || s.user != "user-7" || s.cause != s.msgID {
		t.Fatalf("correlation %q user %q causation %q (command id %q)", s.corr, s.user, s.cause, s.msgID)
	}
	// Without a conversation the command starts one.
	if err := b.Send(context.Background(), reserveStock{OrderID: "o-2"}); err != nil {
		t.Fatal(err)
	}
	s = <-got
	if s.corr != s.msgID {
		t.Fatalf("new conversation: correlation %q, want the command id %q", s.corr, s.msgID)
	}
	if err := b.Send(ctx, notACommand{}); !errors.Is(err, messaging.ErrNotCommand) {
		t.Fatalf("Send(non-command) = %v", err)
	}
}

// TestGoChannelCommandsAreConcurrent: in process, as over AMQP with
// competing consumers, a command handler takes several commands at once
// (each Send still returns only once its command was handled), and every
// command is handled exactly once.
func TestGoChannelCommandsAreConcurrent(t *testing.T) {
	t.Parallel()
	b, err := messaging.New(goChannelConfig(nil))
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu             sync.Mutex
		inFlight, peak int
		handled        = map[string]int{}
	)
	if err := b.AddCommandHandler(cqrs.NewCommandHandler("catalog.reserve-stock", func(ctx context.Context, c *reserveStock) error {
		mu.Lock()
		inFlight++
		peak = max(peak, inFlight)
		handled[c.OrderID]++
		mu.Unlock()
		time.Sleep(5 * time.Millisecond) // so that others can overlap
		mu.Lock()
		inFlight--
		mu.Unlock()
		return nil
	})); err != nil {
		t.Fatal(err)
	}
	startBus(t, b)
	const senders = 16
	var wg sync.WaitGroup
	for i := range senders {
		wg.Go(func() {
			id := fmt.Sprint("o-", i)
			if err := b.Send(context.Background(), reserveStock{OrderID: id}); err != nil {
				t.Error(err)
			}
			mu.Lock()
			n := handled[id]
			mu.Unlock()
			if n != 1 {
				t.Errorf("%s handled %d times when Send returned, want 1", id, n)
			}
		})
	}
	wg.Wait()
	if peak < 2 {
		t.Errorf("at most %d command handled at once, want several", peak)
	}
	if len(handled) != senders {
		t.Errorf("%d commands handled, want %d", len(handled), senders)
	}
}

func TestDedupeRunsEachEventOnce(t *testing.T) {
	t.Parallel()
	b, err := messaging.New(goChannelConfig(nil))
	if err != nil {
		t.Fatal(err)
	}
	var effects atomic.Int32
	h := messaging.Dedupe(messaging.NewMemoryDeduper(), messaging.EventHandler{Name: "counter", Handle: func(context.Context, eventstore.RecordedEvent) error {
		effects.Add(1)
		return nil
	}})
	if err := b.AddEventHandler(h); err != nil {
		t.Fatal(err)
	}
	startBus(t, b)
	events := []eventstore.RecordedEvent{event(1, "a.B.v1"), event(2, "a.B.v1")}
	for range 3 { // at-least-once: the relay may publish the same event again
		for _, e := range events {
			if err := b.PublishEvent(context.Background(), e); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := effects.Load(); n != 2 {
		t.Fatalf("effects = %d, want 2", n)
	}
}

func TestShutdownDrainsInFlightHandlers(t *testing.T) {
	t.Parallel()
	b, err := messaging.New(goChannelConfig(nil))
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	release := make(chan struct{})
	var finished atomic.Bool
	if err := b.AddEventHandler(messaging.EventHandler{Name: "slow", Handle: func(ctx context.Context, e eventstore.RecordedEvent) error {
		close(started)
		<-release
		if ctx.Err() != nil {
			return ctx.Err()
		}
		finished.Store(true)
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	<-b.Running()
	go b.PublishEvent(context.Background(), event(1, "a.B.v1")) //nolint:errcheck
	<-started
	cancel()
	select {
	case err := <-done:
		t.Fatalf("Run returned (%v) while a handler was in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !finished.Load() {
		t.Fatal("the in-flight handler was cancelled instead of drained")
	}
	if err := b.AddEventHandler(messaging.EventHandler{Name: "late", Handle: func(context.Context, eventstore.RecordedEvent) error { return nil }}); !errors.Is(err, messaging.ErrStarted) {
		t.Fatalf("AddEventHandler after Run = %v, want ErrStarted", err)
	}
}

// TestGoChannelConcurrentHandler: in process, a handler marked Concurrent
// handles events of different streams at once (a single subscription hands
// out one message at a time), while one stream's events still arrive one
// after the other, in order, and every event is handled exactly once.
func TestGoChannelConcurrentHandler(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		concurrent bool
		wantMax    func(int) bool
	}{
		{"serial handler", false, func(n int) bool { return n == 1 }},
		{"concurrent handler", true, func(n int) bool { return n > 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := messaging.New(goChannelConfig(nil))
			if err != nil {
				t.Fatal(err)
			}
			const streams, perStream = 16, 5
			var (
				mu             sync.Mutex
				inFlight, peak int
				next           = map[string]uint64{}
				handled        = map[string]int{}
			)
			release := make(chan struct{})
			h := messaging.EventHandler{Name: "h", Concurrent: tt.concurrent, Handle: func(_ context.Context, e eventstore.RecordedEvent) error {
				mu.Lock()
				inFlight++
				peak = max(peak, inFlight)
				if e.Revision != next[e.Stream] {
					t.Errorf("%s: revision %d, want %d (stream order)", e.Stream, e.Revision, next[e.Stream])
				}
				next[e.Stream] = e.Revision + 1
				handled[e.ID]++
				mu.Unlock()
				select { // hold a while so others can overlap
				case <-release:
				case <-time.After(2 * time.Millisecond):
				}
				mu.Lock()
				inFlight--
				mu.Unlock()
				return nil
			}}
			if err := b.AddEventHandler(h); err != nil {
				t.Fatal(err)
			}
			startBus(t, b)
			var wg sync.WaitGroup
			for s := range streams {
				wg.Add(1)
				go func() { // one publisher per stream, as the relay's lanes
					defer wg.Done()
					for r := range perStream {
						e := event(0, "ordering.OrderPlaced.v1")
						e.Stream, e.Revision = fmt.Sprintf("order-%d", s), uint64(r)
						if err := b.PublishEvent(context.Background(), e); err != nil {
							t.Error(err)
						}
					}
				}()
			}
			wg.Wait()
			close(release)
			mu.Lock()
			defer mu.Unlock()
			if len(handled) != streams*perStream {
				t.Fatalf("handled %d distinct events, want %d", len(handled), streams*perStream)
			}
			for id, n := range handled {
				if n != 1 {
					t.Fatalf("event %s handled %d times", id, n)
				}
			}
			if !tt.wantMax(peak) {
				t.Fatalf("at most %d handled at once", peak)
			}
		})
	}
}

// TestStopWhileStarting: a bus whose context ends while its router is still
// subscribing its handlers stops at once. (Watermill's Close, called then,
// held the lock the starting router needed and waited out its whole close
// timeout: a shop stopped right after it started hung for half a minute.)
func TestStopWhileStarting(t *testing.T) {
	for i := range 20 {
		cfg := goChannelConfig(prometheus.NewRegistry())
		cfg.DrainTimeout = 30 * time.Second // the close timeout the bug waited out: 35 s
		b, err := messaging.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for h := range 8 {
			if err := b.AddEventHandler(messaging.EventHandler{Name: fmt.Sprintf("h%d", h), Types: []string{"test.Started.v1"},
				Handle: func(context.Context, eventstore.RecordedEvent) error { return nil }}); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // stopped before it could start
		done := make(chan error, 1)
		go func() { done <- b.Run(ctx) }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("round %d: %v", i, err)
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("round %d: the bus did not stop (waiting out the router's close timeout)", i)
		}
	}
}
