// Package messaging owns the message bus of the shop: events routed by their
// wire type to the handlers that handle that type (each with its own durable
// queue bound once per type), commands sent
// point-to-point (one durable queue per command), and the consumer pipeline
// shared by both — correlation ids, structured logs, metrics, bounded retries
// with backoff and a dead-letter store. One Config runs it on RabbitMQ
// (watermill-amqp) for the services or on Go channels for the one-process
// shop. Events reach the bus only through the relay (messaging/relay), never
// from a handler.
package messaging

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/components/cqrs"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/evshop/shop/platform/panics"
)

// Transport selects where messages travel.
type Transport string

const (
	// TransportAMQP uses RabbitMQ: durable queues, publisher confirms.
	TransportAMQP Transport = "amqp"
	// TransportGoChannel keeps everything in process (embedded shop, tests).
	TransportGoChannel Transport = "gochannel"
)

// Queue types understood by RabbitMQ's x-queue-type argument.
const (
	QueueClassic = "classic"
	QueueQuorum  = "quorum"
)

// ErrInvalidConfig is wrapped by New and the Add* methods for bad settings.
var ErrInvalidConfig = errors.New("messaging: invalid config")

// ErrStarted is returned when handlers are added after Run.
var ErrStarted = errors.New("messaging: bus already running")

// RetryConfig bounds the retries of a failing handler before its message is
// dead-lettered. Delays grow from Initial by Multiplier up to Max.
type RetryConfig struct {
	MaxRetries int           // default 5; negative means none
	Initial    time.Duration // default 100ms
	Max        time.Duration // default 5s
	Multiplier float64       // default 2
}

// Config configures a Bus.
type Config struct {
	Transport Transport
	// AMQPURL is required for TransportAMQP, e.g. amqp://guest:guest@127.0.0.1:5672/.
	AMQPURL string
	// Prefix starts every exchange, queue and topic name, so several shops
	// (or tests, via testenv.Name) share one broker without meeting.
	Prefix string
	// QueueType is classic (default) or quorum; it must not change for an
	// existing queue (RabbitMQ refuses to redeclare it).
	QueueType string
	// PublishChannels is the AMQP channel pool of each publisher. Zero would
	// make watermill-amqp open a channel per publish; default 64 (the
	// relay's lanes). It bounds how many confirmed publishes can be in
	// flight at once.
	PublishChannels int
	// Prefetch is the AMQP consumer prefetch (QoS); default 100, minimum 100.
	Prefetch int
	// Consumers is how many messages of one queue a process handles at
	// once (competing AMQP consumers on the queue), for every command
	// handler and for event handlers marked Concurrent; default 1, at most
	// 64. Command handlers must tolerate concurrent commands for one
	// aggregate (ours do: optimistic concurrency or compare-and-swap,
	// retried). Go channels fan out to every subscription, so there it
	// must stay 1.
	Consumers int
	Retry     RetryConfig
	// DrainTimeout bounds how long shutdown waits for in-flight handlers;
	// default 30s.
	DrainTimeout time.Duration
	// DeadLetters receives poison messages from the dead-letter topic. With
	// AMQP a nil store leaves them in the durable dead-letter queue for a
	// process that has one; with Go channels a memory store is used.
	DeadLetters DeadLetterStore
	Logger      *slog.Logger
	// Metrics receives the handler metrics; nil keeps them unregistered.
	Metrics prometheus.Registerer
}

var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$`)

func (c *Config) setDefaults() {
	if c.QueueType == "" {
		c.QueueType = QueueClassic
	}
	if c.PublishChannels == 0 {
		c.PublishChannels = 64
	}
	if c.Prefetch == 0 {
		c.Prefetch = 100
	}
	if c.Consumers == 0 {
		c.Consumers = 1
	}
	if c.Retry.MaxRetries == 0 {
		c.Retry.MaxRetries = 5
	}
	if c.Retry.Initial == 0 {
		c.Retry.Initial = 100 * time.Millisecond
	}
	if c.Retry.Max == 0 {
		c.Retry.Max = 5 * time.Second
	}
	if c.Retry.Multiplier == 0 {
		c.Retry.Multiplier = 2
	}
	if c.DrainTimeout == 0 {
		c.DrainTimeout = 30 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

func (c Config) validate() error {
	var errs []error
	switch c.Transport {
	case TransportAMQP:
		if c.AMQPURL == "" {
			errs = append(errs, errors.New("AMQPURL is required for the amqp transport"))
		}
	case TransportGoChannel:
	default:
		errs = append(errs, fmt.Errorf("transport %q must be amqp or gochannel", c.Transport))
	}
	if !namePattern.MatchString(c.Prefix) {
		errs = append(errs, fmt.Errorf("prefix %q must match %s", c.Prefix, namePattern))
	}
	if c.QueueType != QueueClassic && c.QueueType != QueueQuorum {
		errs = append(errs, fmt.Errorf("queue type %q must be classic or quorum", c.QueueType))
	}
	if c.PublishChannels < 1 {
		errs = append(errs, errors.New("PublishChannels must be positive"))
	}
	if c.Consumers < 1 || c.Consumers > 64 {
		errs = append(errs, errors.New("Consumers must be between 1 and 64"))
	}
	if c.Transport == TransportGoChannel && c.Consumers > 1 {
		errs = append(errs, errors.New("Consumers above 1 needs the amqp transport"))
	}
	if c.Prefetch < 100 {
		errs = append(errs, errors.New("Prefetch must be at least 100"))
	}
	if c.Retry.Initial < 0 || c.Retry.Max < c.Retry.Initial || c.Retry.Multiplier < 1 {
		errs = append(errs, errors.New("retry delays must be positive, Max ≥ Initial, Multiplier ≥ 1"))
	}
	if c.DrainTimeout < 0 {
		errs = append(errs, errors.New("DrainTimeout must not be negative"))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, errors.Join(errs...))
	}
	return nil
}

// Bus publishes events and commands and runs the handlers registered on it.
// Register handlers, then Run; publishing works without Run.
type Bus struct {
	cfg     Config
	log     *slog.Logger
	wlog    watermill.LoggerAdapter
	tr      transport
	router  *message.Router
	cmdBus  *cqrs.CommandBus
	cmdProc *cqrs.CommandProcessor
	metrics *metrics
	panics  *panics.Counter
	drain   drainer

	mu        sync.Mutex
	started   bool
	names     map[string]bool
	closeOnce sync.Once
	closeErr  error
}

// transport hides the two ways messages travel.
type transport interface {
	// publishEvent delivers msg to the queue of every handler of eventType.
	publishEvent(eventType string, msg *message.Message) error
	// direct publishes point-to-point: commands, dead letters, redrives.
	direct() message.Publisher
	// eventSubscriber subscribes one event handler (its own durable queue)
	// to the types it handles; none means every type. The router consumes
	// it with EventQueue(handler) as topic.
	eventSubscriber(handler string, types []string, concurrent bool) (message.Subscriber, error)
	// directSubscriber consumes a point-to-point topic.
	directSubscriber() (message.Subscriber, error)
	// eventQueue names the topic that redelivers to one event handler only.
	eventRedriveTopic(handler string) string
	// extraRedriveSubscription tells whether the redrive topic needs its own
	// subscription (Go channels) or is the handler's own queue (AMQP).
	extraRedriveSubscription() bool
	close() error
}

// New validates cfg and connects the transport.
func New(cfg Config) (*Bus, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	b := &Bus{
		cfg:   cfg,
		log:   cfg.Logger.With("component", "messaging"),
		names: map[string]bool{},
	}
	// Watermill's own Info lines (subscriber started, …) are Debug for us.
	b.wlog = watermill.NewSlogLoggerWithLevelMapping(b.log, map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug})
	b.drain.init()
	b.metrics = newMetrics(cfg.Metrics)
	b.panics = panics.New(cfg.Metrics)
	if cfg.DeadLetters == nil && cfg.Transport == TransportGoChannel {
		b.cfg.DeadLetters = NewMemoryDeadLetters()
	}

	var err error
	switch cfg.Transport {
	case TransportAMQP:
		b.tr, err = newAMQPTransport(b.cfg, b.wlog)
	default:
		b.tr = newGoChannelTransport(b.cfg, b.wlog)
	}
	if err != nil {
		return nil, err
	}
	b.router, err = message.NewRouter(message.RouterConfig{CloseTimeout: cfg.DrainTimeout + 5*time.Second}, b.wlog)
	if err != nil {
		b.tr.close() //nolint:errcheck
		return nil, fmt.Errorf("messaging: router: %w", err)
	}
	marshaler := commandMarshaler()
	b.cmdBus, err = cqrs.NewCommandBusWithConfig(b.tr.direct(), cqrs.CommandBusConfig{
		GeneratePublishTopic: func(p cqrs.CommandBusGeneratePublishTopicParams) (string, error) {
			return b.commandTopic(p.CommandName), nil
		},
		OnSend: func(p cqrs.CommandBusOnSendParams) error {
			stampProducer(p.Message.Context(), p.Message)
			return nil
		},
		Marshaler: marshaler,
		Logger:    b.wlog,
	})
	if err != nil {
		b.tr.close() //nolint:errcheck
		return nil, fmt.Errorf("messaging: command bus: %w", err)
	}
	b.cmdProc, err = cqrs.NewCommandProcessorWithConfig(b.router, cqrs.CommandProcessorConfig{
		GenerateSubscribeTopic: func(p cqrs.CommandProcessorGenerateSubscribeTopicParams) (string, error) {
			return b.commandTopic(p.CommandName), nil
		},
		SubscriberConstructor: func(cqrs.CommandProcessorSubscriberConstructorParams) (message.Subscriber, error) {
			return b.tr.directSubscriber()
		},
		Marshaler: marshaler,
		Logger:    b.wlog,
	})
	if err != nil {
		b.tr.close() //nolint:errcheck
		return nil, fmt.Errorf("messaging: command processor: %w", err)
	}
	if b.cfg.DeadLetters != nil {
		if err := b.addDeadLetterConsumer(); err != nil {
			b.tr.close() //nolint:errcheck
			return nil, err
		}
	}
	return b, nil
}

// EventsExchange is the AMQP topic exchange events are published to, with
// the event's wire type as routing key. Until 2026-12 events went to a
// fan-out exchange named Prefix+".events" (LegacyEventsExchange); RabbitMQ
// cannot change an exchange's type, so the topic exchange has a new name
// (docs/runbooks/messaging-topology.md says how to retire the old one).
func (b *Bus) EventsExchange() string { return eventsExchange(b.cfg.Prefix) }

// LegacyEventsExchange is the fan-out exchange of earlier versions; this
// bus neither declares nor publishes to it.
func (b *Bus) LegacyEventsExchange() string { return b.cfg.Prefix + ".events" }

func eventsExchange(prefix string) string { return prefix + ".events.by-type" }

func eventQueue(prefix, handler string) string { return prefix + ".events." + handler }

// DeadLetterTopic is the durable topic poison messages are moved to.
func (b *Bus) DeadLetterTopic() string { return b.cfg.Prefix + ".deadletter" }

// EventQueue names the durable queue of an event handler.
func (b *Bus) EventQueue(handler string) string { return eventQueue(b.cfg.Prefix, handler) }

func (b *Bus) commandTopic(name string) string { return b.cfg.Prefix + ".cmd." + name }

// Run consumes until ctx ends, then stops taking new messages, waits up to
// DrainTimeout for in-flight handlers to finish (their messages are acked),
// and closes the transport. Messages not started are left on their queues.
func (b *Bus) Run(ctx context.Context) error {
	b.mu.Lock()
	if b.started {
		b.mu.Unlock()
		return ErrStarted
	}
	b.started = true
	b.mu.Unlock()

	done := make(chan error, 1)
	// The router's context must outlive ctx: cancelling it would cancel the
	// handlers mid-work instead of letting them drain.
	go func() { done <- b.router.Run(context.WithoutCancel(ctx)) }()
	select {
	case <-ctx.Done():
	case err := <-done:
		b.Close() //nolint:errcheck
		if err != nil {
			return fmt.Errorf("messaging: router stopped: %w", err)
		}
		return errors.New("messaging: router stopped on its own")
	}
	b.log.InfoContext(ctx, "draining in-flight handlers", "timeout", b.cfg.DrainTimeout)
	if !b.drain.stop(b.cfg.DrainTimeout) {
		b.log.Warn("drain timed out; unfinished messages will be redelivered")
	}
	// Close only a router that has started its handlers: Watermill's Close
	// takes the handlers' lock and waits for them, while a Run still
	// starting needs that lock to start them, so a bus stopped that early
	// waited out the router's whole close timeout (30 s).
	var err error
	select {
	case <-b.router.Running():
		err = b.router.Close()
		<-done
	case rerr := <-done: // the router stopped before it ran
		if rerr != nil {
			err = fmt.Errorf("messaging: router stopped: %w", rerr)
		}
	case <-time.After(b.cfg.DrainTimeout + 5*time.Second): // still subscribing: give up on it
		err = errors.Join(errors.New("messaging: router still starting at shutdown"), b.router.Close())
	}
	if cerr := b.Close(); err == nil {
		err = cerr
	}
	return err
}

// Running is closed once the handlers are subscribed.
func (b *Bus) Running() <-chan struct{} { return b.router.Running() }

// Close releases the connections of a bus that publishes only (a bus that
// was Run closes itself). It is safe to call more than once.
func (b *Bus) Close() error {
	b.closeOnce.Do(func() { b.closeErr = b.tr.close() })
	return b.closeErr
}

// claim reserves a handler name before Run; Watermill's router would panic
// on a duplicate.
func (b *Bus) claim(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.started {
		return ErrStarted
	}
	if b.names[name] {
		return fmt.Errorf("%w: handler %q registered twice", ErrInvalidConfig, name)
	}
	b.names[name] = true
	return nil
}

// drainer lets shutdown wait for the handlers already running while holding
// back new deliveries (they are nacked back to their queue).
type drainer struct {
	mu       sync.RWMutex
	draining bool
	inflight sync.WaitGroup
	stopping chan struct{}
}

func (d *drainer) init() { d.stopping = make(chan struct{}) }

func (d *drainer) enter() bool {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.draining {
		return false
	}
	d.inflight.Add(1)
	return true
}

func (d *drainer) leave() { d.inflight.Done() }

// stop reports whether every in-flight handler finished within timeout.
func (d *drainer) stop(timeout time.Duration) bool {
	d.mu.Lock()
	if !d.draining {
		d.draining = true
		close(d.stopping)
	}
	d.mu.Unlock()
	finished := make(chan struct{})
	go func() { d.inflight.Wait(); close(finished) }()
	select {
	case <-finished:
		return true
	case <-time.After(timeout):
		return false
	}
}
