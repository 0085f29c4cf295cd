package relay_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wamqp "github.com/ThreeDotsLabs/watermill-amqp/v2/pkg/amqp"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/evshop/shop/eventstore"
	espg "github.com/evshop/shop/eventstore/postgres"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/messaging/relay"
	relaypg "github.com/evshop/shop/messaging/relay/postgres"
	"github.com/evshop/shop/platform/testenv"
)

// BenchmarkRelayVsRawConfirmedPublish measures, in one run and on the same
// b.N events, (1) the relay draining a pre-filled Postgres event store into
// RabbitMQ with confirms, (2) raw watermill-amqp publishes of the same
// messages by one publisher waiting for each confirm, and (3) the same raw
// publishes from as many goroutines as the relay has lanes. A durable queue is
// bound to the topic exchange for every type ("#") so the broker persists
// every message, as in production. Run with a fixed count, e.g. -benchtime=20000x.
func BenchmarkRelayVsRawConfirmedPublish(b *testing.B) {
	ctx := context.Background()
	url, prefix := testenv.AMQP(b)
	pool := testenv.Postgres(b)
	store, err := espg.New(ctx, pool)
	if err != nil {
		b.Fatal(err)
	}
	if err := relaypg.Migrate(ctx, pool); err != nil {
		b.Fatal(err)
	}
	n := b.N
	fillForBench(b, store, n)
	var events []eventstore.RecordedEvent
	for e, err := range store.ReadAll(ctx, 0, eventstore.Filter{}) {
		if err != nil {
			b.Fatal(err)
		}
		events = append(events, e)
	}

	bus, err := messaging.New(messaging.Config{Transport: messaging.TransportAMQP, AMQPURL: url, Prefix: prefix, PublishChannels: 16})
	if err != nil {
		b.Fatal(err)
	}
	defer bus.Close()
	sink := prefix + ".sink"
	declareSink(b, url, bus.EventsExchange(), sink)

	raw := func(lanes int) float64 {
		cfg := wamqp.NewDurablePubSubConfig(url, nil)
		cfg.Exchange.Type = "topic"
		cfg.Exchange.GenerateName = func(string) string { return bus.EventsExchange() }
		cfg.Publish.GenerateRoutingKey = func(eventType string) string { return eventType }
		cfg.Publish.ConfirmDelivery = true
		cfg.Publish.ChannelPoolSize = lanes
		pub, err := wamqp.NewPublisher(cfg, watermill.NopLogger{})
		if err != nil {
			b.Fatal(err)
		}
		defer pub.Close()
		start := time.Now()
		var wg sync.WaitGroup
		for l := range lanes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := l; i < len(events); i += lanes {
					msg := messaging.EncodeEvent(events[i])
					if err := pub.Publish(events[i].Type, msg); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		return float64(n) / time.Since(start).Seconds()
	}

	b.ResetTimer()
	cps := relaypg.NewCheckpoints(pool)
	r, err := relay.New(relay.Config{Name: "bench", Source: store, Checkpoints: cps, Publisher: bus, BatchSize: 500, Concurrency: 16})
	if err != nil {
		b.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- r.Run(rctx) }()
	for {
		cp, err := cps.Load(ctx, "bench")
		if err != nil {
			b.Fatal(err)
		}
		if cp >= uint64(n) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	relayRate := float64(n) / time.Since(start).Seconds()
	cancel()
	<-done
	b.StopTimer()

	rawSeq := raw(1)
	rawPar := raw(16)
	b.ReportMetric(relayRate, "relay_events/s")
	b.ReportMetric(rawSeq, "raw_confirmed_1_events/s")
	b.ReportMetric(rawPar, "raw_confirmed_16_events/s")
	b.ReportMetric(relayRate/rawSeq, "relay/raw_1")
	b.ReportMetric(relayRate/rawPar, "relay/raw_16")
}

// fillForBench appends n events, 50 per stream as in the relay test.
func fillForBench(b *testing.B, store eventstore.Store, n int) {
	b.Helper()
	appendEvents(b, store, n, max(n/50, 1))
}

func declareSink(b *testing.B, url, exchange, queue string) {
	b.Helper()
	conn, err := amqp.Dial(url)
	if err != nil {
		b.Fatal(err)
	}
	ch, err := conn.Channel()
	if err != nil {
		b.Fatal(err)
	}
	if err := ch.ExchangeDeclare(exchange, "topic", true, false, false, false, nil); err != nil {
		b.Fatal(err)
	}
	if _, err := ch.QueueDeclare(queue, true, false, false, false, amqp.Table{"x-queue-type": "classic"}); err != nil {
		b.Fatal(err)
	}
	if err := ch.QueueBind(queue, "#", exchange, false, nil); err != nil {
		b.Fatal(err)
	}
	conn.Close()
	testenv.DeleteAMQP(b, url, func() ([]string, []string) { return []string{queue}, []string{exchange} })
}
