package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/messaging/relay"
)

// dispatch reads the events that become public ones, from the outbox's
// checkpoint, and queues one delivery per subscribed endpoint, until ctx
// ends. Only queuing happens here: sending is the senders' job, so a slow
// endpoint never holds the dispatcher (nor, through it, anyone else).
func (s *Service) dispatch(ctx context.Context) {
	backoff := s.cfg.PollInterval
	loaded := false
	var cp uint64
	var known uint64 // a head the last wait saw (0: ask the store)
	for ctx.Err() == nil {
		var err error
		if !loaded {
			if cp, err = s.cfg.Store.Checkpoint(ctx); err == nil {
				loaded = true
			}
		}
		// The head before the read: events of other types after the last
		// one dispatched must not wake the wait below again and again.
		var n int
		head := known
		if err == nil {
			if head == 0 {
				head, err = s.cfg.Source.HeadPosition(ctx)
			}
			if err == nil {
				cp, n, err = s.dispatchBatch(ctx, cp, head)
			}
		}
		known = 0
		if err != nil {
			if ctx.Err() == nil {
				s.log.ErrorContext(ctx, "webhook dispatch failed; retrying", "error", err, "backoff", backoff)
				relay.Sleep(ctx, backoff)
				backoff = min(2*backoff, storeRetryMax)
			}
			continue
		}
		backoff = s.cfg.PollInterval
		if n < s.cfg.BatchSize {
			wait := 5 * time.Second
			if cp > s.idleSavedAt && s.idleSavedAt > 0 {
				wait = s.cfg.IdleCheckpointEvery // a checkpoint is still to be written
			}
			known = s.waitForEvents(ctx, max(cp, head), wait)
		}
	}
}

// dispatchBatch queues the deliveries of the next batch after cp and
// returns the new checkpoint and the number of events read. head is a
// position read before the endpoints: with no endpoint enabled, nothing up
// to it is read at all (every event a checkout appends would otherwise be
// read and decoded for nobody), and the checkpoint moves to it. An
// endpoint created afterwards would not hear of those events anyway: it
// hears only of what happened after it was registered.
func (s *Service) dispatchBatch(ctx context.Context, cp, head uint64) (uint64, int, error) {
	endpoints, err := s.cfg.Store.Endpoints(ctx)
	if err != nil {
		return cp, 0, fmt.Errorf("list endpoints: %w", err)
	}
	if !slices.ContainsFunc(endpoints, func(ep Endpoint) bool { return ep.Enabled && len(ep.EventTypes) > 0 }) {
		cp = max(cp, head)
		// Kept in memory, written now and then: a restart reads from the
		// older checkpoint and skips the same events again.
		if now := s.cfg.Now(); cp > s.idleSavedAt && now.Sub(s.idleSaved) >= s.cfg.IdleCheckpointEvery {
			if err := s.cfg.Store.Enqueue(ctx, cp, nil); err != nil {
				return cp, 0, fmt.Errorf("enqueue: %w", err)
			}
			s.idleSaved, s.idleSavedAt = now, cp
			s.metrics.checkpoint.Set(float64(cp))
		}
		return cp, 0, nil
	}
	var batch []eventstore.RecordedEvent
	for e, err := range s.cfg.Source.ReadAll(ctx, cp, eventstore.Filter{EventTypes: SourceTypes()}) {
		if err != nil {
			return cp, 0, fmt.Errorf("read events: %w", err)
		}
		batch = append(batch, e)
		if len(batch) == s.cfg.BatchSize {
			break
		}
	}
	if len(batch) == 0 {
		return cp, 0, nil
	}
	now := s.cfg.Now().UTC()
	var ds []Delivery
	woken := map[string]bool{}
	for _, e := range batch {
		ev, _, err := Public(e)
		if err != nil {
			// It can never decode: queuing nothing for it is all a retry
			// would ever do.
			s.log.ErrorContext(ctx, "webhook skipped an undecodable event", "event_id", e.ID, "type", e.Type, "error", err)
			continue
		}
		body, err := json.Marshal(ev)
		if err != nil {
			return cp, 0, fmt.Errorf("encode %s: %w", e.ID, err)
		}
		for _, ep := range endpoints {
			// An endpoint hears of what happened after it was registered,
			// even when the dispatcher catches up on older events.
			if !ep.Enabled || !ep.Subscribed(ev.Type) || e.Time.Before(ep.CreatedAt) {
				continue
			}
			ds = append(ds, Delivery{ID: uuid.NewString(), EndpointID: ep.ID, EventID: ev.ID, EventType: ev.Type,
				Payload: body, Status: StatusPending, NextAttemptAt: now, Deadline: now.Add(s.cfg.RetryFor), CreatedAt: now})
			woken[ep.ID] = true
		}
	}
	last := batch[len(batch)-1].Position
	if err := s.cfg.Store.Enqueue(ctx, last, ds); err != nil {
		return cp, 0, fmt.Errorf("enqueue: %w", err)
	}
	s.idleSavedAt = last
	s.metrics.queued.Add(float64(len(ds)))
	s.metrics.checkpoint.Set(float64(last))
	for id := range woken {
		s.wake(id)
	}
	return last, len(batch), nil
}

// waitForEvents returns when the source may hold events after pos, or
// after a bounded wait.
func (s *Service) waitForEvents(ctx context.Context, pos uint64, timeout time.Duration) uint64 {
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var err error
	switch n := s.cfg.Source.(type) {
	case headWaiter:
		var head uint64
		if head, err = n.WaitForHead(wctx, pos); err == nil {
			// Let the rest of a checkout's appends land before reading.
			relay.Sleep(ctx, linger)
			return head
		}
	case appendWaiter:
		err = n.WaitForAppend(wctx, pos)
	default:
		relay.Sleep(ctx, s.cfg.PollInterval)
		return 0
	}
	if err == nil || errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		return 0
	}
	relay.Sleep(ctx, s.cfg.PollInterval)
	return 0
}

// headWaiter is the PostgreSQL store's wait that also tells the head it saw
// (ReadAll yields everything up to it), which spares a head query per wake.
type headWaiter interface {
	WaitForHead(ctx context.Context, after uint64) (uint64, error)
}

// linger is how long a woken dispatcher lets further appends gather.
const linger = 10 * time.Millisecond
