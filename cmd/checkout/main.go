// Command checkout runs the checkout saga on its own: it consumes ordering,
// catalog and payment events from RabbitMQ, keeps its state in the event
// store (checkout-<orderId>), sends commands on the bus, and fires payment
// deadlines from a scheduler rebuilt from the event store at start.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/evshop/shop/eventstore/postgres"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/platform/config"
	"github.com/evshop/shop/platform/logging"
	"github.com/evshop/shop/platform/pg"
	"github.com/evshop/shop/platform/service"
	"github.com/evshop/shop/sagas/checkout"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "checkout:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	cfg := config.New("checkout")
	addr := cfg.String("addr", "CHECKOUT_ADDR", ":8087", "HTTP listen address (probes and metrics only)")
	esURL := cfg.String("eventstore-url", "EVENTSTORE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop?sslmode=disable", "PostgreSQL event store")
	amqpURL := cfg.String("amqp-url", "AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/", "RabbitMQ URL")
	prefix := cfg.String("bus-prefix", "BUS_PREFIX", "shop", "prefix of every exchange and queue")
	timeout := cfg.Duration("payment-timeout", "CHECKOUT_PAYMENT_TIMEOUT", checkout.DefaultTimeout, "time an order may wait for its payment authorization")
	tick := cfg.Duration("scheduler-interval", "CHECKOUT_SCHEDULER_INTERVAL", time.Second, "how often deadlines are checked")
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
	reg := service.NewRegistry()
	bus, err := messaging.New(messaging.Config{Transport: messaging.TransportAMQP, AMQPURL: *amqpURL, Prefix: *prefix, Logger: log, Metrics: reg})
	if err != nil {
		return err
	}
	defer bus.Close()
	saga, err := checkout.New(checkout.Config{Store: store, Sender: bus, Timeout: *timeout, Logger: log})
	if err != nil {
		return err
	}
	if err := bus.AddEventHandler(saga.EventHandler()); err != nil {
		return err
	}
	app := service.NewApp(service.AppConfig{Name: "checkout", Log: log, Registry: reg, Ready: []service.Check{
		{Name: "eventstore", Fn: esPool.Ping},
	}})

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return bus.Run(ctx) })
	g.Go(func() error { return saga.Run(ctx, *tick) })
	g.Go(func() error { return service.Run(ctx, app, *addr, log) })
	if err := g.Wait(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
