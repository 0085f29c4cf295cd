package relay

import (
	"context"
	"sync"
)

// MemoryCheckpoints is the in-process CheckpointStore.
type MemoryCheckpoints struct {
	mu sync.Mutex
	m  map[string]uint64
}

// NewMemoryCheckpoints returns an empty store.
func NewMemoryCheckpoints() *MemoryCheckpoints { return &MemoryCheckpoints{m: map[string]uint64{}} }

// Load returns the checkpoint of name, 0 if none.
func (s *MemoryCheckpoints) Load(ctx context.Context, name string) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[name], nil
}

// Save raises the checkpoint of name to position (never lowers it).
func (s *MemoryCheckpoints) Save(ctx context.Context, name string, position uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[name] = max(s.m[name], position)
	return nil
}

// MemoryLocker elects one relay per name inside one process.
type MemoryLocker struct {
	mu    sync.Mutex
	slots map[string]chan struct{} // a token sits in the channel while free
}

// NewMemoryLocker returns a locker with every name free.
func NewMemoryLocker() *MemoryLocker { return &MemoryLocker{slots: map[string]chan struct{}{}} }

func (l *MemoryLocker) slot(name string) chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.slots[name]
	if !ok {
		s = make(chan struct{}, 1)
		s <- struct{}{}
		l.slots[name] = s
	}
	return s
}

// Acquire blocks until name is free or ctx ends.
func (l *MemoryLocker) Acquire(ctx context.Context, name string) (Lease, error) {
	s := l.slot(name)
	select {
	case <-s:
		return &memoryLease{slot: s}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type memoryLease struct {
	once sync.Once
	slot chan struct{}
}

func (m *memoryLease) Lost() <-chan struct{} { return nil }

func (m *memoryLease) Release(context.Context) error {
	m.once.Do(func() { m.slot <- struct{}{} })
	return nil
}
