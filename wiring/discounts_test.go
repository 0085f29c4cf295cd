package wiring_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/discounts"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/wiring"
	"github.com/evshop/shop/wiring/providers/shopproviders"
)

// The one-process shop follows orders with discount codes: a use is
// committed when its order is paid and released when it is cancelled, by
// the handler on the bus, and the durable shop keeps codes and uses in
// DATA_DIR across a restart.
func TestEmbeddedDiscountsFollowOrders(t *testing.T) {
	t.Parallel()
	env := map[string]string{"SEED_DEMO": "false", "DATA_DIR": t.TempDir()}
	start := func(t *testing.T) (in *wiring.Infra, svc *discounts.Service, stop func()) {
		s, err := wiring.LoadShop(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
		if err != nil {
			t.Fatal(err)
		}
		in = wiring.NewInfra(&s.Common, slog.New(slog.DiscardHandler))
		shopproviders.Set(&in.Providers) // as cmd/shop
		ctx, cancel := context.WithCancel(context.Background())
		svc, route, err := in.Discounts(ctx, nil)
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		if route.Prefix != "/api/admin/discounts" {
			t.Fatalf("route prefix %q", route.Prefix)
		}
		// The relay from the event store to the bus, as the shop runs it.
		store, err := in.EventStore(ctx)
		if err == nil {
			_, err = in.StartRelay(ctx, "events", store, in.RelayFilter(wiring.Relay{Publish: "consumed"}))
		}
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
		return in, svc, stop
	}
	ctx := context.Background()
	in, svc, stop := start(t)
	eur, _ := money.New(1000, "EUR")
	if _, err := svc.Create(ctx, discounts.Spec{Code: "TWO", Kind: discounts.KindFreeShipping, MaxUses: 2}); err != nil {
		t.Fatal(err)
	}
	for _, order := range []string{"o-paid", "o-cancelled"} {
		if _, err := svc.Reserve(ctx, "two", "buyer-"+order, order, eur, nil, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	store, err := in.EventStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	appendEvent := func(orderID, typ string, data any) {
		b, _ := json.Marshal(data)
		if _, err := store.Append(ctx, ordering.Stream(orderID), eventstore.Any(),
			eventstore.EventData{ID: uuid.NewString(), Type: typ, Data: b}); err != nil {
			t.Fatal(err)
		}
	}
	appendEvent("o-paid", ordering.EventOrderPaid, ordering.OrderPaid{OrderID: "o-paid", PaymentID: "p1", Amount: eur.DTO()})
	appendEvent("o-cancelled", ordering.EventOrderCancelled, ordering.OrderCancelled{OrderID: "o-cancelled", Reason: "payment timeout"})

	want := discounts.Usage{Used: 1, Released: 1}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, u, err := svc.Get(ctx, "TWO")
		if err != nil {
			t.Fatal(err)
		}
		if u == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("usage %+v, want %+v", u, want)
		}
	}

	stop()
	_, svc, _ = start(t)
	if _, u, err := svc.Get(ctx, "TWO"); err != nil || u != want {
		t.Fatalf("after a restart: usage %+v, %v; want %+v", u, err, want)
	}
	if r, err := svc.Reservation(ctx, "o-paid"); err != nil || r.State != discounts.StateCommitted {
		t.Fatalf("after a restart: %+v %v", r, err)
	}
}
