package mail_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/evshop/shop/mail"
)

type scripted struct {
	errs  []error
	calls int
}

func (s *scripted) Send(context.Context, mail.Message) (string, error) {
	s.calls++
	if s.calls <= len(s.errs) && s.errs[s.calls-1] != nil {
		return "", s.errs[s.calls-1]
	}
	return fmt.Sprintf("id-%d", s.calls), nil
}

func TestRetry(t *testing.T) {
	t.Parallel()
	transient := fmt.Errorf("%w: throttled", mail.ErrTransient)
	permanent := fmt.Errorf("%w: rejected", mail.ErrPermanent)
	tests := []struct {
		name      string
		errs      []error
		attempts  int
		wantCalls int
		wantErr   error
		wantWaits int
	}{
		{"first try succeeds", nil, 4, 1, nil, 0},
		{"transient then success", []error{transient, transient}, 4, 3, nil, 2},
		{"transient exhausts attempts", []error{transient, transient, transient}, 3, 3, mail.ErrTransient, 2},
		{"permanent is not retried", []error{permanent}, 4, 1, mail.ErrPermanent, 0},
		{"unclassified errors are retried", []error{errors.New("conn reset")}, 4, 2, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &scripted{errs: tt.errs}
			var waits []time.Duration
			r := mail.Retry(s, mail.RetryConfig{Attempts: tt.attempts, Base: 100 * time.Millisecond, Max: time.Second,
				Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }})
			id, err := r.Send(context.Background(), mail.Message{To: "a@b.example", Subject: "s", Text: "t"})
			if tt.wantErr == nil && (err != nil || id == "") {
				t.Fatalf("Send = %q, %v; want an id", id, err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("Send error = %v, want %v", err, tt.wantErr)
			}
			if s.calls != tt.wantCalls || len(waits) != tt.wantWaits {
				t.Fatalf("calls=%d waits=%d, want %d and %d", s.calls, len(waits), tt.wantCalls, tt.wantWaits)
			}
			for _, w := range waits {
				if w < 0 || w > time.Second {
					t.Fatalf("wait %v outside [0, max]", w)
				}
			}
		})
	}
}

func TestRetryStopsWhenContextEnds(t *testing.T) {
	t.Parallel()
	s := &scripted{errs: []error{mail.ErrTransient, mail.ErrTransient, mail.ErrTransient}}
	ctx, cancel := context.WithCancel(context.Background())
	r := mail.Retry(s, mail.RetryConfig{Attempts: 5, Sleep: func(ctx context.Context, _ time.Duration) error {
		cancel()
		return ctx.Err()
	}})
	if _, err := r.Send(ctx, mail.Message{}); !errors.Is(err, mail.ErrTransient) || s.calls != 1 {
		t.Fatalf("err=%v calls=%d, want transient after 1 call", err, s.calls)
	}
}

func TestBackoffGrowsAndCaps(t *testing.T) {
	t.Parallel()
	tests := []struct {
		attempt int
		ceiling time.Duration
	}{{1, 100 * time.Millisecond}, {2, 200 * time.Millisecond}, {3, 400 * time.Millisecond}, {10, time.Second}}
	for _, tt := range tests {
		for range 50 {
			if d := mail.Backoff(100*time.Millisecond, time.Second, tt.attempt); d < 0 || d > tt.ceiling {
				t.Fatalf("attempt %d: %v outside [0, %v]", tt.attempt, d, tt.ceiling)
			}
		}
	}
}

func TestMessageValidate(t *testing.T) {
	t.Parallel()
	ok := mail.Message{To: "Ann <ann@example.com>", Subject: "Hi", Text: "x"}
	tests := []struct {
		name string
		edit func(*mail.Message)
		ok   bool
	}{
		{"valid", func(*mail.Message) {}, true},
		{"html only", func(m *mail.Message) { m.Text, m.HTML = "", "<p>x</p>" }, true},
		{"bad recipient", func(m *mail.Message) { m.To = "not-an-address" }, false},
		{"two recipients", func(m *mail.Message) { m.To = "a@b.example, c@d.example" }, false},
		{"header injection in subject", func(m *mail.Message) { m.Subject = "Hi\r\nBcc: x@y.example" }, false},
		{"empty subject", func(m *mail.Message) { m.Subject = " " }, false},
		{"no body", func(m *mail.Message) { m.Text = "" }, false},
		{"bad header", func(m *mail.Message) { m.Headers = []mail.Header{{Name: "X-A", Value: "a\nb"}} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := ok
			tt.edit(&m)
			err := m.Validate()
			if tt.ok != (err == nil) {
				t.Fatalf("Validate() = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && (!mail.IsPermanent(err) || !errors.Is(err, mail.ErrInvalidMessage)) {
				t.Fatalf("error %v should be permanent and invalid", err)
			}
		})
	}
}
