package rebuild

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"sync"
	"time"

	"github.com/evshop/shop/eventstore"
)

// Reader is the part of the event store a rebuild uses. It has no Append on
// purpose: a runner cannot write history even by mistake.
type Reader interface {
	ReadAll(ctx context.Context, after uint64, filter eventstore.Filter) iter.Seq2[eventstore.RecordedEvent, error]
	HeadPosition(ctx context.Context) (uint64, error)
}

// Config configures a Runner.
type Config struct {
	Events   Reader
	Registry *Registry
	State    StateStore
	Log      *slog.Logger
	// BatchSize is how many events one ApplyShadow call gets; default 2000.
	BatchSize int
	// SaveEvery throttles progress writes to the state store; default 1s.
	SaveEvery time.Duration
	// LagScanLimit bounds how many unapplied events Status counts; beyond it
	// the lag is reported as "at least"; default 100000.
	LagScanLimit int
	// TailThreshold: the replay repeats unlocked passes until fewer events
	// than this were left, so the final catch-up (which holds live writers
	// off) stays short; default 1000.
	TailThreshold int
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// Runner rebuilds the projections of a registry.
type Runner struct {
	cfg    Config
	mu     sync.Mutex
	active map[string]*Progress // runs of this process, freshest progress
	bg     sync.WaitGroup
	stop   context.CancelFunc
	bgCtx  context.Context
}

// NewRunner validates cfg and applies defaults.
func NewRunner(cfg Config) (*Runner, error) {
	if cfg.Events == nil || cfg.Registry == nil || cfg.State == nil {
		return nil, errors.New("rebuild: Events, Registry and State are required")
	}
	if cfg.BatchSize < 0 || cfg.BatchSize > 100_000 || cfg.LagScanLimit < 0 || cfg.TailThreshold < 0 || cfg.SaveEvery < 0 {
		return nil, errors.New("rebuild: BatchSize must be in 0..100000 and LagScanLimit, TailThreshold, SaveEvery non-negative")
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 2000
	}
	if cfg.SaveEvery == 0 {
		cfg.SaveEvery = time.Second
	}
	if cfg.LagScanLimit == 0 {
		cfg.LagScanLimit = 100_000
	}
	if cfg.TailThreshold == 0 {
		cfg.TailThreshold = 1000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Runner{cfg: cfg, active: map[string]*Progress{}, bgCtx: ctx, stop: cancel}, nil
}

// Registry returns the runner's registry.
func (r *Runner) Registry() *Registry { return r.cfg.Registry }

// Options tune one rebuild.
type Options struct {
	// Restart drops a shadow left by an interrupted rebuild and replays from
	// zero; by default the rebuild resumes from the shadow's checkpoint.
	Restart bool
	// Progress, when set, is called after every applied batch.
	Progress func(Progress)
}

// Rebuild rebuilds the projection name and returns its final progress. It
// refuses (ErrBusy) when another rebuild of it holds the lock. Cancelling
// ctx stops it between batches; the shadow is kept for the next run.
func (r *Runner) Rebuild(ctx context.Context, name string, opts Options) (Progress, error) {
	p, err := r.cfg.Registry.Get(name)
	if err != nil {
		return Progress{}, err
	}
	release, err := r.cfg.State.Lock(ctx, name)
	if err != nil {
		return Progress{}, err
	}
	defer release()
	return r.run(ctx, p, opts)
}

// Start begins a rebuild in the background (HTTP API) after taking its lock,
// so a concurrent request gets ErrBusy at once. Close stops background runs.
func (r *Runner) Start(name string, opts Options) error {
	p, err := r.cfg.Registry.Get(name)
	if err != nil {
		return err
	}
	release, err := r.cfg.State.Lock(r.bgCtx, name)
	if err != nil {
		return err
	}
	r.bg.Go(func() {
		defer release()
		if _, err := r.run(r.bgCtx, p, opts); err != nil {
			r.cfg.Log.Error("projection rebuild failed", "projection", name, "error", err)
		}
	})
	return nil
}

// Close interrupts background rebuilds (they stay resumable) and waits.
func (r *Runner) Close() {
	r.stop()
	r.bg.Wait()
}

// Wait waits for the background rebuilds to end (tests).
func (r *Runner) Wait() { r.bg.Wait() }

func (r *Runner) run(ctx context.Context, p Projection, opts Options) (prog Progress, err error) {
	name := p.Name()
	log := r.cfg.Log.With("projection", name)
	now := r.cfg.Now().UTC()
	prog = Progress{Name: name, State: StateRunning, Phase: PhaseReplaying, StartedAt: now, UpdatedAt: now}
	r.setActive(name, &prog)
	defer r.clearActive(name)
	defer func() {
		prog.UpdatedAt = r.cfg.Now().UTC()
		switch {
		case err == nil:
			prog.State = StateDone
		case ctx.Err() != nil:
			prog.State, prog.Error = StateInterrupted, "interrupted: "+err.Error()
		default:
			prog.State, prog.Error = StateFailed, err.Error()
		}
		// The outcome must be recorded even when ctx was cancelled.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if serr := r.cfg.State.Save(sctx, prog); serr != nil {
			log.Error("saving rebuild state failed", "error", serr)
		}
		if opts.Progress != nil {
			opts.Progress(prog)
		}
	}()

	if opts.Restart {
		if err := p.DropShadow(ctx); err != nil {
			return prog, fmt.Errorf("rebuild %s: drop shadow: %w", name, err)
		}
	}
	if err := p.CreateShadow(ctx); err != nil {
		return prog, fmt.Errorf("rebuild %s: create shadow: %w", name, err)
	}
	from, err := p.ShadowCheckpoint(ctx)
	if err != nil {
		return prog, fmt.Errorf("rebuild %s: shadow checkpoint: %w", name, err)
	}
	head, err := r.cfg.Events.HeadPosition(ctx)
	if err != nil {
		return prog, fmt.Errorf("rebuild %s: head: %w", name, err)
	}
	prog.From, prog.Position, prog.Target = from, from, head
	log.Info("projection rebuild started", "from", from, "head", head, "restart", opts.Restart)
	if err := r.cfg.State.Save(ctx, prog); err != nil {
		return prog, err
	}
	lastSave := r.cfg.Now()
	report := func() {
		prog.UpdatedAt = r.cfg.Now().UTC()
		r.setActive(name, &prog)
		if opts.Progress != nil {
			opts.Progress(prog)
		}
		if time.Since(lastSave) >= r.cfg.SaveEvery {
			lastSave = time.Now()
			if err := r.cfg.State.Save(ctx, prog); err != nil {
				log.Warn("saving rebuild progress failed", "error", err)
			}
		}
	}

	// Unlocked passes until the tail is short, so the catch-up that holds
	// live writers off has little to do.
	for pass := 0; ; pass++ {
		n, err := r.replay(ctx, p, prog.Position, &prog, report)
		if err != nil {
			return prog, fmt.Errorf("rebuild %s: replay: %w", name, err)
		}
		if n < uint64(r.cfg.TailThreshold) || pass >= 20 {
			break
		}
	}

	prog.Phase = PhaseCatchingUp
	report()
	err = p.Swap(ctx, func(ctx context.Context) error {
		at, err := p.ShadowCheckpoint(ctx)
		if err != nil {
			return err
		}
		_, err = r.replay(ctx, p, max(at, prog.Position), &prog, report)
		return err
	})
	if err != nil {
		return prog, fmt.Errorf("rebuild %s: swap: %w", name, err)
	}
	prog.Phase = PhaseSwapped
	log.Info("projection rebuild swapped", "applied", prog.Applied, "position", prog.Position,
		"seconds", r.cfg.Now().Sub(prog.StartedAt).Seconds())
	return prog, nil
}

// replay applies every matching event after `after` up to the current head
// to the shadow, in batches, and returns how many it applied.
func (r *Runner) replay(ctx context.Context, p Projection, after uint64, prog *Progress, report func()) (uint64, error) {
	filter := p.Filter()
	batch := make([]eventstore.RecordedEvent, 0, r.cfg.BatchSize)
	var n uint64
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := p.ApplyShadow(ctx, batch); err != nil {
			return err
		}
		n += uint64(len(batch))
		prog.Applied += uint64(len(batch))
		prog.Position = batch[len(batch)-1].Position
		batch = batch[:0]
		report()
		return nil
	}
	for ev, err := range r.cfg.Events.ReadAll(ctx, after, filter) {
		if err != nil {
			return n, err
		}
		// Adapters push the filter down, but a projection must never see an
		// event it did not ask for.
		if !filter.Match(ev) {
			continue
		}
		batch = append(batch, ev)
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	return n, flush()
}

func (r *Runner) setActive(name string, p *Progress) {
	c := *p
	r.mu.Lock()
	r.active[name] = &c
	r.mu.Unlock()
}

func (r *Runner) clearActive(name string) {
	r.mu.Lock()
	delete(r.active, name)
	r.mu.Unlock()
}

// Status is what operators see of one projection.
type Status struct {
	Name       string `json:"name"`
	Checkpoint uint64 `json:"checkpoint"`
	Head       uint64 `json:"head"`
	// LagEvents counts matching events after the checkpoint; LagCapped says
	// the count stopped at the scan limit (the lag is at least that).
	LagEvents uint64 `json:"lagEvents"`
	LagCapped bool   `json:"lagCapped,omitempty"`
	// LagSeconds is how old the oldest unapplied matching event is.
	LagSeconds float64   `json:"lagSeconds"`
	State      State     `json:"state"`
	Rebuild    *Progress `json:"rebuild,omitempty"`
}

// Status reports one projection.
func (r *Runner) Status(ctx context.Context, name string) (Status, error) {
	p, err := r.cfg.Registry.Get(name)
	if err != nil {
		return Status{}, err
	}
	st := Status{Name: name, State: StateIdle}
	if st.Checkpoint, err = p.LiveCheckpoint(ctx); err != nil {
		return Status{}, fmt.Errorf("rebuild: %s checkpoint: %w", name, err)
	}
	if st.Head, err = r.cfg.Events.HeadPosition(ctx); err != nil {
		return Status{}, fmt.Errorf("rebuild: head: %w", err)
	}
	if err := r.lag(ctx, p, &st); err != nil {
		return Status{}, err
	}
	// The lock is read before the saved state: a run saves its outcome
	// before it lets go of the lock, so a state read after an unlocked
	// lock is that outcome, never a finished run's "running".
	locked, err := r.cfg.State.Locked(ctx, name)
	if err != nil {
		return Status{}, err
	}
	saved, ok, err := r.cfg.State.Load(ctx, name)
	if err != nil {
		return Status{}, err
	}
	if ok {
		st.Rebuild = &saved
		st.State = saved.State
	}
	r.mu.Lock()
	if a, running := r.active[name]; running {
		c := *a
		st.Rebuild, st.State = &c, c.State
	}
	r.mu.Unlock()
	switch {
	case locked:
		st.State = StateRunning
	case st.State == StateRunning:
		// Saved as running but the lock was free: either a run began
		// after the lock was read, or the runner died.
		if again, err := r.cfg.State.Locked(ctx, name); err != nil {
			return Status{}, err
		} else if again {
			break
		}
		st.State = StateInterrupted
	}
	return st, nil
}

func (r *Runner) lag(ctx context.Context, p Projection, st *Status) error {
	if st.Head <= st.Checkpoint {
		return nil
	}
	filter := p.Filter()
	for ev, err := range r.cfg.Events.ReadAll(ctx, st.Checkpoint, filter) {
		if err != nil {
			return fmt.Errorf("rebuild: lag of %s: %w", st.Name, err)
		}
		if !filter.Match(ev) {
			continue
		}
		if st.LagEvents == 0 {
			st.LagSeconds = max(0, r.cfg.Now().Sub(ev.Time).Seconds())
		}
		st.LagEvents++
		if st.LagEvents >= uint64(r.cfg.LagScanLimit) {
			st.LagCapped = true
			break
		}
	}
	return nil
}

// List reports every registered projection, sorted by name.
func (r *Runner) List(ctx context.Context) ([]Status, error) {
	var out []Status
	for _, n := range r.cfg.Registry.Names() {
		st, err := r.Status(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}
