// Command notifier runs the notification service on its own: it consumes
// identity, ordering, payment and basket events from the bus and sends the
// customer emails through Amazon SES v2 (or any SES-compatible endpoint), runs
// the abandoned-basket reminder sweep and the ops alert watcher, and serves the
// unsubscribe endpoint and the support view of failed deliveries.
//
//	notifier [flags]                        serve (default)
//	notifier preview [-lang xx] [-out dir]  render every template with sample data
//	notifier config                         print the settings table (Markdown)
package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/evshop/shop/wiring"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	apinotifier "github.com/evshop/shop/api/notifier"
	"github.com/evshop/shop/mail"
	"github.com/evshop/shop/mail/ses"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/notifier"
	"github.com/evshop/shop/notifier/alerts"
	"github.com/evshop/shop/notifier/pgstore"
	"github.com/evshop/shop/notifier/templates"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/config"
	"github.com/evshop/shop/platform/logging"
	"github.com/evshop/shop/platform/pg"
	"github.com/evshop/shop/platform/sealed"
	"github.com/evshop/shop/platform/service"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	args := os.Args[1:]
	var err error
	switch {
	case len(args) > 0 && args[0] == "preview":
		err = preview(args[1:], os.Stdout)
	case len(args) > 0 && args[0] == "config":
		s, _ := settings()
		fmt.Print(s.set.Markdown())
	case len(args) > 0 && args[0] == "healthcheck":
		os.Exit(wiring.Healthcheck("NOTIFIER_ADDR", ":8088"))
	case len(args) > 0 && args[0] == "serve":
		err = serve(ctx, args[1:])
	default:
		err = serve(ctx, args)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "notifier:", err)
		os.Exit(1)
	}
}

// preview renders every kind in every (or one) language, to files under out
// or as a summary on w.
func preview(args []string, w io.Writer) error {
	cfg := config.New("notifier preview")
	lang := cfg.String("lang", "PREVIEW_LANG", "", "only this language (default: all)")
	out := cfg.String("out", "PREVIEW_OUT", "", "directory to write <lang>/<kind>.{txt,html} into (default: print the text bodies)")
	if err := cfg.Parse(args); err != nil {
		return err
	}
	set, err := templates.New()
	if err != nil {
		return err
	}
	langs := set.Languages()
	if *lang != "" {
		if set.NormalizeLanguage(*lang) != strings.ToLower(*lang) {
			return fmt.Errorf("no templates for language %q (have %s)", *lang, strings.Join(langs, ", "))
		}
		langs = []string{strings.ToLower(*lang)}
	}
	for _, l := range langs {
		for _, k := range templates.Kinds() {
			r, err := set.Render(k, l, templates.Sample(k))
			if err != nil {
				return err
			}
			if *out == "" {
				fmt.Fprintf(w, "===== %s/%s (rendered in %s)\nSubject: %s\n\n%s\n", l, k, r.Lang, r.Subject, r.Text)
				continue
			}
			dir := filepath.Join(*out, l)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			text := "Subject: " + r.Subject + "\n\n" + r.Text
			if err := os.WriteFile(filepath.Join(dir, string(k)+".txt"), []byte(text), 0o644); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, string(k)+".html"), []byte(r.HTML), 0o644); err != nil {
				return err
			}
		}
	}
	if *out != "" {
		fmt.Fprintf(w, "wrote %d templates × %d languages to %s\n", len(templates.Kinds()), len(langs), *out)
	}
	return nil
}

type options struct {
	set                                            *config.Set
	addr, dbURL, amqpURL, busPrefix                *string
	sesEndpoint, region, from, configSet           *string
	publicURL, linkKey, unsubKey                   *string
	opsEmail, readyTargets, metricsTargets         *string
	alertFailFor, alertThrottle, alertInterval     *time.Duration
	alertRatePercent, alertMinRequests             *int
	reminderIdle, reminderMaxAge, reminderInterval *time.Duration
	jwksURL, issuer, audience                      *string
	logFormat, logLevel                            *string
}

func settings() (options, error) {
	c := config.New("notifier")
	o := options{set: c}
	o.addr = c.String("addr", "NOTIFIER_ADDR", ":8088", "HTTP listen address")
	o.dbURL = c.String("database-url", "NOTIFIER_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop?sslmode=disable", "PostgreSQL for the delivery log, orders and baskets")
	o.amqpURL = c.String("amqp-url", "AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/", "RabbitMQ URL")
	o.busPrefix = c.String("bus-prefix", "BUS_PREFIX", "shop", "prefix of every exchange and queue")
	o.sesEndpoint = c.String("ses-endpoint", "AWS_ENDPOINT_URL_SES", "", "SES endpoint override, e.g. http://127.0.0.1:8005 for aws-ses-v2-local")
	o.region = c.String("aws-region", "AWS_REGION", "us-east-1", "AWS region of SES")
	o.from = c.String("ses-from", "SES_FROM", "evshop <no-reply@shop.example>", "verified sender address")
	o.configSet = c.String("ses-configuration-set", "SES_CONFIGURATION_SET", "", "SES configuration set (bounce/complaint events)")
	o.publicURL = c.String("public-url", "PUBLIC_URL", "http://localhost:8080", "storefront origin used in email links")
	o.linkKey = c.String("mail-link-key", "MAIL_LINK_KEY", "", "64 hex chars: opens sealed verification/reset tokens (shared with auth)")
	o.unsubKey = c.String("unsubscribe-key", "UNSUBSCRIBE_KEY", "", "64 hex chars signing unsubscribe links (default: derived from MAIL_LINK_KEY)")
	o.opsEmail = c.String("ops-email", "OPS_EMAIL", "", "where ops alerts go (alerts off when empty)")
	o.readyTargets = c.String("alert-readyz", "ALERT_READYZ_TARGETS", "", "name=url list of /readyz endpoints to watch")
	o.metricsTargets = c.String("alert-metrics", "ALERT_METRICS_TARGETS", "", "name=url list of /metrics endpoints whose 5xx rate is watched")
	o.alertFailFor = c.Duration("alert-fail-for", "ALERT_FAIL_FOR", 2*time.Minute, "how long a condition fails before it alerts")
	o.alertThrottle = c.Duration("alert-throttle", "ALERT_THROTTLE", 15*time.Minute, "at most one alert per condition per this period")
	o.alertInterval = c.Duration("alert-interval", "ALERT_INTERVAL", 15*time.Second, "how often the watcher checks")
	o.alertRatePercent = c.Int("alert-error-rate", "ALERT_ERROR_RATE_PERCENT", 5, "error rate (percent of requests) that counts as failing")
	o.alertMinRequests = c.Int("alert-min-requests", "ALERT_MIN_REQUESTS", 20, "requests needed in the window before the error rate counts")
	o.reminderIdle = c.Duration("reminder-idle", "REMINDER_IDLE", 24*time.Hour, "basket idle time before the abandoned-basket reminder")
	o.reminderMaxAge = c.Duration("reminder-max-age", "REMINDER_MAX_AGE", 7*24*time.Hour, "baskets idle longer than this are never reminded")
	o.reminderInterval = c.Duration("reminder-interval", "REMINDER_INTERVAL", time.Minute, "how often due reminders are looked for")
	o.jwksURL = c.String("jwks-url", "AUTH_JWKS_URL", "http://127.0.0.1:8081/api/auth/jwks.json", "auth service JWKS")
	o.issuer = c.String("jwt-issuer", "JWT_ISSUER", "evshop-auth", "expected access-token issuer")
	o.audience = c.String("jwt-audience", "JWT_AUDIENCE", "evshop", "expected access-token audience")
	o.logFormat = c.String("log-format", "LOG_FORMAT", "json", "json or text")
	o.logLevel = c.String("log-level", "LOG_LEVEL", "info", "debug, info, warn or error")
	return o, nil
}

// Keys derives the unsubscribe signing key from MAIL_LINK_KEY unless one is
// given, so a deployment needs one secret, not two.
func keys(linkKey, unsubKey string) (*sealed.Box, []byte, error) {
	if linkKey == "" {
		return nil, nil, errors.New("MAIL_LINK_KEY is required (64 hex characters, shared with the auth service)")
	}
	box, err := sealed.NewFromHex(linkKey)
	if err != nil {
		return nil, nil, fmt.Errorf("MAIL_LINK_KEY: %w", err)
	}
	if unsubKey != "" {
		k, err := hex.DecodeString(unsubKey)
		if err != nil || len(k) < 32 {
			return nil, nil, errors.New("UNSUBSCRIBE_KEY must be at least 64 hex characters")
		}
		return box, k, nil
	}
	raw, _ := hex.DecodeString(linkKey)
	h := hmac.New(sha256.New, raw)
	h.Write([]byte("evshop unsubscribe links"))
	return box, h.Sum(nil), nil
}

func serve(ctx context.Context, args []string) error {
	o, _ := settings()
	if err := o.set.Parse(args); err != nil {
		return err
	}
	log, err := logging.New(os.Stderr, *o.logFormat, *o.logLevel)
	if err != nil {
		return err
	}
	box, unsubKey, err := keys(*o.linkKey, *o.unsubKey)
	if err != nil {
		return err
	}
	if *o.alertRatePercent < 1 || *o.alertRatePercent > 100 {
		return errors.New("ALERT_ERROR_RATE_PERCENT must be 1..100")
	}
	readyTargets, err := alerts.ParseTargets(*o.readyTargets)
	if err != nil {
		return fmt.Errorf("ALERT_READYZ_TARGETS: %w", err)
	}
	metricsTargets, err := alerts.ParseTargets(*o.metricsTargets)
	if err != nil {
		return fmt.Errorf("ALERT_METRICS_TARGETS: %w", err)
	}
	for _, t := range metricsTargets {
		if u, err := url.Parse(t.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return fmt.Errorf("ALERT_METRICS_TARGETS: %q is not an http(s) URL", t.URL)
		}
	}

	pool, err := pg.Connect(ctx, *o.dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	store, err := pgstore.New(ctx, pool)
	if err != nil {
		return err
	}
	sender, err := ses.New(ctx, ses.Config{Endpoint: *o.sesEndpoint, Region: *o.region, From: *o.from, ConfigurationSet: *o.configSet})
	if err != nil {
		return err
	}
	tpl, err := templates.New()
	if err != nil {
		return err
	}
	reg := service.NewRegistry()
	n, err := notifier.New(notifier.Config{
		Sender: sender, Templates: tpl, Deliveries: store, Orders: store, Baskets: store,
		// Recipients, Marketing and OptOut come from the client (profile)
		// service; until they are wired, emails use the events' names in
		// English and no reminder is sent.
		LinkBox: box, UnsubscribeKey: unsubKey, PublicURL: *o.publicURL,
		ReminderIdle: *o.reminderIdle, ReminderMaxAge: *o.reminderMaxAge,
		Log: log, Registerer: reg,
	})
	if err != nil {
		return err
	}

	bus, err := messaging.New(messaging.Config{Transport: messaging.TransportAMQP, AMQPURL: *o.amqpURL, Prefix: *o.busPrefix, Logger: log, Metrics: reg})
	if err != nil {
		return err
	}
	defer bus.Close()
	if err := bus.AddEventHandler(messaging.EventHandler{Name: notifier.HandlerName, Types: notifier.EventTypes(), Handle: n.Handle}); err != nil {
		return err
	}

	keysrc, err := authn.NewRemoteJWKS(authn.RemoteJWKSConfig{URL: *o.jwksURL})
	if err != nil {
		return err
	}
	verifier, err := authn.NewVerifier(authn.VerifierConfig{Keys: keysrc, Issuer: *o.issuer, Audience: *o.audience})
	if err != nil {
		return err
	}
	api, err := apinotifier.New(apinotifier.Config{Unsubscriber: n, Failed: n, Verifier: verifier})
	if err != nil {
		return err
	}
	app := service.NewApp(service.AppConfig{Name: "notifier", Log: log, Registry: reg, Ready: []service.Check{
		{Name: "postgres", Fn: pool.Ping},
	}})
	api.Mount(app)

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return bus.Run(ctx) })
	g.Go(func() error { return service.Run(ctx, app, *o.addr, log) })
	g.Go(func() error { return n.RunReminders(ctx, *o.reminderInterval) })
	if *o.opsEmail != "" {
		watcher, err := newWatcher(o, sender, tpl, readyTargets, metricsTargets, log)
		if err != nil {
			return err
		}
		g.Go(func() error { return watcher.Run(ctx) })
	} else {
		log.Info("OPS_EMAIL not set: ops alerts are off")
	}
	if err := g.Wait(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// opsWatcher scrapes the error counters before every alert round.
type opsWatcher struct {
	w        *alerts.Watcher
	scraper  *alerts.Scraper
	targets  []alerts.Target
	interval time.Duration
	log      *slog.Logger
}

func newWatcher(o options, sender mail.Sender, tpl *templates.Set, ready, metrics []alerts.Target, log *slog.Logger) (*opsWatcher, error) {
	counter := alerts.NewErrorCounter(5*time.Minute, nil)
	w, err := alerts.New(alerts.Config{
		Targets: ready, Errors: counter, ErrorRate: float64(*o.alertRatePercent) / 100, MinRequests: *o.alertMinRequests,
		FailFor: *o.alertFailFor, Throttle: *o.alertThrottle, Interval: *o.alertInterval,
		OpsEmail: *o.opsEmail, Sender: mail.Retry(sender, mail.RetryConfig{}), Templates: tpl, Log: log,
	})
	if err != nil {
		return nil, err
	}
	return &opsWatcher{w: w, scraper: &alerts.Scraper{Counter: counter}, targets: metrics, interval: *o.alertInterval, log: log}, nil
}

func (o *opsWatcher) Run(ctx context.Context) error {
	t := time.NewTicker(o.interval)
	defer t.Stop()
	for {
		if len(o.targets) > 0 {
			if err := o.scraper.Scrape(ctx, o.targets); err != nil {
				o.log.WarnContext(ctx, "metrics scrape", "err", err)
			}
		}
		if err := o.w.Check(ctx); err != nil {
			o.log.WarnContext(ctx, "alert round", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
