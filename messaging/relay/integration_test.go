package relay_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/eventstore"
	espg "github.com/evshop/shop/eventstore/postgres"
	"github.com/evshop/shop/messaging"
	msgpg "github.com/evshop/shop/messaging/postgres"
	"github.com/evshop/shop/messaging/relay"
	relaypg "github.com/evshop/shop/messaging/relay/postgres"
	"github.com/evshop/shop/platform/testenv"
)

// servers gives a test a fresh database (event store, checkpoints, deduper
// tables) and a broker prefix.
type servers struct {
	pool   *pgxpool.Pool
	store  *espg.Store
	url    string
	prefix string
}

func realServers(t *testing.T) servers {
	t.Helper()
	ctx := context.Background()
	url, prefix := testenv.AMQP(t)
	pool := testenv.Postgres(t)
	store, err := espg.New(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if err := relaypg.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if err := msgpg.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	return servers{pool: pool, store: store, url: url, prefix: prefix}
}

func (s servers) bus(t *testing.T) *messaging.Bus {
	t.Helper()
	b, err := messaging.New(messaging.Config{Transport: messaging.TransportAMQP, AMQPURL: s.url, Prefix: s.prefix,
		DrainTimeout: 5 * time.Second, Retry: messaging.RetryConfig{MaxRetries: 3, Initial: time.Millisecond, Max: 10 * time.Millisecond, Multiplier: 2}})
	if err != nil {
		t.Fatal(err)
	}
	testenv.DeleteAMQP(t, s.url, b.DeclaredTopology)
	t.Cleanup(func() { b.Close() })
	return b
}

// appendEvents writes n events over streams streams, several per append.
func appendEvents(t testing.TB, store eventstore.Store, n, streams int) {
	t.Helper()
	ctx := context.Background()
	per := n / streams
	for s := range streams {
		for off := 0; off < per; off += 50 {
			var batch []eventstore.EventData
			for i := off; i < min(off+50, per); i++ {
				batch = append(batch, eventstore.EventData{ID: uuid.NewString(), Type: "ordering.OrderPlaced.v1",
					Data: json.RawMessage(fmt.Sprintf(`{"stream":%d,"n":%d}`, s, i)), Metadata: eventstore.Metadata{CorrelationID: "c"}})
			}
			if _, err := store.Append(ctx, fmt.Sprintf("order-%d", s), eventstore.Any(), batch...); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// consumer counts deliveries and, through a Postgres deduper, effects.
type consumer struct {
	deliveries atomic.Int64
	effects    atomic.Int64
	mu         sync.Mutex
	ids        map[string]bool
}

func startConsumer(t *testing.T, s servers) *consumer {
	t.Helper()
	c := &consumer{ids: map[string]bool{}}
	b := s.bus(t)
	effect := messaging.EventHandler{Name: "counter", Handle: func(ctx context.Context, e eventstore.RecordedEvent) error {
		c.effects.Add(1)
		return nil
	}}
	raw := messaging.EventHandler{Name: "deliveries", Handle: func(ctx context.Context, e eventstore.RecordedEvent) error {
		c.deliveries.Add(1)
		c.mu.Lock()
		c.ids[e.ID] = true
		c.mu.Unlock()
		return nil
	}}
	for _, h := range []messaging.EventHandler{messaging.Dedupe(msgpg.NewDeduper(s.pool), effect), raw} {
		if err := b.AddEventHandler(h); err != nil {
			t.Fatal(err)
		}
	}
	startBus(t, b)
	return c
}

func (c *consumer) distinct() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.ids)
}

func startBus(t *testing.T, b *messaging.Bus) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("bus: %v", err)
		}
	})
	select {
	case <-b.Running():
	case <-time.After(15 * time.Second):
		t.Fatal("bus not running")
	}
}

func TestRelayKilledHalfWayDeliversEveryEventAndEffectsExactlyOnce(t *testing.T) {
	const total = 5000
	s := realServers(t)
	ctx := context.Background()
	t0 := time.Now()
	appendEvents(t, s.store, total, 100)
	t.Logf("appended %d events in %s", total, time.Since(t0))
	c := startConsumer(t, s)
	cps := relaypg.NewCheckpoints(s.pool)
	cfg := func(pub relay.Publisher) relay.Config {
		return relay.Config{Name: "events", Source: s.store, Checkpoints: cps, Publisher: pub,
			Locker: relaypg.NewLocker(s.pool, relaypg.LockerConfig{RetryInterval: 50 * time.Millisecond}), BatchSize: 500}
	}

	start := time.Now()
	counting := &countingPublisher{Publisher: s.bus(t)}
	first, stop := runRelay(t, cfg(counting))
	// Kill once the sixth batch is half published: confirmed publishes are
	// beyond the checkpoint (2,500), so they will be published again.
	waitFor(t, "the first relay half-way", func() bool { return counting.n.Load() >= total/2+250 })
	stop() // abrupt: its context is cancelled in the middle of a batch
	if first.Leading() {
		t.Fatal("stopped relay still leading")
	}
	killedAt, _ := cps.Load(ctx, "events")
	if killedAt >= total {
		t.Fatalf("checkpoint %d: the relay finished before it was killed", killedAt)
	}
	published := counting.n.Load()
	if published <= int64(killedAt) {
		t.Fatalf("published %d ≤ checkpoint %d: not killed mid-batch", published, killedAt)
	}
	t.Logf("killed at checkpoint %d after %d confirmed publishes (%s)", killedAt, published, time.Since(start))

	second, _ := runRelay(t, cfg(s.bus(t)))
	deadline := time.Now().Add(60 * time.Second)
	for c.distinct() != total || c.effects.Load() != total {
		if time.Now().After(deadline) {
			cp, _ := cps.Load(ctx, "events")
			t.Fatalf("after 60s: %d distinct events delivered, %d effects, %d deliveries, checkpoint %d",
				c.distinct(), c.effects.Load(), c.deliveries.Load(), cp)
		}
		time.Sleep(10 * time.Millisecond)
	}
	waitFor(t, "checkpoint at head", func() bool { cp, _ := cps.Load(ctx, "events"); return cp == total })
	if lag, err := second.Lag(ctx); err != nil || lag != 0 {
		t.Fatalf("lag = %d, %v", lag, err)
	}
	time.Sleep(500 * time.Millisecond) // let any straggling duplicate arrive
	if n := c.effects.Load(); n != total {
		t.Fatalf("effects = %d, want exactly %d", n, total)
	}
	t.Logf("deliveries %d for %d events (%d duplicates absorbed by the deduper) in %s", c.deliveries.Load(), total, c.deliveries.Load()-total, time.Since(start))
	if c.deliveries.Load() <= total {
		t.Fatalf("no duplicate delivered: the kill did not interrupt a batch")
	}
}

// countingPublisher counts confirmed publishes.
type countingPublisher struct {
	relay.Publisher
	n atomic.Int64
}

func (p *countingPublisher) PublishEvent(ctx context.Context, e eventstore.RecordedEvent) error {
	if err := p.Publisher.PublishEvent(ctx, e); err != nil {
		return err
	}
	p.n.Add(1)
	return nil
}

func TestStandbyRelayTakesOverOverRealServers(t *testing.T) {
	s := realServers(t)
	ctx := context.Background()
	c := startConsumer(t, s)
	cps := relaypg.NewCheckpoints(s.pool)
	cfg := func() relay.Config {
		return relay.Config{Name: "events", Source: s.store, Checkpoints: cps, Publisher: s.bus(t),
			Locker: relaypg.NewLocker(s.pool, relaypg.LockerConfig{RetryInterval: 50 * time.Millisecond})}
	}
	a, stopA := runRelay(t, cfg())
	waitFor(t, "a leading", a.Leading)
	b, _ := runRelay(t, cfg())
	appendEvents(t, s.store, 100, 10)
	waitFor(t, "first events", func() bool { return c.effects.Load() == 100 })
	if b.Leading() {
		t.Fatal("two relays leading")
	}
	stopA()
	waitFor(t, "standby leading", b.Leading)
	appendEvents(t, s.store, 100, 10)
	waitFor(t, "events after the takeover", func() bool { return c.effects.Load() == 200 })
	// The checkpoint follows the confirms at most CheckpointEvery later.
	waitFor(t, "the checkpoint at the last event", func() bool { cp, _ := cps.Load(ctx, "events"); return cp == 200 })
}
