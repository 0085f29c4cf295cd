package checkout

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/evshop/shop/eventstore"
)

// index is the scheduler's list of when each unfinished saga next needs a
// look: its authorization deadline, or the re-send of commands not known to
// be sent (a crash between append and send, or a step whose answer has not
// come within Redispatch). It is memory only and rebuilt from the saga
// streams — the durable truth — when the process starts, then kept current
// by tailing them, so it also learns about sagas other instances are
// running.
//
// Several deliveries of one saga run at once (the saga's queue has
// competing consumers), and a delivery that changed nothing carries the
// state it loaded, which may be older than what another delivery or the
// tail already reported. Each entry therefore remembers how many of the
// saga's events its state knew; an older view never replaces a newer one,
// and a view as new never clears a wake-up (a needless wake-up reloads and
// finds nothing to do; a lost one would leave commands unsent for good).
type index struct {
	mu   sync.Mutex
	wake map[string]wakeUp
	pos  uint64
}

type wakeUp struct {
	at   time.Time
	seen uint64 // events of the saga the state behind at knew
}

func newIndex() *index { return &index{wake: map[string]wakeUp{}} }

// nextWake is when st next needs the scheduler (zero: never).
func (st *State) nextWake(redispatch time.Duration) time.Time {
	var next time.Time
	if st.awaitingAuthorization() {
		next = st.started.Deadline
	}
	if !st.resumeAt.IsZero() && (next.IsZero() || st.resumeAt.Before(next)) {
		next = st.resumeAt
	}
	if _, oldest := st.Pending(); !oldest.IsZero() {
		if at := oldest.Add(redispatch); next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return next
}

func (ix *index) track(st *State, redispatch time.Duration) {
	next := st.nextWake(redispatch)
	seen := st.Version() + uint64(len(st.Changes()))
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if cur, ok := ix.wake[st.OrderID()]; ok && (seen < cur.seen || (seen == cur.seen && next.IsZero())) {
		return
	}
	if next.IsZero() {
		delete(ix.wake, st.OrderID())
		return
	}
	ix.wake[st.OrderID()] = wakeUp{at: next, seen: seen}
}

func (ix *index) due(now time.Time) []string {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	var out []string
	for id, w := range ix.wake {
		if !now.Before(w.at) {
			out = append(out, id)
		}
	}
	return out
}

// Scheduled returns how many sagas wait for a deadline or a re-send.
func (s *Saga) Scheduled() int {
	s.index.mu.Lock()
	defer s.index.mu.Unlock()
	return len(s.index.wake)
}

// Run ticks the scheduler every interval until ctx ends. The first tick
// rebuilds the deadline list from the event store.
func (s *Saga) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.log.WarnContext(ctx, "checkout scheduler tick failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Tick catches up with the saga streams, then fires what is due: deadlines
// (void, release, cancel) and re-sends of commands left pending.
func (s *Saga) Tick(ctx context.Context) error {
	if err := s.catchUp(ctx); err != nil {
		return err
	}
	var firstErr error
	for _, id := range s.index.due(s.cfg.Now()) {
		if err := s.wake(ctx, id); err != nil {
			s.log.WarnContext(ctx, "checkout scheduler", "order_id", id, "err", err)
			if firstErr == nil {
				firstErr = err
			}
		}
	}
	return firstErr
}

func (s *Saga) catchUp(ctx context.Context) error {
	s.index.mu.Lock()
	from := s.index.pos
	s.index.mu.Unlock()
	touched := map[string]bool{}
	last := from
	for e, err := range s.cfg.Store.ReadAll(ctx, from, eventstore.Filter{StreamPrefixes: []string{StreamPrefix}}) {
		if err != nil {
			return fmt.Errorf("checkout scheduler: read: %w", err)
		}
		touched[e.Stream[len(StreamPrefix):]] = true
		last = e.Position
	}
	for id := range touched {
		st, err := s.repo.Load(ctx, id)
		if err != nil {
			return err
		}
		s.index.track(st, s.cfg.Redispatch)
	}
	s.index.mu.Lock()
	if last > s.index.pos {
		s.index.pos = last
	}
	s.index.mu.Unlock()
	return nil
}

func (s *Saga) wake(ctx context.Context, orderID string) error {
	st, err := s.repo.Load(ctx, orderID)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	// The deadline goes first: once cancelled, forward commands still
	// pending are superseded and not sent.
	if st.awaitingAuthorization() && !now.Before(st.started.Deadline) {
		if err := s.Expire(ctx, orderID); err != nil {
			return err
		}
		if st, err = s.repo.Load(ctx, orderID); err != nil {
			return err
		}
	}
	if !st.resumeAt.IsZero() && !now.Before(st.resumeAt) {
		s.log.InfoContext(ctx, "resuming a checkout recorded by an earlier version", "order_id", orderID)
		if err := s.decide(ctx, orderID, Trigger{kind: trResume}); err != nil {
			return err
		}
		if st, err = s.repo.Load(ctx, orderID); err != nil {
			return err
		}
	}
	if revs, oldest := st.Pending(); len(revs) > 0 && !now.Before(oldest.Add(s.cfg.Redispatch)) {
		// Left unsent by a crash, or sent but not answered yet (a PayPal
		// buyer still deciding; a slow queue): sent again, once, then marked,
		// so a step waiting long for its answer is not re-sent every tick.
		s.log.InfoContext(ctx, "re-sending checkout commands left pending", "order_id", orderID, "revisions", revs)
		if err := s.send(ctx, st, revs); err != nil {
			return err
		}
		if err := s.markSent(ctx, st, revs); err != nil {
			return err
		}
	}
	s.index.track(st, s.cfg.Redispatch)
	return nil
}
