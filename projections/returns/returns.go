// Package returns is the staff's returns read model: every return with its
// status, for the back office's list by status. It folds the returns
// streams ("returns-<orderId>", one per order) with the aggregate's own
// Return.Apply, guarded per order by the stream revision, and keeps its
// checkpoint with its rows. Adapters: memory (embedded; Swappable for
// rebuilds), SQLite (durable embedded, sqlitestore) and PostgreSQL (server
// mode), all under one contract suite.
package returns

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/evshop/shop/commands/esrepo"
	domain "github.com/evshop/shop/domain/returns"
	"github.com/evshop/shop/eventstore"
)

// HandlerName is the projector's stable name (queue and checkpoint).
const HandlerName = "projections.returns"

// RebuildName is the name operators use for this read model.
const RebuildName = "returns"

// ErrOutOfOrder means an earlier event of the order's returns stream was not
// applied yet.
var ErrOutOfOrder = errors.New("returns projection: event out of order")

// Change is one stored returns event.
type Change struct {
	OrderID  string
	Revision uint64
	Position uint64
	Event    domain.Event
}

// Store is the read model.
type Store interface {
	// ApplyBatch folds cs (in global order) with the checkpoint in one
	// atomic write; a change the order's returns already reflect is
	// skipped, one past a missing revision is ErrOutOfOrder.
	ApplyBatch(ctx context.Context, cs []Change) error
	// List returns every return of status ("" for all), newest first.
	List(ctx context.Context, status domain.Status) ([]domain.Return, error)
	// Checkpoint is the highest global position applied.
	Checkpoint(ctx context.Context) (uint64, error)
}

// Filter selects the returns streams.
func Filter() eventstore.Filter {
	return eventstore.Filter{StreamPrefixes: []string{domain.StreamPrefix}}
}

// OrderState is what the read model keeps of one order's returns while
// folding: the stream version and each return.
type OrderState struct {
	Version uint64
	Returns map[string]domain.Return
}

// Fold applies c to st (nil: no return of the order yet). It reports
// whether c changed anything (false: already applied).
func Fold(st *OrderState, c Change) (bool, error) {
	switch {
	case c.Revision < st.Version:
		return false, nil
	case c.Revision > st.Version:
		return false, fmt.Errorf("%w: %s revision %d at version %d", ErrOutOfOrder, c.OrderID, c.Revision, st.Version)
	}
	st.Version++
	if st.Returns == nil {
		st.Returns = map[string]domain.Return{}
	}
	if id := domain.ReturnIDOf(c.Event); id != "" {
		r := st.Returns[id]
		r.Apply(c.Event)
		if r.ID != "" {
			st.Returns[id] = r
		}
	}
	return true, nil
}

// Sorted orders returns newest first (ties by id), as List answers.
func Sorted(rs []domain.Return) []domain.Return {
	sort.Slice(rs, func(i, j int) bool {
		if !rs[i].RequestedAt.Equal(rs[j].RequestedAt) {
			return rs[i].RequestedAt.After(rs[j].RequestedAt)
		}
		return rs[i].ID < rs[j].ID
	})
	return rs
}

// Projector folds returns events into a Store.
type Projector struct {
	store Store
	codec *esrepo.Codec
	// Malformed, when set, hears of each event ApplyBatch skipped because
	// it does not decode.
	Malformed func(ev eventstore.RecordedEvent, err error)
}

// NewProjector returns the projector writing to store.
func NewProjector(store Store) (*Projector, error) {
	if store == nil {
		return nil, errors.New("returns projection: store is required")
	}
	return &Projector{store: store, codec: esrepo.CodecFor(domain.Events()...)}, nil
}

// Name is HandlerName.
func (p *Projector) Name() string { return HandlerName }

// Filter selects the returns streams.
func (p *Projector) Filter() eventstore.Filter { return Filter() }

// Handle folds one stored event (bus delivery); a malformed one fails.
func (p *Projector) Handle(ctx context.Context, ev eventstore.RecordedEvent) error {
	c, ok, err := p.decode(ev)
	if err != nil || !ok {
		return err
	}
	return p.store.ApplyBatch(ctx, []Change{c})
}

// ApplyBatch folds stored events (global order); events of other streams
// are ignored, malformed ones reported to Malformed and skipped.
func (p *Projector) ApplyBatch(ctx context.Context, evs []eventstore.RecordedEvent) error {
	cs := make([]Change, 0, len(evs))
	for _, ev := range evs {
		c, ok, err := p.decode(ev)
		if err != nil {
			if p.Malformed != nil {
				p.Malformed(ev, err)
			}
			continue
		}
		if ok {
			cs = append(cs, c)
		}
	}
	return p.store.ApplyBatch(ctx, cs)
}

// Checkpoint is the store's checkpoint.
func (p *Projector) Checkpoint(ctx context.Context) (uint64, error) { return p.store.Checkpoint(ctx) }

func (p *Projector) decode(ev eventstore.RecordedEvent) (Change, bool, error) {
	orderID, ok := strings.CutPrefix(ev.Stream, domain.StreamPrefix)
	if !ok {
		return Change{}, false, nil
	}
	e, err := p.codec.DecodeRecorded(ev)
	if err != nil {
		return Change{}, false, fmt.Errorf("returns projection: %s/%d: %w", ev.Stream, ev.Revision, err)
	}
	return Change{OrderID: orderID, Revision: ev.Revision, Position: ev.Position, Event: e}, true, nil
}
