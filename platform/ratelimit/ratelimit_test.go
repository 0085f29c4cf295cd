package ratelimit_test

import (
	"context"
	"testing"
	"time"

	"github.com/evshop/shop/platform/ratelimit"
	"github.com/evshop/shop/platform/ratelimit/ratelimittest"
	"github.com/evshop/shop/platform/ratelimit/sqlitestore"
	"github.com/evshop/shop/platform/testenv"
)

func TestMemory(t *testing.T) {
	t.Parallel()
	ratelimittest.Run(t, func(t *testing.T) (ratelimit.Limiter, func(time.Duration)) {
		c := testenv.NewClock(time.Unix(1_700_000_000, 0))
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

func TestSQLite(t *testing.T) {
	t.Parallel()
	ratelimittest.Run(t, func(t *testing.T) (ratelimit.Limiter, func(time.Duration)) {
		c := testenv.NewClock(time.Unix(1_700_000_000, 0))
		l, err := sqlitestore.New(context.Background(), testenv.SQLite(t), c.Now)
		if err != nil {
			t.Fatal(err)
		}
		return l, c.Advance
	})
}
