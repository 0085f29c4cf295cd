package webhooks

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/messaging/relay"
)

// Source is the event store as the worker reads it (eventstore.Store).
type Source interface {
	ReadAll(ctx context.Context, after uint64, filter eventstore.Filter) iter.Seq2[eventstore.RecordedEvent, error]
	HeadPosition(ctx context.Context) (uint64, error)
}

// appendWaiter is eventstore.Notifier, used when the source has it.
type appendWaiter interface {
	WaitForAppend(ctx context.Context, after uint64) error
}

// Config configures a Service.
type Config struct {
	Source Source
	Store  Store
	Guard  *Guard
	// Locker elects the one worker (dispatcher and senders) across
	// processes; nil runs alone (the embedded shop).
	Locker relay.Locker
	// Timeout bounds one attempt (connect, send, answer); default 10s.
	Timeout time.Duration
	// RetryMin and RetryMax bound the backoff between attempts (doubled
	// each time, with jitter); default 30s and 1h. RetryFor is how long a
	// delivery is retried before it fails; default 24h.
	RetryMin, RetryMax, RetryFor time.Duration
	// Concurrency is how many deliveries of one endpoint are in flight at
	// once; default 4. Endpoints never wait for each other.
	Concurrency int
	// BatchSize is how many events are dispatched per outbox write;
	// default 200.
	BatchSize int
	// PollInterval is how often idle senders look for due retries and
	// the dispatcher for events when the source cannot notify; default 1s.
	// Refresh is how often the endpoint list is re-read (changes made in
	// this process apply at once); default 10s.
	PollInterval, Refresh time.Duration
	// IdleCheckpointEvery is how often the dispatcher writes its checkpoint
	// while no endpoint is enabled (it reads no events then); default 5s.
	IdleCheckpointEvery time.Duration
	Now                 func() time.Time
	Logger              *slog.Logger
	Metrics             prometheus.Registerer
}

// LeaseName is the lease (and log name) of the webhook worker.
const LeaseName = "webhooks"

// storeRetryMax bounds the wait after the database or the event store
// failed (lease, dispatch): RetryMax paces endpoints, not our own servers.
const storeRetryMax = 30 * time.Second

// Service registers endpoints and runs the worker that delivers to them.
type Service struct {
	cfg     Config
	log     *slog.Logger
	client  *http.Client
	metrics *metrics
	refresh chan struct{}
	senders *senders
	// idleSaved is when the dispatcher last wrote the checkpoint while no
	// endpoint listened, and idleSavedAt what it wrote (its goroutine only).
	idleSaved   time.Time
	idleSavedAt uint64
}

// New validates cfg and fills its defaults.
func New(cfg Config) (*Service, error) {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&cfg.Timeout, 10*time.Second)
	def(&cfg.RetryMin, 30*time.Second)
	def(&cfg.RetryMax, time.Hour)
	def(&cfg.RetryFor, 24*time.Hour)
	def(&cfg.PollInterval, time.Second)
	def(&cfg.Refresh, 10*time.Second)
	def(&cfg.IdleCheckpointEvery, 5*time.Second)
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 4
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 200
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	var errs []error
	if cfg.Source == nil || cfg.Store == nil || cfg.Guard == nil {
		errs = append(errs, errors.New("Source, Store and Guard are required"))
	}
	if cfg.Timeout < 0 || cfg.RetryMin <= 0 || cfg.RetryMax < cfg.RetryMin || cfg.RetryFor <= 0 {
		errs = append(errs, errors.New("0 < RetryMin ≤ RetryMax, RetryFor and Timeout must be positive"))
	}
	if cfg.Concurrency < 1 || cfg.BatchSize < 1 || cfg.PollInterval <= 0 || cfg.Refresh <= 0 || cfg.IdleCheckpointEvery <= 0 {
		errs = append(errs, errors.New("Concurrency, BatchSize, PollInterval, Refresh and IdleCheckpointEvery must be positive"))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("webhooks: invalid config: %w", errors.Join(errs...))
	}
	s := &Service{cfg: cfg, log: cfg.Logger.With("component", "webhooks"), client: newClient(cfg.Guard, cfg.Timeout),
		metrics: newMetrics(cfg.Metrics), refresh: make(chan struct{}, 1)}
	s.senders = newSenders(s)
	return s, nil
}

// Create registers an endpoint. secret is the admin's choice, or "" for a
// generated one; the returned endpoint carries it, to be shown once.
func (s *Service) Create(ctx context.Context, spec Spec, secret string) (Endpoint, error) {
	if err := s.check(ctx, &spec); err != nil {
		return Endpoint{}, err
	}
	if secret == "" {
		secret = NewSecret()
	} else if err := ValidateSecret(secret); err != nil {
		return Endpoint{}, err
	}
	e := NewEndpoint(spec, secret, s.cfg.Now())
	if err := s.cfg.Store.CreateEndpoint(ctx, e); err != nil {
		return Endpoint{}, err
	}
	s.Refresh()
	return e, nil
}

// Update changes an endpoint's URL, description, types and state; its
// secret and history stay.
func (s *Service) Update(ctx context.Context, id string, spec Spec) (Endpoint, error) {
	if err := s.check(ctx, &spec); err != nil {
		return Endpoint{}, err
	}
	e, err := s.cfg.Store.Endpoint(ctx, id)
	if err != nil {
		return Endpoint{}, err
	}
	e.URL, e.Description, e.EventTypes, e.Enabled, e.UpdatedAt = spec.URL, spec.Description, spec.EventTypes, spec.Enabled, s.cfg.Now().UTC()
	if err := s.cfg.Store.UpdateEndpoint(ctx, e); err != nil {
		return Endpoint{}, err
	}
	s.Refresh()
	return e, nil
}

func (s *Service) check(ctx context.Context, spec *Spec) error {
	if err := spec.Validate(); err != nil {
		return err
	}
	return s.cfg.Guard.Check(ctx, spec.URL)
}

// Delete removes an endpoint and its delivery log.
func (s *Service) Delete(ctx context.Context, id string) error {
	if err := s.cfg.Store.DeleteEndpoint(ctx, id); err != nil {
		return err
	}
	s.Refresh()
	return nil
}

// Endpoint returns one endpoint.
func (s *Service) Endpoint(ctx context.Context, id string) (Endpoint, error) {
	return s.cfg.Store.Endpoint(ctx, id)
}

// Endpoints lists every endpoint.
func (s *Service) Endpoints(ctx context.Context) ([]Endpoint, error) {
	return s.cfg.Store.Endpoints(ctx)
}

// Deliveries is an endpoint's delivery log, newest first.
func (s *Service) Deliveries(ctx context.Context, endpointID string, limit int) ([]Delivery, error) {
	if _, err := s.cfg.Store.Endpoint(ctx, endpointID); err != nil {
		return nil, err
	}
	return s.cfg.Store.Deliveries(ctx, endpointID, limit)
}

// Redeliver sends a delivery of endpointID again (whatever its status),
// with a fresh day of retries.
func (s *Service) Redeliver(ctx context.Context, endpointID, deliveryID string) (Delivery, error) {
	d, err := s.cfg.Store.Delivery(ctx, deliveryID)
	if err != nil {
		return Delivery{}, err
	}
	if d.EndpointID != endpointID {
		return Delivery{}, ErrNotFound
	}
	now := s.cfg.Now()
	if err := s.cfg.Store.Redeliver(ctx, deliveryID, now, now.Add(s.cfg.RetryFor)); err != nil {
		return Delivery{}, err
	}
	s.wake(endpointID)
	return s.cfg.Store.Delivery(ctx, deliveryID)
}

// Refresh makes the running worker re-read the endpoints now.
func (s *Service) Refresh() {
	select {
	case s.refresh <- struct{}{}:
	default:
	}
}

// Run stands by until this process holds the webhook lease, then
// dispatches events into the outbox and sends them, until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	relay.WithLease(ctx, s.cfg.Locker, LeaseName, "webhook worker", s.log, storeRetryMax, s.lead)
	return nil
}

func (s *Service) lead(ctx context.Context) error {
	s.log.InfoContext(ctx, "webhook worker leading")
	done := make(chan struct{})
	go func() { defer close(done); s.senders.supervise(ctx) }()
	s.dispatch(ctx)
	<-done
	return nil
}

// wake tells the senders of these endpoints that deliveries are due.
func (s *Service) wake(ids ...string) {
	s.senders.wake(ids...)
}
