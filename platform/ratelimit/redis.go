package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// The counter and its expiry change in one script so a crash between INCR and
// PEXPIRE cannot leave a key that never expires (a permanent lock-out).
var windowScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`)

// Redis is a fixed-window limiter shared by every instance using the same
// Redis and prefix.
type Redis struct {
	client redis.Scripter
	prefix string
}

// NewRedis returns a Redis limiter storing keys under prefix (e.g. "rl:").
func NewRedis(client redis.Scripter, prefix string) *Redis {
	return &Redis{client: client, prefix: prefix}
}

// Allow implements Limiter.
func (r *Redis) Allow(ctx context.Context, key string, limit Limit) (Result, error) {
	if err := limit.Validate(); err != nil {
		return Result{}, err
	}
	vals, err := windowScript.Run(ctx, r.client, []string{r.prefix + HashKey(key)}, limit.Window.Milliseconds()).Int64Slice()
	if err != nil {
		return Result{}, fmt.Errorf("ratelimit: redis: %w", err)
	}
	if len(vals) != 2 {
		return Result{}, fmt.Errorf("ratelimit: redis: unexpected reply %v", vals)
	}
	return Decide(int(vals[0]), limit, time.Duration(vals[1])*time.Millisecond), nil
}
