package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/postgres"
	relaypg "github.com/evshop/shop/messaging/relay/postgres"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/webhooks"
)

// TestTwoWorkersOnePostgres runs two webhook workers (as two notifier
// processes would) on one PostgreSQL event store and outbox, against a
// local receiver that refuses every event's first delivery: every event
// arrives, signed, after a retry, and only one worker sends (the lease).
func TestTwoWorkersOnePostgres(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testenv.Postgres(t)
	events, err := postgres.New(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	store, err := New(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var secret string
	answers := map[string][]int{} // event id → statuses answered
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if err := webhooks.Verify(secret, r.Header.Get(webhooks.HeaderSignature), body, time.Now(), 5*time.Minute); err != nil {
			t.Errorf("unsigned delivery: %v", err)
		}
		id := r.Header.Get(webhooks.HeaderEventID)
		status := http.StatusOK
		if len(answers[id]) == 0 {
			status = http.StatusServiceUnavailable
		}
		answers[id] = append(answers[id], status)
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)

	guard := webhooks.NewGuard([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, true, nil)
	var svcs []*webhooks.Service
	for range 2 {
		svc, err := webhooks.New(webhooks.Config{Source: events, Store: store, Guard: guard,
			Locker:   relaypg.NewLocker(pool, relaypg.LockerConfig{RetryInterval: 50 * time.Millisecond}),
			RetryMin: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond, PollInterval: 20 * time.Millisecond, Refresh: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); svc.Run(runCtx) }() //nolint:errcheck
		t.Cleanup(func() { cancel(); <-done })
		svcs = append(svcs, svc)
	}
	ep, err := svcs[1].Create(ctx, webhooks.Spec{URL: srv.URL + "/erp", EventTypes: []string{webhooks.TypeOrderPaid}, Enabled: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	secret = ep.Secret
	mu.Unlock()

	const n = 20
	for i := range n {
		orderID := fmt.Sprintf("o%d", i)
		b, _ := json.Marshal(ordering.OrderPaid{OrderID: orderID, PaymentID: "p" + orderID, Amount: money.DTO{Amount: 100, Currency: "EUR"}})
		if _, err := events.Append(ctx, ordering.Stream(orderID), eventstore.Any(),
			eventstore.EventData{ID: uuid.NewString(), Type: ordering.EventOrderPaid, Data: b}); err != nil {
			t.Fatal(err)
		}
	}

	deadline := time.Now().Add(30 * time.Second)
	for {
		ds, err := store.Deliveries(ctx, ep.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		delivered := 0
		for _, d := range ds {
			if d.Status == webhooks.StatusDelivered {
				delivered++
			}
		}
		if delivered == n {
			if len(ds) != n {
				t.Fatalf("%d deliveries for %d events", len(ds), n)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d delivered: %+v", delivered, n, ds)
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(answers) != n {
		t.Fatalf("receiver saw %d events, want %d", len(answers), n)
	}
	for id, got := range answers {
		if len(got) != 2 || got[0] != 503 || got[1] != 200 {
			t.Errorf("event %s answered %v: want one refusal then one success (a second worker sending would show more)", id, got)
		}
	}
}
