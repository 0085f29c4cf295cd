// Package storetest is the contract suite of webhooks.Store. Every adapter
// (memstore, pgstore) runs it, so they cannot drift apart.
package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/evshop/shop/webhooks"
)

// Run runs every contract test against stores made by newStore (a fresh,
// empty store per call).
func Run(t *testing.T, newStore func(t *testing.T) webhooks.Store) {
	t.Run("Endpoints", func(t *testing.T) { t.Parallel(); Endpoints(t, newStore(t)) })
	t.Run("Outbox", func(t *testing.T) { t.Parallel(); Outbox(t, newStore(t)) })
}

// t0 has microsecond precision, like PostgreSQL timestamps.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func endpoint(id string, at time.Time) webhooks.Endpoint {
	return webhooks.Endpoint{ID: id, URL: "https://hooks.example.com/" + id, Description: "ERP", EventTypes: []string{webhooks.TypeOrderPaid},
		Secret: "whsec_0123456789abcdefghijklmnop", Enabled: true, CreatedAt: at, UpdatedAt: at}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Endpoints checks create, read, list, update and delete.
func Endpoints(t *testing.T, s webhooks.Store) {
	ctx := context.Background()
	a, b := endpoint("ep-a", t0), endpoint("ep-b", t0.Add(time.Second))
	must(t, s.CreateEndpoint(ctx, b))
	must(t, s.CreateEndpoint(ctx, a))
	b.URL, b.EventTypes, b.Enabled, b.UpdatedAt = "https://erp.example.com/in", []string{webhooks.TypeOrderCancelled, webhooks.TypeOrderShipped}, false, t0.Add(time.Minute)

	steps := []struct {
		name string
		do   func() error
		want error
	}{
		{"update", func() error { return s.UpdateEndpoint(ctx, b) }, nil},
		{"update unknown", func() error { return s.UpdateEndpoint(ctx, endpoint("nope", t0)) }, webhooks.ErrNotFound},
		{"read unknown", func() error { _, err := s.Endpoint(ctx, "nope"); return err }, webhooks.ErrNotFound},
		{"read back", func() error {
			got, err := s.Endpoint(ctx, "ep-b")
			if err == nil && !equalEndpoints(got, b) {
				t.Errorf("Endpoint = %+v, want %+v", got, b)
			}
			return err
		}, nil},
		{"list oldest first", func() error {
			got, err := s.Endpoints(ctx)
			if err == nil && (len(got) != 2 || !equalEndpoints(got[0], a) || !equalEndpoints(got[1], b)) {
				t.Errorf("Endpoints = %+v, want a then b", got)
			}
			return err
		}, nil},
		{"delete", func() error { return s.DeleteEndpoint(ctx, "ep-a") }, nil},
		{"deleted is gone", func() error { _, err := s.Endpoint(ctx, "ep-a"); return err }, webhooks.ErrNotFound},
		{"delete unknown", func() error { return s.DeleteEndpoint(ctx, "ep-a") }, webhooks.ErrNotFound},
	}
	for _, st := range steps { // in order: each builds on the last
		if err := st.do(); !errors.Is(err, st.want) {
			t.Fatalf("%s: err = %v, want %v", st.name, err, st.want)
		}
	}
}

func equalEndpoints(a, b webhooks.Endpoint) bool {
	return a.ID == b.ID && a.URL == b.URL && a.Description == b.Description && slices.Equal(a.EventTypes, b.EventTypes) &&
		a.Secret == b.Secret && a.Enabled == b.Enabled && a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt)
}

func delivery(id, endpointID, eventID string, at time.Time) webhooks.Delivery {
	return webhooks.Delivery{ID: id, EndpointID: endpointID, EventID: eventID, EventType: webhooks.TypeOrderPaid,
		Payload: []byte(`{"id":"` + eventID + `", "type":"order.paid.v1"}`), Status: webhooks.StatusPending,
		NextAttemptAt: at, Deadline: at.Add(24 * time.Hour), CreatedAt: at}
}

func ids(ds []webhooks.Delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

// Outbox checks the checkpoint, enqueuing, due deliveries, attempts, the
// log and redelivery.
func Outbox(t *testing.T, s webhooks.Store) {
	ctx := context.Background()
	must(t, s.CreateEndpoint(ctx, endpoint("ep-1", t0)))
	must(t, s.CreateEndpoint(ctx, endpoint("ep-2", t0)))

	checkpoint := func(want uint64) func() error {
		return func() error {
			got, err := s.Checkpoint(ctx)
			if err == nil && got != want {
				t.Errorf("Checkpoint = %d, want %d", got, want)
			}
			return err
		}
	}
	due := func(endpointID string, at time.Time, limit int, want ...string) func() error {
		return func() error {
			got, err := s.Due(ctx, endpointID, at, limit)
			if err == nil && !slices.Equal(ids(got), want) {
				t.Errorf("Due(%s, %s) = %v, want %v", endpointID, at.Format(time.TimeOnly), ids(got), want)
			}
			return err
		}
	}
	logOf := func(endpointID string, limit int, want ...string) func() error {
		return func() error {
			got, err := s.Deliveries(ctx, endpointID, limit)
			if err == nil && !slices.Equal(ids(got), want) {
				t.Errorf("Deliveries(%s) = %v, want %v", endpointID, ids(got), want)
			}
			return err
		}
	}
	d1, d2, d3 := delivery("d1", "ep-1", "ev1", t0), delivery("d2", "ep-1", "ev2", t0.Add(time.Second)), delivery("d3", "ep-2", "ev1", t0)
	steps := []struct {
		name string
		do   func() error
		want error
	}{
		{"no checkpoint yet", checkpoint(0), nil},
		{"enqueue", func() error {
			return s.Enqueue(ctx, 7, []webhooks.Delivery{d1, d2, d3, delivery("orphan", "ep-gone", "ev1", t0)})
		}, nil},
		{"checkpoint raised with the deliveries", checkpoint(7), nil},
		{"enqueue with nothing to deliver still moves the checkpoint", func() error { return s.Enqueue(ctx, 9, nil) }, nil},
		{"checkpoint 9", checkpoint(9), nil},
		{"a queued event is not queued twice, and the checkpoint never goes back", func() error {
			return s.Enqueue(ctx, 8, []webhooks.Delivery{delivery("d1-again", "ep-1", "ev1", t0)})
		}, nil},
		{"still 9", checkpoint(9), nil},
		{"orphan skipped", func() error { _, err := s.Delivery(ctx, "orphan"); return err }, webhooks.ErrNotFound},
		{"duplicate skipped", func() error { _, err := s.Delivery(ctx, "d1-again"); return err }, webhooks.ErrNotFound},
		{"payload kept byte for byte", func() error {
			got, err := s.Delivery(ctx, "d1")
			if err == nil && (string(got.Payload) != string(d1.Payload) || got.Status != webhooks.StatusPending || got.Attempts != 0 ||
				!got.Deadline.Equal(d1.Deadline) || !got.LastAttemptAt.IsZero()) {
				t.Errorf("Delivery(d1) = %+v", got)
			}
			return err
		}, nil},
		{"due: only what is due, earliest first, per endpoint", due("ep-1", t0, 10, "d1"), nil},
		{"due later: both", due("ep-1", t0.Add(time.Minute), 10, "d1", "d2"), nil},
		{"due respects the limit", due("ep-1", t0.Add(time.Minute), 1, "d1"), nil},
		{"other endpoint", due("ep-2", t0.Add(time.Minute), 10, "d3"), nil},
		{"failed attempt, retry later", func() error {
			return s.Record(ctx, "d1", webhooks.Attempt{At: t0.Add(time.Minute), StatusCode: 503, Error: "endpoint answered 503",
				Status: webhooks.StatusPending, Next: t0.Add(10 * time.Minute)})
		}, nil},
		{"not due before its retry", due("ep-1", t0.Add(2*time.Minute), 10, "d2"), nil},
		{"due at its retry", due("ep-1", t0.Add(10*time.Minute), 10, "d2", "d1"), nil},
		{"attempt recorded", func() error {
			got, err := s.Delivery(ctx, "d1")
			if err == nil && (got.Attempts != 1 || got.LastStatus != 503 || got.LastError != "endpoint answered 503" ||
				!got.LastAttemptAt.Equal(t0.Add(time.Minute)) || !got.NextAttemptAt.Equal(t0.Add(10*time.Minute))) {
				t.Errorf("Delivery(d1) after an attempt = %+v", got)
			}
			return err
		}, nil},
		{"delivered", func() error {
			return s.Record(ctx, "d1", webhooks.Attempt{At: t0.Add(10 * time.Minute), StatusCode: 200, Status: webhooks.StatusDelivered})
		}, nil},
		{"gave up", func() error {
			return s.Record(ctx, "d2", webhooks.Attempt{At: t0.Add(10 * time.Minute), Error: "connection refused", Status: webhooks.StatusFailed})
		}, nil},
		{"nothing due once delivered or failed", due("ep-1", t0.Add(48*time.Hour), 10), nil},
		{"record unknown", func() error { return s.Record(ctx, "nope", webhooks.Attempt{Status: webhooks.StatusDelivered}) }, webhooks.ErrNotFound},
		{"log newest first", logOf("ep-1", 10, "d2", "d1"), nil},
		{"log limit", logOf("ep-1", 1, "d2"), nil},
		{"redeliver", func() error { return s.Redeliver(ctx, "d2", t0.Add(time.Hour), t0.Add(25*time.Hour)) }, nil},
		{"redelivered is due", due("ep-1", t0.Add(time.Hour), 10, "d2"), nil},
		{"redelivered keeps its history, with a new deadline", func() error {
			got, err := s.Delivery(ctx, "d2")
			if err == nil && (got.Status != webhooks.StatusPending || got.Attempts != 1 || !got.Deadline.Equal(t0.Add(25*time.Hour))) {
				t.Errorf("Delivery(d2) after redelivery = %+v", got)
			}
			return err
		}, nil},
		{"redeliver unknown", func() error { return s.Redeliver(ctx, "nope", t0, t0) }, webhooks.ErrNotFound},
		{"deleting an endpoint deletes its deliveries", func() error { return s.DeleteEndpoint(ctx, "ep-1") }, nil},
		{"its deliveries are gone", func() error { _, err := s.Delivery(ctx, "d2"); return err }, webhooks.ErrNotFound},
		{"others stay", logOf("ep-2", 10, "d3"), nil},
	}
	for _, st := range steps {
		if err := st.do(); !errors.Is(err, st.want) {
			t.Fatalf("%s: err = %v, want %v", st.name, err, st.want)
		}
	}
}
