package alerts_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/evshop/shop/mail/ses"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/messaging/relay"
	relaypg "github.com/evshop/shop/messaging/relay/postgres"
	"github.com/evshop/shop/notifier/alerts"
	"github.com/evshop/shop/notifier/templates"
	"github.com/evshop/shop/platform/panics"
	"github.com/evshop/shop/platform/testenv"
)

// step is one alert round: before it the condition is made failing (or,
// for panics, a panic is recovered) or cleared; want is the subject prefix
// of the one mail the round sends, "" for none.
type step struct {
	at   time.Duration
	fail bool
	want string
}

// stateSteps are the rounds of a condition that must fail for FailFor (2m)
// first: alert, throttle (15m), alert again, recovery.
func stateSteps(key string) []step {
	return []step{
		{0, true, ""},
		{2 * time.Minute, true, "[ALERT] " + key},
		{5 * time.Minute, true, ""},
		{17 * time.Minute, true, "[ALERT] " + key},
		{18 * time.Minute, false, "[RECOVERED] " + key},
		{19 * time.Minute, false, ""},
	}
}

// eventSteps are the rounds of a condition that alerts at first sight.
func eventSteps(key string) []step {
	return []step{
		{0, true, "[ALERT] " + key},
		{5 * time.Minute, true, ""},
		{16 * time.Minute, true, "[ALERT] " + key},
		{17 * time.Minute, false, "[RECOVERED] " + key},
		{18 * time.Minute, false, ""},
	}
}

// TestEachAlertFiresThrottlesAndRecoversThroughSES drives every probe
// through the watcher and the real SES v2 emulator: each condition mails
// once, is throttled, mails again after the throttle and sends one
// recovery.
func TestEachAlertFiresThrottlesAndRecoversThroughSES(t *testing.T) {
	t.Parallel()
	base := testenv.SES(t)
	pool := testenv.Postgres(t)
	ctx := context.Background()
	sender, err := ses.New(ctx, ses.Config{Endpoint: base, From: "evshop <no-reply@shop.example>"})
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		detail string // in every alert's text
		steps  []step
		// setup returns the probe and what makes its condition fail or clear.
		setup func(t *testing.T, now func() time.Time) (alerts.Probe, func(fail bool))
	}{
		{"dead letters", "dead letters (orders.projector 1)", eventSteps("dead-letters"),
			func(t *testing.T, _ func() time.Time) (alerts.Probe, func(bool)) {
				store := messaging.NewMemoryDeadLetters()
				return alerts.DeadLetters(store), func(fail bool) {
					var err error
					if fail {
						// Add is idempotent by id.
						err = store.Add(ctx, messaging.DeadLetter{ID: "dl-1", Handler: "orders.projector", RedriveTo: "x", Reason: "boom", FailedAt: start})
					} else if list, _ := store.List(ctx, messaging.ListOptions{}); len(list) > 0 {
						err = store.Delete(ctx, "dl-1") // redriven
					}
					if err != nil {
						t.Fatal(err)
					}
				}
			}},
		{"relay without a leader", "no process holds the lease", stateSteps("relay-leader:"),
			func(t *testing.T, _ func() time.Time) (alerts.Probe, func(bool)) {
				name := "alerts-" + uuid.NewString()
				leader := relaypg.NewLocker(pool, relaypg.LockerConfig{RetryInterval: 20 * time.Millisecond})
				var lease relay.Lease
				t.Cleanup(func() {
					if lease != nil {
						lease.Release(ctx) //nolint:errcheck
					}
				})
				watcher := relaypg.NewLocker(pool, relaypg.LockerConfig{})
				return alerts.RelayLeaders([]string{name}, watcher.Held), func(fail bool) {
					switch {
					case fail && lease != nil:
						if err := lease.Release(ctx); err != nil {
							t.Fatal(err)
						}
						lease = nil
					case !fail && lease == nil:
						var err error
						if lease, err = leader.Acquire(ctx, name); err != nil {
							t.Fatal(err)
						}
					}
				}
			}},
		{"projection lag", "5000 events behind", stateSteps("projection-lag:orders"),
			func(t *testing.T, _ func() time.Time) (alerts.Probe, func(bool)) {
				reg := prometheus.NewRegistry()
				lag := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "projection_lag_events", Help: "x"}, []string{"projector"})
				reg.MustRegister(lag)
				return alerts.ProjectionLag(alerts.Gathered("admin", reg), 1000), func(fail bool) {
					if fail {
						lag.WithLabelValues("orders").Set(5000)
					} else {
						lag.WithLabelValues("orders").Set(3)
					}
				}
			}},
		{"recovered panics", "1 panics recovered in the last 10m0s (http 1)", []step{
			{0, true, "[ALERT] panics:shop"},
			{5 * time.Minute, true, ""},
			{16 * time.Minute, true, "[ALERT] panics:shop"},
			{20 * time.Minute, false, ""},                        // the panic at 16m is still in the window
			{27 * time.Minute, false, "[RECOVERED] panics:shop"}, // a quiet window since
			{28 * time.Minute, false, ""},
		}, func(t *testing.T, now func() time.Time) (alerts.Probe, func(bool)) {
			reg := prometheus.NewRegistry()
			counter := panics.New(reg)
			p := alerts.Panics(alerts.Gathered("shop", reg), 10*time.Minute, now)
			counter.Recovered(panics.WhereBus) // before the watcher's first reading: the baseline, not counted
			if _, err := p.Observe(ctx); err != nil {
				t.Fatal(err)
			}
			return p, func(fail bool) {
				if fail {
					counter.Recovered(panics.WhereHTTP)
				}
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			clk := testenv.NewClock(start)
			probe, set := c.setup(t, clk.Now)
			ops := testenv.SESRecipient("ops")
			w, err := alerts.New(alerts.Config{Probes: []alerts.Probe{probe}, FailFor: 2 * time.Minute, Throttle: 15 * time.Minute,
				OpsEmail: ops, Sender: sender, Templates: tpl, Now: clk.Now})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, st := range c.steps {
				clk.Set(start.Add(st.at))
				set(st.fail)
				if err := w.Check(ctx); err != nil {
					t.Fatalf("at %v: %v", st.at, err)
				}
				if st.want != "" {
					want = append(want, st.want)
				}
				got := testenv.SESMails(t, base, ops)
				if len(got) != len(want) {
					t.Fatalf("at %v: the emulator holds %d mails for ops, want %d (%q)", st.at, len(got), len(want), want)
				}
				if st.want == "" {
					continue
				}
				last := got[len(got)-1]
				if !strings.HasPrefix(last.Subject, st.want) {
					t.Fatalf("at %v: subject %q, want %q…", st.at, last.Subject, st.want)
				}
				if strings.HasPrefix(st.want, "[ALERT]") && !strings.Contains(last.Body.Text, c.detail) {
					t.Fatalf("at %v: the alert lacks %q:\n%s", st.at, c.detail, last.Body.Text)
				}
			}
		})
	}
}
