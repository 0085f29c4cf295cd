package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Memory is an in-process fixed-window limiter (one process only).
type Memory struct {
	mu      sync.Mutex
	now     func() time.Time
	windows map[string]memWindow
	calls   int
}

type memWindow struct {
	count int
	reset time.Time
}

// NewMemory returns a memory limiter; now may be nil (time.Now).
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{now: now, windows: map[string]memWindow{}}
}

// maxMemoryKey is the longest key kept as is.
const maxMemoryKey = 64

// Allow implements Limiter.
func (m *Memory) Allow(ctx context.Context, key string, limit Limit) (Result, error) {
	if err := limit.Validate(); err != nil {
		return Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	// The key itself indexes the map when short (an address, an id): a
	// SHA-256 per request was a tenth of the gateway's own work. Long keys
	// (an email) are hashed so that the map's memory stays bounded.
	k := key
	if len(k) > maxMemoryKey {
		k = "\x00" + HashKey(key) // NUL: never the start of a kept key
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.calls++
	if m.calls%1024 == 0 {
		// Sweep expired windows now and then so the map cannot grow without
		// bound under a spray of distinct keys.
		for key, w := range m.windows {
			if !now.Before(w.reset) {
				delete(m.windows, key)
			}
		}
	}
	w, ok := m.windows[k]
	if !ok || !now.Before(w.reset) {
		w = memWindow{reset: now.Add(limit.Window)}
	}
	w.count++
	m.windows[k] = w
	return Decide(w.count, limit, w.reset.Sub(now)), nil
}
