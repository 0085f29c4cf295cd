package kvcache

import (
	"context"
	"testing"
	"time"

	"github.com/evshop/shop/platform/testenv"
)

type cache interface {
	Get(ctx context.Context, key string) ([]byte, bool, error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	Incr(ctx context.Context, key string) (int64, error)
	Delete(ctx context.Context, keys ...string) error
}

func contract(t *testing.T, c cache) {
	ctx := context.Background()
	if _, ok, err := c.Get(ctx, "a"); ok || err != nil {
		t.Fatalf("empty: %v %v", ok, err)
	}
	if err := c.Set(ctx, "a", []byte("1"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, ok, _ := c.Get(ctx, "a"); !ok || string(v) != "1" {
		t.Fatalf("get: %q %v", v, ok)
	}
	for want := int64(1); want <= 3; want++ {
		if n, err := c.Incr(ctx, "n"); err != nil || n != want {
			t.Fatalf("incr: %d %v", n, err)
		}
	}
	if err := c.Delete(ctx, "a", "n"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := c.Get(ctx, "n"); ok {
		t.Fatal("deleted key still there")
	}
}

func TestMemory(t *testing.T) {
	t.Parallel()
	contract(t, NewMemory(0))

	now := time.Unix(0, 0)
	m := NewMemory(2)
	m.now = func() time.Time { return now }
	ctx := context.Background()
	m.Set(ctx, "ttl", []byte("x"), time.Second) //nolint:errcheck
	now = now.Add(2 * time.Second)
	if _, ok, _ := m.Get(ctx, "ttl"); ok {
		t.Fatal("expired entry served")
	}
	for _, k := range []string{"a", "b", "c"} {
		m.Set(ctx, k, []byte(k), 0) //nolint:errcheck
	}
	if len(m.entries) > 2 {
		t.Fatalf("bound exceeded: %d entries", len(m.entries))
	}
}

func TestRedis(t *testing.T) {
	t.Parallel()
	rdb, prefix := testenv.Redis(t)
	contract(t, NewRedis(rdb, prefix))
}
