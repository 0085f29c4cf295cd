// Package mail owns the outgoing-email port: the Message the notifier renders,
// the Sender adapters implement (ses for Amazon SES v2, memory and sqlitestore
// for the embedded shop's browsable outbox, in memory or durable), the error classes that tell a retry from a give-up,
// and the retry-with-backoff decorator shared by every adapter.
package mail

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/mail"
	"strings"
	"time"
)

// Errors adapters wrap so callers can decide without knowing the provider.
var (
	// ErrTransient marks a failure worth retrying: throttling, a 5xx, a
	// network error, a timeout.
	ErrTransient = errors.New("mail: transient failure")
	// ErrPermanent marks a failure that retrying cannot fix: a rejected
	// message, a suppressed or malformed address, a paused account.
	ErrPermanent = errors.New("mail: permanent failure")
	// ErrInvalidMessage is returned (wrapped in ErrPermanent) for a message
	// that fails validation before it reaches the provider.
	ErrInvalidMessage = errors.New("mail: invalid message")
)

// Header is an extra message header such as List-Unsubscribe.
type Header struct {
	Name  string
	Value string
}

// Message is one email with both an HTML and a plain-text body.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
	Headers []Header
	// Tags are provider tags (SES message tags) used for event publishing
	// through the configuration set, e.g. {"kind": "order_confirmation"}.
	Tags map[string]string
	// IdempotencyKey, when set, makes a send of a message with a key already
	// sent answer that send's id and send nothing: the embedded shop's
	// outboxes keep it with the message (so a notifier that crashed between
	// sending and recording the send does not send twice); SES has no such
	// key and ignores it.
	IdempotencyKey string
}

// Validate checks what every provider needs: one parseable recipient, a
// subject without line breaks, and at least one body.
func (m Message) Validate() error {
	if _, err := mail.ParseAddress(m.To); err != nil || strings.ContainsAny(m.To, "\r\n,;") {
		return fmt.Errorf("%w: %w: recipient %q", ErrPermanent, ErrInvalidMessage, m.To)
	}
	if strings.TrimSpace(m.Subject) == "" || strings.ContainsAny(m.Subject, "\r\n") {
		return fmt.Errorf("%w: %w: subject must be one non-empty line", ErrPermanent, ErrInvalidMessage)
	}
	if m.Text == "" && m.HTML == "" {
		return fmt.Errorf("%w: %w: no body", ErrPermanent, ErrInvalidMessage)
	}
	for _, h := range m.Headers {
		if h.Name == "" || strings.ContainsAny(h.Name+h.Value, "\r\n") || strings.ContainsAny(h.Name, ": ") {
			return fmt.Errorf("%w: %w: header %q", ErrPermanent, ErrInvalidMessage, h.Name)
		}
	}
	return nil
}

// Sender sends one message and returns the provider's message id.
type Sender interface {
	Send(ctx context.Context, m Message) (messageID string, err error)
}

// IsPermanent reports whether err should not be retried. Unclassified errors
// count as transient: giving up on a mail that could have gone out is worse
// than retrying a few times more.
func IsPermanent(err error) bool { return errors.Is(err, ErrPermanent) }

// RetryConfig configures Retry.
type RetryConfig struct {
	// Attempts is the total number of tries (default 4).
	Attempts int
	// Base is the first backoff (default 200ms); it doubles each time, with
	// full jitter, up to Max (default 5s).
	Base, Max time.Duration
	// Sleep waits d or until ctx ends (default: a timer); tests pass a fake.
	Sleep func(ctx context.Context, d time.Duration) error
	// OnRetry, when set, is told about every failed attempt that is retried.
	OnRetry func(attempt int, err error, wait time.Duration)
}

// Retry wraps s so transient failures are retried with exponential backoff
// and full jitter; permanent ones return at once.
func Retry(s Sender, cfg RetryConfig) Sender {
	if cfg.Attempts <= 0 {
		cfg.Attempts = 4
	}
	if cfg.Base <= 0 {
		cfg.Base = 200 * time.Millisecond
	}
	if cfg.Max <= 0 {
		cfg.Max = 5 * time.Second
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	return retrying{next: s, cfg: cfg}
}

type retrying struct {
	next Sender
	cfg  RetryConfig
}

func (r retrying) Send(ctx context.Context, m Message) (string, error) {
	var err error
	for attempt := 1; ; attempt++ {
		var id string
		id, err = r.next.Send(ctx, m)
		if err == nil {
			return id, nil
		}
		if IsPermanent(err) || attempt >= r.cfg.Attempts || ctx.Err() != nil {
			return "", err
		}
		wait := Backoff(r.cfg.Base, r.cfg.Max, attempt)
		if r.cfg.OnRetry != nil {
			r.cfg.OnRetry(attempt, err, wait)
		}
		if serr := r.cfg.Sleep(ctx, wait); serr != nil {
			return "", fmt.Errorf("%w: %w (gave up: %w)", ErrTransient, err, serr)
		}
	}
}

// Backoff returns a full-jitter wait for the given attempt (1-based): a random
// duration in [0, min(max, base·2^(attempt-1))]. Jitter spreads the retries of
// many workers that were throttled at the same moment.
func Backoff(base, max time.Duration, attempt int) time.Duration {
	ceiling := base
	for i := 1; i < attempt && ceiling < max; i++ {
		ceiling *= 2
	}
	if ceiling > max {
		ceiling = max
	}
	return time.Duration(rand.Int64N(int64(ceiling) + 1))
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
