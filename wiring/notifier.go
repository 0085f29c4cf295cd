package wiring

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	apinotifier "github.com/evshop/shop/api/notifier"
	"github.com/evshop/shop/mail"
	mailmem "github.com/evshop/shop/mail/memory"
	mailsqlite "github.com/evshop/shop/mail/sqlitestore"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/notifier"
	"github.com/evshop/shop/notifier/memstore"
	"github.com/evshop/shop/notifier/pgstore"
	notifysqlite "github.com/evshop/shop/notifier/sqlitestore"
	"github.com/evshop/shop/notifier/templates"
	"github.com/evshop/shop/webhooks"
)

// NotifierService is the notification service.
type NotifierService struct {
	Notifier *notifier.Notifier
	Outbox   apinotifier.Outbox // embedded mode only: what /dev/mail shows
	Webhooks *webhooks.Service
	Routes   []Route
	DevMail  func(fiber.Router) // embedded mode only: /dev/mail on the root router
}

// Profiles is what the notifier needs from the client service.
type Profiles interface {
	notifier.Recipients
	notifier.MarketingPreferences
	notifier.MarketingOptOut
}

// Notifier assembles the notifier: the in-memory outbox (shown at /dev/mail)
// when embedded, SES v2 otherwise; the abandoned-basket tracking (a read
// model fed like the projectors, OnProjector) and reminder sweep; the outbound
// webhooks; and, when OPS_EMAIL is set, the ops alert watcher
// (notifier_alerts.go). profiles may be nil (emails then use the events'
// names in English, and no reminders go out).
func (in *Infra) Notifier(ctx context.Context, o Notifier, profiles Profiles) (*NotifierService, error) {
	ready, metrics, err := o.AlertTargets()
	if err != nil {
		return nil, err
	}
	box, err := in.SealedBox(o.MailLink)
	if err != nil {
		return nil, err
	}
	links, err := in.OrderLinks(o.MailLink)
	if err != nil {
		return nil, err
	}
	tpl, err := templates.New()
	if err != nil {
		return nil, err
	}
	out := &NotifierService{}
	var sender mail.Sender
	cfg := notifier.Config{Templates: tpl, LinkBox: box, PublicURL: o.Public.URL, Log: in.Log, Registerer: in.Registry,
		UnsubscribeKey: in.unsubscribeKey(), ReminderIdle: o.ReminderIdle, ReminderMaxAge: o.ReminderMaxAge, OrderLinks: links,
		Stopping: ctx.Done()} // ctx ends when the process is told to stop
	if cfg.Events, err = in.EventStore(ctx); err != nil {
		return nil, err
	}
	switch {
	case in.S.Durable():
		db, err := in.SQLite(ctx)
		if err != nil {
			return nil, err
		}
		ob, err := mailsqlite.New(ctx, db, nil, 0)
		if err != nil {
			return nil, err
		}
		st, err := notifysqlite.New(ctx, db)
		if err != nil {
			return nil, err
		}
		// in.SQLite holds DATA_DIR's lock: a delivery still claimed was
		// claimed by a shop that crashed before recording its send.
		if n, err := st.ReleaseClaims(ctx, time.Now()); err != nil {
			return nil, err
		} else if n > 0 {
			in.Log.InfoContext(ctx, "emails a stopped shop had claimed will be sent (or found sent) again", "deliveries", n)
		}
		out.Outbox, sender = ob, ob
		cfg.Deliveries, cfg.Baskets, cfg.BackInStock = st, st, st
	case in.S.Embedded():
		ob := mailmem.New()
		out.Outbox, sender = ob, ob
		st := memstore.New()
		cfg.Deliveries, cfg.Baskets, cfg.BackInStock = st, st, st
	default:
		if in.Providers.SES == nil {
			return nil, fmt.Errorf("the notifier sends mail through Amazon SES in server mode, but this binary was built without the SES adapter")
		}
		if sender, err = in.Providers.SES(ctx, o); err != nil {
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
		cfg.Deliveries, cfg.Baskets, cfg.BackInStock = st, st, st
	}
	if in.S.Embedded() && o.MailSender == "ses" {
		// A small shop on one box sends real mail: no /dev/mail then.
		if in.Providers.SES == nil {
			return nil, fmt.Errorf("MAIL_SENDER=ses, but this binary was built without the SES adapter")
		}
		if sender, err = in.Providers.SES(ctx, o); err != nil {
			return nil, err
		}
		out.Outbox = nil
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
	); err != nil {
		return nil, err
	}
	// The basket tracking is a read model: a catch-up runner folds a batch
	// of basket events per transaction (PROJECTIONS_SOURCE=store), or its
	// queue one event at a time (bus).
	if err := in.OnProjector(ctx, o.Projections, n.BasketTracker()); err != nil {
		return nil, err
	}
	in.Go("basket reminders", func(ctx context.Context) error { return n.RunReminders(ctx, o.ReminderInterval) })
	if err := in.opsAlerts(ctx, o, ready, metrics, sender, tpl); err != nil {
		return nil, err
	}
	verifier, err := in.Verifier(o.Tokens)
	if err != nil {
		return nil, err
	}
	api, err := apinotifier.New(apinotifier.Config{Unsubscriber: n, Failed: n, BackInStock: n, Verifier: verifier})
	if err != nil {
		return nil, err
	}
	var hooks Route
	out.Webhooks, hooks, err = in.Webhooks(ctx, o.Webhooks, verifier)
	if err != nil {
		return nil, err
	}
	out.Routes = []Route{
		{Prefix: "/api/notifications", Mount: api.MountNotifications},
		{Prefix: "/api/admin/notifications", Mount: api.MountAdmin},
		hooks,
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
	h := hmac.New(sha256.New, []byte(in.mailKey))
	h.Write([]byte("evshop unsubscribe links"))
	return h.Sum(nil)
}
