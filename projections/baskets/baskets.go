// Package baskets is the basket read model: a projector that folds basket
// events into one document per basket, and the stores that hold it (Redis in
// server mode, memory in embedded mode). Each document remembers the stream
// version it reflects, so a duplicate delivery changes nothing and an event
// arriving before its predecessor is refused for redelivery instead of being
// applied out of order.
package baskets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/evshop/shop/commands/esrepo"
	domain "github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/pricing"
	"github.com/evshop/shop/eventstore"
)

// HandlerName names this projector's queue and checkpoint. Never rename it:
// a new name re-consumes every basket event.
const HandlerName = "projections.baskets"

// ErrNotFound is returned by Get for a basket with no events.
var ErrNotFound = errors.New("baskets: basket not found")

// ErrOutOfOrder is returned when an event arrives before its predecessor in
// the stream; the message is retried until the predecessor has been applied.
var ErrOutOfOrder = errors.New("baskets: event arrived out of order")

// Line is a basket line in the read model.
type Line struct {
	SKU         string    `json:"sku"`
	Name        string    `json:"name"`
	Category    string    `json:"category"`
	Quantity    int       `json:"quantity"`
	UnitPrice   money.DTO `json:"unitPrice"`
	TaxClass    string    `json:"taxClass,omitempty"`
	WeightGrams int       `json:"weightGrams,omitempty"`
}

// View is one basket as read by the storefront.
type View struct {
	BasketID string `json:"basketId"`
	// Version is the number of stream events applied: the basket's ETag.
	Version   uint64    `json:"version"`
	Position  uint64    `json:"position"`
	Lines     []Line    `json:"lines"`
	UpdatedAt time.Time `json:"updatedAt"`
	// Discount is the code in the basket with its checked effect.
	Discount *pricing.DiscountDTO `json:"discount,omitempty"`
}

// Total sums the lines (zero DTO when empty).
func (v View) Total() money.DTO {
	var t money.DTO
	for _, l := range v.Lines {
		t.Amount += l.UnitPrice.Amount * int64(l.Quantity)
		t.Currency = l.UnitPrice.Currency
	}
	return t
}

func (v View) clone() View {
	c := v
	c.Lines = append([]Line(nil), v.Lines...)
	if v.Discount != nil {
		d := *v.Discount
		d.Categories = append([]string(nil), d.Categories...)
		c.Discount = &d
	}
	return c
}

// Store holds the views. Every adapter passes the contract suite.
type Store interface {
	// Get returns the view of basketID, or ErrNotFound.
	Get(ctx context.Context, basketID string) (View, error)
	// Update atomically applies fn to the view of basketID for the event at
	// stream revision rev and global position pos: skipped (false, nil) if
	// already applied, ErrOutOfOrder if its predecessor is missing. The
	// projector checkpoint advances with the view.
	Update(ctx context.Context, basketID string, rev, pos uint64, fn func(*View)) (bool, error)
	// Checkpoint is the highest global position applied.
	Checkpoint(ctx context.Context) (uint64, error)
	// Reset deletes every view and the checkpoint (rebuild from zero).
	Reset(ctx context.Context) error
}

// Update is what one event does to one view, for UpdateBatch.
type Update struct {
	BasketID           string
	Revision, Position uint64
	Fn                 func(*View)
}

// BatchStore is a Store that applies many updates in one atomic write with
// the checkpoint (Redis: one MULTI/EXEC watched on every key it read), with
// the same outcome as Update on each in turn: an update the view already
// reflects is skipped; ErrOutOfOrder refuses the whole batch.
type BatchStore interface {
	UpdateBatch(ctx context.Context, ups []Update) error
}

// foldBatch applies ups to the views read (missing ones are zero), in
// order, and returns the changed views and the highest position seen.
func foldBatch(views map[string]View, ups []Update) (changed map[string]View, top uint64, err error) {
	changed = map[string]View{}
	for _, u := range ups {
		top = max(top, u.Position)
		v, ok := changed[u.BasketID]
		if !ok {
			v = views[u.BasketID].clone()
		}
		apply, err := guard(v.Version, u.Revision)
		if err != nil {
			return nil, 0, err
		}
		if !apply {
			continue
		}
		u.Fn(&v)
		v.Version, v.Position = u.Revision+1, u.Position
		changed[u.BasketID] = v
	}
	return changed, top, nil
}

// guard decides what to do with an event at rev for a view at version.
func guard(version, rev uint64) (apply bool, err error) {
	switch {
	case rev < version:
		return false, nil
	case rev > version:
		return false, fmt.Errorf("%w: revision %d but view at version %d", ErrOutOfOrder, rev, version)
	}
	return true, nil
}

// Projector folds basket events into a Store.
type Projector struct {
	store Store
	// Malformed, when set, hears of each event ApplyBatch skipped because it
	// does not decode (the bus path dead-letters those).
	Malformed func(ev eventstore.RecordedEvent, err error)
}

// NewProjector returns the projector writing to store.
func NewProjector(store Store) (*Projector, error) {
	if store == nil {
		return nil, errors.New("baskets: store is required")
	}
	return &Projector{store: store}, nil
}

// Name is HandlerName.
func (p *Projector) Name() string { return HandlerName }

// Filter selects the events this projector needs from the event store.
func (p *Projector) Filter() eventstore.Filter {
	return eventstore.Filter{StreamPrefixes: []string{domain.StreamPrefix}}
}

// Handle applies one stored event. Events of other streams or unknown types
// are ignored (nil) so the projector can sit on a shared subscription.
func (p *Projector) Handle(ctx context.Context, ev eventstore.RecordedEvent) error {
	id, ok := strings.CutPrefix(ev.Stream, domain.StreamPrefix)
	if !ok || !strings.HasPrefix(ev.Type, "basket.") {
		return nil
	}
	change, err := decode(ev)
	if err != nil {
		return err
	}
	_, err = p.store.Update(ctx, id, ev.Revision, ev.Position, func(v *View) {
		v.BasketID = id
		v.UpdatedAt = ev.Time.UTC()
		change(v)
	})
	return err
}

// ApplyBatch applies stored events (in global order) as one batch when the
// store can, else one by one; events of other streams are ignored. The
// catch-up runner (projections/catchup) calls it.
func (p *Projector) ApplyBatch(ctx context.Context, evs []eventstore.RecordedEvent) error {
	ups := make([]Update, 0, len(evs))
	for _, ev := range evs {
		id, ok := strings.CutPrefix(ev.Stream, domain.StreamPrefix)
		if !ok || !strings.HasPrefix(ev.Type, "basket.") {
			continue
		}
		change, err := decode(ev)
		if err != nil {
			if p.Malformed != nil {
				p.Malformed(ev, err)
			}
			continue
		}
		at := ev.Time.UTC()
		ups = append(ups, Update{BasketID: id, Revision: ev.Revision, Position: ev.Position, Fn: func(v *View) {
			v.BasketID, v.UpdatedAt = id, at
			change(v)
		}})
	}
	if b, ok := p.store.(BatchStore); ok {
		return b.UpdateBatch(ctx, ups)
	}
	for _, u := range ups {
		if _, err := p.store.Update(ctx, u.BasketID, u.Revision, u.Position, u.Fn); err != nil {
			return err
		}
	}
	return nil
}

// Checkpoint is the store's checkpoint: where a catch-up runner resumes.
func (p *Projector) Checkpoint(ctx context.Context) (uint64, error) { return p.store.Checkpoint(ctx) }

func find(v *View, sku string) int {
	for i, l := range v.Lines {
		if l.SKU == sku {
			return i
		}
	}
	return -1
}

// decode turns an event into the change it makes to a view. Unknown basket
// events still advance the version (they are part of the stream).
func decode(ev eventstore.RecordedEvent) (func(*View), error) {
	decoded, err := basketEvents.Decode(ev.Type, ev.Data)
	if errors.Is(err, esrepo.ErrUnknownEvent) {
		return func(*View) {}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("baskets: decode %s at %s/%d: %w", ev.Type, ev.Stream, ev.Revision, err)
	}
	switch e := decoded.(type) {
	case domain.ItemAdded:
		return func(v *View) {
			if i := find(v, e.SKU); i >= 0 {
				v.Lines[i].Quantity = e.Quantity
				return
			}
			v.Lines = append(v.Lines, Line{SKU: e.SKU, Name: e.Name, Category: e.Category, Quantity: e.Quantity, UnitPrice: e.UnitPrice,
				TaxClass: e.TaxClass, WeightGrams: e.WeightGrams})
		}, nil
	case domain.ItemQuantityChanged:
		return func(v *View) {
			if i := find(v, e.SKU); i >= 0 {
				v.Lines[i].Quantity = e.Quantity
			}
		}, nil
	case domain.ItemRemoved:
		return func(v *View) {
			if i := find(v, e.SKU); i >= 0 {
				v.Lines = append(v.Lines[:i], v.Lines[i+1:]...)
			}
		}, nil
	case domain.ItemRepriced:
		return func(v *View) {
			if i := find(v, e.SKU); i >= 0 {
				v.Lines[i].UnitPrice = e.UnitPrice
			}
		}, nil
	case domain.BasketCleared, domain.BasketCheckedOut:
		return func(v *View) { v.Lines, v.Discount = nil, nil }, nil
	case domain.DiscountCodeApplied:
		return func(v *View) { d := e.Discount; v.Discount = &d }, nil
	case domain.DiscountCodeRemoved:
		return func(v *View) { v.Discount = nil }, nil
	default:
		return func(*View) {}, nil
	}
}

// basketEvents decodes the basket events, from the domain's one list of
// them. It is a fixed table, built once.
var basketEvents = esrepo.CodecFor(domain.Events()...)

// CatchUp folds one event of basketID's stream into a copy of v, exactly as
// the projector would. The basket API uses it to bring a view read from the
// store up to the stream's head, so a customer's read reflects every write
// the event store holds even while the projector is behind
// (read-your-writes). ev must be the event at revision v.Version: a gap is
// ErrOutOfOrder, an event already in v is skipped.
func CatchUp(v View, basketID string, ev eventstore.RecordedEvent) (View, error) {
	if ok, err := guard(v.Version, ev.Revision); !ok {
		return v, err
	}
	v = v.clone()
	if strings.HasPrefix(ev.Type, "basket.") {
		change, err := decode(ev)
		if err != nil {
			return v, err
		}
		change(&v)
	}
	v.BasketID, v.UpdatedAt = basketID, ev.Time.UTC()
	v.Version, v.Position = ev.Revision+1, ev.Position
	return v, nil
}
