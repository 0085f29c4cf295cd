package catchup_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/projections/catchup"
)

// headCounting is a store whose head queries are counted; with headWaiter
// set it also tells the head it waited for (as the PostgreSQL and SQLite
// stores do).
type headCounting struct {
	*memory.Store
	heads atomic.Int64
}

func (s *headCounting) HeadPosition(ctx context.Context) (uint64, error) {
	s.heads.Add(1)
	return s.Store.HeadPosition(ctx)
}

type headWaiting struct{ *headCounting }

func (s headWaiting) WaitForHead(ctx context.Context, after uint64) (uint64, error) {
	if err := s.Store.WaitForAppend(ctx, after); err != nil {
		return 0, err
	}
	return s.Store.HeadPosition(ctx)
}

// TestNotifierFollowsTheHead: the shared notifier wakes its waiters on every
// append and knows the head; a store that tells the head it waited for is
// not asked for it again on each wake.
func TestNotifierFollowsTheHead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name               string
		headWaits          bool
		minHeads, maxHeads int64 // head queries for 20 appends
	}{
		{"store that only notifies: a head query per wake", false, 20, 1 << 20},
		{"store that tells its head: only the first", true, 1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			counting := &headCounting{Store: memory.New()}
			var src catchup.Source = counting
			if tt.headWaits {
				src = headWaiting{counting}
			}
			n := catchup.NewNotifier(src, time.Minute)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); n.Run(ctx) }() //nolint:errcheck
			t.Cleanup(func() { cancel(); <-done })
			for i := range 20 {
				if _, err := counting.Append(ctx, "order-1", eventstore.Any(),
					eventstore.EventData{ID: uuid.NewString(), Type: "test.Appended.v1", Data: []byte(`{}`)}); err != nil {
					t.Fatal(err)
				}
				wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
				err := n.WaitForAppend(wctx, uint64(i))
				wcancel()
				if err != nil {
					t.Fatalf("append %d: the notifier did not wake: %v", i+1, err)
				}
				if h := n.Head(); h < uint64(i+1) {
					t.Fatalf("append %d: notifier head %d", i+1, h)
				}
			}
			if got := counting.heads.Load(); got < tt.minHeads || got > tt.maxHeads {
				t.Fatalf("%d head queries for 20 appends, want %d–%d", got, tt.minHeads, tt.maxHeads)
			}
		})
	}
}
