// Package memory is the in-process client-profile store of the embedded
// shop and of unit tests.
package memory

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/evshop/shop/client"
	domain "github.com/evshop/shop/domain/client"
)

// Store implements client.Store in memory.
type Store struct {
	mu       sync.Mutex
	profiles map[string]client.Profile
	prefs    map[string]domain.Preferences
	erasures map[string][]client.Erasure
}

// New returns an empty store.
func New() *Store {
	return &Store{profiles: map[string]client.Profile{}, prefs: map[string]domain.Preferences{},
		erasures: map[string][]client.Erasure{}}
}

// CreateProfile implements client.Store.
func (s *Store) CreateProfile(ctx context.Context, p client.Profile) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.profiles[p.UserID]; ok {
		return false, nil
	}
	s.profiles[p.UserID] = p
	return true, nil
}

// GetProfile implements client.Store.
func (s *Store) GetProfile(ctx context.Context, userID string) (client.Profile, error) {
	if err := ctx.Err(); err != nil {
		return client.Profile{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.profiles[userID]
	if !ok {
		return client.Profile{}, fmt.Errorf("%w: %s", domain.ErrNotFound, userID)
	}
	return p, nil
}

// PutProfile implements client.Store.
func (s *Store) PutProfile(ctx context.Context, p client.Profile) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p.Erased = false
	s.profiles[p.UserID] = p
	return nil
}

// GetPreferences implements client.Store.
func (s *Store) GetPreferences(ctx context.Context, userID string) (domain.Preferences, error) {
	if err := ctx.Err(); err != nil {
		return domain.Preferences{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.prefs[userID]
	if !ok {
		return domain.Preferences{}, fmt.Errorf("%w: %s", domain.ErrNotFound, userID)
	}
	return p, nil
}

// PutPreferences implements client.Store.
func (s *Store) PutPreferences(ctx context.Context, userID string, p domain.Preferences) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prefs[userID] = p
	return nil
}

// Erase implements client.Store.
func (s *Store) Erase(ctx context.Context, userID string, e client.Erasure) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.profiles[userID] = client.Profile{UserID: userID, Erased: true, CreatedAt: e.At, UpdatedAt: e.At}
	delete(s.prefs, userID)
	s.erasures[userID] = append(s.erasures[userID], e)
	return nil
}

// Erasures implements client.Store.
func (s *Store) Erasures(ctx context.Context, userID string) ([]client.Erasure, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]client.Erasure{}, s.erasures[userID]...), nil
}

// Search implements client.Store by scanning every profile: the memory
// store holds a demo's or a test's few.
func (s *Store) Search(ctx context.Context, q client.CustomerQuery) (client.CustomerPage, error) {
	if err := ctx.Err(); err != nil {
		return client.CustomerPage{}, err
	}
	s.mu.Lock()
	var hits []client.Profile
	for _, p := range s.profiles {
		if q.Matches(p) {
			hits = append(hits, p)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(hits, client.Newer)
	out := client.CustomerPage{Items: []client.Profile{}, Total: len(hits)}
	if from := (q.Page - 1) * q.PageSize; from < len(hits) {
		out.Items = append(out.Items, hits[from:min(from+q.PageSize, len(hits))]...)
	}
	return out, nil
}
