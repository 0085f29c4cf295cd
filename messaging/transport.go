package messaging

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/ThreeDotsLabs/watermill"
	wamqp "github.com/ThreeDotsLabs/watermill-amqp/v2/pkg/amqp"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	amqp "github.com/rabbitmq/amqp091-go"
)

// amqpTransport: events go to one durable topic exchange with the event's
// wire type as routing key, and each event handler has a durable queue bound
// once per type it handles (or to "#" when it handles every type), so the
// broker delivers an event only to the queues that want it. Commands, dead
// letters and redrives go through the default exchange straight to a durable
// queue named after the topic. Publishers and consumers use separate
// connections so that broker flow control on publishing never stalls acks.
type amqpTransport struct {
	cfg     Config
	log     watermill.LoggerAdapter
	pubConn *wamqp.ConnectionWrapper
	subConn *wamqp.ConnectionWrapper
	evPub   *wamqp.Publisher
	dirPub  *wamqp.Publisher
	direct_ *queueEnsuringPublisher
	topo    *topology

	mu   sync.Mutex
	subs []*wamqp.Subscriber
}

// topology records what this bus declared (tests delete it at cleanup; ops
// can list it) and declares point-to-point queues before the first publish,
// because a message sent to the default exchange before its queue exists is
// silently dropped by RabbitMQ.
type topology struct {
	wamqp.DefaultTopologyBuilder
	mu        sync.Mutex
	queues    []string
	exchanges []string
}

func (t *topology) BuildTopology(ch *amqp.Channel, queue, exchange string, cfg wamqp.Config, log watermill.LoggerAdapter) error {
	t.record(queue, exchange)
	return t.DefaultTopologyBuilder.BuildTopology(ch, queue, exchange, cfg, log)
}

func (t *topology) ExchangeDeclare(ch *amqp.Channel, exchange string, cfg wamqp.Config) error {
	t.record("", exchange)
	return t.DefaultTopologyBuilder.ExchangeDeclare(ch, exchange, cfg)
}

// boundTopology declares an event handler's queue and binds it to the events
// exchange once per routing key. Watermill's default builder binds one key
// only. Bindings are never removed here: a type a handler stopped handling
// keeps arriving until the binding is deleted by hand (see
// docs/runbooks/messaging-topology.md), and the bus's type filter drops it.
type boundTopology struct {
	*topology
	keys []string
}

func (t boundTopology) BuildTopology(ch *amqp.Channel, queue, exchange string, cfg wamqp.Config, _ watermill.LoggerAdapter) error {
	t.record(queue, exchange)
	q := cfg.Queue
	if _, err := ch.QueueDeclare(queue, q.Durable, q.AutoDelete, q.Exclusive, q.NoWait, q.Arguments); err != nil {
		return fmt.Errorf("declare queue %s: %w", queue, err)
	}
	if err := t.ExchangeDeclare(ch, exchange, cfg); err != nil {
		return fmt.Errorf("declare exchange %s: %w", exchange, err)
	}
	for _, k := range t.keys {
		if err := ch.QueueBind(queue, k, exchange, false, nil); err != nil {
			return fmt.Errorf("bind queue %s to %s with %q: %w", queue, exchange, k, err)
		}
	}
	return nil
}

func (t *topology) record(queue, exchange string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if queue != "" && !slices.Contains(t.queues, queue) {
		t.queues = append(t.queues, queue)
	}
	if exchange != "" && !slices.Contains(t.exchanges, exchange) {
		t.exchanges = append(t.exchanges, exchange)
	}
}

func (t *topology) list() (queues, exchanges []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.queues), slices.Clone(t.exchanges)
}

func newAMQPTransport(cfg Config, log watermill.LoggerAdapter) (*amqpTransport, error) {
	t := &amqpTransport{cfg: cfg, log: log, topo: &topology{}}
	conn := wamqp.ConnectionConfig{AmqpURI: cfg.AMQPURL, Reconnect: wamqp.DefaultReconnectConfig()}
	var err error
	if t.pubConn, err = wamqp.NewConnection(conn, log); err != nil {
		return nil, fmt.Errorf("messaging: amqp connect: %w", err)
	}
	if t.subConn, err = wamqp.NewConnection(conn, log); err != nil {
		t.pubConn.Close() //nolint:errcheck
		return nil, fmt.Errorf("messaging: amqp connect: %w", err)
	}
	if t.evPub, err = wamqp.NewPublisherWithConnection(t.eventsConfig("", nil), log, t.pubConn); err != nil {
		t.close() //nolint:errcheck
		return nil, fmt.Errorf("messaging: events publisher: %w", err)
	}
	if t.dirPub, err = wamqp.NewPublisherWithConnection(t.directConfig(), log, t.pubConn); err != nil {
		t.close() //nolint:errcheck
		return nil, fmt.Errorf("messaging: direct publisher: %w", err)
	}
	t.direct_ = &queueEnsuringPublisher{Publisher: t.dirPub, t: t, known: map[string]bool{}}
	return t, nil
}

func (t *amqpTransport) queueArgs() amqp.Table {
	return amqp.Table{"x-queue-type": t.cfg.QueueType}
}

func (t *amqpTransport) common(c *wamqp.Config) {
	c.Connection = wamqp.ConnectionConfig{AmqpURI: t.cfg.AMQPURL}
	c.Marshaler = wamqp.DefaultMarshaler{} // persistent delivery mode
	c.Queue.Durable = true
	c.Queue.Arguments = t.queueArgs()
	c.Publish.ChannelPoolSize = t.cfg.PublishChannels
	c.Publish.ConfirmDelivery = true
	c.Consume.Qos.PrefetchCount = t.cfg.Prefetch
	c.TopologyBuilder = t.topo
}

// eventsConfig routes by topic: the publisher's Watermill topic is the
// event type (the routing key), the exchange is always the bus's events
// exchange, and a subscriber's queue is bound with keys.
func (t *amqpTransport) eventsConfig(queue string, keys []string) wamqp.Config {
	c := wamqp.NewDurablePubSubConfig(t.cfg.AMQPURL, wamqp.GenerateQueueNameConstant(queue))
	t.common(&c)
	exchange := eventsExchange(t.cfg.Prefix)
	c.Exchange.GenerateName = func(string) string { return exchange }
	c.Exchange.Type = "topic"
	c.Publish.GenerateRoutingKey = func(eventType string) string { return eventType }
	if queue != "" {
		c.TopologyBuilder = boundTopology{topology: t.topo, keys: keys}
	}
	return c
}

func (t *amqpTransport) directConfig() wamqp.Config {
	c := wamqp.NewDurableQueueConfig(t.cfg.AMQPURL)
	t.common(&c)
	return c
}

func (t *amqpTransport) publishEvent(eventType string, msg *message.Message) error {
	return t.evPub.Publish(eventType, msg)
}

func (t *amqpTransport) direct() message.Publisher { return t.direct_ }

func (t *amqpTransport) eventSubscriber(handler string, types []string, concurrent bool) (message.Subscriber, error) {
	keys := types
	if len(keys) == 0 {
		keys = []string{"#"}
	}
	s, err := wamqp.NewSubscriberWithConnection(t.eventsConfig(eventQueue(t.cfg.Prefix, handler), keys), t.log, t.subConn)
	if err != nil {
		return nil, err
	}
	t.keep(s)
	if concurrent && t.cfg.Consumers > 1 {
		return competingSubscriber{Subscriber: s, n: t.cfg.Consumers}, nil
	}
	return s, nil
}

func (t *amqpTransport) directSubscriber() (message.Subscriber, error) {
	s, err := wamqp.NewSubscriberWithConnection(t.directConfig(), t.log, t.subConn)
	if err != nil {
		return nil, err
	}
	t.keep(s)
	if t.cfg.Consumers > 1 {
		return competingSubscriber{Subscriber: s, n: t.cfg.Consumers}, nil
	}
	return s, nil
}

// competingSubscriber consumes one queue through n AMQP consumers and merges
// their deliveries. Each consumer hands over its next message only after the
// previous one was acked, and the router runs every message it receives in
// its own goroutine, so up to n messages of the queue are handled at once.
type competingSubscriber struct {
	message.Subscriber
	n int
}

func (s competingSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	return fanIn(ctx, s.n, func(int) (<-chan *message.Message, error) { return s.Subscriber.Subscribe(ctx, topic) })
}

// fanIn merges n subscriptions (subscribe(0) … subscribe(n-1)) into one
// channel, closed when all of them are. Each subscription hands over its
// next message only after the previous one was acked; the consumer stops
// waiting for that ack when ctx ends, and so does the merge.
func fanIn(ctx context.Context, n int, subscribe func(i int) (<-chan *message.Message, error)) (<-chan *message.Message, error) {
	out := make(chan *message.Message)
	var wg sync.WaitGroup
	for i := range n {
		in, err := subscribe(i)
		if err != nil {
			// The subscriptions already made stop when the subscriber is
			// closed, which the bus does on this error.
			return nil, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range in {
				select {
				case out <- m:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(out) }()
	return out, nil
}

func (t *amqpTransport) keep(s *wamqp.Subscriber) {
	t.mu.Lock()
	t.subs = append(t.subs, s)
	t.mu.Unlock()
}

func (t *amqpTransport) eventRedriveTopic(handler string) string {
	return eventQueue(t.cfg.Prefix, handler)
}

func (t *amqpTransport) extraRedriveSubscription() bool { return false }

func (t *amqpTransport) close() error {
	var errs []error
	t.mu.Lock()
	subs := t.subs
	t.subs = nil
	t.mu.Unlock()
	for _, s := range subs {
		errs = append(errs, s.Close())
	}
	for _, p := range []*wamqp.Publisher{t.evPub, t.dirPub} {
		if p != nil {
			errs = append(errs, p.Close())
		}
	}
	for _, c := range []*wamqp.ConnectionWrapper{t.pubConn, t.subConn} {
		if c != nil {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// declareQueue declares a durable queue with the bus's arguments.
func (t *amqpTransport) declareQueue(name string) error {
	ch, err := t.pubConn.Connection().Channel()
	if err != nil {
		return fmt.Errorf("messaging: open channel: %w", err)
	}
	defer ch.Close() //nolint:errcheck
	if _, err := ch.QueueDeclare(name, true, false, false, false, t.queueArgs()); err != nil {
		return fmt.Errorf("messaging: declare queue %s: %w", name, err)
	}
	t.topo.record(name, "")
	return nil
}

type queueEnsuringPublisher struct {
	message.Publisher
	t     *amqpTransport
	mu    sync.Mutex
	known map[string]bool
}

func (p *queueEnsuringPublisher) Publish(topic string, msgs ...*message.Message) error {
	p.mu.Lock()
	known := p.known[topic]
	p.mu.Unlock()
	if !known {
		if err := p.t.declareQueue(topic); err != nil {
			return err
		}
		p.mu.Lock()
		p.known[topic] = true
		p.mu.Unlock()
	}
	return p.Publisher.Publish(topic, msgs...)
}

// Close is a no-op: the transport closes the underlying publisher.
func (p *queueEnsuringPublisher) Close() error { return nil }

// goChannelTransport keeps messages in process. Each event handler
// subscribes to a topic of its own, and an event is published only to the
// topics of the handlers whose types match — the in-process image of the
// AMQP topic exchange. The events channel's publish waits until the handler
// acked, which keeps each handler's events in publish order and lets the
// relay's checkpoint mean "handled". Commands go through a third channel
// whose publish also waits for the handler's ack: nothing in process keeps a
// command, so Send returning must mean it was handled (the checkout saga
// marks a command dispatched when Send returns; with a durable store a crash
// in between would otherwise lose the command for good). Dead letters and
// redrives of events use a second, non-blocking channel.
//
// A subscription hands its handler one message at a time (the next waits
// for the ack), so a handler marked Concurrent gets goShards topics instead
// of one: each event goes to one of them, chosen by its stream (a stream's
// events stay in order on one shard), and the handler reads all of them at
// once. That is the in-process image of competing consumers on one queue:
// the durable embedded shop's saga, one SQLite round of appends per event,
// queued behind itself on a single topic.
type goChannelTransport struct {
	cfg Config
	ev  *gochannel.GoChannel
	dir *gochannel.GoChannel
	cmd *gochannel.GoChannel

	mu     sync.RWMutex
	routes []goRoute
}

type goRoute struct {
	topic string
	types map[string]bool // nil: every type
	// shards are the topics of a Concurrent handler (topic unused).
	shards []string
}

// goShards is how many events a Concurrent handler handles at once in
// process. Each checkout in flight has at most one event for the saga at a
// time, but events of different checkouts whose streams hash to the same
// shard wait for each other: with 32 checkouts in flight, 8 shards held the
// saga's events for 34 ms on average in the durable shop. Loadgen 32×20 on
// one 2-core machine, 8 → 32 → 64 shards: in memory 466 → 720 → 750
// checkouts/s, durable 150 → 174 → 185 (runs of each, means).
const goShards = 64

// target is the topic msg goes to on this route.
func (r goRoute) target(msg *message.Message) string {
	if len(r.shards) == 0 {
		return r.topic
	}
	h := fnv.New32a()
	h.Write([]byte(msg.Metadata.Get(MetaStream)))
	return r.shards[h.Sum32()%uint32(len(r.shards))]
}

func newGoChannelTransport(cfg Config, log watermill.LoggerAdapter) *goChannelTransport {
	return &goChannelTransport{
		cfg: cfg,
		ev:  gochannel.NewGoChannel(gochannel.Config{OutputChannelBuffer: int64(cfg.Prefetch), BlockPublishUntilSubscriberAck: true}, log),
		dir: gochannel.NewGoChannel(gochannel.Config{OutputChannelBuffer: int64(cfg.Prefetch)}, log),
		cmd: gochannel.NewGoChannel(gochannel.Config{OutputChannelBuffer: int64(cfg.Prefetch), BlockPublishUntilSubscriberAck: true}, log),
	}
}

// channel is where a direct topic lives: command queues (sends and
// redrives of commands) on the blocking command channel, the rest on dir.
func (t *goChannelTransport) channel(topic string) *gochannel.GoChannel {
	if strings.HasPrefix(topic, t.cfg.Prefix+".cmd.") {
		return t.cmd
	}
	return t.dir
}

// publishEvent hands msg to every matching handler at once and returns when
// all of them acked it.
func (t *goChannelTransport) publishEvent(eventType string, msg *message.Message) error {
	t.mu.RLock()
	var topics []string
	for _, r := range t.routes {
		if r.types == nil || r.types[eventType] {
			topics = append(topics, r.target(msg))
		}
	}
	t.mu.RUnlock()
	switch len(topics) {
	case 0:
		return nil
	case 1:
		return t.ev.Publish(topics[0], msg)
	}
	errs := make([]error, len(topics))
	var wg sync.WaitGroup
	for i, topic := range topics {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = t.ev.Publish(topic, msg)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (t *goChannelTransport) direct() message.Publisher { return goDirect{t} }

// goDirect publishes each direct message on its topic's channel. A command
// topic is goShards topics, each command going to one of them by its
// message id, and its handler reads all of them at once: the image of the
// competing consumers a command queue has over AMQP (Config.Consumers).
// One topic would hand the handler one command at a time, and every
// checkout's AuthorizePayment would wait for the one before it.
type goDirect struct{ t *goChannelTransport }

func (d goDirect) Publish(topic string, msgs ...*message.Message) error {
	ch := d.t.channel(topic)
	if ch != d.t.cmd {
		return ch.Publish(topic, msgs...)
	}
	for _, msg := range msgs {
		h := fnv.New32a()
		h.Write([]byte(msg.UUID))
		if err := ch.Publish(shardTopic(topic, int(h.Sum32()%goShards)), msg); err != nil {
			return err
		}
	}
	return nil
}

func (d goDirect) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	ch := d.t.channel(topic)
	if ch != d.t.cmd {
		return ch.Subscribe(ctx, topic)
	}
	return fanIn(ctx, goShards, func(i int) (<-chan *message.Message, error) { return ch.Subscribe(ctx, shardTopic(topic, i)) })
}

func (goDirect) Close() error { return nil }

func (t *goChannelTransport) eventSubscriber(handler string, types []string, concurrent bool) (message.Subscriber, error) {
	r := goRoute{topic: eventQueue(t.cfg.Prefix, handler)}
	if len(types) > 0 {
		r.types = make(map[string]bool, len(types))
		for _, typ := range types {
			r.types[typ] = true
		}
	}
	var sub message.Subscriber = noCloseSub{t.ev}
	if concurrent {
		for i := range goShards {
			r.shards = append(r.shards, shardTopic(r.topic, i))
		}
		sub = shardedSub{t.ev}
	}
	t.mu.Lock()
	t.routes = append(t.routes, r)
	t.mu.Unlock()
	return sub, nil
}

func shardTopic(topic string, i int) string { return topic + ".shard" + strconv.Itoa(i) }

// shardedSub subscribes a Concurrent handler to every shard of its topic
// and merges them into one channel: the router handles each message in a
// goroutine of its own, so up to goShards are handled at once.
type shardedSub struct{ ch *gochannel.GoChannel }

func (s shardedSub) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	return fanIn(ctx, goShards, func(i int) (<-chan *message.Message, error) { return s.ch.Subscribe(ctx, shardTopic(topic, i)) })
}

func (shardedSub) Close() error { return nil }

func (t *goChannelTransport) directSubscriber() (message.Subscriber, error) {
	return goDirect{t}, nil
}
func (t *goChannelTransport) eventRedriveTopic(handler string) string {
	return t.cfg.Prefix + ".redrive." + handler
}
func (t *goChannelTransport) extraRedriveSubscription() bool { return true }
func (t *goChannelTransport) close() error {
	return errors.Join(t.ev.Close(), t.dir.Close(), t.cmd.Close())
}

// noCloseSub stops the router from closing the shared Go channel once per
// handler; the transport closes it once (goDirect does the same for the
// direct channels).
type noCloseSub struct{ message.Subscriber }

func (noCloseSub) Close() error { return nil }
