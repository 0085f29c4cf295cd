package webhooks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/eventstoretest"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/webhooks"
	"github.com/evshop/shop/webhooks/memstore"
)

// loopbackOnly is the allow-list the tests' local receivers need.
var loopbackOnly = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

type harness struct {
	svc    *webhooks.Service
	events *memory.Store
	store  *memstore.Store
}

// start runs a webhook service on a memory event store and store, with
// retries in milliseconds so a test sees several attempts.
func start(t *testing.T, guard *webhooks.Guard, edit func(*webhooks.Config)) *harness {
	t.Helper()
	h := &harness{events: memory.New(), store: memstore.New()}
	cfg := webhooks.Config{Source: h.events, Store: h.store, Guard: guard, Timeout: 5 * time.Second,
		RetryMin: 5 * time.Millisecond, RetryMax: 20 * time.Millisecond, PollInterval: 5 * time.Millisecond}
	if edit != nil {
		edit(&cfg)
	}
	svc, err := webhooks.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.svc = svc
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); svc.Run(ctx) }() //nolint:errcheck
	t.Cleanup(func() { cancel(); <-done })
	return h
}

func (h *harness) register(t *testing.T, url string, types ...string) webhooks.Endpoint {
	t.Helper()
	ep, err := h.svc.Create(context.Background(), webhooks.Spec{URL: url, EventTypes: types, Enabled: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

// paid appends an OrderPaid event and returns its id.
func (h *harness) paid(t *testing.T, orderID string) string {
	t.Helper()
	b, _ := json.Marshal(ordering.OrderPaid{OrderID: orderID, PaymentID: "p-" + orderID, Amount: money.DTO{Amount: 1200, Currency: "EUR"}})
	id := uuid.NewString()
	if _, err := h.events.Append(context.Background(), ordering.Stream(orderID), eventstore.Any(),
		eventstore.EventData{ID: id, Type: ordering.EventOrderPaid, Data: b}); err != nil {
		t.Fatal(err)
	}
	return id
}

// waitFor polls the endpoint's log until cond holds for its deliveries.
func (h *harness) waitFor(t *testing.T, endpointID, what string, cond func([]webhooks.Delivery) bool) []webhooks.Delivery {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ds, err := h.store.Deliveries(context.Background(), endpointID, 100)
		if err != nil {
			t.Fatal(err)
		}
		if cond(ds) {
			return ds
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s; deliveries: %+v", what, ds)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func oneWith(status webhooks.Status) func([]webhooks.Delivery) bool {
	return func(ds []webhooks.Delivery) bool { return len(ds) == 1 && ds[0].Status == status }
}

// receiver is a local endpoint that verifies every request the way
// docs/webhooks.md tells integrators to, and answers from a script.
type receiver struct {
	t      *testing.T
	mu     sync.Mutex
	secret string
	script []int // status per request; the last one repeats
	got    []http.Header
	bodies []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if err := webhooks.Verify(rc.secret, r.Header.Get(webhooks.HeaderSignature), body, time.Now(), 5*time.Minute); err != nil {
		rc.t.Errorf("delivery %d: %v", len(rc.got)+1, err)
	}
	rc.got, rc.bodies = append(rc.got, r.Header.Clone()), append(rc.bodies, string(body))
	w.WriteHeader(rc.script[min(len(rc.got), len(rc.script))-1])
}

func (rc *receiver) requests() ([]http.Header, []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.got, rc.bodies
}

func TestRetriesUntilTheReceiverAccepts(t *testing.T) {
	t.Parallel()
	h := start(t, webhooks.NewGuard(loopbackOnly, true, nil), nil)
	rc := &receiver{t: t, script: []int{500, 503, 204}}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	ep := h.register(t, srv.URL+"/hooks", webhooks.TypeOrderPaid)
	rc.mu.Lock()
	rc.secret = ep.Secret
	rc.mu.Unlock()
	eventID := h.paid(t, "o1")

	ds := h.waitFor(t, ep.ID, "the third attempt to succeed", oneWith(webhooks.StatusDelivered))
	if d := ds[0]; d.Attempts != 3 || d.LastStatus != 204 || d.EventID != eventID {
		t.Fatalf("delivery = %+v, want delivered on the 3rd attempt", d)
	}
	headers, bodies := rc.requests()
	if len(headers) != 3 {
		t.Fatalf("receiver got %d requests, want 3", len(headers))
	}
	for i, hd := range headers {
		if hd.Get(webhooks.HeaderEventID) != eventID || hd.Get(webhooks.HeaderEventType) != webhooks.TypeOrderPaid || bodies[i] != bodies[0] {
			t.Errorf("request %d: headers %v body %s: want the same event, id and body on every retry", i+1, hd, bodies[i])
		}
	}
	var ev struct {
		ID, Type string
		Data     webhooks.OrderPaid
	}
	if err := json.Unmarshal([]byte(bodies[0]), &ev); err != nil || ev.ID != eventID || ev.Data.OrderID != "o1" || ev.Data.Amount.Minor != 1200 {
		t.Fatalf("body %s (%v)", bodies[0], err)
	}
}

func TestFailsAfterTheRetryWindowThenRedelivers(t *testing.T) {
	t.Parallel()
	h := start(t, webhooks.NewGuard(loopbackOnly, true, nil), func(c *webhooks.Config) { c.RetryFor = 30 * time.Millisecond })
	rc := &receiver{t: t, script: []int{500}}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	ep := h.register(t, srv.URL, webhooks.TypeOrderPaid)
	rc.mu.Lock()
	rc.secret = ep.Secret
	rc.mu.Unlock()
	h.paid(t, "o1")

	failed := h.waitFor(t, ep.ID, "the delivery to fail", oneWith(webhooks.StatusFailed))[0]
	if failed.LastStatus != 500 || !strings.Contains(failed.LastError, "500") || failed.Attempts < 2 {
		t.Fatalf("failed delivery = %+v, want several attempts answered 500", failed)
	}
	rc.mu.Lock()
	rc.script = append(slices.Repeat([]int{500}, len(rc.got)), 200)
	rc.mu.Unlock()
	if _, err := h.svc.Redeliver(context.Background(), "other-endpoint", failed.ID); err == nil {
		t.Fatal("redelivered through another endpoint's path")
	}
	if _, err := h.svc.Redeliver(context.Background(), ep.ID, failed.ID); err != nil {
		t.Fatal(err)
	}
	d := h.waitFor(t, ep.ID, "the redelivery", oneWith(webhooks.StatusDelivered))[0]
	if d.Attempts != failed.Attempts+1 || d.LastStatus != 200 {
		t.Fatalf("redelivered = %+v, want one more attempt, answered 200", d)
	}
}

func TestSlowEndpointDelaysNoOther(t *testing.T) {
	t.Parallel()
	h := start(t, webhooks.NewGuard(loopbackOnly, true, nil), func(c *webhooks.Config) { c.Concurrency = 1 })
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) }) // runs first: frees the slow handler
	fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(fast.Close)
	slowEP := h.register(t, slow.URL, webhooks.TypeOrderPaid)
	fastEP := h.register(t, fast.URL, webhooks.TypeOrderPaid)
	for _, o := range []string{"o1", "o2", "o3"} {
		h.paid(t, o)
	}
	h.waitFor(t, fastEP.ID, "the fast endpoint's three deliveries", func(ds []webhooks.Delivery) bool {
		n := 0
		for _, d := range ds {
			if d.Status == webhooks.StatusDelivered {
				n++
			}
		}
		return n == 3
	})
	ds, _ := h.store.Deliveries(context.Background(), slowEP.ID, 10)
	for _, d := range ds {
		if d.Status != webhooks.StatusPending || d.Attempts != 0 {
			t.Fatalf("slow endpoint's delivery = %+v: still held by its first request, it should be pending", d)
		}
	}
}

func TestDispatchesOnlyWhatAnEndpointAskedFor(t *testing.T) {
	t.Parallel()
	h := start(t, webhooks.NewGuard(loopbackOnly, true, nil), nil)
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(srv.Close)
	h.paid(t, "before") // happened before any endpoint existed
	paid := h.register(t, srv.URL, webhooks.TypeOrderPaid)
	shipped := h.register(t, srv.URL, webhooks.TypeOrderShipped)
	off, err := h.svc.Create(context.Background(), webhooks.Spec{URL: srv.URL, EventTypes: []string{webhooks.TypeOrderPaid}}, "")
	if err != nil {
		t.Fatal(err)
	}
	id := h.paid(t, "after")
	b, _ := json.Marshal(ordering.OrderShipped{OrderID: "after", Carrier: "DHL", TrackingNumber: "1"})
	if _, err := h.events.Append(context.Background(), ordering.Stream("after"), eventstore.Any(),
		eventstore.EventData{ID: uuid.NewString(), Type: ordering.EventOrderShipped, Data: b}); err != nil {
		t.Fatal(err)
	}
	got := h.waitFor(t, shipped.ID, "the shipment", oneWith(webhooks.StatusDelivered))
	if got[0].EventType != webhooks.TypeOrderShipped {
		t.Fatalf("shipped endpoint got %+v", got)
	}
	if got := h.waitFor(t, paid.ID, "the payment", oneWith(webhooks.StatusDelivered)); got[0].EventID != id {
		t.Fatalf("paid endpoint got %+v, want only the event after it registered", got)
	}
	if ds, _ := h.store.Deliveries(context.Background(), off.ID, 10); len(ds) != 0 {
		t.Fatalf("disabled endpoint got %+v", ds)
	}
}

func TestGuardRefusesAtDialTime(t *testing.T) {
	t.Parallel()
	// The endpoint passed registration with an address that later changed
	// (DNS rebinding): here, stored straight into the store, pointing at a
	// local receiver that no allow-list admits.
	h := start(t, webhooks.NewGuard(nil, false, nil), func(c *webhooks.Config) { c.RetryFor = 20 * time.Millisecond })
	hit := make(chan struct{}, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit <- struct{}{} }))
	t.Cleanup(srv.Close)
	ep := webhooks.NewEndpoint(webhooks.Spec{URL: srv.URL, EventTypes: []string{webhooks.TypeOrderPaid}, Enabled: true}, webhooks.NewSecret(), time.Now())
	if err := h.store.CreateEndpoint(context.Background(), ep); err != nil {
		t.Fatal(err)
	}
	h.svc.Refresh()
	h.paid(t, "o1")
	d := h.waitFor(t, ep.ID, "the refusal", oneWith(webhooks.StatusFailed))[0]
	if !strings.Contains(d.LastError, "refusing to dial") || !strings.Contains(d.LastError, "loopback") || d.LastStatus != 0 {
		t.Fatalf("delivery = %+v, want refused at dial time as loopback", d)
	}
	if len(hit) != 0 {
		t.Fatal("the receiver was reached")
	}
	if _, err := h.svc.Update(context.Background(), ep.ID, webhooks.Spec{URL: srv.URL, EventTypes: ep.EventTypes}); err == nil {
		t.Fatal("re-registering the loopback URL was accepted")
	}
}

// TestNoEndpointNoReads: while no endpoint is enabled the dispatcher reads
// no events at all, yet its checkpoint follows the store, and an endpoint
// registered later hears only of what happened after it.
func TestNoEndpointNoReads(t *testing.T) {
	t.Parallel()
	src := eventstoretest.NewCountingReads()
	h := start(t, webhooks.NewGuard(loopbackOnly, true, nil), func(c *webhooks.Config) {
		c.Source, c.IdleCheckpointEvery = src, 20*time.Millisecond
	})
	h.events = src.Store
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(srv.Close)
	if _, err := h.svc.Create(context.Background(), webhooks.Spec{URL: srv.URL, EventTypes: []string{webhooks.TypeOrderPaid}}, ""); err != nil {
		t.Fatal(err) // disabled: listens to nothing
	}
	for i := range 20 {
		h.paid(t, fmt.Sprintf("nobody-%d", i))
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		cp, err := h.store.Checkpoint(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if cp == 20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("checkpoint %d, want 20", cp)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := src.Reads.Load(); n != 0 {
		t.Fatalf("%d reads of the events while no endpoint listened", n)
	}
	ep := h.register(t, srv.URL, webhooks.TypeOrderPaid)
	id := h.paid(t, "heard")
	if got := h.waitFor(t, ep.ID, "the payment after registering", oneWith(webhooks.StatusDelivered)); got[0].EventID != id {
		t.Fatalf("endpoint got %+v, want only the event after it registered", got)
	}
}
