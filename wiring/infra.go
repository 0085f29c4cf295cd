package wiring

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/domain/identity"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/domain/returns"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/eventstore/postgres"
	essqlite "github.com/evshop/shop/eventstore/sqlite"
	"github.com/evshop/shop/messaging"
	msgpg "github.com/evshop/shop/messaging/postgres"
	"github.com/evshop/shop/messaging/relay"
	relaypg "github.com/evshop/shop/messaging/relay/postgres"
	relaysqlite "github.com/evshop/shop/messaging/relay/sqlite"
	msgsqlite "github.com/evshop/shop/messaging/sqlite"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/pg"
	"github.com/evshop/shop/platform/sealed"
	"github.com/evshop/shop/platform/service"
	"github.com/evshop/shop/platform/sqlite"
	"github.com/evshop/shop/projections/baskets"
	"github.com/evshop/shop/projections/catchup"
	"github.com/evshop/shop/projections/orders"
	"github.com/evshop/shop/projections/payments"
	"github.com/evshop/shop/projections/rebuild"
	"github.com/evshop/shop/wiring/provider"
)

// Infra opens, on first use, the infrastructure the settings ask for and
// remembers how to run and close it. It is not safe for concurrent set-up;
// build everything, then Run.
type Infra struct {
	S        *Common
	Log      *slog.Logger
	Registry *prometheus.Registry
	// Providers open Stripe, PayPal, SES, MongoDB, EventStoreDB and the
	// embedded database; a binary sets those it uses (from
	// wiring/providers), so the others do not link them.
	Providers provider.Set

	mu      sync.Mutex
	checks  []service.Check
	closers []func()
	runners []runner

	pg *pgxpool.Pool
	// pgConns is the pool size when POSTGRES_URL names none (0: pgx's
	// default, max(4, CPUs)); the one-process shop raises it (Shop).
	pgConns int
	db      *sqlite.DB // the embedded database (STORAGE=sqlite)
	secrets *Secrets   // kept in DATA_DIR (STORAGE=sqlite)
	redis   *redis.Client
	mongo   provider.Mongo
	store   eventstore.Store
	bus     *messaging.Bus
	keys    *authn.KeySet
	verify  authn.Verifier
	box     *sealed.Box
	mailKey string // MAIL_LINK_KEY, or the key generated in embedded mode
	relays  map[string]*relay.Relay
	dedupe  messaging.Deduper
	wake    *catchup.Notifier // shared by the catch-up runners
	started bool

	handlers []Handler // registered on the bus, for the docs and the relay's filter (registry.go)
}

type runner struct {
	name string
	fn   func(ctx context.Context) error
}

// NewInfra returns an Infra for s (already validated).
func NewInfra(s *Common, log *slog.Logger) *Infra {
	return &Infra{S: s, Log: log, Registry: service.NewRegistry(), relays: map[string]*relay.Relay{}}
}

// Checks are the readiness probes of what was opened.
func (in *Infra) Checks() []service.Check { return in.checks }

// Go adds a long-running part (scheduler, relay, watcher) started by Run.
func (in *Infra) Go(name string, fn func(ctx context.Context) error) {
	in.runners = append(in.runners, runner{name, fn})
}

// OnClose registers cleanup run by Close in reverse order.
func (in *Infra) OnClose(fn func()) { in.closers = append(in.closers, fn) }

// Close releases everything opened.
func (in *Infra) Close() {
	for i := len(in.closers) - 1; i >= 0; i-- {
		in.closers[i]()
	}
	in.closers = nil
}

// Postgres returns the shared pool (server mode).
func (in *Infra) Postgres(ctx context.Context) (*pgxpool.Pool, error) {
	if in.pg != nil {
		return in.pg, nil
	}
	pool, err := pg.Connect(ctx, withPoolSize(in.S.PostgresURL, in.pgConns))
	if err != nil {
		return nil, fmt.Errorf("POSTGRES_URL: %w", err)
	}
	in.pg = pool
	in.OnClose(pool.Close)
	in.checks = append(in.checks, service.Check{Name: "postgres", Fn: pool.Ping})
	return pool, nil
}

// withPoolSize adds pool_max_conns=n to a PostgreSQL URL (or key=value
// DSN) that does not set it; n ≤ 0 leaves it as it is.
func withPoolSize(url string, n int) string {
	if n <= 0 || strings.Contains(url, "pool_max_conns") {
		return url
	}
	param := "pool_max_conns=" + strconv.Itoa(n)
	switch {
	case !strings.Contains(url, "://"):
		return strings.TrimSpace(url + " " + param)
	case strings.Contains(url, "?"):
		return url + "&" + param
	}
	return url + "?" + param
}

// Redis returns the shared client (server mode).
func (in *Infra) Redis(ctx context.Context) (*redis.Client, error) {
	if in.redis != nil {
		return in.redis, nil
	}
	opts, err := redis.ParseURL(in.S.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	c := redis.NewClient(opts)
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	in.redis = c
	in.OnClose(func() { c.Close() })
	in.checks = append(in.checks, service.Check{Name: "redis", Fn: func(ctx context.Context) error { return c.Ping(ctx).Err() }})
	return c, nil
}

// Mongo returns the shared database (server mode) with its stores.
func (in *Infra) Mongo(ctx context.Context) (provider.Mongo, error) {
	if in.mongo != nil {
		return in.mongo, nil
	}
	if in.Providers.Mongo == nil {
		return nil, errors.New("MONGO_URL: this binary was built without MongoDB support (wiring/providers/mongostores)")
	}
	db, err := in.Providers.Mongo(ctx, in.S.MongoURL, in.S.MongoDB)
	if err != nil {
		return nil, err
	}
	in.mongo = db
	in.OnClose(db.Close)
	in.checks = append(in.checks, service.Check{Name: "mongo", Fn: db.Ping})
	return in.mongo, nil
}

// recommendationsRebuild is the rebuild target of the recommendations in
// MongoDB (readmodels.Stores).
func (in *Infra) recommendationsRebuild(ctx context.Context) (rebuild.Projection, error) {
	db, err := in.Mongo(ctx)
	if err != nil {
		return nil, err
	}
	return db.RecommendationsRebuild(ctx)
}

// EventStore returns the configured event store.
func (in *Infra) EventStore(ctx context.Context) (eventstore.Store, error) {
	if in.store != nil {
		return in.store, nil
	}
	switch in.S.EventStore {
	case "memory":
		in.store = memory.New()
	case "sqlite":
		db, err := in.SQLite(ctx)
		if err != nil {
			return nil, err
		}
		st, err := essqlite.New(ctx, db)
		if err != nil {
			return nil, err
		}
		if err := st.OnlyWriter(ctx); err != nil { // in.SQLite holds DATA_DIR's lock
			return nil, err
		}
		in.store = st
	case "postgres":
		pool, err := in.Postgres(ctx)
		if err != nil {
			return nil, err
		}
		st, err := postgres.New(ctx, pool)
		if err != nil {
			return nil, err
		}
		// While this process is the database's only writer (the
		// one-process shop), it knows the heads of the streams it appended
		// to: repositories and order polls skip the stream read that would
		// find nothing new. A second writer turns that off.
		in.store = st.TrackHeads(ctx)
	case "esdb":
		if in.Providers.ESDB == nil {
			return nil, errors.New("EVENTSTORE=esdb: this binary was built without EventStoreDB support (wiring/providers/esdbstore)")
		}
		st, err := in.Providers.ESDB(ctx, in.S.ESDBURL)
		if err != nil {
			return nil, fmt.Errorf("ESDB_URL: %w", err)
		}
		in.store = st
		in.checks = append(in.checks, service.Check{Name: "eventstore", Fn: func(ctx context.Context) error {
			_, err := st.HeadPosition(ctx)
			return err
		}})
		in.OnClose(func() { st.Close() }) //nolint:errcheck
	}
	return in.store, nil
}

// Bus returns the message bus (Go channels when embedded, RabbitMQ otherwise).
func (in *Infra) Bus(ctx context.Context) (*messaging.Bus, error) {
	if in.bus != nil {
		return in.bus, nil
	}
	cfg := messaging.Config{Prefix: in.S.BusPrefix, Logger: in.Log, Metrics: in.Registry, QueueType: in.S.QueueType}
	if in.S.Bus == "amqp" {
		cfg.Transport, cfg.AMQPURL = messaging.TransportAMQP, in.S.AMQPURL
		cfg.Consumers = in.S.Consumers
		pool, err := in.Postgres(ctx)
		if err != nil {
			return nil, err
		}
		if err := msgpg.Migrate(ctx, pool); err != nil {
			return nil, err
		}
		cfg.DeadLetters = msgpg.NewDeadLetters(pool)
	} else {
		cfg.Transport = messaging.TransportGoChannel
		cfg.DeadLetters = messaging.NewMemoryDeadLetters()
		if in.S.Durable() {
			db, err := in.SQLite(ctx)
			if err != nil {
				return nil, err
			}
			if err := msgsqlite.Migrate(ctx, db); err != nil {
				return nil, err
			}
			cfg.DeadLetters = msgsqlite.NewDeadLetters(db)
		}
	}
	b, err := messaging.New(cfg)
	if err != nil {
		return nil, err
	}
	in.bus = b
	in.OnClose(func() { b.Close() }) //nolint:errcheck
	return b, nil
}

// Deduper returns the store of processed event ids (per handler).
func (in *Infra) Deduper(ctx context.Context) (messaging.Deduper, error) {
	if in.dedupe != nil {
		return in.dedupe, nil
	}
	if in.S.Durable() {
		db, err := in.SQLite(ctx)
		if err != nil {
			return nil, err
		}
		if err := msgsqlite.Migrate(ctx, db); err != nil {
			return nil, err
		}
		in.dedupe = msgsqlite.NewDeduper(db)
		return in.dedupe, nil
	}
	if in.S.Embedded() {
		in.dedupe = messaging.NewMemoryDeduper()
		return in.dedupe, nil
	}
	pool, err := in.Postgres(ctx)
	if err != nil {
		return nil, err
	}
	if err := msgpg.Migrate(ctx, pool); err != nil {
		return nil, err
	}
	in.dedupe = msgpg.NewDeduper(pool)
	return in.dedupe, nil
}

// On registers event handlers on the bus.
func (in *Infra) On(ctx context.Context, handlers ...messaging.EventHandler) error {
	b, err := in.Bus(ctx)
	if err != nil {
		return err
	}
	for _, h := range handlers {
		if err := b.AddEventHandler(h); err != nil {
			return fmt.Errorf("handler %s: %w", h.Name, err)
		}
		in.recordEventHandler(h, false)
	}
	return nil
}

// StartRelay makes a relay from source to the bus part of Run, publishing
// the events filter lets through. In server mode its checkpoint and its
// single-active lease live in PostgreSQL.
func (in *Infra) StartRelay(ctx context.Context, name string, source relay.Source, filter eventstore.Filter) (*relay.Relay, error) {
	b, err := in.Bus(ctx)
	if err != nil {
		return nil, err
	}
	cfg := relay.Config{Name: name, Source: source, Filter: filter, Publisher: b, Logger: in.Log, Metrics: in.Registry}
	switch {
	case in.S.Durable():
		// One process owns the data directory (Lock), so the lease stays
		// in memory; the checkpoint must survive a restart.
		db, err := in.SQLite(ctx)
		if err != nil {
			return nil, err
		}
		if err := relaysqlite.Migrate(ctx, db); err != nil {
			return nil, err
		}
		cfg.Checkpoints = relaysqlite.NewCheckpoints(db)
		cfg.PollInterval = 50 * time.Millisecond
	case in.S.Embedded():
		cfg.Checkpoints = relay.NewMemoryCheckpoints()
		cfg.PollInterval = 50 * time.Millisecond
	default:
		pool, err := in.Postgres(ctx)
		if err != nil {
			return nil, err
		}
		if err := relaypg.Migrate(ctx, pool); err != nil {
			return nil, err
		}
		cfg.Checkpoints = relaypg.NewCheckpoints(pool)
		cfg.Locker = relaypg.NewLocker(pool, relaypg.LockerConfig{})
		cfg.PollInterval = 20 * time.Millisecond
	}
	r, err := relay.New(cfg)
	if err != nil {
		return nil, err
	}
	in.relays[name] = r
	in.Go("relay "+name, r.Run)
	return r, nil
}

// Relays returns the relays started in this process, by name.
func (in *Infra) Relays() map[string]*relay.Relay { return in.relays }

// KeySet is the auth service's signing keys: AUTH_JWT_KEYS, else in embedded
// mode the keys kept in DATA_DIR, or with STORAGE=memory fresh keys
// (sessions then end with the process, which is fine there).
func (in *Infra) KeySet(jwtKeys string) (*authn.KeySet, error) {
	if in.keys != nil {
		return in.keys, nil
	}
	var err error
	switch {
	case jwtKeys != "":
		in.keys, err = authn.ParseKeySet(jwtKeys)
	case in.S.Durable():
		var sec *Secrets
		if sec, err = in.Secrets(context.Background()); err == nil {
			in.keys, err = authn.ParseKeySet(sec.JWTKeys)
		}
	case in.S.Embedded():
		in.keys, err = authn.GenerateKeySet()
	default:
		err = errors.New("AUTH_JWT_KEYS is required for the auth service in server mode")
	}
	if err != nil {
		return nil, fmt.Errorf("AUTH_JWT_KEYS: %w", err)
	}
	return in.keys, nil
}

// Verifier checks access tokens: against the local keys when this process
// signs them (the auth service, the one-process shop), else against the
// auth service's JWKS.
func (in *Infra) Verifier(t Tokens) (authn.Verifier, error) {
	if in.verify != nil {
		return in.verify, nil
	}
	var keys authn.KeySource
	if in.keys != nil || in.S.Embedded() {
		ks, err := in.KeySet("")
		if err != nil {
			return nil, err
		}
		keys = ks
	} else {
		remote, err := authn.NewRemoteJWKS(authn.RemoteJWKSConfig{URL: t.JWKSURL})
		if err != nil {
			return nil, fmt.Errorf("JWKS_URL: %w", err)
		}
		keys = remote
	}
	v, err := authn.NewVerifier(authn.VerifierConfig{Keys: keys, Issuer: t.Issuer, Audience: t.Audience})
	if err != nil {
		return nil, err
	}
	in.verify = v
	return v, nil
}

// SealedBox seals tokens that travel to the notifier (MAIL_LINK_KEY; kept in
// DATA_DIR when embedded, random per process with STORAGE=memory, where auth
// and notifier share the process).
func (in *Infra) SealedBox(m MailLink) (*sealed.Box, error) {
	if in.box != nil {
		return in.box, nil
	}
	key := m.Key
	if sec, err := in.Secrets(context.Background()); err != nil {
		return nil, err
	} else if key == "" && sec != nil {
		key = sec.MailLinkKey
	}
	if key == "" {
		b := make([]byte, 32)
		rand.Read(b) //nolint:errcheck
		key = hex.EncodeToString(b)
	}
	box, err := sealed.NewFromHex(key)
	if err != nil {
		return nil, fmt.Errorf("MAIL_LINK_KEY: %w", err)
	}
	in.box, in.mailKey = box, key // later derivations (link tokens, unsubscribe links) use the same key
	return box, nil
}

// NewApp returns the service HTTP shell wired to this Infra's metrics and
// readiness checks (the checks are read at request time, so parts opened
// later are probed too).
func (in *Infra) NewApp(name string) *fiber.App { return in.NewAppWithBodyLimit(name, 0) }

// NewAppWithBodyLimit is NewApp accepting request bodies of up to limit
// bytes (0: the default 1 MiB), for services taking uploads.
func (in *Infra) NewAppWithBodyLimit(name string, limit int) *fiber.App {
	return service.NewApp(service.AppConfig{Name: name, Log: in.Log, Registry: in.Registry, BodyLimit: limit, Ready: []service.Check{{
		Name: "dependencies",
		Fn: func(ctx context.Context) error {
			var errs []error
			for _, c := range in.checks {
				if err := c.Fn(ctx); err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", c.Name, err))
				}
			}
			return errors.Join(errs...)
		},
	}}})
}

// Run starts the bus, the relays and every runner, serves app on the
// configured address and /metrics on METRICS_ADDR, and on cancellation stops
// serving, drains the bus and waits for the runners.
func (in *Infra) Run(ctx context.Context, app *fiber.App) error {
	var metrics net.Listener
	if in.S.MetricsAddr != "" {
		ln, err := net.Listen("tcp", in.S.MetricsAddr)
		switch {
		case err == nil:
			metrics = ln
		case in.S.Embedded():
			// A developer's second shop, or a local Prometheus on 9090,
			// must not keep the demo from starting.
			in.Log.Warn("metrics listener not started; set METRICS_ADDR to a free address, or empty for none", "addr", in.S.MetricsAddr, "err", err)
		default:
			return fmt.Errorf("METRICS_ADDR=%s: %w", in.S.MetricsAddr, err)
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	if metrics != nil {
		g.Go(func() error { return service.ServeMetrics(gctx, metrics, in.Registry, in.Log) })
	}
	if in.bus != nil {
		g.Go(func() error { return in.bus.Run(gctx) })
		select {
		case <-in.bus.Running():
		case <-gctx.Done():
		}
	}
	for _, r := range in.runners {
		g.Go(func() error {
			if err := r.fn(gctx); err != nil && !errors.Is(err, context.Canceled) {
				return fmt.Errorf("%s: %w", r.name, err)
			}
			return nil
		})
	}
	if app != nil {
		g.Go(func() error { return service.Run(gctx, app, in.S.Addr, in.Log) })
	}
	err := g.Wait()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// projector is the shape every read-model projector has: Handle for the
// bus, ApplyBatch and Checkpoint for the catch-up from the event store.
type projector interface {
	Name() string
	Filter() eventstore.Filter
	Handle(ctx context.Context, e eventstore.RecordedEvent) error
	ApplyBatch(ctx context.Context, events []eventstore.RecordedEvent) error
	Checkpoint(ctx context.Context) (uint64, error)
}

// OnProjector feeds a read-model projector from where PROJECTIONS_SOURCE
// says: its own bus queue (a projector filters by stream; the bus routes by
// event type, so its queue is bound to the types recorded in those streams,
// projectorTypes), or a catch-up runner reading the
// event store's $all in batches, one active per projector across processes.
func (in *Infra) OnProjector(ctx context.Context, o Projections, p projector) error {
	if o.Source != "store" {
		return in.On(ctx, messaging.EventHandler{Name: p.Name(), Types: projectorTypes(p.Filter()), Handle: p.Handle})
	}
	store, err := in.EventStore(ctx)
	if err != nil {
		return err
	}
	var locker relay.Locker = relay.NewMemoryLocker()
	if !in.S.Embedded() {
		pool, err := in.Postgres(ctx)
		if err != nil {
			return err
		}
		locker = relaypg.NewLocker(pool, relaypg.LockerConfig{})
	}
	// Rewind past a relay batch (500) with room: what a bus-fed projector
	// left unapplied below its checkpoint when the source was switched.
	// Linger (PROJECTIONS_LINGER) lets a checkout's burst of appends land
	// in one batch instead of waking every runner once per append: each
	// batch is a write transaction per read model.
	if in.wake == nil {
		// One wait on the store for every runner: each would hold a pooled
		// connection while it listens.
		in.wake = catchup.NewNotifier(store, time.Second)
		in.Go("catchup:notifier", in.wake.Run)
	}
	r, err := catchup.New(catchup.Config{Source: store, Target: p, Locker: locker, BatchSize: o.Batch,
		Wake: in.wake, Rewind: 5000, Linger: o.Linger, Poison: projectionPoison, Logger: in.Log, Metrics: in.Registry})
	if err != nil {
		return err
	}
	// The docs list it among the event's consumers all the same.
	in.recordEventHandler(messaging.EventHandler{Name: p.Name(), Types: projectorTypes(p.Filter())}, true)
	in.Go("catchup:"+p.Name(), r.Run)
	return nil
}

// projectionPoison tells the errors of a projector batch that no retry
// cures: the event, or one before it in its stream, can never apply.
func projectionPoison(err error) bool {
	return errors.Is(err, orders.ErrOutOfOrder) || errors.Is(err, orders.ErrMalformed) ||
		errors.Is(err, payments.ErrOutOfOrder) || errors.Is(err, baskets.ErrOutOfOrder) || messaging.IsPermanent(err)
}

// malformed reports an event a projector's batch skipped because it can
// never apply (on the bus it would be dead-lettered).
func (in *Infra) malformed(name string) func(eventstore.RecordedEvent, error) {
	return func(ev eventstore.RecordedEvent, err error) {
		in.Log.Error("projector skipped a malformed event", "projection", name, "event_id", ev.ID,
			"stream", ev.Stream, "position", ev.Position, "error", err)
	}
}

// streamTypes are the event types recorded in the streams of each prefix.
var streamTypes = map[string]func() []string{
	ordering.StreamPrefix: ordering.EventTypes,
	payment.StreamPrefix:  payment.EventTypes,
	basket.StreamPrefix:   basket.EventTypes,
	identity.StreamPrefix: identity.EventTypes,
	returns.StreamPrefix:  returns.EventTypes,
}

// projectorTypes turns a projector's filter into the types its queue is
// bound to: its own types when it names them, else every type of its stream
// prefixes, else (a prefix of unknown streams, or no filter) every type.
func projectorTypes(f eventstore.Filter) []string {
	if len(f.EventTypes) > 0 {
		return f.EventTypes
	}
	var types []string
	for _, prefix := range f.StreamPrefixes {
		list, ok := streamTypes[prefix]
		if !ok {
			return nil
		}
		types = append(types, list()...)
	}
	return types
}
