package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/evshop/shop/eventstore/postgres"
	"github.com/evshop/shop/export"
	"github.com/evshop/shop/messaging"
	msgpg "github.com/evshop/shop/messaging/postgres"
	"github.com/evshop/shop/platform/config"
	"github.com/evshop/shop/platform/pg"
	"github.com/evshop/shop/projections/baskets"
	"github.com/evshop/shop/projections/orders"
	"github.com/evshop/shop/projections/rebuild"
)

// settings are shopctl's env vars and flags (see `shopctl -h`).
type settings struct {
	eventstoreURL, ordersURL, stateURL, deadLettersURL *string
	redisURL, redisPrefix, amqpURL, busPrefix, level   *string
	batch                                              *int
}

const defaultPG = "postgres://postgres@127.0.0.1:5432/shop?sslmode=disable"

func declare(c *config.Set) *settings {
	return &settings{
		eventstoreURL:  c.String("eventstore-url", "EVENTSTORE_DATABASE_URL", defaultPG, "PostgreSQL event store (read only)"),
		ordersURL:      c.String("orders-url", "ORDERING_DATABASE_URL", defaultPG, "PostgreSQL of the orders read model"),
		stateURL:       c.String("state-url", "SHOPCTL_DATABASE_URL", defaultPG, "PostgreSQL for rebuild progress and locks (shared with the admin API)"),
		deadLettersURL: c.String("deadletters-url", "DEADLETTERS_DATABASE_URL", defaultPG, "PostgreSQL of the dead-letter store"),
		redisURL:       c.String("redis-url", "BASKET_REDIS_URL", "redis://127.0.0.1:6379/0", "Redis of the basket read model"),
		redisPrefix:    c.String("redis-prefix", "BASKET_REDIS_PREFIX", "shop:baskets:", "base key prefix of the basket read model"),
		amqpURL:        c.String("amqp-url", "AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/", "RabbitMQ (deadletters redrive only)"),
		busPrefix:      c.String("bus-prefix", "BUS_PREFIX", "shop", "prefix of every exchange and queue"),
		level:          c.String("log-level", "LOG_LEVEL", "warn", "debug, info, warn or error"),
		batch:          c.Int("rebuild-batch", "SHOPCTL_REBUILD_BATCH", 2000, "events per shadow write during a rebuild (1..100000)"),
	}
}

func (s *settings) validate() error {
	var errs []error
	for name, u := range map[string]string{"EVENTSTORE_DATABASE_URL": *s.eventstoreURL, "ORDERING_DATABASE_URL": *s.ordersURL,
		"SHOPCTL_DATABASE_URL": *s.stateURL, "DEADLETTERS_DATABASE_URL": *s.deadLettersURL} {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "postgres" && p.Scheme != "postgresql") {
			errs = append(errs, fmt.Errorf("%s must be a postgres:// URL", name))
		}
	}
	if _, err := redis.ParseURL(*s.redisURL); err != nil {
		errs = append(errs, fmt.Errorf("BASKET_REDIS_URL: %v", err))
	}
	if p, err := url.Parse(*s.amqpURL); err != nil || (p.Scheme != "amqp" && p.Scheme != "amqps") {
		errs = append(errs, errors.New("AMQP_URL must be an amqp:// URL"))
	}
	if *s.busPrefix == "" || strings.ContainsAny(*s.busPrefix, " \t\n") {
		errs = append(errs, errors.New("BUS_PREFIX must be a non-empty word"))
	}
	if *s.batch < 1 || *s.batch > 100_000 {
		errs = append(errs, errors.New("SHOPCTL_REBUILD_BATCH must be in 1..100000"))
	}
	switch *s.level {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, errors.New("LOG_LEVEL must be debug, info, warn or error"))
	}
	return errors.Join(errs...)
}

func (s *settings) logLevel() slog.Level {
	var l slog.Level
	_ = l.UnmarshalText([]byte(*s.level)) // validated
	return l
}

// serverBackend talks to the real servers, connecting on first use.
type serverBackend struct {
	s     settings
	log   *slog.Logger
	mu    sync.Mutex
	pools map[string]*pgxpool.Pool
	rdb   *redis.Client
	bus   *messaging.Bus
	es    *postgres.Store
}

func newServerBackend(s settings, log *slog.Logger) *serverBackend {
	return &serverBackend{s: s, log: log, pools: map[string]*pgxpool.Pool{}}
}

func (b *serverBackend) pool(ctx context.Context, u string) (*pgxpool.Pool, error) {
	if p, ok := b.pools[u]; ok {
		return p, nil
	}
	p, err := pg.Connect(ctx, u)
	if err != nil {
		return nil, err
	}
	b.pools[u] = p
	return p, nil
}

func (b *serverBackend) Events(ctx context.Context) (export.StreamReader, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.events(ctx)
}

func (b *serverBackend) events(ctx context.Context) (*postgres.Store, error) {
	if b.es != nil {
		return b.es, nil
	}
	p, err := b.pool(ctx, *b.s.eventstoreURL)
	if err != nil {
		return nil, fmt.Errorf("event store: %w", err)
	}
	es, err := postgres.New(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("event store: %w", err)
	}
	b.es = es
	return es, nil
}

func (b *serverBackend) Runner(ctx context.Context) (*rebuild.Runner, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	es, err := b.events(ctx)
	if err != nil {
		return nil, err
	}
	op, err := b.pool(ctx, *b.s.ordersURL)
	if err != nil {
		return nil, fmt.Errorf("orders read model: %w", err)
	}
	if err := orders.Migrate(ctx, op); err != nil {
		return nil, err
	}
	ot, err := orders.NewRebuildTarget(op)
	if err != nil {
		return nil, err
	}
	if b.rdb == nil {
		opts, _ := redis.ParseURL(*b.s.redisURL) // validated
		b.rdb = redis.NewClient(opts)
	}
	bt, err := baskets.NewRebuildTarget(b.rdb, *b.s.redisPrefix)
	if err != nil {
		return nil, err
	}
	sp, err := b.pool(ctx, *b.s.stateURL)
	if err != nil {
		return nil, fmt.Errorf("rebuild state: %w", err)
	}
	state, err := rebuild.NewPostgresState(ctx, sp)
	if err != nil {
		return nil, err
	}
	reg, err := rebuild.NewRegistry(ot, bt)
	if err != nil {
		return nil, err
	}
	return rebuild.NewRunner(rebuild.Config{Events: es, Registry: reg, State: state, Log: b.log, BatchSize: *b.s.batch})
}

// serverDeadLetters reads the Postgres store and redrives through a bus
// opened only when needed.
type serverDeadLetters struct {
	*msgpg.DeadLetters
	b *serverBackend
}

func (d serverDeadLetters) Redrive(ctx context.Context, id string) error {
	d.b.mu.Lock()
	if d.b.bus == nil {
		bus, err := messaging.New(messaging.Config{Transport: messaging.TransportAMQP, AMQPURL: *d.b.s.amqpURL,
			Prefix: *d.b.s.busPrefix, DeadLetters: d.DeadLetters, Logger: d.b.log})
		if err != nil {
			d.b.mu.Unlock()
			return fmt.Errorf("bus: %w", err)
		}
		d.b.bus = bus
	}
	bus := d.b.bus
	d.b.mu.Unlock()
	return bus.Redrive(ctx, id)
}

func (b *serverBackend) DeadLetters(ctx context.Context) (deadLetters, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p, err := b.pool(ctx, *b.s.deadLettersURL)
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	if err := msgpg.Migrate(ctx, p); err != nil {
		return nil, err
	}
	return serverDeadLetters{DeadLetters: msgpg.NewDeadLetters(p), b: b}, nil
}

func (b *serverBackend) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bus != nil {
		b.bus.Close() //nolint:errcheck
	}
	if b.rdb != nil {
		b.rdb.Close() //nolint:errcheck
	}
	for _, p := range b.pools {
		p.Close()
	}
}
