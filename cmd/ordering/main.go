// Command ordering runs the ordering service on its own: the orders API
// (/api/orders, /api/admin/orders), the ordering command handlers on the bus,
// and the orders read-model projector, against PostgreSQL and RabbitMQ.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sync/errgroup"

	apiordering "github.com/evshop/shop/api/ordering"
	ordercmd "github.com/evshop/shop/commands/ordering"
	"github.com/evshop/shop/eventstore/postgres"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/config"
	"github.com/evshop/shop/platform/logging"
	"github.com/evshop/shop/platform/pg"
	"github.com/evshop/shop/platform/service"
	"github.com/evshop/shop/projections/orders"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "ordering:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	cfg := config.New("ordering")
	addr := cfg.String("addr", "ORDERING_ADDR", ":8085", "HTTP listen address")
	esURL := cfg.String("eventstore-url", "EVENTSTORE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop?sslmode=disable", "PostgreSQL event store")
	dbURL := cfg.String("database-url", "ORDERING_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop?sslmode=disable", "PostgreSQL for the orders read model")
	amqpURL := cfg.String("amqp-url", "AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/", "RabbitMQ URL")
	prefix := cfg.String("bus-prefix", "BUS_PREFIX", "shop", "prefix of every exchange and queue")
	jwksURL := cfg.String("jwks-url", "AUTH_JWKS_URL", "http://127.0.0.1:8081/api/auth/jwks.json", "auth service JWKS")
	issuer := cfg.String("jwt-issuer", "JWT_ISSUER", "evshop-auth", "expected access-token issuer")
	audience := cfg.String("jwt-audience", "JWT_AUDIENCE", "evshop", "expected access-token audience")
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
	rmPool, err := pg.Connect(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer rmPool.Close()
	if err := orders.Migrate(ctx, rmPool); err != nil {
		return err
	}
	view, err := orders.NewPostgres(rmPool, "")
	if err != nil {
		return err
	}
	projector, err := orders.NewProjector(view)
	if err != nil {
		return err
	}
	cmds, err := ordercmd.NewHandlers(ordercmd.Config{Store: store, Metadata: messaging.EventMetadata})
	if err != nil {
		return err
	}

	reg := service.NewRegistry()
	bus, err := messaging.New(messaging.Config{Transport: messaging.TransportAMQP, AMQPURL: *amqpURL, Prefix: *prefix, Logger: log, Metrics: reg})
	if err != nil {
		return err
	}
	defer bus.Close()
	for _, h := range cmds.CommandHandlers() {
		if err := bus.AddCommandHandler(h); err != nil {
			return err
		}
	}
	if err := bus.AddEventHandler(messaging.EventHandler{Name: projector.Name(), Handle: projector.Handle}); err != nil {
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
	api, err := apiordering.New(apiordering.Deps{Reader: view, Commands: cmds, Events: store, Log: log, Verifier: verifier})
	if err != nil {
		return err
	}
	app := service.NewApp(service.AppConfig{Name: "ordering", Log: log, Registry: reg, Ready: []service.Check{
		{Name: "eventstore", Fn: esPool.Ping}, {Name: "readmodel", Fn: rmPool.Ping},
	}})
	api.Mount(app.Group("/api/orders"))
	api.MountAdmin(app.Group("/api/admin/orders"))

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return bus.Run(ctx) })
	g.Go(func() error { return service.Run(ctx, app, *addr, log) })
	if err := g.Wait(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
