// Package poll waits for a condition that nothing announces: another
// process's write, a claim running out.
package poll

import (
	"context"
	"time"
)

// Until pauses for first, then calls check, and while check reports false
// pauses again, each pause twice the last up to most, until within has
// passed since the call, ctx has ended or stop is closed (a nil stop never
// is). It returns check's error (checking stops there), ctx's error when ctx
// ended, and nil otherwise: whether check came true is the caller's to keep.
func Until(ctx context.Context, stop <-chan struct{}, within, first, most time.Duration, check func() (bool, error)) error {
	deadline := time.Now().Add(within)
	for pause := first; ; pause = min(2*pause, most) {
		left := time.Until(deadline)
		if left <= 0 {
			return nil
		}
		t := time.NewTimer(min(pause, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-stop:
			t.Stop()
			return nil
		case <-t.C:
		}
		if done, err := check(); done || err != nil {
			return err
		}
	}
}
