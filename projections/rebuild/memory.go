package rebuild

import (
	"context"
	"errors"
	"sync"

	"github.com/evshop/shop/eventstore"
)

// Live holds the current read model of an embedded (in-memory) projection
// and lets a rebuild replace it atomically. Live writes share the lock; a
// swap takes it exclusively, so no live write can land on the old model
// after the catch-up.
type Live[S any] struct {
	mu  sync.RWMutex
	cur S
}

// NewLive returns a holder of s.
func NewLive[S any](s S) *Live[S] { return &Live[S]{cur: s} }

// Current returns the read model to read from.
func (l *Live[S]) Current() S {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.cur
}

// Write runs a live projector write against the current model.
func (l *Live[S]) Write(fn func(S) error) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return fn(l.cur)
}

// Replace holds live writes off, runs catchUp, then installs next.
func (l *Live[S]) Replace(ctx context.Context, next S, catchUp func(context.Context) error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if catchUp != nil {
		if err := catchUp(ctx); err != nil {
			return err
		}
	}
	l.cur = next
	return nil
}

// MemoryConfig describes an embedded projection to rebuild.
type MemoryConfig[S any] struct {
	Name   string
	Filter eventstore.Filter
	Live   *Live[S]
	// New returns an empty read model.
	New func() S
	// Apply folds one event into a model (the projector's Handle).
	Apply func(ctx context.Context, s S, ev eventstore.RecordedEvent) error
	// Checkpoint reads a model's checkpoint.
	Checkpoint func(ctx context.Context, s S) (uint64, error)
}

// MemoryProjection rebuilds an in-memory read model into a fresh instance.
// Embedded mode has one process, so the shadow lives only as long as it.
type MemoryProjection[S any] struct {
	cfg    MemoryConfig[S]
	mu     sync.Mutex
	shadow *S
}

// NewMemoryProjection validates cfg.
func NewMemoryProjection[S any](cfg MemoryConfig[S]) (*MemoryProjection[S], error) {
	if cfg.Live == nil || cfg.New == nil || cfg.Apply == nil || cfg.Checkpoint == nil || !ValidName(cfg.Name) {
		return nil, errors.New("rebuild: memory projection needs a valid Name, Live, New, Apply and Checkpoint")
	}
	return &MemoryProjection[S]{cfg: cfg}, nil
}

// Name implements Projection.
func (m *MemoryProjection[S]) Name() string { return m.cfg.Name }

// Filter implements Projection.
func (m *MemoryProjection[S]) Filter() eventstore.Filter { return m.cfg.Filter }

// LiveCheckpoint implements Projection.
func (m *MemoryProjection[S]) LiveCheckpoint(ctx context.Context) (uint64, error) {
	return m.cfg.Checkpoint(ctx, m.cfg.Live.Current())
}

func (m *MemoryProjection[S]) current() (S, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.shadow == nil {
		var zero S
		return zero, false
	}
	return *m.shadow, true
}

// CreateShadow implements Projection.
func (m *MemoryProjection[S]) CreateShadow(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.shadow == nil {
		s := m.cfg.New()
		m.shadow = &s
	}
	return nil
}

// ShadowCheckpoint implements Projection.
func (m *MemoryProjection[S]) ShadowCheckpoint(ctx context.Context) (uint64, error) {
	s, ok := m.current()
	if !ok {
		return 0, nil
	}
	return m.cfg.Checkpoint(ctx, s)
}

// ApplyShadow implements Projection.
func (m *MemoryProjection[S]) ApplyShadow(ctx context.Context, events []eventstore.RecordedEvent) error {
	s, ok := m.current()
	if !ok {
		return errors.New("rebuild: no shadow")
	}
	for _, ev := range events {
		if err := m.cfg.Apply(ctx, s, ev); err != nil {
			return err
		}
	}
	return nil
}

// Swap implements Projection.
func (m *MemoryProjection[S]) Swap(ctx context.Context, catchUp func(context.Context) error) error {
	s, ok := m.current()
	if !ok {
		return errors.New("rebuild: no shadow")
	}
	if err := m.cfg.Live.Replace(ctx, s, catchUp); err != nil {
		return err
	}
	return m.DropShadow(ctx)
}

// DropShadow implements Projection.
func (m *MemoryProjection[S]) DropShadow(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.shadow = nil
	return nil
}
