// Package catchup feeds a read model from the event store instead of the
// message bus: a Runner reads $all from the read model's own checkpoint,
// filtered to the streams it projects, hands the read model whole batches
// (which it applies with the checkpoint in one write), and waits for new
// appends with the store's notification (LISTEN/NOTIFY on PostgreSQL, a
// channel in memory) or a poll when the store has none.
//
// One runner per read model is active across processes: it holds a lease
// (a PostgreSQL session advisory lock in server mode, the relay's Locker),
// so replicas stand by and take over when the active one dies. Because the
// checkpoint is written with the data it accounts for, a runner killed
// mid-batch resumes at the last committed batch; read models skip events
// they already reflect (per-key revision guard), so a batch applied twice
// changes nothing.
package catchup

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/messaging/relay"
)

// Target is a read model the runner feeds. Every projector in projections/
// implements it.
type Target interface {
	// Name is the projector's stable name (lease and metrics label).
	Name() string
	// Filter selects the events the read model needs.
	Filter() eventstore.Filter
	// Checkpoint is the highest position the read model applied; the runner
	// resumes after it.
	Checkpoint(ctx context.Context) (uint64, error)
	// ApplyBatch applies events (in global order, already filtered) and the
	// checkpoint of the last one, skipping events already applied.
	ApplyBatch(ctx context.Context, events []eventstore.RecordedEvent) error
}

// Source is the part of the event store a runner reads. It has no Append:
// a read model never writes history.
type Source interface {
	ReadAll(ctx context.Context, after uint64, filter eventstore.Filter) iter.Seq2[eventstore.RecordedEvent, error]
	HeadPosition(ctx context.Context) (uint64, error)
}

// Config configures a Runner.
type Config struct {
	Source Source
	Target Target
	// Locker elects the one active runner of Target.Name() across
	// processes (relaypg.Locker in server mode, relay.NewMemoryLocker in
	// one process).
	Locker relay.Locker
	// BatchSize is the most events one ApplyBatch gets; default 500. A
	// batch holds what is available up to it: the runner never waits to
	// fill one.
	BatchSize int
	// PollInterval is the wait between reads when Source has no
	// notification, and the bound on a notification wait; default 1s.
	PollInterval time.Duration
	// Wake, when set, is what the runner waits on for new events (a
	// Notifier shared by the process's runners); default: Source's own
	// WaitForAppend when it has one, else polling.
	Wake Waiter
	// Linger is how long the runner lets appends gather after it was woken
	// before it reads them: fewer, larger batches under load for that much
	// latency; default 0.
	Linger time.Duration
	// Rewind is how many positions before the stored checkpoint a runner
	// starts reading when it takes the lease. Read models skip what they
	// already reflect, so this only costs a short re-read; it picks up the
	// events a bus-fed projector had not applied yet below its checkpoint
	// (the relay publishes a batch in parallel lanes, so a queue is only
	// roughly in position order) when a deployment switches to the store.
	Rewind uint64
	// MaxBackoff bounds the wait before a failed batch is retried; default 5s.
	MaxBackoff time.Duration
	// Poison, when set, tells an error no retry can cure (a malformed
	// event, or one whose predecessor in its stream never applied). A
	// batch failing with one SkipAfter times in a row is retried one event
	// at a time, and the event failing SkipAfter times is skipped, logged
	// and counted (projection_catchup_skipped_total), as the bus would
	// dead-letter it. Other errors (an unreachable database) are retried
	// for ever.
	Poison func(error) bool
	// SkipAfter is the attempts before a poison batch is isolated and a
	// poison event skipped; default 5.
	SkipAfter int
	Logger    *slog.Logger
	Metrics   prometheus.Registerer
}

// Runner is one read model's catch-up subscription.
type Runner struct {
	cfg Config
	log *slog.Logger
	m   *metrics
}

// New validates cfg and applies defaults.
func New(cfg Config) (*Runner, error) {
	if cfg.Source == nil || cfg.Target == nil || cfg.Locker == nil {
		return nil, errors.New("catchup: Source, Target and Locker are required")
	}
	if cfg.BatchSize < 0 || cfg.BatchSize > 10_000 {
		return nil, fmt.Errorf("catchup: BatchSize %d must be in 1..10000", cfg.BatchSize)
	}
	if cfg.PollInterval < 0 || cfg.MaxBackoff < 0 || cfg.Linger < 0 {
		return nil, errors.New("catchup: PollInterval, MaxBackoff and Linger must not be negative")
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 500
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.SkipAfter <= 0 {
		cfg.SkipAfter = 5
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	name := cfg.Target.Name()
	return &Runner{cfg: cfg, log: cfg.Logger.With("projection", name, "source", "store"), m: newMetrics(cfg.Metrics, name)}, nil
}

// LeaseName is the lease a runner of projector name holds (distinct from
// the relays' names, which share the Locker's key space).
func LeaseName(name string) string { return "catchup:" + name }

// Run feeds the target until ctx ends: it stands by until it holds the
// lease, then reads, applies and waits; when the lease is lost it stands
// by again. It returns nil when ctx ends.
func (r *Runner) Run(ctx context.Context) error {
	relay.WithLease(ctx, r.cfg.Locker, LeaseName(r.cfg.Target.Name()), "catch-up", r.log, r.cfg.PollInterval, func(ctx context.Context) error {
		r.m.leader.Set(1)
		defer r.m.leader.Set(0)
		return r.lead(ctx)
	})
	return nil
}

// lead runs while this runner holds the lease.
func (r *Runner) lead(ctx context.Context) error {
	var cursor uint64
	for {
		cp, err := r.cfg.Target.Checkpoint(ctx)
		if err == nil {
			cursor = cp - min(cp, r.cfg.Rewind)
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		r.log.Warn("catch-up checkpoint not read; retrying", "error", err)
		relay.Sleep(ctx, r.cfg.PollInterval)
	}
	r.log.Info("catch-up started", "from", cursor, "rewind", r.cfg.Rewind)
	backoff := 50 * time.Millisecond
	// A batch that keeps failing with an error the target calls poison is
	// retried one event at a time (isolate) to find the event; that event
	// is skipped after SkipAfter attempts, as the bus dead-letters it, so
	// one bad event does not stop the read model for good.
	attempts, isolate := 0, false
	for ctx.Err() == nil {
		size := r.cfg.BatchSize
		if isolate {
			size = 1
		}
		next, full, err := r.step(ctx, cursor, size)
		if next != cursor {
			attempts = 0
		}
		cursor = next
		r.m.cursor.Set(float64(cursor))
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			r.m.failures.Inc()
			attempts++
			var be *batchError
			poison := r.cfg.Poison != nil && r.cfg.Poison(err) && errors.As(err, &be)
			switch {
			case poison && !isolate && attempts >= r.cfg.SkipAfter:
				r.log.Warn("catch-up batch keeps failing; applying one event at a time to find the bad one", "after", cursor, "error", err)
				isolate, attempts, backoff = true, 0, 50*time.Millisecond
				continue
			case poison && isolate && attempts >= r.cfg.SkipAfter:
				r.log.Error("catch-up skipped an event that does not apply", "event_id", be.event.ID, "stream", be.event.Stream,
					"position", be.event.Position, "type", be.event.Type, "error", err)
				r.m.skipped.Inc()
				// The events after it in its stream fail the same way: each
				// gets its own short round of attempts.
				cursor, attempts, backoff = be.event.Position, 0, 50*time.Millisecond
				continue
			}
			r.log.Warn("catch-up batch failed; retrying", "after", cursor, "error", err, "backoff", backoff)
			relay.Sleep(ctx, backoff)
			backoff = min(2*backoff, r.cfg.MaxBackoff)
			continue
		}
		backoff, isolate = 50*time.Millisecond, false
		if !full {
			r.wait(ctx, cursor)
			if r.cfg.Linger > 0 {
				relay.Sleep(ctx, r.cfg.Linger)
			}
		}
	}
	return nil
}

// batchError is a failed batch and its first event.
type batchError struct {
	event eventstore.RecordedEvent
	n     int
	err   error
}

func (e *batchError) Error() string {
	return fmt.Sprintf("apply %d events from %d: %v", e.n, e.event.Position, e.err)
}

func (e *batchError) Unwrap() error { return e.err }

// readAhead is the fewest events one read asks for: the PostgreSQL store
// reads pages of 500 anyway, so small batches are cut from one read.
const readAhead = 500

// step reads what is available after cursor (up to max(BatchSize,
// readAhead) events) and applies it in batches of BatchSize. It returns the
// cursor after the last applied batch (also on an error) and whether the
// read was full (more may be waiting). When it was not, the cursor moves to
// the head read before it, past events the filter skipped, so the wait does
// not wake for them again: the store yields every event at or below a head
// it reported (an append still in flight is above it).
func (r *Runner) step(ctx context.Context, cursor uint64, size int) (uint64, bool, error) {
	head, err := r.head(ctx, cursor)
	if err != nil {
		return cursor, false, err
	}
	r.m.head.Set(float64(head))
	if head <= cursor {
		return cursor, false, nil
	}
	limit := max(size, readAhead)
	filter := r.cfg.Target.Filter()
	evs := make([]eventstore.RecordedEvent, 0, min(limit, int(min(head-cursor, 1<<20))))
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	for ev, err := range r.cfg.Source.ReadAll(rctx, cursor, filter) {
		if err != nil {
			return cursor, false, err
		}
		if !filter.Match(ev) {
			continue // adapters push the filter down; never trust it blindly
		}
		evs = append(evs, ev)
		if len(evs) == limit {
			break
		}
	}
	full := len(evs) == limit
	for batch := range slices.Chunk(evs, size) {
		start := time.Now()
		if err := r.cfg.Target.ApplyBatch(ctx, batch); err != nil {
			return cursor, false, &batchError{event: batch[0], n: len(batch), err: err}
		}
		r.m.batchSeconds.Observe(time.Since(start).Seconds())
		r.m.applied.Add(float64(len(batch)))
		r.m.lagSeconds.Set(max(0, time.Since(batch[len(batch)-1].Time).Seconds()))
		cursor = batch[len(batch)-1].Position
	}
	if !full {
		cursor = max(cursor, head)
		if len(evs) == 0 {
			r.m.lagSeconds.Set(0)
		}
	}
	return cursor, full, nil
}

// head is the store's head, as the shared notifier last saw it when that is
// past cursor (every runner woken by one append would otherwise ask the
// store the same question), else as the store tells it now.
func (r *Runner) head(ctx context.Context, cursor uint64) (uint64, error) {
	if k, ok := r.cfg.Wake.(interface{ Head() uint64 }); ok {
		if h := k.Head(); h > cursor {
			return h, nil
		}
	}
	return r.cfg.Source.HeadPosition(ctx)
}

// wait returns when the source may hold events after cursor, or after at
// most PollInterval (a notification may be lost).
func (r *Runner) wait(ctx context.Context, cursor uint64) {
	n := r.cfg.Wake
	if n == nil {
		n, _ = r.cfg.Source.(Waiter)
	}
	if n != nil {
		wctx, cancel := context.WithTimeout(ctx, r.cfg.PollInterval)
		defer cancel()
		err := n.WaitForAppend(wctx, cursor)
		if err == nil || errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			return
		}
		r.log.Warn("catch-up wait failed; polling", "error", err)
	}
	relay.Sleep(ctx, r.cfg.PollInterval)
}
