package notifier_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/evshop/shop/eventstore"
	esmem "github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/mail"
	mailmem "github.com/evshop/shop/mail/memory"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/notifier"
	"github.com/evshop/shop/notifier/pgstore"
	"github.com/evshop/shop/platform/testenv"
)

// TestEmailsOnCompetingConsumersAreSentOnce runs the notifier as the shop
// wires it in server mode — emails on 8 competing consumers of a routed
// queue, the delivery log in PostgreSQL — and delivers every order's
// OrderPaid and its InvoiceIssued twice (as a relay re-publishing after a
// crash does). Each order still gets exactly one confirmation, sent on
// InvoiceIssued and measured from it.
func TestEmailsOnCompetingConsumersAreSentOnce(t *testing.T) {
	ctx := context.Background()
	pool := testenv.Postgres(t)
	store, err := pgstore.New(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	url, prefix := testenv.AMQP(t)
	reg := prometheus.NewRegistry()
	bus, err := messaging.New(messaging.Config{Transport: messaging.TransportAMQP, AMQPURL: url, Prefix: prefix, Consumers: 8,
		DrainTimeout: 5 * time.Second, DeadLetters: messaging.NewMemoryDeadLetters(), Metrics: reg,
		Retry: messaging.RetryConfig{MaxRetries: 20, Initial: 5 * time.Millisecond, Max: 50 * time.Millisecond, Multiplier: 2}})
	if err != nil {
		t.Fatal(err)
	}
	testenv.DeleteAMQP(t, url, bus.DeclaredTopology)
	key, box, tpl := secrets(t)
	outbox := mailmem.New()
	events := esmem.New()
	n, err := notifier.New(notifier.Config{Sender: outbox, Templates: tpl, Deliveries: store, Events: events, Baskets: store,
		LinkBox: box, UnsubscribeKey: key, PublicURL: "https://shop.example", Retry: mail.RetryConfig{Attempts: 1}, Registerer: reg,
		Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []messaging.EventHandler{
		{Name: notifier.HandlerName, Types: notifier.EmailEventTypes(), Handle: n.Handle, Concurrent: true},
		{Name: notifier.BasketHandlerName, Types: notifier.BasketEventTypes(), Handle: n.Handle},
	} {
		if err := bus.AddEventHandler(h); err != nil {
			t.Fatal(err)
		}
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- bus.Run(runCtx) }()
	t.Cleanup(func() { cancel(); <-done })
	<-bus.Running()

	const orders = 30
	now := time.Now().UTC()
	for range orders {
		id := uuid.NewString()
		p := placed(id)
		p.Time = now
		paid := event(notifier.EventOrderPaid, "order-"+id, 4, map[string]any{"orderId": id})
		paid.Time = now
		invoiced := event(notifier.EventInvoiceIssued, "order-"+id, 5, map[string]any{"orderId": id, "number": "INV-1"})
		invoiced.Time = now
		// The order is in its stream before its events are on the bus, as
		// the relay publishes only committed events.
		if _, err := events.Append(ctx, p.Stream, eventstore.NoStream(), eventstore.EventData{ID: p.ID, Type: p.Type, Data: p.Data}); err != nil {
			t.Fatal(err)
		}
		for _, e := range []eventstore.RecordedEvent{p, paid, invoiced, invoiced} {
			if err := bus.PublishEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(outbox.To("bob@example.com")) < orders && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // a duplicate would be sent by now
	got := map[string]int{}
	for _, m := range outbox.To("bob@example.com") {
		got[m.Subject]++
	}
	if len(got) != orders {
		t.Fatalf("%d distinct confirmations, want %d", len(got), orders)
	}
	for subject, c := range got {
		if c != 1 {
			t.Fatalf("%q sent %d times", subject, c)
		}
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var observed uint64
	for _, mf := range mfs {
		if mf.GetName() == "notifier_email_latency_seconds" {
			for _, m := range mf.GetMetric() {
				observed += m.GetHistogram().GetSampleCount()
			}
		}
	}
	if observed != orders {
		t.Fatalf("latency observed %d times, want %d", observed, orders)
	}
}
