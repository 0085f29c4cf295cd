// Package memory is the in-process client-profile store of the embedded
// shop and of unit tests.
package memory

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/evshop/shop/client"
	domain "github.com/evshop/shop/domain/client"
)

// Store implements client.Store in memory.
type Store struct {
	mu       sync.Mutex
	profiles map[string]client.Profile
	prefs    map[string]domain.Preferences
}

// New returns an empty store.
func New() *Store {
	return &Store{profiles: map[string]client.Profile{}, prefs: map[string]domain.Preferences{}}
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
func (s *Store) Erase(ctx context.Context, userID string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.profiles[userID] = client.Profile{UserID: userID, Erased: true, CreatedAt: at, UpdatedAt: at}
	delete(s.prefs, userID)
	return nil
}
