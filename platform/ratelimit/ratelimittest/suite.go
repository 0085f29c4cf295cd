// Package ratelimittest is the contract suite every ratelimit.Limiter adapter
// must pass.
package ratelimittest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/evshop/shop/platform/ratelimit"
)

// Run checks the Limiter contract. newLimiter returns a fresh limiter and a
// function that lets time pass (a fake clock or a real sleep).
func Run(t *testing.T, newLimiter func(t *testing.T) (ratelimit.Limiter, func(time.Duration))) {
	ctx := context.Background()
	limit := ratelimit.Limit{Events: 3, Window: 400 * time.Millisecond}

	t.Run("trips after the limit and recovers after the window", func(t *testing.T) {
		t.Parallel()
		l, wait := newLimiter(t)
		for i := range 3 {
			r, err := l.Allow(ctx, "k", limit)
			if err != nil || !r.Allowed || r.Remaining != 2-i {
				t.Fatalf("call %d: %+v %v", i, r, err)
			}
		}
		r, err := l.Allow(ctx, "k", limit)
		if err != nil || r.Allowed || r.RetryAfter <= 0 || r.RetryAfter > limit.Window {
			t.Fatalf("4th call: %+v %v", r, err)
		}
		wait(limit.Window + 50*time.Millisecond)
		r, err = l.Allow(ctx, "k", limit)
		if err != nil || !r.Allowed {
			t.Fatalf("after the window: %+v %v", r, err)
		}
	})
	t.Run("keys are independent", func(t *testing.T) {
		t.Parallel()
		l, _ := newLimiter(t)
		one := ratelimit.Limit{Events: 1, Window: time.Minute}
		for _, k := range []string{"login:ip:1", "login:ip:2", "login:acct:ann@shop.test"} {
			if r, err := l.Allow(ctx, k, one); err != nil || !r.Allowed {
				t.Fatalf("%s: %+v %v", k, r, err)
			}
		}
		if r, _ := l.Allow(ctx, "login:ip:1", one); r.Allowed {
			t.Fatal("second call on the same key allowed")
		}
	})
	t.Run("concurrent calls never exceed the limit", func(t *testing.T) {
		t.Parallel()
		l, _ := newLimiter(t)
		lim := ratelimit.Limit{Events: 10, Window: time.Minute}
		var allowed atomic.Int32
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := l.Allow(ctx, "burst", lim)
				if err != nil {
					t.Errorf("call %d: %v", i, err)
				}
				if r.Allowed {
					allowed.Add(1)
				}
			}()
		}
		wg.Wait()
		if n := allowed.Load(); n != 10 {
			t.Fatalf("allowed %d of 40, want 10", n)
		}
	})
	t.Run("invalid limits are refused", func(t *testing.T) {
		t.Parallel()
		l, _ := newLimiter(t)
		for _, bad := range []ratelimit.Limit{{}, {Events: 0, Window: time.Second}, {Events: 1, Window: 0}} {
			if _, err := l.Allow(ctx, "x", bad); !errors.Is(err, ratelimit.ErrInvalidLimit) {
				t.Errorf("%s: err = %v", fmt.Sprint(bad), err)
			}
		}
	})
}
