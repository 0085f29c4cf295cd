package ses_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/evshop/shop/mail"
	"github.com/evshop/shop/mail/ses"
	"github.com/evshop/shop/platform/testenv"
)

func TestSendThroughEmulator(t *testing.T) {
	t.Parallel()
	base := testenv.SES(t)
	ctx := context.Background()
	s, err := ses.New(ctx, ses.Config{Endpoint: base, From: "Shop <no-reply@shop.example>", ConfigurationSet: "shop-events"})
	if err != nil {
		t.Fatal(err)
	}
	to := testenv.SESRecipient("ses")
	id, err := s.Send(ctx, mail.Message{To: to, Subject: "Grüße", Text: "plain", HTML: "<p>html</p>",
		Headers: []mail.Header{{Name: "List-Unsubscribe", Value: "<https://shop.example/u?t=1>"}},
		Tags:    map[string]string{"kind": "test"}})
	if err != nil || id == "" {
		t.Fatalf("Send = %q, %v", id, err)
	}
	got := testenv.SESMails(t, base, to)
	if len(got) != 1 {
		t.Fatalf("emulator holds %d mails for %s, want 1", len(got), to)
	}
	m := got[0]
	if m.MessageID != id || m.Subject != "Grüße" || m.Body.Text != "plain" || m.Body.HTML != "<p>html</p>" || !strings.Contains(m.From, "no-reply@shop.example") {
		t.Fatalf("stored mail = %+v", m)
	}
	if len(m.Headers) != 1 || m.Headers[0].Name != "List-Unsubscribe" {
		t.Fatalf("headers = %+v", m.Headers)
	}
}

// TestClassify uses a stand-in HTTP server only to produce SES error
// responses the emulator cannot (throttling, 5xx, rejection).
func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		want   error
	}{
		{"throttled", 429, `{"__type":"TooManyRequestsException","message":"slow down"}`, mail.ErrTransient},
		{"limit exceeded", 400, `{"__type":"LimitExceededException","message":"quota"}`, mail.ErrTransient},
		{"server error", 500, `{"message":"boom"}`, mail.ErrTransient},
		{"rejected", 400, `{"__type":"MessageRejected","message":"address blacklisted"}`, mail.ErrPermanent},
		{"paused", 400, `{"__type":"SendingPausedException","message":"paused"}`, mail.ErrPermanent},
		{"unknown 4xx", 403, `{"message":"no"}`, mail.ErrPermanent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("X-Amzn-ErrorType", strings.Trim(strings.SplitN(strings.TrimPrefix(tt.body, `{"__type":`), ",", 2)[0], `"`))
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body)) //nolint:errcheck
			}))
			defer srv.Close()
			s, err := ses.New(context.Background(), ses.Config{Endpoint: srv.URL, From: "no-reply@shop.example"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Send(context.Background(), mail.Message{To: "a@b.example", Subject: "s", Text: "t"})
			if !errors.Is(err, tt.want) {
				t.Fatalf("Send error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestConnectionRefusedIsTransient(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	s, err := ses.New(context.Background(), ses.Config{Endpoint: url, From: "no-reply@shop.example"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Send(context.Background(), mail.Message{To: "a@b.example", Subject: "s", Text: "t"}); !errors.Is(err, mail.ErrTransient) {
		t.Fatalf("err = %v, want transient", err)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	t.Parallel()
	for _, cfg := range []ses.Config{{From: ""}, {From: "x"}, {From: "a@b.example", Endpoint: "ftp://x"}, {From: "a@b.example", Endpoint: "::"}} {
		if _, err := ses.New(context.Background(), cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}
