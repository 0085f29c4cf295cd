package poll

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestUntil(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	closed := make(chan struct{})
	close(closed)
	tests := []struct {
		name   string
		within time.Duration
		stop   <-chan struct{}
		cancel bool // ctx ended before the call
		doneAt int  // the check that reports true (0: none)
		failAt int  // the check that fails (0: none)
		err    error
		checks int // how many checks ran; -1: at least two
	}{
		{"true on the third check", time.Minute, nil, false, 3, 0, nil, 3},
		{"check fails", time.Minute, nil, false, 0, 2, boom, 2},
		{"within passes", 30 * time.Millisecond, nil, false, 0, 0, nil, -1},
		{"nothing left: no check", 0, nil, false, 1, 0, nil, 0},
		{"ctx ended", time.Minute, nil, true, 1, 0, context.Canceled, 0},
		{"stopping", time.Minute, closed, false, 1, 0, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				cancel()
			}
			first := time.Millisecond
			if tt.cancel || tt.stop != nil {
				first = time.Hour // the first pause must not end before ctx or stop is seen
			}
			n := 0
			err := Until(ctx, tt.stop, tt.within, first, 4*first, func() (bool, error) {
				n++
				if n == tt.failAt {
					return false, boom
				}
				return n == tt.doneAt, nil
			})
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if tt.checks >= 0 && n != tt.checks || tt.checks < 0 && n < 2 {
				t.Fatalf("%d checks, want %d", n, tt.checks)
			}
		})
	}
}
