package messaging

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
)

// ErrDeadLetterNotFound is returned by Get, Delete and Redrive for an
// unknown id.
var ErrDeadLetterNotFound = errors.New("messaging: dead letter not found")

// ErrNoDeadLetterStore is returned by Redrive on a bus without a store.
var ErrNoDeadLetterStore = errors.New("messaging: bus has no dead-letter store")

// DeadLetter is a message a handler gave up on, kept for inspection and
// redrive.
type DeadLetter struct {
	ID        string // dead-letter id, unique per failure
	MessageID string // the original message (event id for events)
	Handler   string // stable handler name
	Topic     string // queue/topic the handler consumed
	RedriveTo string // topic that reaches only that handler again
	Reason    string // the last error
	Payload   []byte
	Metadata  map[string]string // original metadata, without the dead-letter keys
	FailedAt  time.Time
}

// ListOptions narrows DeadLetterStore.List.
type ListOptions struct {
	Handler string // empty: every handler
	Limit   int    // default 100, at most 1000
}

// Normalize applies the defaults and bounds; adapters call it.
func (o ListOptions) Normalize() ListOptions {
	if o.Limit <= 0 {
		o.Limit = 100
	}
	o.Limit = min(o.Limit, 1000)
	return o
}

// DeadLetterStore keeps dead letters. Add is idempotent by ID because the
// dead-letter topic, like every topic, delivers at least once.
type DeadLetterStore interface {
	Add(ctx context.Context, dl DeadLetter) error
	// List returns the oldest first.
	List(ctx context.Context, opts ListOptions) ([]DeadLetter, error)
	Get(ctx context.Context, id string) (DeadLetter, error)
	Delete(ctx context.Context, id string) error
}

var deadLetterKeys = []string{MetaReason, MetaHandler, MetaTopic, MetaRedriveTo, MetaDeadLetterID, MetaFailedAt,
	middleware.PoisonedSubscriberKey}

// deadLetterFromMessage validates a message of the dead-letter topic.
func deadLetterFromMessage(msg *message.Message) (DeadLetter, error) {
	md := msg.Metadata
	dl := DeadLetter{
		ID:        md.Get(MetaDeadLetterID),
		MessageID: msg.UUID,
		Handler:   md.Get(MetaHandler),
		Topic:     md.Get(MetaTopic),
		RedriveTo: md.Get(MetaRedriveTo),
		Reason:    md.Get(MetaReason),
		Payload:   slices.Clone([]byte(msg.Payload)),
		Metadata:  map[string]string{},
	}
	if dl.ID == "" || dl.Handler == "" || dl.RedriveTo == "" {
		return DeadLetter{}, fmt.Errorf("%w: dead letter without id, handler or redrive topic", ErrMalformedMessage)
	}
	t, err := time.Parse(time.RFC3339Nano, md.Get(MetaFailedAt))
	if err != nil {
		return DeadLetter{}, fmt.Errorf("%w: dead letter time: %v", ErrMalformedMessage, err)
	}
	dl.FailedAt = t
	for k, v := range md {
		if !slices.Contains(deadLetterKeys, k) {
			dl.Metadata[k] = v
		}
	}
	return dl, nil
}

// addDeadLetterConsumer moves dead letters from the durable topic into the
// store. A store failure nacks the message back after a pause, so a dead
// letter is never dropped; it never dead-letters itself.
func (b *Bus) addDeadLetterConsumer() error {
	sub, err := b.tr.directSubscriber()
	if err != nil {
		return fmt.Errorf("messaging: dead-letter subscriber: %w", err)
	}
	if err := b.claim("deadletters"); err != nil {
		return err
	}
	store := b.cfg.DeadLetters
	rh := b.router.AddConsumerHandler("deadletters", b.DeadLetterTopic(), sub, func(msg *message.Message) error {
		dl, err := deadLetterFromMessage(msg)
		if err != nil {
			// Not ours to store, but never silently dropped: logged in full.
			b.log.Error("unreadable message on the dead-letter topic acked", "message_id", msg.UUID,
				"metadata", msg.Metadata, "payload", string(msg.Payload), "error", err)
			return nil
		}
		if err := store.Add(msg.Context(), dl); err != nil {
			b.log.Error("storing dead letter failed; will retry", "dead_letter_id", dl.ID, "error", err)
			select {
			case <-time.After(time.Second):
			case <-msg.Context().Done():
			}
			return err
		}
		return nil
	})
	rh.AddMiddleware(b.countDelivery(route{handler: "deadletters", kind: kindDeadLetter}), b.gate, b.recoverer)
	return nil
}

// DeadLetters returns the bus's store (nil when it has none).
func (b *Bus) DeadLetters() DeadLetterStore { return b.cfg.DeadLetters }

// Redrive republishes a dead letter to the queue of the handler that gave up
// on it (no other handler sees it again) and deletes it from the store. A
// crash between the two leaves it listed: redriving twice is harmless for
// idempotent handlers.
func (b *Bus) Redrive(ctx context.Context, id string) error {
	if b.cfg.DeadLetters == nil {
		return ErrNoDeadLetterStore
	}
	dl, err := b.cfg.DeadLetters.Get(ctx, id)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(dl.RedriveTo, b.cfg.Prefix+".") {
		return fmt.Errorf("messaging: dead letter %s belongs to another prefix (%s)", id, dl.RedriveTo)
	}
	msg := message.NewMessage(dl.MessageID, dl.Payload)
	for k, v := range dl.Metadata {
		msg.Metadata.Set(k, v)
	}
	msg.SetContext(ctx)
	if err := b.tr.direct().Publish(dl.RedriveTo, msg); err != nil {
		return fmt.Errorf("messaging: redrive %s: %w", id, err)
	}
	return b.cfg.DeadLetters.Delete(ctx, id)
}

// MemoryDeadLetters is the in-process DeadLetterStore (embedded shop, tests).
type MemoryDeadLetters struct {
	mu sync.Mutex
	m  map[string]DeadLetter
}

// NewMemoryDeadLetters returns an empty store.
func NewMemoryDeadLetters() *MemoryDeadLetters {
	return &MemoryDeadLetters{m: map[string]DeadLetter{}}
}

func cloneDL(dl DeadLetter) DeadLetter {
	dl.Payload = slices.Clone(dl.Payload)
	dl.Metadata = maps.Clone(dl.Metadata)
	return dl
}

// Add stores dl unless its id is already there.
func (s *MemoryDeadLetters) Add(ctx context.Context, dl DeadLetter) error {
	if dl.ID == "" {
		return errors.New("messaging: dead letter needs an id")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[dl.ID]; !ok {
		s.m[dl.ID] = cloneDL(dl)
	}
	return nil
}

// List returns the oldest dead letters first.
func (s *MemoryDeadLetters) List(ctx context.Context, opts ListOptions) ([]DeadLetter, error) {
	opts = opts.Normalize()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]DeadLetter, 0, len(s.m))
	for _, dl := range s.m {
		if opts.Handler == "" || dl.Handler == opts.Handler {
			out = append(out, cloneDL(dl))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].FailedAt.Equal(out[j].FailedAt) {
			return out[i].FailedAt.Before(out[j].FailedAt)
		}
		return out[i].ID < out[j].ID
	})
	if len(out) > opts.Limit {
		out = out[:opts.Limit]
	}
	return out, nil
}

// Get returns one dead letter.
func (s *MemoryDeadLetters) Get(ctx context.Context, id string) (DeadLetter, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	dl, ok := s.m[id]
	if !ok {
		return DeadLetter{}, fmt.Errorf("%w: %s", ErrDeadLetterNotFound, id)
	}
	return cloneDL(dl), nil
}

// Delete removes one dead letter.
func (s *MemoryDeadLetters) Delete(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[id]; !ok {
		return fmt.Errorf("%w: %s", ErrDeadLetterNotFound, id)
	}
	delete(s.m, id)
	return nil
}
