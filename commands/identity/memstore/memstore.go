// Package memstore holds the in-memory adapters of the identity ports (user
// store with outbox, refresh-token sessions) for tests and the embedded shop.
// They keep the same transactional promises as the real adapters by doing
// each operation under one mutex.
package memstore

import (
	"context"
	"iter"
	"slices"
	"strings"
	"sync"
	"time"

	ident "github.com/evshop/shop/commands/identity"
	domain "github.com/evshop/shop/domain/identity"
	"github.com/evshop/shop/eventstore"
)

// Store implements identity.Store in memory.
type Store struct {
	mu      sync.Mutex
	users   map[string]domain.UserSnapshot // by id
	byEmail map[string]string              // email -> id
	tokens  map[string]ident.Token         // by id hash
	outbox  *Outbox
}

// New returns an empty store.
func New() *Store {
	return &Store{users: map[string]domain.UserSnapshot{}, byEmail: map[string]string{},
		tokens: map[string]ident.Token{}, outbox: &Outbox{revisions: map[string]uint64{}}}
}

// Outbox returns the store's outbox, read by the relay.
func (s *Store) Outbox() *Outbox { return s.outbox }

// CreateUser implements identity.Store.
func (s *Store) CreateUser(ctx context.Context, u *domain.User, ch ident.Change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := u.Snapshot()
	if _, ok := s.byEmail[snap.Email]; ok {
		return ident.ErrEmailTaken
	}
	if _, ok := s.users[snap.ID]; ok {
		return ident.ErrEmailTaken
	}
	s.users[snap.ID] = snap
	s.byEmail[snap.Email] = snap.ID
	s.apply(snap.ID, ch)
	return nil
}

// UserByEmail implements identity.Store.
func (s *Store) UserByEmail(ctx context.Context, email domain.Email) (*domain.User, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	id, ok := s.byEmail[email.String()]
	s.mu.Unlock()
	if !ok {
		return nil, ident.ErrUserNotFound
	}
	return s.UserByID(ctx, id)
}

// UserByID implements identity.Store.
func (s *Store) UserByID(ctx context.Context, id string) (*domain.User, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	snap, ok := s.users[id]
	s.mu.Unlock()
	if !ok {
		return nil, ident.ErrUserNotFound
	}
	return domain.RehydrateUser(snap)
}

// UpdateUser implements identity.Store.
func (s *Store) UpdateUser(ctx context.Context, id string, fn func(*domain.User) (ident.Change, error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.updateLocked(id, fn)
}

func (s *Store) updateLocked(id string, fn func(*domain.User) (ident.Change, error)) error {
	snap, ok := s.users[id]
	if !ok {
		return ident.ErrUserNotFound
	}
	u, err := domain.RehydrateUser(snap)
	if err != nil {
		return err
	}
	ch, err := fn(u)
	if err != nil {
		return err
	}
	s.users[id] = u.Snapshot()
	s.apply(id, ch)
	return nil
}

// ConsumeToken implements identity.Store.
func (s *Store) ConsumeToken(ctx context.Context, purpose ident.Purpose, idHash, userID string, now time.Time, fn func(*domain.User, ident.Token) (ident.Change, error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tok, ok := s.tokens[idHash]
	if !ok || tok.Purpose != purpose || tok.UserID != userID || !now.Before(tok.ExpiresAt) {
		return ident.ErrTokenInvalid
	}
	// fn runs before the delete is kept, so a failing fn leaves the token
	// usable, as a rolled-back transaction would.
	if err := s.updateLocked(userID, func(u *domain.User) (ident.Change, error) { return fn(u, tok) }); err != nil {
		return err
	}
	delete(s.tokens, idHash)
	return nil
}

// apply stores the change; s.mu is held.
func (s *Store) apply(userID string, ch ident.Change) {
	if ch.Token != nil {
		for h, t := range s.tokens {
			if t.UserID == ch.Token.UserID && t.Purpose == ch.Token.Purpose {
				delete(s.tokens, h)
			}
		}
		s.tokens[ch.Token.IDHash] = *ch.Token
	}
	s.outbox.append(domain.Stream(userID), ch.Events)
}

// Outbox is the in-memory outbox.
type Outbox struct {
	mu        sync.RWMutex
	events    []eventstore.RecordedEvent
	revisions map[string]uint64 // next revision per stream
}

func (o *Outbox) append(stream string, events []eventstore.EventData) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, e := range events {
		rev := o.revisions[stream]
		o.revisions[stream] = rev + 1
		o.events = append(o.events, eventstore.RecordedEvent{ID: e.ID, Stream: stream, Revision: rev,
			Position: uint64(len(o.events)) + 1, Type: e.Type, Time: time.Now().UTC(), Data: append([]byte(nil), e.Data...),
			Metadata: e.Metadata})
	}
}

// ReadAll streams outbox events with Position > after in order.
func (o *Outbox) ReadAll(ctx context.Context, after uint64, f eventstore.Filter) iter.Seq2[eventstore.RecordedEvent, error] {
	return func(yield func(eventstore.RecordedEvent, error) bool) {
		o.mu.RLock()
		var batch []eventstore.RecordedEvent
		if after < uint64(len(o.events)) {
			batch = append(batch, o.events[after:]...)
		}
		o.mu.RUnlock()
		for _, e := range batch {
			if err := ctx.Err(); err != nil {
				yield(eventstore.RecordedEvent{}, err)
				return
			}
			if f.Match(e) && !yield(e, nil) {
				return
			}
		}
	}
}

// HeadPosition is the position of the newest outbox event (0 when empty).
func (o *Outbox) HeadPosition(ctx context.Context) (uint64, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return uint64(len(o.events)), ctx.Err()
}

// UpdateRoles implements identity.Store; the store's one mutex serialises
// role changes with everything else.
func (s *Store) UpdateRoles(ctx context.Context, id string, fn func(*domain.User, int) (ident.Change, error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	admins := 0
	for _, u := range s.users {
		if u.EmailVerified && slices.Contains(u.Roles, string(domain.RoleAdmin)) {
			admins++
		}
	}
	return s.updateLocked(id, func(u *domain.User) (ident.Change, error) { return fn(u, admins) })
}

// Staff implements identity.Store.
func (s *Store) Staff(ctx context.Context) ([]*domain.User, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	var snaps []domain.UserSnapshot
	for _, u := range s.users {
		if slices.Contains(u.Roles, string(domain.RoleSupport)) || slices.Contains(u.Roles, string(domain.RoleAdmin)) {
			snaps = append(snaps, u)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(snaps, func(a, b domain.UserSnapshot) int { return strings.Compare(a.Email, b.Email) })
	out := make([]*domain.User, 0, len(snaps))
	for _, snap := range snaps {
		u, err := domain.RehydrateUser(snap)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// RoleEvents implements identity.Store.
func (s *Store) RoleEvents(ctx context.Context, before uint64, limit int) ([]eventstore.RecordedEvent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	types := ident.RoleEventTypes()
	o := s.outbox
	o.mu.RLock()
	defer o.mu.RUnlock()
	var out []eventstore.RecordedEvent
	for i := len(o.events) - 1; i >= 0 && len(out) < limit; i-- {
		e := o.events[i]
		if (before == 0 || e.Position < before) && slices.Contains(types, e.Type) {
			out = append(out, e)
		}
	}
	return out, nil
}
