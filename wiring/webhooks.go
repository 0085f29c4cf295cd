package wiring

import (
	"context"
	"time"

	"github.com/evshop/shop/api/adminwebhooks"
	"github.com/evshop/shop/messaging"
	relaypg "github.com/evshop/shop/messaging/relay/postgres"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/webhooks"
	"github.com/evshop/shop/webhooks/memstore"
	"github.com/evshop/shop/webhooks/pgstore"
	whsqlite "github.com/evshop/shop/webhooks/sqlitestore"
)

// webhookHandler names the webhook worker among the events' consumers in
// the docs (it reads the event store, not a queue).
const webhookHandler = "notifier.webhooks"

// Webhooks assembles the outbound webhooks, run by the notifier: the
// outbox and endpoints (the embedded database when durable, memory when
// embedded, PostgreSQL otherwise), the
// worker reading the event store from its checkpoint (one active across
// processes), and the admin API at /api/admin/webhooks. In server mode
// targets must be https unless WEBHOOK_ALLOW_NETS lets them through.
func (in *Infra) Webhooks(ctx context.Context, w Webhooks, verifier authn.Verifier) (*webhooks.Service, Route, error) {
	allow, err := w.Prefixes()
	if err != nil {
		return nil, Route{}, err
	}
	events, err := in.EventStore(ctx)
	if err != nil {
		return nil, Route{}, err
	}
	cfg := webhooks.Config{Source: events, Guard: webhooks.NewGuard(allow, !in.S.Embedded(), nil), Timeout: w.Timeout,
		RetryFor: w.RetryFor, Concurrency: w.Concurrency, Logger: in.Log, Metrics: in.Registry}
	switch {
	case in.S.Durable():
		db, err := in.SQLite(ctx)
		if err != nil {
			return nil, Route{}, err
		}
		if cfg.Store, err = whsqlite.New(ctx, db); err != nil {
			return nil, Route{}, err
		}
		cfg.PollInterval = 100 * time.Millisecond
	case in.S.Embedded():
		cfg.Store, cfg.PollInterval = memstore.New(), 100*time.Millisecond
	default:
		pool, err := in.Postgres(ctx)
		if err != nil {
			return nil, Route{}, err
		}
		if cfg.Store, err = pgstore.New(ctx, pool); err != nil {
			return nil, Route{}, err
		}
		cfg.Locker = relaypg.NewLocker(pool, relaypg.LockerConfig{})
	}
	svc, err := webhooks.New(cfg)
	if err != nil {
		return nil, Route{}, err
	}
	in.Go("webhooks", svc.Run)
	in.recordEventHandler(messaging.EventHandler{Name: webhookHandler, Types: webhooks.SourceTypes()}, true)
	api, err := adminwebhooks.New(adminwebhooks.Config{Service: svc, Verifier: verifier})
	if err != nil {
		return nil, Route{}, err
	}
	return svc, Route{Prefix: "/api/admin/webhooks", Mount: api.Mount}, nil
}
