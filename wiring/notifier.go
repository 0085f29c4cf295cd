package wiring

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	apinotifier "github.com/evshop/shop/api/notifier"
	"github.com/evshop/shop/mail"
	mailmem "github.com/evshop/shop/mail/memory"
	"github.com/evshop/shop/mail/ses"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/notifier"
	"github.com/evshop/shop/notifier/alerts"
	"github.com/evshop/shop/notifier/memstore"
	"github.com/evshop/shop/notifier/pgstore"
	"github.com/evshop/shop/notifier/templates"
	"github.com/evshop/shop/platform/config"
)

// Notifier is the notification service.
type Notifier struct {
	Notifier *notifier.Notifier
	Outbox   *mailmem.Outbox // embedded mode only
	Routes   []Route
	DevMail  func(fiber.Router) // embedded mode only: /dev/mail on the root router
}

// Profiles is what the notifier needs from the client service.
type Profiles interface {
	notifier.Recipients
	notifier.MarketingPreferences
	notifier.MarketingOptOut
}

// NotifierOptions are the notifier's own settings: the abandoned-basket
// reminder and the ops alert watcher (which mails OPS_EMAIL).
type NotifierOptions struct {
	reminderIdle, reminderMaxAge, reminderInterval *time.Duration
	readyTargets, metricsTargets                   *string
	alertFailFor, alertThrottle, alertInterval     *time.Duration
	alertRatePercent, alertMinRequests             *int
}

// DeclareNotifier registers the notifier's settings on cfg.
func DeclareNotifier(cfg *config.Set) *NotifierOptions {
	return &NotifierOptions{
		reminderIdle:     cfg.Duration("reminder-idle", "REMINDER_IDLE", 24*time.Hour, "basket idle time before the abandoned-basket reminder (opted-in customers only)"),
		reminderMaxAge:   cfg.Duration("reminder-max-age", "REMINDER_MAX_AGE", 7*24*time.Hour, "baskets idle longer than this are never reminded"),
		reminderInterval: cfg.Duration("reminder-interval", "REMINDER_INTERVAL", time.Minute, "how often due reminders are looked for"),
		readyTargets:     cfg.String("alert-readyz", "ALERT_READYZ_TARGETS", "", "name=url list of /readyz endpoints to watch (alerts off when both target lists are empty)"),
		metricsTargets:   cfg.String("alert-metrics", "ALERT_METRICS_TARGETS", "", "name=url list of /metrics endpoints whose 5xx rate is watched: each binary's METRICS_ADDR listener, e.g. gateway=http://gateway:9090/metrics"),
		alertFailFor:     cfg.Duration("alert-fail-for", "ALERT_FAIL_FOR", 2*time.Minute, "how long a condition fails before it alerts"),
		alertThrottle:    cfg.Duration("alert-throttle", "ALERT_THROTTLE", 15*time.Minute, "at most one alert per condition per this period"),
		alertInterval:    cfg.Duration("alert-interval", "ALERT_INTERVAL", 15*time.Second, "how often the watcher checks"),
		alertRatePercent: cfg.Int("alert-error-rate", "ALERT_ERROR_RATE_PERCENT", 5, "error rate (percent of requests) that counts as failing"),
		alertMinRequests: cfg.Int("alert-min-requests", "ALERT_MIN_REQUESTS", 20, "requests needed in the window before the error rate counts"),
	}
}

// Validate checks the parsed options (in.Notifier does too, at start).
func (o *NotifierOptions) Validate() error {
	_, err := o.resolve()
	return err
}

// notifierSettings are NotifierOptions validated.
type notifierSettings struct {
	reminderIdle, reminderMaxAge, reminderInterval time.Duration
	ready, metrics                                 []alerts.Target
	failFor, throttle, interval                    time.Duration
	ratePercent, minRequests                       int
}

func (o *NotifierOptions) resolve() (notifierSettings, error) {
	s := notifierSettings{
		reminderIdle: *o.reminderIdle, reminderMaxAge: *o.reminderMaxAge, reminderInterval: *o.reminderInterval,
		failFor: *o.alertFailFor, throttle: *o.alertThrottle, interval: *o.alertInterval,
		ratePercent: *o.alertRatePercent, minRequests: *o.alertMinRequests,
	}
	for name, d := range map[string]time.Duration{"REMINDER_IDLE": s.reminderIdle, "REMINDER_MAX_AGE": s.reminderMaxAge,
		"REMINDER_INTERVAL": s.reminderInterval, "ALERT_FAIL_FOR": s.failFor, "ALERT_THROTTLE": s.throttle, "ALERT_INTERVAL": s.interval} {
		if d <= 0 {
			return s, fmt.Errorf("%s=%s: must be positive", name, d)
		}
	}
	if s.reminderMaxAge < s.reminderIdle {
		return s, fmt.Errorf("REMINDER_MAX_AGE=%s: must not be shorter than REMINDER_IDLE=%s", s.reminderMaxAge, s.reminderIdle)
	}
	if s.ratePercent < 1 || s.ratePercent > 100 {
		return s, fmt.Errorf("ALERT_ERROR_RATE_PERCENT=%d: must be 1–100", s.ratePercent)
	}
	if s.minRequests < 1 {
		return s, fmt.Errorf("ALERT_MIN_REQUESTS=%d: must be positive", s.minRequests)
	}
	var err error
	if s.ready, err = alerts.ParseTargets(*o.readyTargets); err != nil {
		return s, fmt.Errorf("ALERT_READYZ_TARGETS: %w", err)
	}
	if s.metrics, err = alerts.ParseTargets(*o.metricsTargets); err != nil {
		return s, fmt.Errorf("ALERT_METRICS_TARGETS: %w", err)
	}
	for _, t := range append(append([]alerts.Target{}, s.ready...), s.metrics...) {
		if u, err := url.Parse(t.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return s, fmt.Errorf("alert target %s: %q is not an http(s) URL", t.Name, t.URL)
		}
	}
	return s, nil
}

// Notifier assembles the notifier: the in-memory outbox (shown at /dev/mail)
// when embedded, SES v2 otherwise. profiles may be nil (emails then use the
// events' names in English, and no reminders go out); opts nil keeps the
// defaults, with a one-hour reminder in the embedded shop and no alerts.
func (in *Infra) Notifier(ctx context.Context, profiles Profiles, opts *NotifierOptions) (*Notifier, error) {
	if opts == nil {
		opts = DeclareNotifier(config.New("defaults"))
		if in.S.Embedded() {
			*opts.reminderIdle = time.Hour
		}
	}
	set, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	box, err := in.SealedBox()
	if err != nil {
		return nil, err
	}
	tpl, err := templates.New()
	if err != nil {
		return nil, err
	}
	out := &Notifier{}
	var sender mail.Sender
	cfg := notifier.Config{Templates: tpl, LinkBox: box, PublicURL: in.S.PublicURL, Log: in.Log, Registerer: in.Registry,
		UnsubscribeKey: in.unsubscribeKey(), ReminderIdle: set.reminderIdle, ReminderMaxAge: set.reminderMaxAge}
	if in.S.Embedded() {
		out.Outbox = mailmem.New()
		sender = out.Outbox
		st := memstore.New()
		cfg.Deliveries, cfg.Orders, cfg.Baskets = st, st, st
	} else {
		if sender, err = ses.New(ctx, ses.Config{Endpoint: in.S.SESEndpoint, Region: in.S.SESRegion, From: in.S.SESFrom, ConfigurationSet: in.S.SESConfigSet}); err != nil {
			return nil, err
		}
		pool, err := in.Postgres(ctx)
		if err != nil {
			return nil, err
		}
		st, err := pgstore.New(ctx, pool)
		if err != nil {
			return nil, err
		}
		cfg.Deliveries, cfg.Orders, cfg.Baskets = st, st, st
	}
	cfg.Sender = sender
	if profiles != nil {
		cfg.Recipients, cfg.Marketing, cfg.OptOut = profiles, profiles, profiles
	}
	n, err := notifier.New(cfg)
	if err != nil {
		return nil, err
	}
	out.Notifier = n
	if err := in.On(ctx,
		messaging.EventHandler{Name: notifier.HandlerName, Types: notifier.EmailEventTypes(), Handle: n.Handle, Concurrent: true},
		messaging.EventHandler{Name: notifier.BasketHandlerName, Types: notifier.BasketEventTypes(), Handle: n.Handle},
	); err != nil {
		return nil, err
	}
	in.Go("basket reminders", func(ctx context.Context) error { return n.RunReminders(ctx, set.reminderInterval) })
	if len(set.ready)+len(set.metrics) > 0 && in.S.OpsEmail != "" {
		w, err := newOpsWatcher(set, in.S.OpsEmail, sender, tpl, in.Log)
		if err != nil {
			return nil, err
		}
		in.Go("ops alerts", w.Run)
	}
	verifier, err := in.Verifier()
	if err != nil {
		return nil, err
	}
	api, err := apinotifier.New(apinotifier.Config{Unsubscriber: n, Failed: n, Verifier: verifier})
	if err != nil {
		return nil, err
	}
	out.Routes = []Route{
		{Prefix: "/api/notifications", Mount: api.MountNotifications},
		{Prefix: "/api/admin/notifications", Mount: api.MountAdmin},
	}
	if out.Outbox != nil {
		// The outbox holds every sign-up and reset link: anyone who can read
		// it can take over any account. On this machine alone (the embedded
		// default) that is the developer; beyond it, only admins.
		dev, err := apinotifier.New(apinotifier.Config{Outbox: out.Outbox, Verifier: verifier, DevMailAdminsOnly: !LoopbackOnly(in.S.Addr)})
		if err != nil {
			return nil, err
		}
		out.DevMail = dev.MountDevMail
	}
	return out, nil
}

// unsubscribeKey derives the unsubscribe-link key from MAIL_LINK_KEY, so one
// secret serves both and rotating it rotates both.
func (in *Infra) unsubscribeKey() []byte {
	h := hmac.New(sha256.New, []byte(in.S.MailLinkKey))
	h.Write([]byte("evshop unsubscribe links"))
	return h.Sum(nil)
}

// opsWatcher probes the /readyz targets and scrapes the 5xx counters of the
// /metrics targets before every alert round.
type opsWatcher struct {
	w        *alerts.Watcher
	scraper  *alerts.Scraper
	metrics  []alerts.Target
	interval time.Duration
	log      *slog.Logger
}

func newOpsWatcher(s notifierSettings, opsEmail string, sender mail.Sender, tpl *templates.Set, log *slog.Logger) (*opsWatcher, error) {
	counter := alerts.NewErrorCounter(5*time.Minute, nil)
	w, err := alerts.New(alerts.Config{
		Targets: s.ready, Errors: counter, ErrorRate: float64(s.ratePercent) / 100, MinRequests: s.minRequests,
		FailFor: s.failFor, Throttle: s.throttle, Interval: s.interval,
		OpsEmail: opsEmail, Sender: mail.Retry(sender, mail.RetryConfig{}), Templates: tpl, Log: log,
	})
	if err != nil {
		return nil, err
	}
	return &opsWatcher{w: w, scraper: &alerts.Scraper{Counter: counter}, metrics: s.metrics, interval: s.interval, log: log}, nil
}

func (o *opsWatcher) Run(ctx context.Context) error {
	t := time.NewTicker(o.interval)
	defer t.Stop()
	for {
		if len(o.metrics) > 0 {
			if err := o.scraper.Scrape(ctx, o.metrics); err != nil {
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

// LoopbackOnly reports whether a listen address (host:port) accepts
// connections from this machine only: a loopback IP or "localhost". An empty
// host, 0.0.0.0, :: or any other name or address listens beyond it.
func LoopbackOnly(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
