package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// senders runs one sender per enabled endpoint. Each sends only its own
// endpoint's due deliveries, Concurrency at a time, so a slow or failing
// endpoint holds up nobody else.
type senders struct {
	s       *Service
	mu      sync.Mutex
	running map[string]*sender
}

type sender struct {
	ep     Endpoint
	wakeC  chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
}

func newSenders(s *Service) *senders { return &senders{s: s, running: map[string]*sender{}} }

// supervise keeps one sender per enabled endpoint (restarted when the
// endpoint changes) until ctx ends, then stops them all.
func (ss *senders) supervise(ctx context.Context) {
	t := time.NewTicker(ss.s.cfg.Refresh)
	defer t.Stop()
	for {
		if eps, err := ss.s.cfg.Store.Endpoints(ctx); err != nil {
			if ctx.Err() == nil {
				ss.s.log.ErrorContext(ctx, "webhook senders: list endpoints", "error", err)
			}
		} else {
			ss.sync(ctx, eps)
		}
		select {
		case <-ctx.Done():
			ss.sync(ctx, nil)
			return
		case <-t.C:
		case <-ss.s.refresh:
		}
	}
}

func (ss *senders) sync(ctx context.Context, eps []Endpoint) {
	want := map[string]Endpoint{}
	for _, ep := range eps {
		if ep.Enabled {
			want[ep.ID] = ep
		}
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for id, r := range ss.running {
		if ep, ok := want[id]; !ok || !ep.UpdatedAt.Equal(r.ep.UpdatedAt) {
			r.cancel()
			<-r.done // an attempt cut short stays pending and is sent again
			delete(ss.running, id)
		}
	}
	if ctx.Err() != nil {
		return
	}
	for id, ep := range want {
		if _, ok := ss.running[id]; ok {
			continue
		}
		sctx, cancel := context.WithCancel(ctx)
		r := &sender{ep: ep, wakeC: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
		ss.running[id] = r
		go func() { defer close(r.done); ss.s.serve(sctx, r) }()
	}
}

func (ss *senders) wake(ids ...string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for _, id := range ids {
		if r, ok := ss.running[id]; ok {
			select {
			case r.wakeC <- struct{}{}:
			default:
			}
		}
	}
}

// serve sends r's endpoint's due deliveries until ctx ends.
func (s *Service) serve(ctx context.Context, r *sender) {
	for ctx.Err() == nil {
		due, err := s.cfg.Store.Due(ctx, r.ep.ID, s.cfg.Now(), s.cfg.Concurrency)
		if err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "webhook sender: due deliveries", "endpoint", r.ep.ID, "error", err)
		}
		if len(due) == 0 {
			t := time.NewTimer(s.cfg.PollInterval)
			select {
			case <-ctx.Done():
			case <-r.wakeC:
			case <-t.C:
			}
			t.Stop()
			continue
		}
		var wg sync.WaitGroup
		for _, d := range due {
			wg.Go(func() { s.attempt(ctx, r.ep, d) })
		}
		wg.Wait()
	}
}

// attempt sends d once and records the outcome: delivered, a retry after
// an exponential backoff with jitter, or failed once the next retry would
// fall after the delivery's deadline.
func (s *Service) attempt(ctx context.Context, ep Endpoint, d Delivery) {
	at := s.cfg.Now().UTC()
	code, err := s.post(ctx, ep, d, at)
	if ctx.Err() != nil {
		return // stopping: not the endpoint's fault; the delivery stays due
	}
	a := Attempt{At: at, StatusCode: code, Status: StatusDelivered}
	if err != nil {
		a.Error = truncate(err.Error(), 500)
		a.Status, a.Next = StatusPending, at.Add(s.backoff(d.Attempts+1))
		if a.Next.After(d.Deadline) {
			a.Status, a.Next = StatusFailed, time.Time{}
		}
	}
	if err := s.cfg.Store.Record(ctx, d.ID, a); err != nil {
		// The delivery stays pending and due: it is sent again (at least once).
		s.log.ErrorContext(ctx, "webhook sender: record attempt", "delivery", d.ID, "error", err)
		return
	}
	s.metrics.attempts.WithLabelValues(string(a.Status)).Inc()
	if a.Status == StatusFailed {
		s.log.WarnContext(ctx, "webhook delivery failed for good", "endpoint", ep.ID, "delivery", d.ID, "event_id", d.EventID, "error", a.Error)
	}
}

// backoff is the wait before attempt n+1 after n failed ones: RetryMin
// doubled per attempt up to RetryMax, then jittered down by up to half so
// that the retries of many deliveries that failed together spread out.
func (s *Service) backoff(n int) time.Duration {
	d := s.cfg.RetryMin
	for i := 1; i < n && d < s.cfg.RetryMax; i++ {
		d *= 2
	}
	d = min(d, s.cfg.RetryMax)
	return d - rand.N(d/2+1)
}

// post sends one delivery; a non-2xx answer is an error.
func (s *Service) post(ctx context.Context, ep Endpoint, d Delivery, at time.Time) (int, error) {
	u, err := url.Parse(ep.URL)
	if err != nil {
		return 0, fmt.Errorf("bad endpoint URL: %w", err)
	}
	if u.Scheme == "http" {
		ctx = withPlainHTTP(ctx)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return 0, fmt.Errorf("bad endpoint URL: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "evshop-webhooks/1")
	req.Header.Set(HeaderSignature, Sign(ep.Secret, at, d.Payload))
	req.Header.Set(HeaderEventID, d.EventID)
	req.Header.Set(HeaderEventType, d.EventType)
	req.Header.Set(HeaderDelivery, d.ID)
	resp, err := s.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL may hold a token of the receiver's: keep it out of the log
		}
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) //nolint:errcheck // lets the connection be reused
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("endpoint answered %d", resp.StatusCode)
	}
	return resp.StatusCode, nil
}

// newClient dials through the guard and follows no redirect: a 3xx could
// send the delivery to an address the guard never saw at registration, and
// an endpoint that moved is re-registered by an admin.
func newClient(g *Guard, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, ControlContext: g.Control}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 nil, // a proxy would dial for us, past the guard
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   timeout,
			ResponseHeaderTimeout: timeout,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

type metrics struct {
	queued     prometheus.Counter
	attempts   *prometheus.CounterVec
	checkpoint prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		queued: prometheus.NewCounter(prometheus.CounterOpts{Name: "webhook_deliveries_queued_total",
			Help: "Deliveries written to the webhook outbox."}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "webhook_attempts_total",
			Help: "Webhook delivery attempts by the delivery's resulting status (delivered, pending = will retry, failed)."}, []string{"status"}),
		checkpoint: prometheus.NewGauge(prometheus.GaugeOpts{Name: "webhook_checkpoint_position",
			Help: "Event-store position of the last event dispatched to the webhook outbox."}),
	}
	if reg != nil {
		reg.MustRegister(m.queued, m.attempts, m.checkpoint)
	}
	return m
}
