package alerts_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/evshop/shop/mail"
	mailmem "github.com/evshop/shop/mail/memory"
	"github.com/evshop/shop/notifier/alerts"
	"github.com/evshop/shop/notifier/templates"
	"github.com/evshop/shop/platform/testenv"
)

// start is where each test's clock stands at offset 0.
var start = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func newWatcher(t *testing.T, cfg alerts.Config) (*alerts.Watcher, *mailmem.Outbox) {
	t.Helper()
	tpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	outbox := mailmem.New()
	if cfg.Sender == nil {
		cfg.Sender = outbox
	}
	cfg.Templates, cfg.OpsEmail = tpl, "ops@shop.example"
	w, err := alerts.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return w, outbox
}

func TestReadyzAlertThrottleAndRecovery(t *testing.T) {
	t.Parallel()
	var ready atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if !ready.Load() {
			http.Error(w, "postgres failing", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	clk := testenv.NewClock(start)
	w, outbox := newWatcher(t, alerts.Config{Targets: []alerts.Target{{Name: "catalog", URL: srv.URL + "/readyz"}},
		FailFor: 2 * time.Minute, Throttle: 15 * time.Minute, Now: clk.Now})
	steps := []struct {
		at      time.Duration
		ready   bool
		subject string // "" = no new mail
	}{
		{0, false, ""},
		{time.Minute, false, ""},
		{2 * time.Minute, false, "[ALERT] readyz:catalog failing for 2m0s"},
		{5 * time.Minute, false, ""},                                          // throttled
		{17 * time.Minute, false, "[ALERT] readyz:catalog failing for 17m0s"}, // throttle elapsed, still failing
		{18 * time.Minute, true, "[RECOVERED] readyz:catalog after 18m0s"},
		{19 * time.Minute, false, ""},
		{21 * time.Minute, false, ""}, // past FailFor, but < 15m since the last alert
		{32 * time.Minute, false, "[ALERT] readyz:catalog failing for 13m0s"},
		{33 * time.Minute, true, "[RECOVERED] readyz:catalog after 14m0s"},
		{34 * time.Minute, true, ""},
	}
	sent := 0
	for _, st := range steps {
		clk.Set(start.Add(st.at))
		ready.Store(st.ready)
		if err := w.Check(context.Background()); err != nil {
			t.Fatal(err)
		}
		all := outbox.List()
		if st.subject != "" {
			sent++
		}
		if len(all) != sent {
			t.Fatalf("at %v: %d mails, want %d (%+v)", st.at, len(all), sent, all)
		}
		if st.subject != "" {
			if all[0].Subject != st.subject || all[0].To != "ops@shop.example" {
				t.Fatalf("at %v: got %q to %s, want %q", st.at, all[0].Subject, all[0].To, st.subject)
			}
			if strings.HasPrefix(st.subject, "[ALERT]") && !strings.Contains(all[0].Text, "503") {
				t.Fatalf("alert lacks the probe detail:\n%s", all[0].Text)
			}
		}
	}
}

func TestErrorRateAlert(t *testing.T) {
	t.Parallel()
	clk := testenv.NewClock(start)
	clk.Set(start)
	counter := alerts.NewErrorCounter(5*time.Minute, clk.Now)
	w, outbox := newWatcher(t, alerts.Config{Errors: counter, ErrorRate: 0.05, MinRequests: 20, FailFor: time.Minute, Now: clk.Now})
	feed := func(total, errs int) {
		for i := range total {
			counter.Observe("payment", i < errs)
		}
	}
	steps := []struct {
		at          time.Duration
		total, errs int
		wantMails   int
	}{
		{0, 10, 5, 0},                  // 50% but too few requests
		{30 * time.Second, 100, 10, 0}, // failing starts now
		{90 * time.Second, 0, 0, 1},    // 1 minute later: alert
		{3 * time.Minute, 500, 0, 2},   // rate diluted to 2.5%: recovery
		{4 * time.Minute, 0, 0, 2},     // nothing more
	}
	for _, st := range steps {
		clk.Set(start.Add(st.at))
		feed(st.total, st.errs)
		if err := w.Check(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := len(outbox.List()); n != st.wantMails {
			t.Fatalf("at %v: %d mails, want %d", st.at, n, st.wantMails)
		}
	}
	all := outbox.List()
	if !strings.HasPrefix(all[1].Subject, "[ALERT] error-rate:payment") || !strings.HasPrefix(all[0].Subject, "[RECOVERED] error-rate:payment") {
		t.Fatalf("mails = %q, %q", all[1].Subject, all[0].Subject)
	}
	if rate, total := counter.Rate("payment"); total != 610 || rate <= 0 {
		t.Fatalf("rate %v over %d requests", rate, total)
	}
	clk.Set(start.Add(20 * time.Minute))
	if _, total := counter.Rate("payment"); total != 0 {
		t.Fatalf("window did not slide: %d requests left", total)
	}
}

func TestFailedAlertSendIsRetriedNextRound(t *testing.T) {
	t.Parallel()
	clk := testenv.NewClock(start)
	clk.Set(start)
	var fail atomic.Bool
	fail.Store(true)
	outbox := mailmem.New(mailmem.WithFailure(func(mail.Message) error {
		if fail.Load() {
			return mail.ErrTransient
		}
		return nil
	}))
	w, _ := newWatcher(t, alerts.Config{Sender: outbox, FailFor: time.Minute, Now: clk.Now})
	ctx := context.Background()
	if err := w.Evaluate(ctx, "dlq:orders", "orders", true, "12 dead letters"); err != nil {
		t.Fatal(err)
	}
	clk.Set(start.Add(time.Minute))
	if err := w.Evaluate(ctx, "dlq:orders", "orders", true, "12 dead letters"); !errors.Is(err, mail.ErrTransient) {
		t.Fatalf("err = %v, want the send failure", err)
	}
	fail.Store(false)
	clk.Set(start.Add(2 * time.Minute))
	if err := w.Evaluate(ctx, "dlq:orders", "orders", true, "12 dead letters"); err != nil {
		t.Fatal(err)
	}
	if got := outbox.List(); len(got) != 1 || !strings.Contains(got[0].Text, "12 dead letters") {
		t.Fatalf("mails = %+v", got)
	}
	st := w.Statuses()
	if len(st) != 1 || !st[0].Alerted || !st[0].Failing {
		t.Fatalf("statuses = %+v", st)
	}
}

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	tpl, _ := templates.New()
	bad := []alerts.Config{
		{Sender: mailmem.New(), Templates: tpl, OpsEmail: "not-an-address"},
		{Sender: mailmem.New(), Templates: tpl, OpsEmail: "ops@x.example", Targets: []alerts.Target{{Name: "a", URL: "ftp://x"}}},
		{Templates: tpl, OpsEmail: "ops@x.example"},
	}
	for _, cfg := range bad {
		if _, err := alerts.New(cfg); !errors.Is(err, alerts.ErrConfig) {
			t.Errorf("New(%+v) = %v", cfg, err)
		}
	}
	targets, err := alerts.ParseTargets("catalog=http://127.0.0.1:8082/readyz, payment=http://127.0.0.1:8085/readyz")
	if err != nil || len(targets) != 2 || targets[1].Name != "payment" {
		t.Fatalf("ParseTargets = %+v, %v", targets, err)
	}
	if _, err := alerts.ParseTargets("nourl"); err == nil {
		t.Fatal("ParseTargets accepted a target without url")
	}
}
