// Package relay moves events from an event store (or an outbox table) to the
// message bus, at least once, in global order from a durable checkpoint.
// Each batch is published with several confirmed publishes in flight — one
// lane per stream hash, so the events of one stream stay in order — and the
// checkpoint advances only once the whole batch is confirmed. A crash
// re-publishes at most the unfinished batch; consumers dedupe by event id.
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
	// BatchSize is how many events are read, published and checkpointed
	// together; default 500.
	BatchSize int
	// Concurrency is the number of publish lanes (confirmed publishes in
	// flight); default 16. Keep it ≤ the bus's PublishChannels.
	Concurrency int
	// PollInterval is the wait between reads when the source cannot notify
	// (eventstore.Notifier) of appends; default 200ms.
	PollInterval time.Duration
	// RetryMin and RetryMax bound the backoff after a failed batch; default
	// 100ms and 10s.
	RetryMin, RetryMax time.Duration
	Logger             *slog.Logger
	Metrics            prometheus.Registerer
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
		cfg.Concurrency = 16
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 200 * time.Millisecond
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
	if cfg.BatchSize < 1 || cfg.Concurrency < 1 || cfg.PollInterval < 0 || cfg.RetryMin <= 0 || cfg.RetryMax < cfg.RetryMin {
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
	var cp uint64
	loaded := false
	// The lag gauge costs a head-position query; asking once per batch put
	// that round trip on every event's way to the bus.
	var lagAt time.Time
	for ctx.Err() == nil {
		if !loaded {
			var err error
			if cp, err = r.cfg.Checkpoints.Load(ctx, r.cfg.Name); err != nil {
				r.fail(ctx, "load checkpoint", err, &backoff)
				continue
			}
			loaded = true
		}
		next, n, err := r.step(ctx, cp)
		if err != nil {
			r.fail(ctx, "publish batch", err, &backoff)
			continue
		}
		backoff = r.cfg.RetryMin
		cp = next
		if time.Since(lagAt) >= time.Second {
			r.updateLag(ctx, cp)
			lagAt = time.Now()
		}
		if n < r.cfg.BatchSize {
			r.wait(ctx, cp)
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

// step publishes the batch after cp and saves the new checkpoint.
func (r *Relay) step(ctx context.Context, cp uint64) (uint64, int, error) {
	batch := make([]eventstore.RecordedEvent, 0, r.cfg.BatchSize)
	for e, err := range r.cfg.Source.ReadAll(ctx, cp, r.cfg.Filter) {
		if err != nil {
			return cp, 0, fmt.Errorf("read: %w", err)
		}
		batch = append(batch, e)
		if len(batch) == r.cfg.BatchSize {
			break
		}
	}
	if len(batch) == 0 {
		return cp, 0, nil
	}
	if err := r.publish(ctx, batch); err != nil {
		return cp, 0, err
	}
	last := batch[len(batch)-1].Position
	if err := r.cfg.Checkpoints.Save(ctx, r.cfg.Name, last); err != nil {
		return cp, 0, fmt.Errorf("save checkpoint: %w", err)
	}
	r.metrics.published.Add(float64(len(batch)))
	r.metrics.checkpoint.Set(float64(last))
	return last, len(batch), nil
}

// publish sends the batch over Concurrency lanes. Events of one stream share
// a lane and are published one after the other, each after the previous was
// confirmed, so per-stream order holds while the lanes keep many confirms
// in flight.
func (r *Relay) publish(ctx context.Context, batch []eventstore.RecordedEvent) error {
	lanes := make([][]eventstore.RecordedEvent, min(r.cfg.Concurrency, len(batch)))
	for _, e := range batch {
		h := fnv.New32a()
		h.Write([]byte(e.Stream))
		i := int(h.Sum32() % uint32(len(lanes)))
		lanes[i] = append(lanes[i], e)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for _, lane := range lanes {
		if len(lane) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, e := range lane {
				if ctx.Err() != nil {
					return
				}
				if err := r.cfg.Publisher.PublishEvent(ctx, e); err != nil {
					cancel(fmt.Errorf("event %s at %d: %w", e.ID, e.Position, err))
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return nil
}

// appendWaiter is eventstore.Notifier, declared here as the relay uses it.
type appendWaiter interface {
	WaitForAppend(ctx context.Context, after uint64) error
}

// wait returns when the source may have events after cp. The wait is
// bounded so a lost lease or a quiet notifier never stalls the loop.
func (r *Relay) wait(ctx context.Context, cp uint64) {
	if n, ok := r.cfg.Source.(appendWaiter); ok {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := n.WaitForAppend(wctx, cp); err == nil || errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			return
		}
	}
	Sleep(ctx, r.cfg.PollInterval)
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
