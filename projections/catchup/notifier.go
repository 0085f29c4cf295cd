package catchup

import (
	"context"
	"sync"
	"time"

	"github.com/evshop/shop/messaging/relay"
)

// Waiter wakes a runner when the store may hold events after a position
// (eventstore.Notifier has this method).
type Waiter interface {
	WaitForAppend(ctx context.Context, after uint64) error
}

// Notifier shares one wait on the store among the runners of a process.
// The PostgreSQL store's WaitForAppend used to hold a pooled connection per
// waiter while it listened (it now shares one listening connection among
// all its waiters); one loop per process still saves each runner the wake
// and head check of its own.
type Notifier struct {
	src  Source
	poll time.Duration

	mu      sync.Mutex
	head    uint64
	changed chan struct{}
}

// NewNotifier returns a notifier over src; poll bounds each wait (a lost
// notification, or a store without them); default 1s. Run it.
func NewNotifier(src Source, poll time.Duration) *Notifier {
	if poll <= 0 {
		poll = time.Second
	}
	return &Notifier{src: src, poll: poll, changed: make(chan struct{})}
}

// HeadWaiter is a Waiter that also tells the head it saw (the PostgreSQL
// store's shared watcher), which saves the notifier a head query per wake.
type HeadWaiter interface {
	WaitForHead(ctx context.Context, after uint64) (uint64, error)
}

// Run follows the store's head until ctx ends; it returns nil then.
func (n *Notifier) Run(ctx context.Context) error {
	w, _ := n.src.(Waiter)
	hw, _ := n.src.(HeadWaiter)
	var head uint64
	query := true
	for ctx.Err() == nil {
		if query {
			h, err := n.src.HeadPosition(ctx)
			if err != nil {
				relay.Sleep(ctx, n.poll)
				continue
			}
			head = h
		}
		n.publish(head)
		if w == nil {
			relay.Sleep(ctx, n.poll)
			continue
		}
		wctx, cancel := context.WithTimeout(ctx, n.poll)
		var err error
		if hw != nil {
			var h uint64
			if h, err = hw.WaitForHead(wctx, head); err == nil {
				head, query = h, false
			}
		} else {
			err = w.WaitForAppend(wctx, head)
		}
		if err != nil {
			query = true // timed out (or failed): ask the store itself
			if wctx.Err() == nil {
				relay.Sleep(ctx, n.poll) // the store's wait failed: poll instead
			}
		}
		cancel()
	}
	return nil
}

// Head is the newest head the notifier has seen: ReadAll yields every event
// up to it, so a runner woken by the notifier can start from it without
// asking the store again.
func (n *Notifier) Head() uint64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.head
}

func (n *Notifier) publish(head uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if head > n.head {
		n.head = head
		close(n.changed)
		n.changed = make(chan struct{})
	}
}

// WaitForAppend implements Waiter: it returns once the head the notifier
// saw passed after, or when ctx ends.
func (n *Notifier) WaitForAppend(ctx context.Context, after uint64) error {
	for {
		n.mu.Lock()
		head, ch := n.head, n.changed
		n.mu.Unlock()
		if head > after {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
