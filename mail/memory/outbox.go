// Package memory is the embedded shop's mail adapter: an in-process outbox
// that keeps every message it is asked to send, newest first, so a person
// trying the shop can read them at /dev/mail instead of needing a mail server.
package memory

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/evshop/shop/mail"
)

// DefaultCapacity bounds the outbox so a long-running embedded shop cannot
// grow without limit; the oldest messages are dropped first.
const DefaultCapacity = 500

// Sent is one message kept by the outbox.
type Sent struct {
	ID      string        `json:"id"`
	To      string        `json:"to"`
	Subject string        `json:"subject"`
	Text    string        `json:"text"`
	HTML    string        `json:"html"`
	Headers []mail.Header `json:"-"`
	SentAt  time.Time     `json:"sentAt"`
}

// Outbox is a mail.Sender that stores instead of sending.
type Outbox struct {
	mu       sync.RWMutex
	msgs     []Sent   // oldest first
	keys     []string // msgs' idempotency keys ("": none), in step with msgs
	seq      int
	capacity int
	now      func() time.Time
	// fail, when set, decides an error for the next send (tests of retry and
	// failure paths).
	fail func(mail.Message) error
}

// Option configures an Outbox.
type Option func(*Outbox)

// WithClock sets the clock used for SentAt.
func WithClock(now func() time.Time) Option { return func(o *Outbox) { o.now = now } }

// WithCapacity sets how many messages are kept.
func WithCapacity(n int) Option { return func(o *Outbox) { o.capacity = n } }

// WithFailure makes Send return fail(m) when it is not nil (tests).
func WithFailure(fail func(mail.Message) error) Option { return func(o *Outbox) { o.fail = fail } }

// New returns an empty outbox.
func New(opts ...Option) *Outbox {
	o := &Outbox{capacity: DefaultCapacity, now: time.Now}
	for _, opt := range opts {
		opt(o)
	}
	if o.capacity <= 0 {
		o.capacity = DefaultCapacity
	}
	return o
}

// Send validates m like a real provider would and keeps it.
func (o *Outbox) Send(ctx context.Context, m mail.Message) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := m.Validate(); err != nil {
		return "", err
	}
	if o.fail != nil {
		if err := o.fail(m); err != nil {
			return "", err
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if m.IdempotencyKey != "" {
		if i := slices.Index(o.keys, m.IdempotencyKey); i >= 0 {
			return o.msgs[i].ID, nil // sent already (among the messages kept)
		}
	}
	o.seq++
	s := Sent{ID: "m" + strconv.Itoa(o.seq), To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML,
		Headers: slices.Clone(m.Headers), SentAt: o.now().UTC()}
	o.msgs = append(o.msgs, s)
	o.keys = append(o.keys, m.IdempotencyKey)
	if over := len(o.msgs) - o.capacity; over > 0 {
		o.msgs = slices.Delete(o.msgs, 0, over)
		o.keys = slices.Delete(o.keys, 0, over)
	}
	return s.ID, nil
}

// List returns the kept messages, newest first.
func (o *Outbox) List() []Sent {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := slices.Clone(o.msgs)
	slices.Reverse(out)
	return out
}

// Get returns one message by id.
func (o *Outbox) Get(id string) (Sent, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	for _, s := range o.msgs {
		if s.ID == id {
			return s, true
		}
	}
	return Sent{}, false
}

// To returns the messages sent to addr, oldest first.
func (o *Outbox) To(addr string) []Sent {
	o.mu.RLock()
	defer o.mu.RUnlock()
	var out []Sent
	for _, s := range o.msgs {
		if s.To == addr {
			out = append(out, s)
		}
	}
	return out
}

// Clear empties the outbox.
func (o *Outbox) Clear() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs, o.keys = nil, nil
}
