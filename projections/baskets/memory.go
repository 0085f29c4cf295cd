package baskets

import (
	"context"
	"maps"
	"sync"
)

// Memory is the in-process Store for embedded mode and tests.
type Memory struct {
	mu         sync.RWMutex
	views      map[string]View
	checkpoint uint64
}

// NewMemory returns an empty store.
func NewMemory() *Memory { return &Memory{views: map[string]View{}} }

// Get implements Store.
func (m *Memory) Get(_ context.Context, basketID string) (View, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	v, ok := m.views[basketID]
	if !ok {
		return View{}, ErrNotFound
	}
	return v.clone(), nil
}

// Update implements Store.
func (m *Memory) Update(_ context.Context, basketID string, rev, pos uint64, fn func(*View)) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v := m.views[basketID].clone()
	if ok, err := guard(v.Version, rev); !ok {
		return false, err
	}
	fn(&v)
	v.Version, v.Position = rev+1, pos
	m.views[basketID] = v
	m.checkpoint = max(m.checkpoint, pos)
	return true, nil
}

// Checkpoint implements Store.
func (m *Memory) Checkpoint(context.Context) (uint64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.checkpoint, nil
}

// Reset implements Store.
func (m *Memory) Reset(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.views, m.checkpoint = map[string]View{}, 0
	return nil
}

// UpdateBatch implements BatchStore.
func (m *Memory) UpdateBatch(_ context.Context, ups []Update) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	changed, top, err := foldBatch(m.views, ups)
	if err != nil {
		return err
	}
	maps.Copy(m.views, changed)
	m.checkpoint = max(m.checkpoint, top)
	return nil
}
