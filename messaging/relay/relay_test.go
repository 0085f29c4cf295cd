package relay_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/eventstoretest"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/messaging/relay"
)

// recorder is a Publisher that remembers what it confirmed.
type recorder struct {
	mu       sync.Mutex
	got      []eventstore.RecordedEvent
	failNext atomic.Int32 // fail this many publishes
	delay    time.Duration
	inflight atomic.Int32
	maxIn    atomic.Int32
}

func (r *recorder) PublishEvent(ctx context.Context, e eventstore.RecordedEvent) error {
	n := r.inflight.Add(1)
	defer r.inflight.Add(-1)
	for {
		m := r.maxIn.Load()
		if n <= m || r.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
	if r.failNext.Load() > 0 && r.failNext.Add(-1) >= 0 {
		return errors.New("broker unreachable")
	}
	if r.delay > 0 {
		select {
		case <-time.After(r.delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	r.mu.Lock()
	r.got = append(r.got, e)
	r.mu.Unlock()
	return nil
}

func (r *recorder) events() []eventstore.RecordedEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]eventstore.RecordedEvent(nil), r.got...)
}

func fill(t *testing.T, s eventstore.Store, n, streams int) {
	t.Helper()
	for i := range n {
		_, err := s.Append(context.Background(), fmt.Sprintf("order-%d", i%streams), eventstore.Any(), eventstore.EventData{
			ID: uuid.NewString(), Type: "ordering.OrderPlaced.v1", Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// runRelay starts a relay; the returned stop cancels it and waits for Run to
// return (it is also called at cleanup).
func runRelay(t *testing.T, cfg relay.Config) (*relay.Relay, func()) {
	t.Helper()
	r, err := relay.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return r, stop
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// assertComplete checks every position 1..n arrived in one of the runs and
// that, within each run, a consumer that drops events it has already seen
// (as ours do) gets each stream's events in revision order. Redelivery is
// allowed: a failed batch is published again from its start.
func assertComplete(t *testing.T, n int, runs ...[]eventstore.RecordedEvent) {
	t.Helper()
	seen := map[uint64]bool{}
	for _, got := range runs {
		last := map[string]int64{}
		delivered := map[uint64]bool{}
		for _, e := range got {
			seen[e.Position] = true
			if delivered[e.Position] {
				continue
			}
			delivered[e.Position] = true
			if prev, ok := last[e.Stream]; ok && int64(e.Revision) < prev {
				t.Fatalf("stream %s: revision %d first delivered after %d", e.Stream, e.Revision, prev)
			}
			last[e.Stream] = int64(e.Revision)
		}
	}
	for p := uint64(1); p <= uint64(n); p++ {
		if !seen[p] {
			t.Fatalf("position %d never published", p)
		}
	}
}

func TestNewValidatesConfig(t *testing.T) {
	t.Parallel()
	ok := relay.Config{Name: "events", Source: memory.New(), Checkpoints: relay.NewMemoryCheckpoints(), Publisher: &recorder{}}
	cases := []struct {
		name   string
		mutate func(*relay.Config)
	}{
		{"no name", func(c *relay.Config) { c.Name = "" }},
		{"no source", func(c *relay.Config) { c.Source = nil }},
		{"no publisher", func(c *relay.Config) { c.Publisher = nil }},
		{"no checkpoints", func(c *relay.Config) { c.Checkpoints = nil }},
		{"negative batch", func(c *relay.Config) { c.BatchSize = -1 }},
		{"retry max below min", func(c *relay.Config) { c.RetryMin, c.RetryMax = time.Second, time.Millisecond }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg := ok
			c.mutate(&cfg)
			if _, err := relay.New(cfg); !errors.Is(err, relay.ErrInvalidConfig) {
				t.Fatalf("New = %v, want ErrInvalidConfig", err)
			}
		})
	}
}

func TestRelayPublishesEverythingInStreamOrderWithConfirmsInFlight(t *testing.T) {
	t.Parallel()
	store := memory.New()
	fill(t, store, 1000, 40)
	pub := &recorder{delay: 200 * time.Microsecond}
	cps := relay.NewMemoryCheckpoints()
	r, _ := runRelay(t, relay.Config{Name: "events", Source: store, Checkpoints: cps, Publisher: pub, BatchSize: 100, Concurrency: 8})
	waitFor(t, "checkpoint at head", func() bool { cp, _ := cps.Load(context.Background(), "events"); return cp == 1000 })
	assertComplete(t, 1000, pub.events())
	if m := pub.maxIn.Load(); m < 2 {
		t.Fatalf("at most %d publish in flight; want several", m)
	}
	// Live appends are picked up (the memory store notifies).
	fill(t, store, 10, 3)
	waitFor(t, "live events", func() bool { return len(pub.events()) >= 1010 })
	if lag, err := r.Lag(context.Background()); err != nil || lag != 0 {
		waitFor(t, "lag 0", func() bool { lag, _ := r.Lag(context.Background()); return lag == 0 })
	}
}

func TestRelayRetriesAFailedBatchWithoutAdvancing(t *testing.T) {
	t.Parallel()
	store := memory.New()
	fill(t, store, 50, 5)
	pub := &recorder{}
	pub.failNext.Store(3)
	cps := relay.NewMemoryCheckpoints()
	_, _ = runRelay(t, relay.Config{Name: "events", Source: store, Checkpoints: cps, Publisher: pub, BatchSize: 20,
		RetryMin: time.Millisecond, RetryMax: 5 * time.Millisecond})
	waitFor(t, "checkpoint at head", func() bool { cp, _ := cps.Load(context.Background(), "events"); return cp == 50 })
	assertComplete(t, 50, pub.events())
}

func TestRelayKilledMidBatchResumesFromCheckpoint(t *testing.T) {
	t.Parallel()
	store := memory.New()
	fill(t, store, 2000, 50)
	cps := relay.NewMemoryCheckpoints()
	first := &recorder{delay: 100 * time.Microsecond}
	_, stop := runRelay(t, relay.Config{Name: "events", Source: store, Checkpoints: cps, Publisher: first, BatchSize: 300, Concurrency: 4})
	waitFor(t, "half the events", func() bool { return len(first.events()) >= 1000 })
	stop()
	cp, _ := cps.Load(context.Background(), "events")
	if cp >= 2000 {
		t.Fatalf("checkpoint %d: the relay was not killed mid-way", cp)
	}
	second := &recorder{}
	_, _ = runRelay(t, relay.Config{Name: "events", Source: store, Checkpoints: cps, Publisher: second, BatchSize: 300, Concurrency: 4})
	waitFor(t, "checkpoint at head", func() bool { cp, _ := cps.Load(context.Background(), "events"); return cp == 2000 })
	assertComplete(t, 2000, first.events(), second.events())
	if len(second.events()) != 2000-int(cp) {
		t.Fatalf("second relay published %d, want exactly the %d after the checkpoint", len(second.events()), 2000-int(cp))
	}
}

func TestStandbyTakesOverWhenTheLeaderStops(t *testing.T) {
	t.Parallel()
	store := memory.New()
	fill(t, store, 100, 5)
	cps := relay.NewMemoryCheckpoints()
	locker := relay.NewMemoryLocker()
	pa, pb := &recorder{}, &recorder{}
	ra, stopA := runRelay(t, relay.Config{Name: "events", Source: store, Checkpoints: cps, Publisher: pa, Locker: locker})
	waitFor(t, "leader caught up", func() bool { cp, _ := cps.Load(context.Background(), "events"); return cp == 100 })
	rb, _ := runRelay(t, relay.Config{Name: "events", Source: store, Checkpoints: cps, Publisher: pb, Locker: locker})
	fill(t, store, 10, 5)
	waitFor(t, "leader publishes live events", func() bool { return len(pa.events()) == 110 })
	if rb.Leading() || len(pb.events()) != 0 {
		t.Fatal("the standby published while the leader was alive")
	}
	if !ra.Leading() {
		t.Fatal("leader does not report leading")
	}
	stopA()
	waitFor(t, "standby leading", rb.Leading)
	fill(t, store, 10, 5)
	waitFor(t, "standby publishes", func() bool { return len(pb.events()) == 10 })
	assertComplete(t, 120, pa.events(), pb.events())
}

// gatedPublisher holds every publish of one stream until open is closed.
type gatedPublisher struct {
	recorder
	stream string
	open   chan struct{}
}

func (g *gatedPublisher) PublishEvent(ctx context.Context, e eventstore.RecordedEvent) error {
	if e.Stream == g.stream {
		select {
		case <-g.open:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return g.recorder.PublishEvent(ctx, e)
}

// TestRelayReadsOnWhileAConfirmIsPendingButNeverCheckpointsPastIt: a
// publish that does not return holds back neither the reading nor the
// publishing of other streams (up to the in-flight bound of 2 × BatchSize),
// but the checkpoint stays before it until it is confirmed.
func TestRelayReadsOnWhileAConfirmIsPendingButNeverCheckpointsPastIt(t *testing.T) {
	t.Parallel()
	const batch = 10
	cases := []struct {
		name  string
		lanes int
	}{{"one lane per stream", 64}, {"streams sharing lanes", 4}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			store := memory.New()
			fill(t, store, 60, 30) // position 1 is order-0's first event
			pub := &gatedPublisher{stream: "order-0", open: make(chan struct{})}
			cps := relay.NewMemoryCheckpoints()
			_, _ = runRelay(t, relay.Config{Name: "events", Source: store, Checkpoints: cps, Publisher: pub, BatchSize: batch, Concurrency: c.lanes})
			// Events of other streams on other lanes are published although
			// position 1 is not confirmed.
			waitFor(t, "other streams published", func() bool { return len(pub.events()) >= 3 })
			time.Sleep(50 * time.Millisecond) // give a wrong relay time to move the checkpoint
			if cp, _ := cps.Load(context.Background(), "events"); cp != 0 {
				t.Fatalf("checkpoint %d passed the unconfirmed position 1", cp)
			}
			if n := len(pub.events()); n > 2*batch {
				t.Fatalf("%d events published while one was pending; at most %d may be in flight", n, 2*batch)
			}
			close(pub.open)
			waitFor(t, "checkpoint at head", func() bool { cp, _ := cps.Load(context.Background(), "events"); return cp == 60 })
			assertComplete(t, 60, pub.events())
		})
	}
}

// headTelling is a source whose wait tells the head (as the PostgreSQL
// and SQLite stores' WaitForHead do), counting the relay's head queries.
type headTelling struct {
	*eventstoretest.CountingReads
	heads atomic.Int64
}

func (s *headTelling) HeadPosition(ctx context.Context) (uint64, error) {
	s.heads.Add(1)
	return s.CountingReads.HeadPosition(ctx)
}

func (s *headTelling) WaitForHead(ctx context.Context, after uint64) (uint64, error) {
	if err := s.CountingReads.WaitForAppend(ctx, after); err != nil {
		return 0, err
	}
	return s.CountingReads.HeadPosition(ctx)
}

// TestFilteredRelay: a relay with a type filter publishes only those
// types, in order, and its checkpoint passes the events it leaves out, so
// the lag is zero and a quiet store is not read again and again; with a
// source whose wait tells the head, the relay does not ask for it.
func TestFilteredRelay(t *testing.T) {
	tests := []struct {
		name      string
		types     []string // appended in turn
		published int      // of them, ordering.OrderPaid.v1
	}{
		{"ends with a skipped event", []string{"ordering.OrderPaid.v1", "basket.ItemAdded.v1", "ordering.OrderPaid.v1", "basket.ItemAdded.v1"}, 2},
		{"ends with a published event", []string{"basket.ItemAdded.v1", "ordering.OrderPaid.v1"}, 1},
		{"publishes nothing", []string{"basket.ItemAdded.v1", "basket.ItemAdded.v1", "basket.ItemAdded.v1"}, 0},
	}
	for _, tt := range tests {
		for _, tells := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/wait tells head %v", tt.name, tells), func(t *testing.T) {
				filteredRelay(t, tt.types, tt.published, tells)
			})
		}
	}
}

// filteredRelay appends events of types, runs a relay publishing only
// ordering.OrderPaid.v1 (published of them) and checks what it published,
// its checkpoint and lag, that it does not read a quiet store, and that it
// publishes a later event; tells: the source's wait tells the head.
func filteredRelay(t *testing.T, types []string, published int, tells bool) {
	counting := eventstoretest.NewCountingReads()
	telling := &headTelling{CountingReads: counting}
	var store interface {
		relay.Source
		eventstore.Store
	} = counting
	if tells {
		store = telling
	}
	for i, typ := range types {
		if _, err := store.Append(context.Background(), fmt.Sprintf("s-%d", i%2), eventstore.Any(),
			eventstore.EventData{ID: uuid.NewString(), Type: typ, Data: json.RawMessage(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	cps := relay.NewMemoryCheckpoints()
	pub := &recorder{}
	r, _ := runRelay(t, relay.Config{Name: "events", Source: store, Checkpoints: cps, Publisher: pub,
		Filter: eventstore.Filter{EventTypes: []string{"ordering.OrderPaid.v1"}}, PollInterval: 10 * time.Millisecond, CheckpointEvery: time.Millisecond})
	waitFor(t, "the checkpoint at the head", func() bool {
		cp, err := cps.Load(context.Background(), "events")
		return err == nil && cp == uint64(len(types))
	})
	got := pub.events()
	if len(got) != published {
		t.Fatalf("published %d events, want %d", len(got), published)
	}
	for i, e := range got {
		if e.Type != "ordering.OrderPaid.v1" || (i > 0 && e.Position <= got[i-1].Position) {
			t.Fatalf("published %s at %d after %v", e.Type, e.Position, got[:i])
		}
	}
	if lag, err := r.Lag(context.Background()); err != nil || lag != 0 {
		t.Fatalf("lag %d (%v), want 0", lag, err)
	}
	// Quiet: the relay waits for appends instead of reading again.
	reads, heads := counting.Reads.Load(), telling.heads.Load()
	time.Sleep(200 * time.Millisecond)
	if n := counting.Reads.Load() - reads; n > 2 {
		t.Fatalf("%d reads of a quiet store in 200 ms", n)
	}
	// Later appends, a skipped and a published one at a time, are published.
	for i := range 5 {
		for _, typ := range []string{"basket.ItemAdded.v1", "ordering.OrderPaid.v1"} {
			if _, err := store.Append(context.Background(), "s-9", eventstore.Any(),
				eventstore.EventData{ID: uuid.NewString(), Type: typ, Data: json.RawMessage(`{}`)}); err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, "a later event", func() bool { return len(pub.events()) == published+i+1 })
	}
	// Its waits told the head; only the once-a-second lag gauge may ask.
	if n := telling.heads.Load() - heads; tells && n > 1 {
		t.Fatalf("the relay asked for the head %d times while its waits told it", n)
	}
}
