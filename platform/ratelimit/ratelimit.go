// Package ratelimit owns request rate limits (per IP, per account): the
// Limiter port, a fixed-window memory adapter for tests and the embedded shop,
// and a Redis adapter shared by every instance of a service in server mode.
// The durable embedded shop's SQLite adapter lives in ratelimit/sqlitestore.
package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// ErrInvalidLimit is returned for a limit that cannot be enforced.
var ErrInvalidLimit = errors.New("ratelimit: invalid limit")

// Limit allows Events calls per Window for one key.
type Limit struct {
	Events int
	Window time.Duration
}

// Validate checks the limit can be enforced.
func (l Limit) Validate() error {
	if l.Events < 1 || l.Window < time.Millisecond {
		return fmt.Errorf("%w: %d per %s", ErrInvalidLimit, l.Events, l.Window)
	}
	return nil
}

// Result is the decision for one call.
type Result struct {
	Allowed    bool
	Remaining  int           // calls left in the current window
	RetryAfter time.Duration // when denied: until the window resets
}

// Limiter counts calls per key. Keys are namespaced by the caller (e.g.
// "login:ip:203.0.113.9"); adapters hash them, so a key may hold anything,
// including an email address, without storing it in clear.
type Limiter interface {
	Allow(ctx context.Context, key string, limit Limit) (Result, error)
}

// HashKey is the stored form of a key: short and free of personal data.
// Every adapter stores keys this way.
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16])
}

// Decide turns the count of calls in the current window, and the time until
// that window resets, into the result every adapter returns.
func Decide(count int, limit Limit, untilReset time.Duration) Result {
	if count > limit.Events {
		return Result{Allowed: false, RetryAfter: max(untilReset, time.Millisecond)}
	}
	return Result{Allowed: true, Remaining: limit.Events - count}
}
