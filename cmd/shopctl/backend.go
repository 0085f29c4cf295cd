package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/esdb"
	"github.com/evshop/shop/eventstore/postgres"
	"github.com/evshop/shop/export"
	"github.com/evshop/shop/messaging"
	msgpg "github.com/evshop/shop/messaging/postgres"
	"github.com/evshop/shop/platform/pg"
	"github.com/evshop/shop/projections/readmodels"
	"github.com/evshop/shop/projections/rebuild"
	recomongo "github.com/evshop/shop/projections/recommendations/mongostore"
	"github.com/evshop/shop/projections/sales"
	shopsettings "github.com/evshop/shop/wiring/settings"
)

// settings are shopctl's env vars and flags (see `shopctl -h`): the same
// names and defaults as the services whose stores it reads.
type settings = shopsettings.ShopctlSettings

func logLevel(s settings) slog.Level {
	var l slog.Level
	_ = l.UnmarshalText([]byte(s.LogLevel)) // validated
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
	mdb   *mongo.Database
	es    eventstore.Store
	// closers close what was opened besides pools, clients and the bus.
	closers []func()
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

// events opens the event store the services write (EVENTSTORE), through
// its port only: every command works the same on PostgreSQL and
// EventStoreDB.
func (b *serverBackend) events(ctx context.Context) (eventstore.Store, error) {
	if b.es != nil {
		return b.es, nil
	}
	switch b.s.EventStore {
	case "esdb":
		es, err := esdb.New(ctx, b.s.ESDBURL)
		if err != nil {
			return nil, fmt.Errorf("event store: ESDB_URL: %w", err)
		}
		b.closers = append(b.closers, func() { es.Close() }) //nolint:errcheck
		b.es = es
	default:
		p, err := b.pool(ctx, b.s.PostgresURL)
		if err != nil {
			return nil, fmt.Errorf("event store: %w", err)
		}
		es, err := postgres.New(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("event store: %w", err)
		}
		b.es = es
	}
	return b.es, nil
}

func (b *serverBackend) postgres(ctx context.Context) (*pgxpool.Pool, error) {
	return b.pool(ctx, b.s.PostgresURL)
}

func (b *serverBackend) redis(context.Context) (*redis.Client, error) {
	if b.rdb == nil {
		opts, _ := redis.ParseURL(b.s.RedisURL) // validated
		b.rdb = redis.NewClient(opts)
	}
	return b.rdb, nil
}

func (b *serverBackend) mongo(ctx context.Context) (*mongo.Database, error) {
	if b.mdb == nil {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		c, err := mongo.Connect(cctx, options.Client().ApplyURI(b.s.MongoURL))
		if err != nil {
			return nil, fmt.Errorf("MONGO_URL: %w", err)
		}
		b.closers = append(b.closers, func() { c.Disconnect(context.Background()) }) //nolint:errcheck
		b.mdb = c.Database(b.s.MongoDB)
	}
	return b.mdb, nil
}

func (b *serverBackend) recommendations(ctx context.Context) (rebuild.Projection, error) {
	db, err := b.mongo(ctx)
	if err != nil {
		return nil, err
	}
	return recomongo.NewRebuildTarget(ctx, db)
}

// Runner rebuilds the read models of readmodels.List, the same set the
// admin API rebuilds, sharing its progress and locks in PostgreSQL.
func (b *serverBackend) Runner(ctx context.Context) (*rebuild.Runner, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	es, err := b.events(ctx)
	if err != nil {
		return nil, err
	}
	loc, err := shopsettings.Location(b.s.TimeZone)
	if err != nil {
		return nil, err
	}
	targets, err := readmodels.Open(ctx, readmodels.Stores{Postgres: b.postgres, Redis: b.redis, Recommendations: b.recommendations,
		BasketsBase: shopsettings.BasketsBase(b.s.BusPrefix), Location: loc})
	if err != nil {
		return nil, err
	}
	sp, err := b.postgres(ctx)
	if err != nil {
		return nil, fmt.Errorf("rebuild state: %w", err)
	}
	state, err := rebuild.NewPostgresState(ctx, sp)
	if err != nil {
		return nil, err
	}
	reg, err := rebuild.NewRegistry(targets...)
	if err != nil {
		return nil, err
	}
	return rebuild.NewRunner(rebuild.Config{Events: es, Registry: reg, State: state, Log: b.log, BatchSize: b.s.RebuildBatch})
}

// salesModel is the sales read model's pool and time zone, migrated.
type salesModel struct {
	pool *pgxpool.Pool
	loc  *time.Location
}

func (b *serverBackend) sales(ctx context.Context) (salesModel, error) {
	p, err := b.pool(ctx, b.s.PostgresURL)
	if err != nil {
		return salesModel{}, fmt.Errorf("sales read model: %w", err)
	}
	if err := sales.Migrate(ctx, p); err != nil {
		return salesModel{}, err
	}
	loc, err := shopsettings.Location(b.s.TimeZone)
	return salesModel{pool: p, loc: loc}, err
}

// Sales opens the sales read model (PostgreSQL) for `report sales`.
func (b *serverBackend) Sales(ctx context.Context) (sales.Store, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	m, err := b.sales(ctx)
	if err != nil {
		return nil, err
	}
	return sales.NewPostgres(m.pool, m.loc, "")
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
		bus, err := messaging.New(messaging.Config{Transport: messaging.TransportAMQP, AMQPURL: d.b.s.AMQPURL,
			Prefix: d.b.s.BusPrefix, QueueType: d.b.s.QueueType, DeadLetters: d.DeadLetters, Logger: d.b.log})
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
	p, err := b.pool(ctx, b.s.PostgresURL)
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
	for _, c := range b.closers {
		c()
	}
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
