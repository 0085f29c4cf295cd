// Package esrepo is the small generic glue between event-sourced aggregates
// and the eventstore port: it encodes domain events by their fixed wire name,
// decodes stored events back through a registry (never through Go type names,
// so a rename cannot change the wire contract), loads an aggregate by replaying
// its stream and appends the aggregate's new events with the expected revision
// derived from the version it was loaded at, so concurrent writers get
// eventstore.ErrConcurrency instead of a lost update.
//
// A repository keeps the decoded events of the streams it recently loaded
// and saved (Config.CacheEvents, cache.go): a load applies copies of them and
// reads from the store only what follows, so it costs one short read instead
// of the whole stream and its JSON, and is never older than the store. Of an
// aggregate that can copy itself (Copier) it keeps the aggregate instead, so
// a load applies only the events since.
//
// Typical use in a command handler:
//
//	codec := esrepo.CodecFor(basket.Events()...)
//	repo, _ := esrepo.New(esrepo.Config[*basket.Basket]{
//		Store: store, Codec: codec,
//		Stream: func(id string) string { return "basket-" + id },
//		New:    basket.Blank,
//	})
//	b, _ := repo.Load(ctx, id)
//	_ = b.AddItem(...)
//	res, err := repo.Save(ctx, b, meta)
package esrepo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"sort"
	"sync"

	"github.com/google/uuid"

	"github.com/evshop/shop/eventstore"
)

// ErrUnknownEvent is returned when a stored event type has no registered
// decoder. Aggregates skip nothing silently: an unknown type in their own
// stream means the code is older than the data.
var ErrUnknownEvent = errors.New("esrepo: unknown event type")

// ErrNotFound is returned by Load when the stream holds no events and the
// caller asked for an existing aggregate (see LoadExisting).
var ErrNotFound = errors.New("esrepo: aggregate not found")

// Event is a domain event: a small past-tense struct with a fixed, versioned
// wire name such as "ordering.OrderPlaced.v1". It is an alias of an interface
// literal so domain packages, which import only the standard library, can
// declare the identical alias and satisfy Aggregate without importing esrepo.
type Event = interface {
	EventName() string
}

// Aggregate is what the repository loads and saves. Domain packages implement
// it structurally (they do not import this package).
type Aggregate interface {
	// ApplyStored applies an event read back from the store and counts it
	// towards Version. It never fails, so replay cannot fail.
	ApplyStored(e Event)
	// Version is the number of stored events applied (0 for a new aggregate).
	Version() uint64
	// Changes are the events recorded since loading, oldest first.
	Changes() []Event
}

// Copier is implemented by an aggregate that can copy itself: the copy has
// the same state and version, no changes, and shares nothing the original
// or the copy could change later. The repository's cache then keeps the
// aggregate itself rather than all the events it was folded from (cache.go),
// and a load applies only the events after it. For aggregates whose
// streams grow without end, like a customer's basket.
type Copier[A any] interface {
	Copy() A
}

// Codec maps wire names to decoders. Build one per bounded context at start-up
// from the context's one list of events (CodecFor), plus an upcaster for each
// wire type or shape that is stored but no longer recorded; it is safe for
// concurrent use once built.
type Codec struct {
	mu       sync.RWMutex
	decoders map[string]func(json.RawMessage) (Event, error)
	// upcasts maps an old wire type to the current wire type it decodes
	// to ("" for a retired type), so handlers of the current event are
	// also subscribed to the old one.
	upcasts map[string]string
}

// NewCodec returns an empty codec.
func NewCodec() *Codec {
	return &Codec{decoders: map[string]func(json.RawMessage) (Event, error){}, upcasts: map[string]string{}}
}

// CodecFor returns a codec that decodes each of events (zero values of value
// types, as the domain packages' Events() lists them) under its wire name.
func CodecFor[E Event](events ...E) *Codec {
	c := NewCodec()
	for _, e := range events {
		c.add(e)
	}
	return c
}

// Join returns a codec that decodes everything the given codecs decode, for
// handlers that listen to several contexts.
func Join(codecs ...*Codec) *Codec {
	out := NewCodec()
	for _, c := range codecs {
		c.mu.RLock()
		for k, v := range c.decoders {
			out.decoders[k] = v
		}
		for k, v := range c.upcasts {
			out.upcasts[k] = v
		}
		c.mu.RUnlock()
	}
	return out
}

// Register teaches c to decode events of type E under E's wire name. E is a
// value type whose zero value reports its EventName.
func Register[E Event](c *Codec) {
	var zero E
	c.add(zero)
}

func (c *Codec) add(zero Event) {
	name := zero.EventName()
	t := reflect.TypeOf(zero)
	dec := func(data json.RawMessage) (Event, error) {
		p := reflect.New(t)
		if len(data) > 0 {
			if err := json.Unmarshal(data, p.Interface()); err != nil {
				return nil, fmt.Errorf("esrepo: decode %s: %w", name, err)
			}
		}
		return p.Elem().Interface().(Event), nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.decoders[name] = dec
}

// Upcast teaches c to decode events stored under oldType, a wire type (or
// shape) no longer recorded, as the current event to: fn turns the old data
// into a value of to's type. Handlers declaring to are also bound to oldType.
func (c *Codec) Upcast(oldType string, to Event, fn func(data json.RawMessage) (Event, error)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.upcasts[oldType] = to.EventName()
	c.decoders[oldType] = func(data json.RawMessage) (Event, error) {
		e, err := fn(data)
		if err != nil {
			return nil, fmt.Errorf("esrepo: upcast %s: %w", oldType, err)
		}
		return e, nil
	}
}

// Retired stands for a stored event of a type no longer recorded that
// carries no fact the current model keeps. It still takes its place in its
// stream (aggregates count it towards their version; read models towards
// their revision) and changes nothing else.
type Retired struct{ Type string }

// EventName is the retired wire type.
func (r Retired) EventName() string { return r.Type }

// Retire teaches c to decode the old types as Retired, whatever their data.
func (c *Codec) Retire(oldTypes ...string) {
	for _, t := range oldTypes {
		c.mu.Lock()
		c.upcasts[t] = ""
		c.decoders[t] = func(json.RawMessage) (Event, error) { return Retired{Type: t}, nil }
		c.mu.Unlock()
	}
}

// TypesOf lists the wire types whose stored events decode to one of events:
// their own names and the old types upcast to them, sorted. A handler that
// declares events subscribes to these.
func (c *Codec) TypesOf(events ...Event) []string {
	want := map[string]bool{}
	for _, e := range events {
		want[e.EventName()] = true
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]string, 0, len(want))
	for name := range want {
		out = append(out, name)
	}
	for old, to := range c.upcasts {
		if to != "" && want[to] {
			out = append(out, old)
		}
	}
	sort.Strings(out)
	return out
}

// Upcasts lists each old wire type c decodes and the current type it
// becomes ("" when retired), for the generated event catalogue.
func (c *Codec) Upcasts() map[string]string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return maps.Clone(c.upcasts)
}

// Knows reports whether typ is registered.
func (c *Codec) Knows(typ string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, ok := c.decoders[typ]
	return ok
}

// Decode turns a stored event's type and data back into a domain event.
func (c *Codec) Decode(typ string, data json.RawMessage) (Event, error) {
	c.mu.RLock()
	dec, ok := c.decoders[typ]
	c.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownEvent, typ)
	}
	return dec(data)
}

// DecodeRecorded decodes a stored envelope.
func (c *Codec) DecodeRecorded(r eventstore.RecordedEvent) (Event, error) {
	return c.Decode(r.Type, r.Data)
}

// Encode turns a domain event into EventData with a fresh client-side id.
// The id is a UUIDv7, which starts with its time: the stores' unique index
// on event ids (SQLite, PostgreSQL) then grows at its right edge, as the
// events table does, instead of every append dirtying a random index page —
// in the durable embedded shop that page was one more WAL frame per commit.
func Encode(e Event, meta eventstore.Metadata) (eventstore.EventData, error) {
	data, err := json.Marshal(e)
	if err != nil {
		return eventstore.EventData{}, fmt.Errorf("esrepo: encode %s: %w", e.EventName(), err)
	}
	if meta.SchemaVersion == 0 {
		meta.SchemaVersion = 1
	}
	id, err := uuid.NewV7()
	if err != nil {
		return eventstore.EventData{}, fmt.Errorf("esrepo: event id: %w", err)
	}
	return eventstore.EventData{ID: id.String(), Type: e.EventName(), Data: data, Metadata: meta}, nil
}

// EncodeAll encodes events in order.
func EncodeAll(events []Event, meta eventstore.Metadata) ([]eventstore.EventData, error) {
	out := make([]eventstore.EventData, 0, len(events))
	for _, e := range events {
		d, err := Encode(e, meta)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Config configures a Repository.
type Config[A Aggregate] struct {
	Store eventstore.Store
	Codec *Codec
	// Stream names the stream of an aggregate id, e.g. "order-" + id.
	Stream func(id string) string
	// New returns the blank aggregate for id, before any event is applied.
	New func(id string) A
	// CacheEvents bounds the decoded events the repository keeps of the
	// streams it loaded and saved, least recently used out first (0:
	// DefaultCacheEvents; negative: none). A load then reads from the store
	// only the events after the cached ones, so it never decides on a state
	// older than the store's, whoever else writes to it, in this process or
	// another. A store that is its data's only writer
	// (eventstore.StreamHeads) tells where the stream ends, and a cache that
	// reaches that far is not read after at all.
	CacheEvents int
}

// Repository loads and saves one kind of aggregate.
type Repository[A Aggregate] struct {
	cfg   Config[A]
	cache *cache                 // nil: none
	heads eventstore.StreamHeads // cfg.Store, when it tells where streams end
}

// New validates cfg.
func New[A Aggregate](cfg Config[A]) (*Repository[A], error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("esrepo: Store is required")
	case cfg.Codec == nil:
		return nil, errors.New("esrepo: Codec is required")
	case cfg.Stream == nil:
		return nil, errors.New("esrepo: Stream is required")
	case cfg.New == nil:
		return nil, errors.New("esrepo: New is required")
	}
	r := &Repository[A]{cfg: cfg}
	r.heads, _ = cfg.Store.(eventstore.StreamHeads)
	switch {
	case cfg.CacheEvents == 0:
		r.cache = newCache(DefaultCacheEvents)
	case cfg.CacheEvents > 0:
		r.cache = newCache(cfg.CacheEvents)
	}
	return r, nil
}

// StreamOf returns the stream name of id.
func (r *Repository[A]) StreamOf(id string) string { return r.cfg.Stream(id) }

// Load replays the stream of id into a blank aggregate. A missing stream
// yields the blank aggregate at version 0.
//
// The events cached from earlier loads and saves are applied first (copies:
// see clone), then whatever the store holds after them, which is added to
// the cache. A store that does not continue the cached prefix (a revision
// out of sequence) drops it, and the stream is read again from its start.
func (r *Repository[A]) Load(ctx context.Context, id string) (A, error) {
	stream := r.cfg.Stream(id)
	c := r.cache.get(stream)
	a, err := r.load(ctx, id, stream, c)
	if !c.empty() && errors.Is(err, errOutOfSequence) {
		r.cache.drop(stream)
		a, err = r.load(ctx, id, stream, cached{})
	}
	if err != nil {
		var zero A
		return zero, err
	}
	return a, nil
}

// errOutOfSequence: the store returned a revision other than the next one.
var errOutOfSequence = errors.New("esrepo: stream revisions out of sequence")

func (r *Repository[A]) load(ctx context.Context, id, stream string, c cached) (A, error) {
	a := r.cfg.New(id)
	if c.state != nil {
		a = c.state.(Copier[A]).Copy()
	}
	for _, e := range c.events {
		a.ApplyStored(clone(e))
	}
	from := c.next()
	if r.heads != nil {
		if end, known := r.heads.KnownNext(stream); known && end == from {
			r.keep(stream, a, c)
			return a, nil // the store's only writer vouches: nothing after
		}
	}
	next := from
	var read []Event
	for rec, err := range r.cfg.Store.Read(ctx, stream, from) {
		if err != nil {
			return a, fmt.Errorf("esrepo: read %s: %w", stream, err)
		}
		if rec.Revision != next {
			return a, fmt.Errorf("%w: %s read revision %d, expected %d", errOutOfSequence, stream, rec.Revision, next)
		}
		next++
		e, err := r.cfg.Codec.DecodeRecorded(rec)
		if err != nil {
			return a, err
		}
		if r.cache != nil {
			read = append(read, clone(e)) // before a can keep any part of e
		}
		a.ApplyStored(e)
	}
	r.cache.extend(stream, from, read)
	r.keep(stream, a, c)
	return a, nil
}

// keep caches a copy of a, just loaded from c and the store, when a can
// copy itself and holds events that c's aggregate did not.
func (r *Repository[A]) keep(stream string, a A, c cached) {
	cp, ok := any(a).(Copier[A])
	if !ok || r.cache == nil || a.Version() == c.at {
		return
	}
	r.cache.keep(stream, a.Version(), cp.Copy())
}

// LoadExisting is Load that returns ErrNotFound for an empty stream.
func (r *Repository[A]) LoadExisting(ctx context.Context, id string) (A, error) {
	a, err := r.Load(ctx, id)
	if err == nil && a.Version() == 0 {
		var zero A
		return zero, fmt.Errorf("%w: %s", ErrNotFound, r.cfg.Stream(id))
	}
	return a, err
}

// Save appends a's changes after the version it was loaded at. It returns a
// zero result and no error when there is nothing to append. A concurrent
// writer makes it fail with an error wrapping eventstore.ErrConcurrency.
func (r *Repository[A]) Save(ctx context.Context, id string, a A, meta eventstore.Metadata) (eventstore.AppendResult, error) {
	return r.SaveExpecting(ctx, id, a, eventstore.AfterVersion(a.Version()), meta)
}

// SaveExpecting is Save with an explicit expectation, e.g. the revision a
// client sent in If-Match.
func (r *Repository[A]) SaveExpecting(ctx context.Context, id string, a A, expected eventstore.ExpectedRevision, meta eventstore.Metadata) (eventstore.AppendResult, error) {
	changes := a.Changes()
	if len(changes) == 0 {
		return eventstore.AppendResult{}, nil
	}
	data, err := EncodeAll(changes, meta)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	stream := r.cfg.Stream(id)
	res, err := r.cfg.Store.Append(ctx, stream, expected, data...)
	if err != nil {
		if errors.Is(err, eventstore.ErrConcurrency) {
			r.cache.drop(stream)
		}
		return eventstore.AppendResult{}, fmt.Errorf("esrepo: append %s: %w", stream, err)
	}
	r.remember(stream, res, data)
	return res, nil
}

// remember adds the events just appended to the cache, decoded from what was
// stored (not the aggregate's own values, which a later change of the
// aggregate could alter), where they continue the cached prefix.
func (r *Repository[A]) remember(stream string, res eventstore.AppendResult, data []eventstore.EventData) {
	if r.cache == nil || uint64(len(data)) > res.NextExpected+1 {
		return
	}
	events := make([]Event, len(data))
	for i, d := range data {
		e, err := r.cfg.Codec.Decode(d.Type, d.Data)
		if err != nil {
			r.cache.drop(stream)
			return
		}
		events[i] = e
	}
	r.cache.extend(stream, res.NextExpected+1-uint64(len(data)), events)
}

type metaKey struct{}

// WithMetadata returns ctx carrying the metadata (correlation, causation,
// user) that events appended under it should record. The HTTP edge and the
// message handlers set it; repositories read it.
func WithMetadata(ctx context.Context, meta eventstore.Metadata) context.Context {
	return context.WithValue(ctx, metaKey{}, meta)
}

// MetadataFrom returns the metadata stored by WithMetadata (zero if none).
func MetadataFrom(ctx context.Context) eventstore.Metadata {
	m, _ := ctx.Value(metaKey{}).(eventstore.Metadata)
	return m
}

// Retry runs fn up to attempts times while it fails with
// eventstore.ErrConcurrency: fn must reload and decide again each time, which
// is what makes the retry safe (no lost update).
func Retry(ctx context.Context, attempts int, fn func(ctx context.Context) error) error {
	var err error
	for i := 0; i < max(attempts, 1); i++ {
		if err = fn(ctx); !errors.Is(err, eventstore.ErrConcurrency) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return err
}
