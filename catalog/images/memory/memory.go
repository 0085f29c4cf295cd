// Package memory is the in-memory image store (tests, the in-memory shop).
package memory

import (
	"context"
	"sync"

	"github.com/evshop/shop/catalog/images"
)

// Store implements images.Store.
type Store struct {
	mu sync.RWMutex
	m  map[string]images.Image
}

// New returns an empty store.
func New() *Store { return &Store{m: map[string]images.Image{}} }

// Put implements images.Store.
func (s *Store) Put(_ context.Context, img images.Image) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[img.Name]; ok {
		return false, nil
	}
	img.Data = append([]byte(nil), img.Data...)
	s.m[img.Name] = img
	return true, nil
}

// Get implements images.Store.
func (s *Store) Get(_ context.Context, name string) (images.Image, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	img, ok := s.m[name]
	if !ok {
		return images.Image{}, images.ErrNotFound
	}
	img.Data = append([]byte(nil), img.Data...)
	return img, nil
}

// Delete implements images.Store.
func (s *Store) Delete(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, name)
	return nil
}
