package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis returns a client on the test Redis and a unique key prefix; every key
// under the prefix is deleted when the test ends, so tests can share one
// Redis database.
func Redis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	u := Require(t, RedisURLEnv)
	opts, err := redis.ParseURL(u)
	if err != nil {
		t.Fatalf("testenv: %s: %v", RedisURLEnv, err)
	}
	client := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		Unavailable(t, "redis: "+err.Error())
	}
	prefix := Name("t") + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := client.Scan(ctx, 0, prefix+"*", 500).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if len(keys) > 0 {
			client.Del(ctx, keys...) //nolint:errcheck
		}
		client.Close()
	})
	return client, prefix
}
