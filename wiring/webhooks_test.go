package wiring_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/webhooks"
	"github.com/evshop/shop/wiring"
	"github.com/evshop/shop/wiring/providers/shopproviders"
)

// The notifier of the one-process shop delivers webhooks: an OrderPaid
// recorded in the shop's event store reaches a local receiver (let through
// by WEBHOOK_ALLOW_NETS) as a signed order.paid.v1.
func TestEmbeddedNotifierDeliversWebhooks(t *testing.T) {
	t.Parallel()
	env := map[string]string{"WEBHOOK_ALLOW_NETS": "127.0.0.1/32", "SEED_DEMO": "false", "DATA_DIR": t.TempDir()}
	// start runs the notifier on the data directory; stop ends it.
	start := func(t *testing.T) (in *wiring.Infra, ntf *wiring.NotifierService, stop func()) {
		s, err := wiring.LoadShop(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
		if err != nil {
			t.Fatal(err)
		}
		in = wiring.NewInfra(&s.Common, slog.New(slog.DiscardHandler))
		shopproviders.Set(&in.Providers) // as cmd/shop
		ctx, cancel := context.WithCancel(context.Background())
		ntf, err = in.Notifier(ctx, s.Notifier, nil)
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- in.Run(ctx, nil) }()
		var once sync.Once
		stop = func() {
			once.Do(func() {
				cancel()
				<-done
				in.Close()
			})
		}
		t.Cleanup(stop)
		return in, ntf, stop
	}
	ctx := context.Background()
	in, ntf, stop := start(t)

	got := make(chan *http.Request, 1)
	bodies := make(chan []byte, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case got <- r:
			bodies <- b
		default:
		}
	}))
	t.Cleanup(srv.Close)
	ep, err := ntf.Webhooks.Create(ctx, webhooks.Spec{URL: srv.URL + "/hooks", EventTypes: []string{webhooks.TypeOrderPaid}, Enabled: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	store, err := in.EventStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(ordering.OrderPaid{OrderID: "o1", PaymentID: "p1", Amount: money.DTO{Amount: 500, Currency: "EUR"}})
	id := uuid.NewString()
	if _, err := store.Append(ctx, ordering.Stream("o1"), eventstore.Any(), eventstore.EventData{ID: id, Type: ordering.EventOrderPaid, Data: data}); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-got:
		body := <-bodies
		if err := webhooks.Verify(ep.Secret, r.Header.Get(webhooks.HeaderSignature), body, time.Now(), 5*time.Minute); err != nil {
			t.Fatal(err)
		}
		if r.Header.Get(webhooks.HeaderEventID) != id || r.Header.Get(webhooks.HeaderEventType) != webhooks.TypeOrderPaid {
			t.Fatalf("headers %v", r.Header)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no webhook delivered")
	}

	// The durable shop (STORAGE=sqlite, the default) keeps the endpoint and
	// its delivery log in DATA_DIR across a restart.
	stop()
	_, ntf, _ = start(t)
	if got, err := ntf.Webhooks.Endpoint(ctx, ep.ID); err != nil || got.Secret != ep.Secret {
		t.Fatalf("endpoint after a restart: %+v %v", got, err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		ds, err := ntf.Webhooks.Deliveries(ctx, ep.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) == 1 && ds[0].EventID == id && ds[0].Status == webhooks.StatusDelivered {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery log after a restart: %+v", ds)
		}
	}
}
