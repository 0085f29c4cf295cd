// Command payment runs the payment service on its own: the payments API
// (/api/payments, including the Stripe and PayPal webhooks), the payment
// command handlers on the bus, and the payments ledger projector, against
// PostgreSQL and RabbitMQ. The sandbox gateway is always on; Stripe and
// PayPal are enabled by their credentials.
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

	apipayment "github.com/evshop/shop/api/payment"
	cmdpay "github.com/evshop/shop/commands/payment"
	"github.com/evshop/shop/eventstore/postgres"
	"github.com/evshop/shop/messaging"
	msgpg "github.com/evshop/shop/messaging/postgres"
	"github.com/evshop/shop/payments"
	"github.com/evshop/shop/payments/paypal"
	"github.com/evshop/shop/payments/sandbox"
	"github.com/evshop/shop/payments/stripe"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/config"
	"github.com/evshop/shop/platform/logging"
	"github.com/evshop/shop/platform/pg"
	"github.com/evshop/shop/platform/service"
	projection "github.com/evshop/shop/projections/payments"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "payment:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	cfg := config.New("payment")
	addr := cfg.String("addr", "PAYMENT_ADDR", ":8086", "HTTP listen address")
	esURL := cfg.String("eventstore-url", "EVENTSTORE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop?sslmode=disable", "PostgreSQL event store")
	dbURL := cfg.String("database-url", "PAYMENT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop?sslmode=disable", "PostgreSQL for the payments ledger and webhook dedupe")
	amqpURL := cfg.String("amqp-url", "AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/", "RabbitMQ URL")
	prefix := cfg.String("bus-prefix", "BUS_PREFIX", "shop", "prefix of every exchange and queue")
	jwksURL := cfg.String("jwks-url", "AUTH_JWKS_URL", "http://127.0.0.1:8081/api/auth/jwks.json", "auth service JWKS")
	issuer := cfg.String("jwt-issuer", "JWT_ISSUER", "evshop-auth", "expected access-token issuer")
	audience := cfg.String("jwt-audience", "JWT_AUDIENCE", "evshop", "expected access-token audience")
	stripeKey := cfg.String("stripe-secret-key", "STRIPE_SECRET_KEY", "", "Stripe secret key (empty disables Stripe)")
	stripeURL := cfg.String("stripe-api-url", "STRIPE_API_URL", "", "Stripe API base URL (stripe-mock in tests; empty for api.stripe.com)")
	stripeWH := cfg.String("stripe-webhook-secret", "STRIPE_WEBHOOK_SECRET", "", "Stripe webhook signing secret (whsec_…)")
	stripeTol := cfg.Duration("stripe-webhook-tolerance", "STRIPE_WEBHOOK_TOLERANCE", 5*time.Minute, "accepted age of a Stripe webhook signature")
	ppID := cfg.String("paypal-client-id", "PAYPAL_CLIENT_ID", "", "PayPal REST client id (empty disables PayPal)")
	ppSecret := cfg.String("paypal-client-secret", "PAYPAL_CLIENT_SECRET", "", "PayPal REST client secret")
	ppURL := cfg.String("paypal-api-url", "PAYPAL_API_URL", paypal.SandboxURL, "PayPal API base URL")
	ppWebhook := cfg.String("paypal-webhook-id", "PAYPAL_WEBHOOK_ID", "", "PayPal webhook id for signature verification")
	ppReturn := cfg.String("paypal-return-url", "PAYPAL_RETURN_URL", "", "where PayPal returns the buyer after approval")
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
	if err := projection.Migrate(ctx, rmPool); err != nil {
		return err
	}
	if err := msgpg.Migrate(ctx, rmPool); err != nil {
		return err
	}
	ledger, err := projection.NewPostgres(rmPool)
	if err != nil {
		return err
	}
	projector, err := projection.NewProjector(ledger)
	if err != nil {
		return err
	}

	router := payments.Router{"sandbox": sandbox.New()}
	deps := apipayment.Deps{Reader: ledger, Dedupe: msgpg.NewDeduper(rmPool), Log: log}
	if *stripeKey != "" {
		g, err := stripe.New(stripe.Config{SecretKey: *stripeKey, BaseURL: *stripeURL, WebhookSecret: *stripeWH, WebhookTolerance: *stripeTol})
		if err != nil {
			return err
		}
		router["stripe"], deps.Stripe = g, g
	}
	if *ppID != "" {
		g, err := paypal.New(paypal.Config{ClientID: *ppID, ClientSecret: *ppSecret, BaseURL: *ppURL, WebhookID: *ppWebhook, ReturnURL: *ppReturn})
		if err != nil {
			return err
		}
		router["paypal"], deps.PayPal = g, g
	}
	cmds, err := cmdpay.NewHandlers(cmdpay.Config{Store: store, Gateways: router, Logger: log})
	if err != nil {
		return err
	}
	deps.Commands = cmds

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
	deps.Verifier = verifier
	api, err := apipayment.New(deps)
	if err != nil {
		return err
	}
	app := service.NewApp(service.AppConfig{Name: "payment", Log: log, Registry: reg, Ready: []service.Check{
		{Name: "eventstore", Fn: esPool.Ping}, {Name: "readmodel", Fn: rmPool.Ping},
	}})
	api.Mount(app.Group("/api/payments"))

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return bus.Run(ctx) })
	g.Go(func() error { return service.Run(ctx, app, *addr, log) })
	if err := g.Wait(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
