// Package relay moves events from an event store (or an outbox table) to the
// message bus, at least once, in global order from a durable checkpoint.
// Events are published with several confirmed publishes in flight — one
// lane per stream hash, so the events of one stream stay in order — while
// the next ones are already being read: reading, publishing and saving the
// checkpoint overlap, and the checkpoint advances over the confirmed prefix
// of what was read. A crash re-publishes at most the events in flight (up to
// two batches); consumers dedupe by event id.
// Only the instance holding the Locker's lease publishes; the others stand by.
package relay

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"iter"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/evshop/shop/eventstore"
)

// Source is what the relay reads: eventstore.Store satisfies it, and so does
// the auth service's outbox.
type Source interface {
	ReadAll(ctx context.Context, after uint64, filter eventstore.Filter) iter.Seq2[eventstore.RecordedEvent, error]
}

// headPositioner is optional on a Source; it lets the relay report its lag.
type headPositioner interface {
	HeadPosition(ctx context.Context) (uint64, error)
}

// Publisher publishes one event and returns once the broker confirmed it;
// concurrent calls must be safe. messaging.Bus satisfies it.
type Publisher interface {
	PublishEvent(ctx context.Context, e eventstore.RecordedEvent) error
}

// CheckpointStore keeps, per relay name, the position of the last event
// whose publication was confirmed.
type CheckpointStore interface {
	// Load returns 0 for a relay that never saved.
	Load(ctx context.Context, name string) (uint64, error)
	// Save never moves a checkpoint backwards: a deposed leader finishing a
	// late batch cannot undo the progress of its successor.
	Save(ctx context.Context, name string, position uint64) error
}

// Locker elects the one relay instance that publishes.
type Locker interface {
	// Acquire blocks until this instance holds the lease for name or ctx ends.
	Acquire(ctx context.Context, name string) (Lease, error)
}

// Lease is held leadership.
type Lease interface {
	// Lost is closed if the lease is lost (e.g. the database connection
	// holding it died); the relay stops publishing and stands by again.
	Lost() <-chan struct{}
	Release(ctx context.Context) error
}

// Config configures a Relay.
type Config struct {
	// Name identifies the relay's checkpoint and lease, e.g. "events" or
	// "auth-outbox". Changing it re-publishes everything.
	Name        string
	Source      Source
	Filter      eventstore.Filter
	Checkpoints CheckpointStore
	Publisher   Publisher
	// Locker is nil for a single instance (the embedded shop).
	Locker Locker
	// BatchSize is how many events one read fetches; at most twice as many
	// are in flight (read, not yet covered by the checkpoint); default 500.
	BatchSize int
	// Concurrency is the number of publish lanes (confirmed publishes in
	// flight); default 64. Streams share a lane by hash, so fewer lanes make
	// events of unrelated streams wait for each other's confirms. Keep it ≤
	// the bus's PublishChannels.
	Concurrency int
	// PollInterval is the wait between reads when the source cannot notify
	// (eventstore.Notifier) of appends; default 200ms.
	PollInterval time.Duration
	// RetryMin and RetryMax bound the backoff after a failed batch; default
	// 100ms and 10s.
	RetryMin, RetryMax time.Duration
	// CheckpointEvery is the least time between two checkpoint writes;
	// default 100ms. Each write is a transaction of its own: under load,
	// saving after every confirm wrote one per few events. A crash
	// re-publishes at most what was confirmed since the last write (the
	// bus delivers at least once anyway); a stopping relay saves at once.
	CheckpointEvery time.Duration
	Logger          *slog.Logger
	Metrics         prometheus.Registerer
}

// ErrInvalidConfig is wrapped by New for bad settings.
var ErrInvalidConfig = errors.New("relay: invalid config")

// Relay publishes events from a Source.
type Relay struct {
	cfg     Config
	log     *slog.Logger
	metrics *metrics
	leading atomic.Bool
}

// New validates cfg.
func New(cfg Config) (*Relay, error) {
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 500
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 64
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 200 * time.Millisecond
	}
	if cfg.CheckpointEvery == 0 {
		cfg.CheckpointEvery = 100 * time.Millisecond
	}
	if cfg.RetryMin == 0 {
		cfg.RetryMin = 100 * time.Millisecond
	}
	if cfg.RetryMax == 0 {
		cfg.RetryMax = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	var errs []error
	if cfg.Name == "" {
		errs = append(errs, errors.New("Name is required"))
	}
	if cfg.Source == nil || cfg.Checkpoints == nil || cfg.Publisher == nil {
		errs = append(errs, errors.New("Source, Checkpoints and Publisher are required"))
	}
	if cfg.BatchSize < 1 || cfg.Concurrency < 1 || cfg.PollInterval < 0 || cfg.CheckpointEvery < 0 || cfg.RetryMin <= 0 || cfg.RetryMax < cfg.RetryMin {
		errs = append(errs, errors.New("BatchSize and Concurrency must be positive, 0 < RetryMin ≤ RetryMax"))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, errors.Join(errs...))
	}
	return &Relay{cfg: cfg, log: cfg.Logger.With("component", "relay", "relay", cfg.Name),
		metrics: newMetrics(cfg.Metrics, cfg.Name)}, nil
}

// Leading reports whether this instance currently publishes.
func (r *Relay) Leading() bool { return r.leading.Load() }

// Lag is the number of positions between the source's head and the
// checkpoint (0 when the source cannot tell its head).
func (r *Relay) Lag(ctx context.Context) (uint64, error) {
	hp, ok := r.cfg.Source.(headPositioner)
	if !ok {
		return 0, nil
	}
	head, err := hp.HeadPosition(ctx)
	if err != nil {
		return 0, fmt.Errorf("relay: head position: %w", err)
	}
	cp, err := r.cfg.Checkpoints.Load(ctx, r.cfg.Name)
	if err != nil {
		return 0, fmt.Errorf("relay: load checkpoint: %w", err)
	}
	if head < cp {
		return 0, nil
	}
	return head - cp, nil
}

// Run stands by until it holds the lease, then publishes until ctx ends or
// the lease is lost (then it stands by again). It returns nil when ctx ends.
func (r *Relay) Run(ctx context.Context) error {
	WithLease(ctx, r.cfg.Locker, r.cfg.Name, "relay", r.log, r.cfg.RetryMax, func(ctx context.Context) error {
		r.lead(ctx)
		return nil
	})
	return nil
}

// lead publishes while this relay holds the lease (until ctx ends).
func (r *Relay) lead(ctx context.Context) {
	r.leading.Store(true)
	r.metrics.leader.Set(1)
	defer func() { r.leading.Store(false); r.metrics.leader.Set(0) }()
	r.log.InfoContext(ctx, "relay leading")

	backoff := r.cfg.RetryMin
	for ctx.Err() == nil {
		cp, err := r.cfg.Checkpoints.Load(ctx, r.cfg.Name)
		if err != nil {
			r.fail(ctx, "load checkpoint", err, &backoff)
			continue
		}
		// pump returns only on an error (or when ctx ends); the events
		// after the saved checkpoint are then published again.
		if err := r.pump(ctx, cp, func() { backoff = r.cfg.RetryMin }); err != nil {
			r.fail(ctx, "publish", err, &backoff)
		}
	}
}

func (r *Relay) fail(ctx context.Context, what string, err error, backoff *time.Duration) {
	if ctx.Err() != nil {
		return
	}
	r.metrics.failures.Inc()
	r.log.ErrorContext(ctx, "relay "+what+" failed; retrying", "error", err, "backoff", *backoff)
	Sleep(ctx, *backoff)
	*backoff = min(*backoff*2, r.cfg.RetryMax)
}

// inflight is one read event on its way to the broker.
type inflight struct {
	e    eventstore.RecordedEvent
	read time.Time
	done bool
}

// window tracks the events read but not yet covered by the checkpoint, in
// position order: the checkpoint may advance over a prefix of confirmed
// events only, so a crash never skips an unconfirmed one.
type window struct {
	mu        sync.Mutex
	items     []*inflight // read order = position order; done ones at the front are popped
	confirmed uint64      // last position of the confirmed prefix
	space     chan struct{}
	advanced  chan struct{}
}

// add appends it to the window, waiting while max events are in flight.
func (w *window) add(ctx context.Context, it *inflight, max int) error {
	for {
		w.mu.Lock()
		if len(w.items) < max {
			w.items = append(w.items, it)
			w.mu.Unlock()
			return nil
		}
		w.mu.Unlock()
		select {
		case <-w.space:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// confirm marks it published and advances the confirmed prefix.
func (w *window) confirm(it *inflight) {
	w.mu.Lock()
	it.done = true
	n := 0
	for n < len(w.items) && w.items[n].done {
		w.confirmed = w.items[n].e.Position
		n++
	}
	if n > 0 {
		w.items = append(w.items[:0], w.items[n:]...)
	}
	w.mu.Unlock()
	if n > 0 {
		signal(w.advanced)
		signal(w.space)
	}
}

// skip lets the checkpoint pass pos once every event read before it is
// confirmed: a filtered read that came back short has seen every event up
// to the head it asked for, so the ones it left out need no confirm.
func (w *window) skip(pos uint64) {
	w.mu.Lock()
	if len(w.items) == 0 {
		advanced := pos > w.confirmed
		w.confirmed = max(w.confirmed, pos)
		w.mu.Unlock()
		if advanced {
			signal(w.advanced)
		}
		return
	}
	if last := w.items[len(w.items)-1].e.Position; pos > last {
		w.items = append(w.items, &inflight{e: eventstore.RecordedEvent{Position: pos}, done: true})
	}
	w.mu.Unlock()
}

func (w *window) prefix() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.confirmed
}

// signal wakes the one waiter of a channel of capacity 1 without blocking.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// pump publishes from cp on until ctx ends or a step fails. Three things
// run at once, so that no event waits for another's round trip unless it
// has to: the reader reads the next events as soon as it has handed the
// previous ones to the lanes (it does not wait for their confirms), each
// lane publishes its events one after the other, and the saver writes the
// checkpoint of the confirmed prefix whenever it advanced (one write covers
// whatever was confirmed while the previous one ran, at most one write per
// CheckpointEvery). At most 2×BatchSize
// events are in flight. resetBackoff is called after the first checkpoint
// saved.
func (r *Relay) pump(ctx context.Context, cp uint64, resetBackoff func()) error {
	parent := ctx
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	w := &window{confirmed: cp, space: make(chan struct{}, 1), advanced: make(chan struct{}, 1)}

	var wg sync.WaitGroup
	lanes := make([]chan *inflight, r.cfg.Concurrency)
	for i := range lanes {
		lanes[i] = make(chan *inflight, r.cfg.BatchSize)
		wg.Add(1)
		go func(in <-chan *inflight) {
			defer wg.Done()
			for it := range in {
				if ctx.Err() != nil {
					continue // drain: the events are published again after the checkpoint
				}
				if err := r.cfg.Publisher.PublishEvent(ctx, it.e); err != nil {
					cancel(fmt.Errorf("event %s at %d: %w", it.e.ID, it.e.Position, err))
					continue
				}
				now := time.Now()
				r.metrics.published.Inc()
				r.metrics.publishWait.Observe(now.Sub(it.read).Seconds())
				if !it.e.Time.IsZero() {
					r.metrics.age.Observe(now.Sub(it.e.Time).Seconds())
				}
				w.confirm(it)
			}
		}(lanes[i])
	}

	saved := cp
	save := func(ctx context.Context) error {
		pos := w.prefix()
		if pos <= saved {
			return nil
		}
		if err := r.cfg.Checkpoints.Save(ctx, r.cfg.Name, pos); err != nil {
			return fmt.Errorf("save checkpoint: %w", err)
		}
		r.metrics.checkpoint.Set(float64(pos))
		saved = pos
		return nil
	}
	saverDone := make(chan struct{})
	go func() {
		defer close(saverDone)
		first := true
		for {
			select {
			case <-w.advanced:
			case <-ctx.Done():
				return
			}
			if err := save(ctx); err != nil {
				cancel(err)
				return
			}
			if first {
				resetBackoff()
				first = false
			}
			Sleep(ctx, r.cfg.CheckpointEvery)
		}
	}()

	err := r.read(ctx, cp, w, lanes)
	for _, l := range lanes {
		close(l)
	}
	wg.Wait()
	cancel(err)
	<-saverDone
	if parent.Err() != nil {
		// Stopping (or deposed): keep what was confirmed, so a successor
		// publishes as little as possible again. Save never moves back.
		sctx, c := context.WithTimeout(context.WithoutCancel(parent), 2*time.Second)
		defer c()
		_ = save(sctx) //nolint:errcheck // best effort; the next leader re-publishes the rest
		return nil
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return err
}

// read feeds the lanes from cp on until ctx ends or a read fails. Events of
// one stream share a lane and are published one after the other, each after
// the previous was confirmed, so per-stream order holds while the lanes keep
// many confirms in flight.
func (r *Relay) read(ctx context.Context, cp uint64, w *window, lanes []chan *inflight) error {
	var lagAt time.Time
	hp, filtered := r.cfg.Source.(headPositioner)
	filtered = filtered && !r.cfg.Filter.IsZero()
	// head is a head the store reported before the coming read: it yields
	// every event at or below it. A filtered read that comes back short
	// moves the cursor there, so the wait does not wake for the events the
	// filter leaves out, and the checkpoint passes them. The wait tells it
	// (WaitForHead); only without one is the store asked.
	var head uint64
	for ctx.Err() == nil {
		n := 0
		start := time.Now()
		if filtered && head <= cp {
			h, err := hp.HeadPosition(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("head position: %w", err)
			}
			head = h
		}
		for e, err := range r.cfg.Source.ReadAll(ctx, cp, r.cfg.Filter) {
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("read: %w", err)
			}
			it := &inflight{e: e, read: start}
			if err := w.add(ctx, it, 2*r.cfg.BatchSize); err != nil {
				return nil
			}
			h := fnv.New32a()
			h.Write([]byte(e.Stream))
			select {
			case lanes[h.Sum32()%uint32(len(lanes))] <- it:
			case <-ctx.Done():
				return nil
			}
			cp = e.Position
			if n++; n == r.cfg.BatchSize {
				break
			}
		}
		// The lag gauge costs a head-position query; asking once per read
		// put that round trip on every event's way to the bus.
		if time.Since(lagAt) >= time.Second {
			r.updateLag(ctx, w.prefix())
			lagAt = time.Now()
		}
		if n < r.cfg.BatchSize {
			if filtered && head > cp {
				cp = head
				w.skip(head)
			}
			head = r.wait(ctx, cp)
		}
	}
	return nil
}

// appendWaiter is eventstore.Notifier, declared here as the relay uses it.
type appendWaiter interface {
	WaitForAppend(ctx context.Context, after uint64) error
}

// headWaiter is a source whose wait tells the head it saw pass (the
// PostgreSQL and SQLite stores).
type headWaiter interface {
	WaitForHead(ctx context.Context, after uint64) (uint64, error)
}

// wait returns when the source may have events after cp, with the head it
// saw when the source tells it (0 otherwise). The wait is bounded so a lost
// lease or a quiet notifier never stalls the loop.
func (r *Relay) wait(ctx context.Context, cp uint64) uint64 {
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	switch n := r.cfg.Source.(type) {
	case headWaiter:
		head, err := n.WaitForHead(wctx, cp)
		if err == nil {
			return head
		}
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			return 0
		}
	case appendWaiter:
		if err := n.WaitForAppend(wctx, cp); err == nil || errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			return 0
		}
	}
	Sleep(ctx, r.cfg.PollInterval)
	return 0
}

func (r *Relay) updateLag(ctx context.Context, cp uint64) {
	hp, ok := r.cfg.Source.(headPositioner)
	if !ok {
		return
	}
	head, err := hp.HeadPosition(ctx)
	if err != nil || head < cp {
		return
	}
	r.metrics.lag.Set(float64(head - cp))
}

// Sleep waits d, or less if ctx ends first. The relay, the catch-up
// runners and the webhook worker back off and poll with it.
func Sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

type soloLease struct{}

func (soloLease) Lost() <-chan struct{}         { return nil }
func (soloLease) Release(context.Context) error { return nil }
