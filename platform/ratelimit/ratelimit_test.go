package ratelimit_test

import (
	"sync"
	"testing"
	"time"

	"github.com/evshop/shop/platform/ratelimit"
	"github.com/evshop/shop/platform/ratelimit/ratelimittest"
	"github.com/evshop/shop/platform/testenv"
)

// fakeClock lets the memory adapter's windows pass without sleeping.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestMemory(t *testing.T) {
	t.Parallel()
	ratelimittest.Run(t, func(t *testing.T) (ratelimit.Limiter, func(time.Duration)) {
		c := &fakeClock{now: time.Unix(1_700_000_000, 0)}
		return ratelimit.NewMemory(c.Now), c.Advance
	})
}

func TestRedis(t *testing.T) {
	t.Parallel()
	ratelimittest.Run(t, func(t *testing.T) (ratelimit.Limiter, func(time.Duration)) {
		client, prefix := testenv.Redis(t)
		return ratelimit.NewRedis(client, prefix+"rl:"), time.Sleep
	})
}
