package messaging

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/evshop/shop/eventstore"
)

// EventHandler consumes the events of the types it names.
type EventHandler struct {
	// Name is stable: it names the handler's durable queue, so renaming it
	// starts a new, empty queue and abandons the old one.
	Name string
	// Types are the wire types (e.g. "ordering.OrderPlaced.v1") the handler
	// handles: its queue is bound to each, so no other event reaches it.
	// Empty means every event. A type of an older binding that still
	// arrives is acked without reaching Handle.
	Types []string
	// Handle must be idempotent: delivery is at least once (see Dedupe).
	Handle func(ctx context.Context, e eventstore.RecordedEvent) error
	// Concurrent says Handle is correct when events, even of one stream,
	// are handled at once and out of order, as the checkout saga is: it
	// keeps its state with optimistic concurrency, and each event it waits
	// for answers a command it sent after the previous one. With AMQP the
	// queue then gets the bus's Consumers. Projectors are not: they apply
	// each stream in order (so is the notifier's basket tracking).
	Concurrent bool
}

// Event is a decoded domain event (the same alias as esrepo.Event and the
// domain packages' Event).
type Event = interface {
	EventName() string
}

// EventDecoder turns stored events back into typed values: esrepo.Codec,
// built from a context's one list of events.
type EventDecoder interface {
	Decode(typ string, data json.RawMessage) (Event, error)
	// TypesOf lists the wire types that decode to events: their names and
	// the old types upcast to them.
	TypesOf(events ...Event) []string
}

// TypedEventHandler is an EventHandler that receives decoded events: its
// queue is bound to the wire types of the Events it declares (and the old
// types its codec upcasts to them), each delivery is decoded by Codec and
// handed to Handle, which type-switches on the event. An event that does
// not decode is Permanent (dead-lettered at once), as retrying cannot help.
type TypedEventHandler struct {
	Name       string
	Codec      EventDecoder
	Events     []Event
	Handle     func(ctx context.Context, rec eventstore.RecordedEvent, e Event) error
	Concurrent bool
}

// EventHandler builds the untyped handler the bus subscribes.
func (t TypedEventHandler) EventHandler() EventHandler {
	h := EventHandler{Name: t.Name, Concurrent: t.Concurrent}
	if t.Codec == nil || t.Handle == nil || len(t.Events) == 0 {
		return h // AddEventHandler refuses a nil Handle; Types stay empty
	}
	h.Types = t.Codec.TypesOf(t.Events...)
	h.Handle = func(ctx context.Context, rec eventstore.RecordedEvent) error {
		e, err := DecodeRecorded(t.Codec, rec)
		if err != nil {
			return err
		}
		return t.Handle(ctx, rec, e)
	}
	return h
}

// DecodeRecorded decodes rec with codec; a failure is Permanent and names
// the event.
func DecodeRecorded(codec EventDecoder, rec eventstore.RecordedEvent) (Event, error) {
	e, err := codec.Decode(rec.Type, rec.Data)
	if err != nil {
		return nil, Permanent(fmt.Errorf("%w: event %s %s: %v", ErrMalformedMessage, rec.Type, rec.ID, err))
	}
	return e, nil
}

// AddEventHandler subscribes h with its own durable queue (AMQP) or
// subscription (Go channels). It must be called before Run.
func (b *Bus) AddEventHandler(h EventHandler) error {
	if !namePattern.MatchString(h.Name) {
		return fmt.Errorf("%w: event handler name %q must match %s", ErrInvalidConfig, h.Name, namePattern)
	}
	if h.Handle == nil {
		return fmt.Errorf("%w: event handler %q has no Handle func", ErrInvalidConfig, h.Name)
	}
	for _, t := range h.Types {
		// Also keeps AMQP wildcards (* and #) out of the bindings.
		if !namePattern.MatchString(t) {
			return fmt.Errorf("%w: event handler %q: type %q must match %s", ErrInvalidConfig, h.Name, t, namePattern)
		}
	}
	if err := b.claim("event:" + h.Name); err != nil {
		return err
	}

	var types map[string]bool
	if len(h.Types) > 0 {
		types = make(map[string]bool, len(h.Types))
		for _, t := range h.Types {
			types[t] = true
		}
	}
	r := route{handler: h.Name, kind: kindEvent, topic: b.EventQueue(h.Name), redriveTo: b.tr.eventRedriveTopic(h.Name), types: types}
	age := b.metrics.eventAge.WithLabelValues(h.Name)
	handle := func(msg *message.Message) error {
		e, err := DecodeEvent(msg)
		if err != nil {
			return err
		}
		if !e.Time.IsZero() {
			age.Observe(max(time.Since(e.Time), 0).Seconds())
		}
		return h.Handle(msg.Context(), e)
	}
	sub, err := b.tr.eventSubscriber(h.Name, slices.Compact(slices.Sorted(slices.Values(h.Types))), h.Concurrent)
	if err != nil {
		return fmt.Errorf("messaging: subscriber for %s: %w", h.Name, err)
	}
	rh := b.router.AddConsumerHandler("event:"+h.Name, r.topic, sub, handle)
	rh.AddMiddleware(b.pipeline(r)...)
	if b.tr.extraRedriveSubscription() {
		sub, err := b.tr.directSubscriber()
		if err != nil {
			return fmt.Errorf("messaging: redrive subscriber for %s: %w", h.Name, err)
		}
		rh := b.router.AddConsumerHandler("event:"+h.Name+":redrive", r.redriveTo, sub, handle)
		rh.AddMiddleware(b.pipeline(r)...)
	}
	return nil
}

// PublishEvent publishes one recorded event with its type as routing key
// and, with AMQP, returns once the broker confirmed it (an event no queue is
// bound to is confirmed and dropped by the broker). Only the relay calls it;
// concurrent calls are safe and are how the relay keeps confirms in flight.
func (b *Bus) PublishEvent(ctx context.Context, e eventstore.RecordedEvent) error {
	msg := EncodeEvent(e)
	msg.SetContext(ctx)
	if err := b.tr.publishEvent(e.Type, msg); err != nil {
		return fmt.Errorf("messaging: publish event %s: %w", e.ID, err)
	}
	return nil
}

// DeclaredTopology lists the AMQP queues and exchanges this bus declared so
// far (empty for Go channels).
func (b *Bus) DeclaredTopology() (queues, exchanges []string) {
	if t, ok := b.tr.(*amqpTransport); ok {
		return t.topo.list()
	}
	return nil, nil
}

// Dedupe wraps h so that an event id the handler already processed is acked
// without running Handle again, making a non-idempotent handler safe under
// at-least-once delivery. The mark is written after Handle succeeds: a crash
// between the two re-runs Handle once. A handler needing exactly-once effects
// records the mark in the same transaction as its effect instead.
func Dedupe(d Deduper, h EventHandler) EventHandler {
	inner := h.Handle
	name := h.Name
	h.Handle = func(ctx context.Context, e eventstore.RecordedEvent) error {
		seen, err := d.Seen(ctx, name, e.ID)
		if err != nil {
			return fmt.Errorf("messaging: dedupe lookup: %w", err)
		}
		if seen {
			return nil
		}
		if err := inner(ctx, e); err != nil {
			return err
		}
		if err := d.Mark(ctx, name, e.ID); err != nil {
			return fmt.Errorf("messaging: dedupe mark: %w", err)
		}
		return nil
	}
	return h
}

// ErrNotCommand is returned by Send and AddCommandHandler for a type without
// a CommandName method.
var ErrNotCommand = errors.New("messaging: not a command (needs a CommandName() string method)")
