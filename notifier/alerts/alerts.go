// Package alerts owns the ops alerting of the shop: a Watcher polls the
// services' /readyz endpoints and reads their error rates from an
// ErrorCounter that the services (or a metrics scraper) feed; a condition
// failing for longer than a threshold emails the ops address, at most once per
// condition per throttle period (15 min), and a recovery email follows when it
// clears. The clock is injected so tests can drive time.
package alerts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"time"

	"github.com/evshop/shop/mail"
	"github.com/evshop/shop/notifier/templates"
)

// ErrConfig is wrapped by New for invalid settings.
var ErrConfig = errors.New("alerts: invalid config")

// Target is one service whose readiness is polled.
type Target struct {
	Name string
	URL  string // e.g. http://127.0.0.1:8082/readyz
}

// Config configures a Watcher.
type Config struct {
	Targets []Target
	// Errors, when set, is read every round: a service whose error rate over
	// the counter's window is at or above ErrorRate (default 0.05) with at
	// least MinRequests (default 20) requests counts as failing.
	Errors      *ErrorCounter
	ErrorRate   float64
	MinRequests int
	// Probes are the further conditions read every round: dead letters,
	// relay leaders, projection lag, recovered panics (probes.go).
	Probes []Probe
	// FailFor is how long a condition must fail before it alerts (default 2m).
	FailFor time.Duration
	// Throttle bounds alerts per condition (default 15m).
	Throttle time.Duration
	// Interval between rounds in Run (default 15s).
	Interval  time.Duration
	OpsEmail  string
	Sender    mail.Sender
	Templates *templates.Set
	// HTTP probes readiness (default: a client with a 5s timeout).
	HTTP *http.Client
	Now  func() time.Time
	Log  *slog.Logger
}

// Watcher evaluates the conditions and sends alerts.
type Watcher struct {
	cfg    Config
	mu     sync.Mutex
	states map[string]*state
}

type state struct {
	target       string
	failingSince time.Time
	alerted      bool // an alert went out for the current episode
	lastAlert    time.Time
	detail       string
}

// New validates cfg.
func New(cfg Config) (*Watcher, error) {
	if cfg.Sender == nil || cfg.Templates == nil {
		return nil, fmt.Errorf("%w: Sender and Templates are required", ErrConfig)
	}
	if err := (mail.Message{To: cfg.OpsEmail, Subject: "x", Text: "x"}).Validate(); err != nil {
		return nil, fmt.Errorf("%w: OpsEmail %q is not an email address", ErrConfig, cfg.OpsEmail)
	}
	for _, t := range cfg.Targets {
		u, err := url.Parse(t.URL)
		if t.Name == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("%w: target %q url %q", ErrConfig, t.Name, t.URL)
		}
	}
	if cfg.ErrorRate <= 0 || cfg.ErrorRate > 1 {
		cfg.ErrorRate = 0.05
	}
	if cfg.MinRequests <= 0 {
		cfg.MinRequests = 20
	}
	if cfg.FailFor <= 0 {
		cfg.FailFor = 2 * time.Minute
	}
	if cfg.Throttle <= 0 {
		cfg.Throttle = 15 * time.Minute
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 15 * time.Second
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 5 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Watcher{cfg: cfg, states: map[string]*state{}}, nil
}

// ParseTargets reads "name=url,name=url" (the ALERT_READYZ_TARGETS setting).
func ParseTargets(s string) ([]Target, error) {
	var out []Target
	if s == "" {
		return nil, nil
	}
	for _, part := range splitComma(s) {
		name, u, ok := cut(part, '=')
		if !ok || name == "" || u == "" {
			return nil, fmt.Errorf("%w: target %q must be name=url", ErrConfig, part)
		}
		out = append(out, Target{Name: name, URL: u})
	}
	return out, nil
}

// Run checks every Interval until ctx ends.
func (w *Watcher) Run(ctx context.Context) error {
	t := time.NewTicker(w.cfg.Interval)
	defer t.Stop()
	for {
		if err := w.Check(ctx); err != nil {
			w.cfg.Log.WarnContext(ctx, "alert round", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Check runs one round: probe every target, read every error rate, and send
// the alerts and recoveries that are due.
func (w *Watcher) Check(ctx context.Context) error {
	type result struct {
		key, target, detail string
		failing             bool
	}
	results := make([]result, len(w.cfg.Targets))
	var wg sync.WaitGroup
	for i, t := range w.cfg.Targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			detail := w.probe(ctx, t)
			results[i] = result{key: "readyz:" + t.Name, target: t.Name, detail: detail, failing: detail != ""}
		}()
	}
	wg.Wait()
	if w.cfg.Errors != nil {
		for _, svc := range w.cfg.Errors.Services() {
			rate, total := w.cfg.Errors.Rate(svc)
			failing := total >= w.cfg.MinRequests && rate >= w.cfg.ErrorRate
			results = append(results, result{key: "error-rate:" + svc, target: svc, failing: failing,
				detail: fmt.Sprintf("error rate %.1f%% over the last %v (%d requests; threshold %.1f%%)",
					rate*100, w.cfg.Errors.Window(), total, w.cfg.ErrorRate*100)})
		}
	}
	obs := make([]Observation, 0, len(results))
	for _, r := range results {
		obs = append(obs, Observation{Key: r.key, Target: r.target, Failing: r.failing, Detail: r.detail})
	}
	var errs []error
	for _, p := range w.cfg.Probes {
		// A probe that fails to read still reports what it could; its error
		// goes to the log (Run) rather than silencing the other conditions.
		more, err := p.Observe(ctx)
		obs = append(obs, more...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	for _, o := range obs {
		if err := w.observe(ctx, o); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// probe returns "" when the target is ready, else why not.
func (w *Watcher) probe(ctx context.Context, t Target) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.URL, nil)
	if err != nil {
		return err.Error()
	}
	resp, err := w.cfg.HTTP.Do(req)
	if err != nil {
		return fmt.Sprintf("GET %s: %v", t.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return fmt.Sprintf("GET %s: %d %s", t.URL, resp.StatusCode, body)
	}
	return ""
}

// Evaluate feeds one observation of a condition into its state machine.
// Exported so other signals (a lagging projection, a growing dead-letter
// queue) can raise alerts through the same throttle.
func (w *Watcher) Evaluate(ctx context.Context, key, target string, failing bool, detail string) error {
	return w.observe(ctx, Observation{Key: key, Target: target, Failing: failing, Detail: detail})
}

func (w *Watcher) observe(ctx context.Context, o Observation) error {
	key, target, failing, detail := o.Key, o.Target, o.Failing, o.Detail
	failFor := w.cfg.FailFor
	if o.Immediate {
		failFor = 0
	}
	now := w.cfg.Now()
	w.mu.Lock()
	s, ok := w.states[key]
	if !ok {
		s = &state{target: target}
		w.states[key] = s
	}
	var send templates.Kind
	var alert templates.Alert
	switch {
	case failing:
		if s.failingSince.IsZero() {
			s.failingSince = now
		}
		s.detail = detail
		if now.Sub(s.failingSince) >= failFor && (s.lastAlert.IsZero() || now.Sub(s.lastAlert) >= w.cfg.Throttle) {
			send = templates.KindOpsAlert
		}
	case s.alerted:
		send = templates.KindOpsRecovery
	default:
		s.failingSince = time.Time{}
	}
	if send != "" {
		alert = templates.Alert{Condition: key, Target: target, Detail: s.detail, Since: s.failingSince, For: now.Sub(s.failingSince)}
	}
	w.mu.Unlock()
	if send == "" {
		return nil
	}
	// Sending outside the lock: a slow provider must not block other conditions.
	r, err := w.cfg.Templates.Render(send, templates.DefaultLanguage, templates.Data{Alert: alert})
	if err == nil {
		_, err = w.cfg.Sender.Send(ctx, mail.Message{To: w.cfg.OpsEmail, Subject: r.Subject, Text: r.Text, HTML: r.HTML,
			Tags: map[string]string{"kind": string(send)}})
	}
	if err != nil {
		// State is left as it was, so the next round tries again.
		return fmt.Errorf("alerts: send %s for %s: %w", send, key, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if send == templates.KindOpsAlert {
		s.lastAlert, s.alerted = now, true
	} else {
		s.alerted, s.failingSince = false, time.Time{}
	}
	w.cfg.Log.WarnContext(ctx, "ops email sent", "kind", send, "condition", key)
	return nil
}

// Status is a condition's current state (for a status page or tests).
type Status struct {
	Condition    string    `json:"condition"`
	Target       string    `json:"target"`
	Failing      bool      `json:"failing"`
	FailingSince time.Time `json:"failingSince,omitzero"`
	Alerted      bool      `json:"alerted"`
	LastAlert    time.Time `json:"lastAlert,omitzero"`
}

// Statuses lists every condition seen, sorted.
func (w *Watcher) Statuses() []Status {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]Status, 0, len(w.states))
	for k, s := range w.states {
		out = append(out, Status{Condition: k, Target: s.target, Failing: !s.failingSince.IsZero(), FailingSince: s.failingSince,
			Alerted: s.alerted, LastAlert: s.lastAlert})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Condition < out[j].Condition })
	return out
}
