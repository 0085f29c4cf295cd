// Package rebuild owns the rebuild of read models from the event store: the
// Projection port every rebuildable read model implements, the registry of
// them, the runner that replays history into a shadow target while the live
// one keeps serving, catches up and swaps atomically, and the state store
// that remembers progress and refuses a second concurrent rebuild.
//
// A rebuild only reads the event store and writes read models: it never
// appends an event, sends a command or calls a gateway, so replaying history
// has no side effect (rebuild_test proves it).
package rebuild

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/evshop/shop/eventstore"
)

// Errors of the rebuild machinery.
var (
	// ErrUnknownProjection is returned for a name that is not registered.
	ErrUnknownProjection = errors.New("rebuild: unknown projection")
	// ErrBusy is returned when another rebuild of the projection holds its lock.
	ErrBusy = errors.New("rebuild: a rebuild of this projection is already running")
	// ErrDuplicate is returned when a name is registered twice.
	ErrDuplicate = errors.New("rebuild: projection already registered")
)

// Projection is a read model that can be rebuilt. Implementations live beside
// their read model (projections/orders, projections/baskets, ...).
//
// The runner drives it as: CreateShadow, ApplyShadow (many times), Swap,
// and on a restart DropShadow first. Every method must be safe to call again
// after the process died half-way: that is what makes a rebuild resumable.
type Projection interface {
	// Name is the stable name shown to operators and used for the lock.
	Name() string
	// Filter selects the events the projection needs.
	Filter() eventstore.Filter
	// LiveCheckpoint is the highest position the live read model applied.
	LiveCheckpoint(ctx context.Context) (uint64, error)
	// CreateShadow makes an empty shadow target, or keeps the one a previous
	// interrupted rebuild left (it then resumes from ShadowCheckpoint).
	CreateShadow(ctx context.Context) error
	// ShadowCheckpoint is the highest position applied to the shadow; it is
	// written atomically with the data it accounts for.
	ShadowCheckpoint(ctx context.Context) (uint64, error)
	// ApplyShadow folds events (in global order, already filtered) into the
	// shadow. Events already applied are skipped, so a batch may be replayed.
	ApplyShadow(ctx context.Context, events []eventstore.RecordedEvent) error
	// Swap makes the shadow the live read model atomically. It calls catchUp
	// (which applies to the shadow every event up to the head) at the moment
	// where no event the live projector handles can be lost: with live writes
	// held off (Postgres, memory), or around the pointer switch (Redis).
	Swap(ctx context.Context, catchUp func(ctx context.Context) error) error
	// DropShadow deletes the shadow target and its checkpoint.
	DropShadow(ctx context.Context) error
}

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9._-]{0,62}$`)

// ValidName reports whether s can name a projection (it travels in URLs and
// lock keys).
func ValidName(s string) bool { return namePattern.MatchString(s) }

// Registry holds the rebuildable projections of one deployment. It is built
// at start-up by the wiring (cmd/shopctl, cmd/shop); there is no global one.
type Registry struct {
	mu    sync.RWMutex
	items map[string]Projection
}

// NewRegistry returns a registry of ps.
func NewRegistry(ps ...Projection) (*Registry, error) {
	r := &Registry{items: map[string]Projection{}}
	for _, p := range ps {
		if err := r.Register(p); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Register adds p.
func (r *Registry) Register(p Projection) error {
	if p == nil {
		return errors.New("rebuild: nil projection")
	}
	if !ValidName(p.Name()) {
		return fmt.Errorf("rebuild: projection name %q must match %s", p.Name(), namePattern)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.items[p.Name()]; ok {
		return fmt.Errorf("%w: %s", ErrDuplicate, p.Name())
	}
	r.items[p.Name()] = p
	return nil
}

// Get returns the projection called name.
func (r *Registry) Get(name string) (Projection, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, ok := r.items[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownProjection, name)
	}
	return p, nil
}

// Names lists the registered names, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.items))
	for n := range r.items {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// State is where a projection's rebuild stands.
type State string

// States of a rebuild.
const (
	StateIdle        State = "idle"        // never rebuilt (or state lost)
	StateRunning     State = "running"     // a runner holds the lock now
	StateInterrupted State = "interrupted" // a runner died or was stopped; shadow kept for resume
	StateFailed      State = "failed"      // the last rebuild ended with an error
	StateDone        State = "done"        // the last rebuild swapped successfully
)

// Phase is the step a running rebuild is in.
type Phase string

// Phases of a rebuild.
const (
	PhaseReplaying  Phase = "replaying"   // history into the shadow
	PhaseCatchingUp Phase = "catching-up" // the tail, with live writes held off
	PhaseSwapped    Phase = "swapped"
)

// Progress is the saved state of one projection's last or current rebuild.
type Progress struct {
	Name      string    `json:"name"`
	State     State     `json:"state"`
	Phase     Phase     `json:"phase,omitempty"`
	StartedAt time.Time `json:"startedAt,omitzero"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
	// Applied counts events applied to the shadow by this run.
	Applied uint64 `json:"applied"`
	// From is where this run started (the shadow checkpoint when resuming).
	From uint64 `json:"from"`
	// Position is the last position applied to the shadow.
	Position uint64 `json:"position"`
	// Target is the head of the store when the run started; the replay
	// phase ends there, the catch-up goes past it.
	Target uint64 `json:"target"`
	Error  string `json:"error,omitempty"`
}

// Fraction is how far the replay is, 0..1, by position.
func (p Progress) Fraction() float64 {
	if p.Target <= p.From {
		return 1
	}
	f := float64(p.Position-min(p.Position, p.From)) / float64(p.Target-p.From)
	return min(max(f, 0), 1)
}

// Rate is the events applied per second so far.
func (p Progress) Rate() float64 {
	d := p.UpdatedAt.Sub(p.StartedAt).Seconds()
	if d <= 0 {
		return 0
	}
	return float64(p.Applied) / d
}

// ETA estimates the time left from the position fraction and elapsed time.
func (p Progress) ETA() time.Duration {
	f := p.Fraction()
	if f <= 0 || f >= 1 {
		return 0
	}
	el := p.UpdatedAt.Sub(p.StartedAt)
	return time.Duration(float64(el) * (1 - f) / f).Round(time.Second)
}

// StateStore keeps rebuild progress and the per-projection lock. One state
// store must be shared by every process that may rebuild (shopctl and the
// admin API): the lock only excludes runners that use the same store.
type StateStore interface {
	// Lock takes the exclusive rebuild lock of name, or returns ErrBusy. The
	// lock dies with the process (session advisory lock, expiring key), so an
	// interrupted rebuild never blocks the next one. release is idempotent.
	Lock(ctx context.Context, name string) (release func(), err error)
	// Locked reports whether some runner holds the lock of name now.
	Locked(ctx context.Context, name string) (bool, error)
	// Save records p (upsert by p.Name).
	Save(ctx context.Context, p Progress) error
	// Load returns the saved progress of name (ok false when none).
	Load(ctx context.Context, name string) (p Progress, ok bool, err error)
}
