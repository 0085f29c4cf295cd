// Package memstore holds the in-memory adapters of the notifier's ports
// (delivery log, order book, basket tracker) for tests and the embedded shop,
// plus a small in-memory marketing-preferences book for the embedded shop
// until the client service provides one.
package memstore

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"github.com/evshop/shop/notifier"
)

// Store implements notifier.DeliveryLog,
// notifier.BasketStore and notifier.BackInStock.
type Store struct {
	mu         sync.Mutex
	deliveries map[string]*delivery
	baskets    map[string]notifier.Basket
	checkpoint uint64 // the basket tracker's
	// backInStock: sku -> the customers waiting for it
	backInStock map[string][]waiting
}

type delivery struct {
	notifier.Delivery
	leaseUntil time.Time
}

// New returns an empty store.
func New() *Store {
	return &Store{deliveries: map[string]*delivery{}, baskets: map[string]notifier.Basket{}}
}

// Claim implements notifier.DeliveryLog.
func (s *Store) Claim(ctx context.Context, c notifier.Claim) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.deliveries[c.Key]
	if !ok {
		s.deliveries[c.Key] = &delivery{Delivery: notifier.Delivery{Key: c.Key, Kind: c.Kind, To: c.To, Status: notifier.StatusPending,
			Attempts: 1, CreatedAt: c.Now.UTC(), UpdatedAt: c.Now.UTC()}, leaseUntil: c.Now.Add(c.Lease)}
		return nil
	}
	switch {
	case d.Status == notifier.StatusSent:
		return notifier.ErrAlreadySent
	case d.Status == notifier.StatusFailed:
		return notifier.ErrAlreadyFailed
	case c.Now.Before(d.leaseUntil):
		return notifier.ErrInFlight
	}
	d.Attempts++
	d.To, d.Kind, d.UpdatedAt, d.leaseUntil = c.To, c.Kind, c.Now.UTC(), c.Now.Add(c.Lease)
	return nil
}

func (s *Store) update(key string, fn func(*delivery)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.deliveries[key]
	if !ok {
		return notifier.ErrNotFound
	}
	fn(d)
	return nil
}

// MarkSent implements notifier.DeliveryLog.
func (s *Store) MarkSent(_ context.Context, key, messageID string, now time.Time) error {
	return s.update(key, func(d *delivery) {
		d.Status, d.MessageID, d.LastError, d.UpdatedAt = notifier.StatusSent, messageID, "", now.UTC()
	})
}

// MarkFailed implements notifier.DeliveryLog.
func (s *Store) MarkFailed(_ context.Context, key, reason string, now time.Time) error {
	return s.update(key, func(d *delivery) {
		d.Status, d.LastError, d.UpdatedAt = notifier.StatusFailed, reason, now.UTC()
	})
}

// Release implements notifier.DeliveryLog.
func (s *Store) Release(_ context.Context, key, reason string, now time.Time) error {
	return s.update(key, func(d *delivery) {
		if d.Status == notifier.StatusPending {
			d.LastError, d.UpdatedAt, d.leaseUntil = reason, now.UTC(), now
		}
	})
}

// Get implements notifier.DeliveryLog.
func (s *Store) Get(_ context.Context, key string) (notifier.Delivery, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.deliveries[key]
	if !ok {
		return notifier.Delivery{}, notifier.ErrNotFound
	}
	return d.Delivery, nil
}

// Failed implements notifier.DeliveryLog.
func (s *Store) Failed(_ context.Context, limit int) ([]notifier.Delivery, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []notifier.Delivery
	for _, d := range s.deliveries {
		if d.Status == notifier.StatusFailed {
			out = append(out, d.Delivery)
		}
	}
	slices.SortFunc(out, func(a, b notifier.Delivery) int {
		return cmp.Or(b.UpdatedAt.Compare(a.UpdatedAt), cmp.Compare(a.Key, b.Key))
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// TrackBaskets implements notifier.BasketStore: folded on copies, stored
// only when the whole batch folded and ctx is still live.
func (s *Store) TrackBaskets(ctx context.Context, folds []notifier.BasketFold, checkpoint uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	read := map[string]notifier.Basket{}
	for _, id := range notifier.BasketIDs(folds) {
		if b, ok := s.baskets[id]; ok {
			read[id] = clone(b)
		}
	}
	changed := notifier.FoldBaskets(read, folds)
	if err := ctx.Err(); err != nil {
		return err // like a transaction whose context ended before its commit
	}
	for id, b := range changed {
		s.baskets[id] = clone(b)
	}
	s.checkpoint = max(s.checkpoint, checkpoint)
	return nil
}

// BasketCheckpoint implements notifier.BasketStore.
func (s *Store) BasketCheckpoint(ctx context.Context) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.checkpoint, ctx.Err()
}

// DueBaskets implements notifier.BasketStore.
func (s *Store) DueBaskets(_ context.Context, idleSince time.Time, limit int) ([]notifier.Basket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []notifier.Basket
	for _, b := range s.baskets {
		if b.Items() > 0 && !b.LastActivity.After(idleSince) && b.RemindedCycle != b.CycleID {
			out = append(out, clone(b))
		}
	}
	slices.SortFunc(out, func(a, b notifier.Basket) int {
		return cmp.Or(a.LastActivity.Compare(b.LastActivity), cmp.Compare(a.BasketID, b.BasketID))
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// MarkReminded implements notifier.BasketStore.
func (s *Store) MarkReminded(_ context.Context, id, cycleID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.baskets[id]
	if !ok {
		return notifier.ErrNotFound
	}
	if b.CycleID == cycleID {
		b.RemindedCycle = cycleID
		s.baskets[id] = b
	}
	return nil
}

// clone deep-copies through JSON so callers never share slices with the store.
func clone[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		return v
	}
	return out
}

// Preferences is an in-memory marketing-preferences book: it implements
// notifier.MarketingPreferences, notifier.MarketingOptOut and
// notifier.Recipients for tests and the embedded shop.
type Preferences struct {
	mu       sync.Mutex
	contacts map[string]notifier.MarketingContact
}

// NewPreferences returns an empty book.
func NewPreferences() *Preferences {
	return &Preferences{contacts: map[string]notifier.MarketingContact{}}
}

// Set records a customer's contact and consent.
func (p *Preferences) Set(customerID string, c notifier.MarketingContact) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.contacts[customerID] = c
}

// OptedIn implements notifier.MarketingPreferences.
func (p *Preferences) OptedIn(_ context.Context, customerID string) (notifier.MarketingContact, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.contacts[customerID], nil
}

// OptOut implements notifier.MarketingOptOut.
func (p *Preferences) OptOut(_ context.Context, customerID string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.contacts[customerID]
	c.OptedIn = false
	p.contacts[customerID] = c
	return nil
}

// Recipient implements notifier.Recipients.
func (p *Preferences) Recipient(_ context.Context, customerID string) (notifier.Recipient, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.contacts[customerID]
	if !ok {
		return notifier.Recipient{}, notifier.ErrNotFound
	}
	return notifier.Recipient{Email: c.Email, Name: c.Name, Lang: c.Lang}, nil
}

type waiting struct {
	customerID string
	since      time.Time
}

// Subscribe implements notifier.BackInStock.
func (s *Store) Subscribe(ctx context.Context, sku, customerID string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.backInStock == nil {
		s.backInStock = map[string][]waiting{}
	}
	if !slices.ContainsFunc(s.backInStock[sku], func(w waiting) bool { return w.customerID == customerID }) {
		s.backInStock[sku] = append(s.backInStock[sku], waiting{customerID, at})
	}
	return ctx.Err()
}

// Unsubscribe implements notifier.BackInStock.
func (s *Store) Unsubscribe(ctx context.Context, sku, customerID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.backInStock[sku] = slices.DeleteFunc(s.backInStock[sku], func(w waiting) bool { return w.customerID == customerID })
	return ctx.Err()
}

// Subscribed implements notifier.BackInStock.
func (s *Store) Subscribed(ctx context.Context, sku, customerID string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.ContainsFunc(s.backInStock[sku], func(w waiting) bool { return w.customerID == customerID }), ctx.Err()
}

// Subscribers implements notifier.BackInStock, oldest request first.
func (s *Store) Subscribers(ctx context.Context, sku string) ([]string, error) {
	s.mu.Lock()
	list := slices.Clone(s.backInStock[sku])
	s.mu.Unlock()
	slices.SortStableFunc(list, func(a, b waiting) int {
		return cmp.Or(a.since.Compare(b.since), cmp.Compare(a.customerID, b.customerID))
	})
	ids := make([]string, len(list))
	for i, w := range list {
		ids[i] = w.customerID
	}
	return ids, ctx.Err()
}
