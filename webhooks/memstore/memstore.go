// Package memstore is the in-memory adapter of webhooks.Store (embedded
// mode and tests).
package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/evshop/shop/webhooks"
)

// Store keeps endpoints and deliveries in maps.
type Store struct {
	mu         sync.Mutex
	endpoints  map[string]webhooks.Endpoint
	deliveries map[string]webhooks.Delivery
	queued     map[[2]string]bool // endpoint id, event id
	checkpoint uint64
}

// New returns an empty store.
func New() *Store {
	return &Store{endpoints: map[string]webhooks.Endpoint{}, deliveries: map[string]webhooks.Delivery{}, queued: map[[2]string]bool{}}
}

var _ webhooks.Store = (*Store)(nil)

func cloneEndpoint(e webhooks.Endpoint) webhooks.Endpoint {
	e.EventTypes = slices.Clone(e.EventTypes)
	return e
}

func cloneDelivery(d webhooks.Delivery) webhooks.Delivery {
	d.Payload = slices.Clone(d.Payload)
	return d
}

// CreateEndpoint adds e.
func (s *Store) CreateEndpoint(ctx context.Context, e webhooks.Endpoint) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.endpoints[e.ID]; ok {
		return fmt.Errorf("memstore: endpoint %s exists", e.ID)
	}
	s.endpoints[e.ID] = cloneEndpoint(e)
	return nil
}

// UpdateEndpoint replaces the endpoint e.ID.
func (s *Store) UpdateEndpoint(ctx context.Context, e webhooks.Endpoint) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.endpoints[e.ID]; !ok {
		return webhooks.ErrNotFound
	}
	s.endpoints[e.ID] = cloneEndpoint(e)
	return nil
}

// Endpoint returns one endpoint.
func (s *Store) Endpoint(ctx context.Context, id string) (webhooks.Endpoint, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.endpoints[id]
	if !ok {
		return webhooks.Endpoint{}, webhooks.ErrNotFound
	}
	return cloneEndpoint(e), nil
}

// Endpoints lists every endpoint, oldest first.
func (s *Store) Endpoints(ctx context.Context) ([]webhooks.Endpoint, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]webhooks.Endpoint, 0, len(s.endpoints))
	for _, e := range s.endpoints {
		out = append(out, cloneEndpoint(e))
	}
	slices.SortFunc(out, func(a, b webhooks.Endpoint) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// DeleteEndpoint removes the endpoint and its deliveries.
func (s *Store) DeleteEndpoint(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.endpoints[id]; !ok {
		return webhooks.ErrNotFound
	}
	delete(s.endpoints, id)
	for did, d := range s.deliveries {
		if d.EndpointID == id {
			delete(s.deliveries, did)
			delete(s.queued, [2]string{id, d.EventID})
		}
	}
	return nil
}

// Checkpoint returns the last dispatched position.
func (s *Store) Checkpoint(ctx context.Context) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.checkpoint, nil
}

// Enqueue adds the deliveries not queued yet and raises the checkpoint.
func (s *Store) Enqueue(ctx context.Context, through uint64, ds []webhooks.Delivery) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range ds {
		key := [2]string{d.EndpointID, d.EventID}
		if _, ok := s.endpoints[d.EndpointID]; !ok || s.queued[key] {
			continue
		}
		s.queued[key] = true
		s.deliveries[d.ID] = cloneDelivery(d)
	}
	s.checkpoint = max(s.checkpoint, through)
	return nil
}

// Due returns an endpoint's pending deliveries due at now.
func (s *Store) Due(ctx context.Context, endpointID string, now time.Time, limit int) ([]webhooks.Delivery, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []webhooks.Delivery
	for _, d := range s.deliveries {
		if d.EndpointID == endpointID && d.Status == webhooks.StatusPending && !d.NextAttemptAt.After(now) {
			out = append(out, cloneDelivery(d))
		}
	}
	slices.SortFunc(out, func(a, b webhooks.Delivery) int {
		return cmp.Or(a.NextAttemptAt.Compare(b.NextAttemptAt), a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out[:min(limit, len(out))], nil
}

// Record stores an attempt.
func (s *Store) Record(ctx context.Context, id string, a webhooks.Attempt) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.deliveries[id]
	if !ok {
		return webhooks.ErrNotFound
	}
	d.Attempts++
	d.LastAttemptAt, d.LastStatus, d.LastError, d.Status = a.At, a.StatusCode, a.Error, a.Status
	if a.Status == webhooks.StatusPending {
		d.NextAttemptAt = a.Next
	}
	s.deliveries[id] = d
	return nil
}

// Deliveries is an endpoint's log, newest first.
func (s *Store) Deliveries(ctx context.Context, endpointID string, limit int) ([]webhooks.Delivery, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []webhooks.Delivery
	for _, d := range s.deliveries {
		if d.EndpointID == endpointID {
			out = append(out, cloneDelivery(d))
		}
	}
	slices.SortFunc(out, func(a, b webhooks.Delivery) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	return out[:min(limit, len(out))], nil
}

// Delivery returns one delivery.
func (s *Store) Delivery(ctx context.Context, id string) (webhooks.Delivery, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.deliveries[id]
	if !ok {
		return webhooks.Delivery{}, webhooks.ErrNotFound
	}
	return cloneDelivery(d), nil
}

// Redeliver makes a delivery pending again.
func (s *Store) Redeliver(ctx context.Context, id string, now, deadline time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.deliveries[id]
	if !ok {
		return webhooks.ErrNotFound
	}
	d.Status, d.NextAttemptAt, d.Deadline = webhooks.StatusPending, now, deadline
	s.deliveries[id] = d
	return nil
}
