package messaging

import (
	"context"
	"sync"
)

// Deduper remembers which event ids a handler has processed.
type Deduper interface {
	// Seen reports whether handler already processed eventID.
	Seen(ctx context.Context, handler, eventID string) (bool, error)
	// Mark records that handler processed eventID; marking twice is fine.
	Mark(ctx context.Context, handler, eventID string) error
}

// MemoryDeduper is the in-process Deduper. It grows with every event: fine
// for the embedded shop and tests, not for a long-lived server.
type MemoryDeduper struct {
	mu   sync.Mutex
	seen map[[2]string]struct{}
}

// NewMemoryDeduper returns an empty deduper.
func NewMemoryDeduper() *MemoryDeduper { return &MemoryDeduper{seen: map[[2]string]struct{}{}} }

// Seen reports whether handler processed eventID.
func (d *MemoryDeduper) Seen(ctx context.Context, handler, eventID string) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.seen[[2]string{handler, eventID}]
	return ok, nil
}

// Mark records that handler processed eventID.
func (d *MemoryDeduper) Mark(ctx context.Context, handler, eventID string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seen[[2]string{handler, eventID}] = struct{}{}
	return nil
}
