package notifier

import (
	"context"
	"errors"
	"iter"
	"slices"
	"time"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/notifier/templates"
)

// Delivery log errors returned by Claim.
var (
	// ErrAlreadySent: this key's email went out; do nothing.
	ErrAlreadySent = errors.New("notifier: already sent")
	// ErrAlreadyFailed: this key failed permanently and is listed for
	// support; do nothing.
	ErrAlreadyFailed = errors.New("notifier: already failed permanently")
	// ErrInFlight: another worker holds an unexpired claim; retry later.
	ErrInFlight = errors.New("notifier: delivery in flight elsewhere")
	// ErrNotFound is returned for an unknown key, order or basket.
	ErrNotFound = errors.New("notifier: not found")
)

// DeliveryStatus is the state of one delivery.
type DeliveryStatus string

// Delivery states.
const (
	StatusPending DeliveryStatus = "pending"
	StatusSent    DeliveryStatus = "sent"
	StatusFailed  DeliveryStatus = "failed"
)

// Delivery is one row of the delivery log.
type Delivery struct {
	Key       string         `json:"key"`
	Kind      string         `json:"kind"`
	To        string         `json:"to"`
	Status    DeliveryStatus `json:"status"`
	Attempts  int            `json:"attempts"`
	LastError string         `json:"lastError,omitempty"`
	MessageID string         `json:"messageId,omitempty"`
	CreatedAt time.Time      `json:"createdAt"`
	UpdatedAt time.Time      `json:"updatedAt"`
}

// Claim asks for the right to send the email identified by Key.
type Claim struct {
	Key   string // the triggering event id (or a derived key, see keys.go)
	Kind  string
	To    string
	Now   time.Time
	Lease time.Duration // how long the claim blocks other workers
}

// DeliveryLog makes "exactly one email per triggering event" hold across
// redelivery, replay and several notifier instances. A worker Claims the key,
// sends, then marks it Sent (or Failed for a permanent failure, or Releases
// it after a transient one so a redelivery can claim it again). A claim whose
// lease ran out (the worker died) can be taken over.
type DeliveryLog interface {
	// Claim returns nil when the caller may send, ErrAlreadySent,
	// ErrAlreadyFailed or ErrInFlight otherwise.
	Claim(ctx context.Context, c Claim) error
	MarkSent(ctx context.Context, key, messageID string, now time.Time) error
	MarkFailed(ctx context.Context, key, reason string, now time.Time) error
	Release(ctx context.Context, key, reason string, now time.Time) error
	Get(ctx context.Context, key string) (Delivery, error)
	// Failed lists permanent failures, newest first.
	Failed(ctx context.Context, limit int) ([]Delivery, error)
}

// Order is what the order emails need of the order: its OrderPlaced, read
// from the order's stream.
type Order struct {
	OrderID    string            `json:"orderId"`
	CustomerID string            `json:"customerId"`
	Email      string            `json:"email"`
	Lines      []templates.Line  `json:"lines"`
	Total      money.DTO         `json:"total"`
	Address    templates.Address `json:"address"`
	PlacedAt   time.Time         `json:"placedAt"`
	// Breakdown is nil for orders placed before tax and shipping.
	Breakdown *templates.Breakdown `json:"breakdown,omitempty"`
}

// BasketLine is a line of a tracked basket.
type BasketLine struct {
	SKU      string `json:"sku"`
	Name     string `json:"name"`
	Quantity int    `json:"quantity"`
}

// Basket is the notifier's view of one basket stream, enough to decide
// whether it was abandoned.
type Basket struct {
	BasketID string `json:"basketId"` // the stream suffix: basket-<id>
	// CustomerID is the owner when the events name one (checkout, or the
	// stream of a signed-in customer); guest baskets are never reminded.
	CustomerID string `json:"customerId"`
	// Version is the number of stream events applied (last revision + 1), so
	// a redelivered or replayed event is applied once.
	Version      uint64       `json:"version"`
	Lines        []BasketLine `json:"lines"`
	LastActivity time.Time    `json:"lastActivity"`
	// CycleID names the current filling of the basket: the id of the event
	// that made it non-empty. Reminders are keyed by it, so at most one goes
	// out per basket cycle even across restarts.
	CycleID       string `json:"cycleId"`
	RemindedCycle string `json:"remindedCycle"`
}

func (b Basket) clone() Basket {
	b.Lines = slices.Clone(b.Lines)
	return b
}

// Items is the number of units in the basket.
func (b Basket) Items() int {
	n := 0
	for _, l := range b.Lines {
		n += l.Quantity
	}
	return n
}

// BasketFold is what one basket event does to its tracked basket, for
// TrackBaskets.
type BasketFold struct {
	BasketID string
	// Revision is the event's revision in its basket stream. The fold is
	// applied only when it is not below the basket's Version (a duplicate,
	// a replay or an older event changes nothing); then Version becomes
	// Revision+1.
	Revision uint64
	// Apply changes the basket (loaded, or the zero value with BasketID set
	// when unknown). It never fails, so replay cannot fail.
	Apply func(*Basket)
}

// BasketStore tracks baskets for abandoned-basket reminders.
type BasketStore interface {
	// TrackBaskets applies folds in order, each guarded by its basket's
	// Version, and raises the tracker's checkpoint to checkpoint (never
	// lowers it), all in one transaction: a failed call stores neither. It
	// reads and writes each basket it touches at most once. Calls touching
	// one basket are serialised.
	TrackBaskets(ctx context.Context, folds []BasketFold, checkpoint uint64) error
	// BasketCheckpoint is the highest checkpoint TrackBaskets stored: the
	// global position of the last basket event tracked (0 before any).
	BasketCheckpoint(ctx context.Context) (uint64, error)
	// DueBaskets lists baskets with items, idle since at or before idleSince,
	// not yet reminded in their current cycle, oldest activity first.
	DueBaskets(ctx context.Context, idleSince time.Time, limit int) ([]Basket, error)
	// MarkReminded records that cycleID was handled (sent or skipped); it
	// does nothing when the basket moved on to another cycle meanwhile.
	MarkReminded(ctx context.Context, basketID, cycleID string) error
}

// FoldBaskets applies folds to the baskets read (a missing one is the zero
// value with its id), in order, with the revision guard, and returns the
// baskets that changed. It is the one fold every BasketStore adapter runs
// between its read and its write. read is not modified.
func FoldBaskets(read map[string]Basket, folds []BasketFold) map[string]Basket {
	changed := map[string]Basket{}
	for _, f := range folds {
		b, ok := changed[f.BasketID]
		if !ok {
			b = read[f.BasketID].clone()
			b.BasketID = f.BasketID
		}
		if f.Revision < b.Version {
			continue
		}
		f.Apply(&b)
		b.BasketID, b.Version = f.BasketID, f.Revision+1
		changed[f.BasketID] = b
	}
	return changed
}

// BasketIDs are the distinct baskets folds touch, sorted (the order the
// adapters lock them in, so concurrent batches cannot deadlock).
func BasketIDs(folds []BasketFold) []string {
	ids := make([]string, 0, len(folds))
	for _, f := range folds {
		ids = append(ids, f.BasketID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// Recipient is how a customer wants to be addressed.
type Recipient struct {
	Email string
	Name  string
	Lang  string
}

// Recipients looks up a customer's profile (name, preferred language). Any
// error or empty field falls back to the event's own fields and English.
type Recipients interface {
	Recipient(ctx context.Context, customerID string) (Recipient, error)
}

// MarketingContact is a customer's marketing consent and how to reach them.
type MarketingContact struct {
	OptedIn bool
	Email   string
	Name    string
	Lang    string
}

// MarketingPreferences answers whether a customer agreed to marketing email
// (the abandoned-basket reminder is marketing).
type MarketingPreferences interface {
	OptedIn(ctx context.Context, customerID string) (MarketingContact, error)
}

// MarketingOptOut turns the marketing opt-in off (the unsubscribe link).
type MarketingOptOut interface {
	OptOut(ctx context.Context, customerID string) error
}

// BackInStock keeps, per SKU, the customers who asked to be emailed when it
// is available again. Keyed by SKU, so each variant (its own SKU) has its
// own list. Subscribe and Unsubscribe are idempotent.
type BackInStock interface {
	Subscribe(ctx context.Context, sku, customerID string, at time.Time) error
	Unsubscribe(ctx context.Context, sku, customerID string) error
	Subscribed(ctx context.Context, sku, customerID string) (bool, error)
	// Subscribers lists the customers waiting for sku, oldest request first.
	Subscribers(ctx context.Context, sku string) ([]string, error)
}

// StreamReader reads one stream of the event store (eventstore.Store).
type StreamReader interface {
	Read(ctx context.Context, stream string, from eventstore.Revision) iter.Seq2[eventstore.RecordedEvent, error]
}
