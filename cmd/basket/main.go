// Command basket runs the basket service on its own: the basket API
// (/api/basket), the basket read-model projector into Redis, and checkout,
// which sends ordering.PlaceOrder.v1 over the bus to the ordering service.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	apibasket "github.com/evshop/shop/api/basket"
	basketcmd "github.com/evshop/shop/commands/basket"
	ordercmd "github.com/evshop/shop/commands/ordering"
	"github.com/evshop/shop/eventstore/postgres"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/payments/sandbox"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/config"
	"github.com/evshop/shop/platform/logging"
	"github.com/evshop/shop/platform/pg"
	"github.com/evshop/shop/platform/service"
	"github.com/evshop/shop/projections/baskets"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "basket:", err)
		os.Exit(1)
	}
}

// busPlacer sends PlaceOrder to the ordering service's queue. The command is
// idempotent (order id from the Idempotency-Key), so a resend is harmless.
type busPlacer struct{ bus *messaging.Bus }

func (p busPlacer) PlaceOrder(ctx context.Context, cmd *ordercmd.PlaceOrder) error {
	return p.bus.Send(ctx, cmd)
}

func run(ctx context.Context, args []string) error {
	cfg := config.New("basket")
	addr := cfg.String("addr", "BASKET_ADDR", ":8084", "HTTP listen address")
	esURL := cfg.String("eventstore-url", "EVENTSTORE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop?sslmode=disable", "PostgreSQL event store")
	redisURL := cfg.String("redis-url", "BASKET_REDIS_URL", "redis://127.0.0.1:6379/0", "Redis for the basket read model")
	redisPrefix := cfg.String("redis-prefix", "BASKET_REDIS_PREFIX", "shop:baskets:", "key prefix of the basket read model")
	catalogURL := cfg.String("catalog-url", "CATALOG_URL", "http://127.0.0.1:8083", "catalog service base URL")
	amqpURL := cfg.String("amqp-url", "AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/", "RabbitMQ URL")
	prefix := cfg.String("bus-prefix", "BUS_PREFIX", "shop", "prefix of every exchange and queue")
	jwksURL := cfg.String("jwks-url", "AUTH_JWKS_URL", "http://127.0.0.1:8081/api/auth/jwks.json", "auth service JWKS")
	issuer := cfg.String("jwt-issuer", "JWT_ISSUER", "evshop-auth", "expected access-token issuer")
	audience := cfg.String("jwt-audience", "JWT_AUDIENCE", "evshop", "expected access-token audience")
	secureCookie := cfg.Bool("secure-cookies", "SECURE_COOKIES", true, "mark the basket_id cookie Secure (HTTPS)")
	logFormat := cfg.String("log-format", "LOG_FORMAT", "json", "json or text")
	logLevel := cfg.String("log-level", "LOG_LEVEL", "info", "debug, info, warn or error")
	if err := cfg.Parse(args); err != nil {
		return err
	}
	log, err := logging.New(os.Stderr, *logFormat, *logLevel)
	if err != nil {
		return err
	}

	esPool, err := pg.Connect(ctx, *esURL)
	if err != nil {
		return err
	}
	defer esPool.Close()
	store, err := postgres.New(ctx, esPool)
	if err != nil {
		return err
	}
	ropts, err := redis.ParseURL(*redisURL)
	if err != nil {
		return fmt.Errorf("BASKET_REDIS_URL: %w", err)
	}
	rdb := redis.NewClient(ropts)
	defer rdb.Close()
	view, err := baskets.NewRedis(rdb, *redisPrefix)
	if err != nil {
		return err
	}
	projector, err := baskets.NewProjector(view)
	if err != nil {
		return err
	}
	catalog, err := newCatalogHTTP(*catalogURL)
	if err != nil {
		return err
	}

	reg := service.NewRegistry()
	bus, err := messaging.New(messaging.Config{Transport: messaging.TransportAMQP, AMQPURL: *amqpURL, Prefix: *prefix, Logger: log, Metrics: reg})
	if err != nil {
		return err
	}
	defer bus.Close()
	if err := bus.AddEventHandler(messaging.EventHandler{Name: projector.Name(), Handle: projector.Handle}); err != nil {
		return err
	}
	cmds, err := basketcmd.NewHandlers(basketcmd.Config{Store: store, Products: catalog, Orders: busPlacer{bus}, Metadata: messaging.EventMetadata})
	if err != nil {
		return err
	}

	keys, err := authn.NewRemoteJWKS(authn.RemoteJWKSConfig{URL: *jwksURL})
	if err != nil {
		return err
	}
	verifier, err := authn.NewVerifier(authn.VerifierConfig{Keys: keys, Issuer: *issuer, Audience: *audience})
	if err != nil {
		return err
	}
	tokenizer := apibasket.TokenizerFunc(func(_ context.Context, n string) (apibasket.Card, error) {
		c, err := sandbox.Tokenize(n)
		return apibasket.Card{Token: c.Token, Last4: c.Last4}, err
	})
	api, err := apibasket.New(apibasket.Deps{Commands: cmds, Reader: view, Tokenizer: tokenizer, Log: log, Verifier: verifier, SecureCookie: *secureCookie})
	if err != nil {
		return err
	}
	app := service.NewApp(service.AppConfig{Name: "basket", Log: log, Registry: reg, Ready: []service.Check{
		{Name: "eventstore", Fn: esPool.Ping},
		{Name: "redis", Fn: func(ctx context.Context) error { return rdb.Ping(ctx).Err() }},
	}})
	api.Mount(app.Group("/api/basket"))

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return bus.Run(ctx) })
	g.Go(func() error { return service.Run(ctx, app, *addr, log) })
	if err := g.Wait(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
