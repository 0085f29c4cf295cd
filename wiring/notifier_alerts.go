package wiring

import (
	"context"
	"log/slog"
	"time"

	"github.com/evshop/shop/mail"
	relaypg "github.com/evshop/shop/messaging/relay/postgres"
	"github.com/evshop/shop/notifier/alerts"
	"github.com/evshop/shop/notifier/templates"
)

// opsAlerts starts the ops alert watcher when OPS_EMAIL is set. Beside the
// /readyz and 5xx targets it watches, in the one-process shop as in the
// separate notifier: the bus's dead-letter store, the leader of each
// ALERT_RELAYS relay, the projection lag and the recovered panics of this
// process (its registry) and of every ALERT_METRICS_TARGETS process.
func (in *Infra) opsAlerts(ctx context.Context, o Notifier, ready, metrics []alerts.Target, sender mail.Sender, tpl *templates.Set) error {
	if o.OpsEmail == "" {
		return nil
	}
	bus, err := in.Bus(ctx)
	if err != nil {
		return err
	}
	leaders, err := in.relayLeaders(ctx)
	if err != nil {
		return err
	}
	counter := alerts.NewErrorCounter(5*time.Minute, nil)
	scraper := &alerts.Scraper{Counter: counter}
	local := alerts.Gathered("local", in.Registry)
	samples := func(ctx context.Context) ([]alerts.Sample, error) {
		own, err := local(ctx)
		scraped, _ := scraper.Samples(ctx)
		return append(own, scraped...), err
	}
	probes := []alerts.Probe{
		alerts.ProjectionLag(samples, o.AlertProjectionLag),
		alerts.Panics(samples, o.AlertPanicWindow, nil),
	}
	if dl := bus.DeadLetters(); dl != nil {
		probes = append(probes, alerts.DeadLetters(dl))
	}
	if len(o.AlertRelays) > 0 {
		probes = append(probes, alerts.RelayLeaders(o.AlertRelays, leaders))
	}
	w, err := alerts.New(alerts.Config{
		Targets: ready, Errors: counter, ErrorRate: float64(o.AlertRatePercent) / 100, MinRequests: o.AlertMinRequests,
		Probes: probes, FailFor: o.AlertFailFor, Throttle: o.AlertThrottle, Interval: o.AlertInterval,
		OpsEmail: o.OpsEmail, Sender: mail.Retry(sender, mail.RetryConfig{}), Templates: tpl, Log: in.Log,
	})
	if err != nil {
		return err
	}
	ow := &opsWatcher{w: w, scraper: scraper, metrics: metrics, interval: o.AlertInterval, log: in.Log}
	in.Go("ops alerts", ow.Run)
	return nil
}

// relayLeaders asks PostgreSQL, in server mode, whether any process holds a
// relay's lease. An embedded process runs its relays alone (no lease) and
// can only see its own: one it does not run is not its to watch.
func (in *Infra) relayLeaders(ctx context.Context) (alerts.LeaderCheck, error) {
	if !in.S.Embedded() {
		pool, err := in.Postgres(ctx)
		if err != nil {
			return nil, err
		}
		return relaypg.NewLocker(pool, relaypg.LockerConfig{}).Held, nil
	}
	return func(_ context.Context, name string) (bool, error) {
		r, ok := in.Relays()[name]
		return !ok || r.Leading(), nil
	}, nil
}

// opsWatcher scrapes the /metrics targets (5xx counters, lag, panics)
// before every alert round.
type opsWatcher struct {
	w        *alerts.Watcher
	scraper  *alerts.Scraper
	metrics  []alerts.Target
	interval time.Duration
	log      *slog.Logger
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
