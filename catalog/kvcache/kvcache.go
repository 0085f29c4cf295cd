// Package kvcache holds the two key/value caches the catalog and client
// services read through: Redis in server mode and a bounded in-process map
// for the embedded shop. Both satisfy the Cache interfaces those services
// declare where they use them (Get/Set/Incr/Delete); Get reports a miss as
// ok=false rather than an error, so no sentinel crosses packages.
package kvcache

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a cache on a Redis client; every key gets Prefix.
type Redis struct {
	client redis.UniversalClient
	prefix string
}

// NewRedis returns a cache whose keys start with prefix (e.g. "shop:").
func NewRedis(client redis.UniversalClient, prefix string) *Redis {
	return &Redis{client: client, prefix: prefix}
}

// Get returns the value of key; ok is false when it is absent.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := r.client.Get(ctx, r.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

// Set stores value under key for ttl.
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return r.client.Set(ctx, r.prefix+key, value, ttl).Err()
}

// Incr atomically increments the integer at key (0 when absent).
func (r *Redis) Incr(ctx context.Context, key string) (int64, error) {
	return r.client.Incr(ctx, r.prefix+key).Result()
}

// Delete removes keys.
func (r *Redis) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = r.prefix + k
	}
	return r.client.Del(ctx, full...).Err()
}

// Memory is an in-process cache with TTLs, bounded to MaxEntries (when full,
// expired entries are dropped, then everything: it is only a cache).
type Memory struct {
	mu         sync.Mutex
	entries    map[string]entry
	maxEntries int
	now        func() time.Time
}

type entry struct {
	value   []byte
	expires time.Time // zero: never
}

// NewMemory returns a cache holding at most maxEntries (default 10000).
func NewMemory(maxEntries int) *Memory {
	if maxEntries <= 0 {
		maxEntries = 10000
	}
	return &Memory{entries: map[string]entry{}, maxEntries: maxEntries, now: time.Now}
}

func (m *Memory) live(key string) (entry, bool) {
	e, ok := m.entries[key]
	if ok && !e.expires.IsZero() && !m.now().Before(e.expires) {
		delete(m.entries, key)
		return entry{}, false
	}
	return e, ok
}

// Get returns the value of key; ok is false when it is absent or expired.
func (m *Memory) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.live(key)
	if !ok {
		return nil, false, nil
	}
	return append([]byte(nil), e.value...), true, nil
}

// Set stores value under key for ttl (0: no expiry).
func (m *Memory) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.makeRoom()
	e := entry{value: append([]byte(nil), value...)}
	if ttl > 0 {
		e.expires = m.now().Add(ttl)
	}
	m.entries[key] = e
	return nil
}

func (m *Memory) makeRoom() {
	if len(m.entries) < m.maxEntries {
		return
	}
	for k := range m.entries {
		m.live(k)
	}
	if len(m.entries) >= m.maxEntries {
		clear(m.entries)
	}
}

// Incr atomically increments the integer at key (0 when absent).
func (m *Memory) Incr(ctx context.Context, key string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var n int64
	if e, ok := m.live(key); ok {
		v, err := strconv.ParseInt(string(e.value), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("kvcache: %s is not an integer", key)
		}
		n = v
	}
	n++
	m.makeRoom()
	m.entries[key] = entry{value: []byte(strconv.FormatInt(n, 10))}
	return n, nil
}

// Delete removes keys.
func (m *Memory) Delete(ctx context.Context, keys ...string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		delete(m.entries, k)
	}
	return nil
}
