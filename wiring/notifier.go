package wiring

import (
	"context"

	"crypto/hmac"
	"crypto/sha256"
	"github.com/gofiber/fiber/v2"
	"time"

	apinotifier "github.com/evshop/shop/api/notifier"
	"github.com/evshop/shop/mail"
	mailmem "github.com/evshop/shop/mail/memory"
	"github.com/evshop/shop/mail/ses"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/notifier"
	"github.com/evshop/shop/notifier/memstore"
	"github.com/evshop/shop/notifier/pgstore"
	"github.com/evshop/shop/notifier/templates"
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

// Notifier assembles the notifier: the in-memory outbox (shown at /dev/mail)
// when embedded, SES v2 otherwise. profiles may be nil (no reminders then).
func (in *Infra) Notifier(ctx context.Context, profiles Profiles) (*Notifier, error) {
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
	cfg := notifier.Config{Templates: tpl, LinkBox: box, PublicURL: in.S.PublicURL, Log: in.Log, Registerer: in.Registry, UnsubscribeKey: in.unsubscribeKey()}
	if in.S.Embedded() {
		out.Outbox = mailmem.New()
		sender = out.Outbox
		st := memstore.New()
		cfg.Deliveries, cfg.Orders, cfg.Baskets = st, st, st
		cfg.ReminderIdle = time.Hour
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
	if err := in.On(ctx, messaging.EventHandler{Name: notifier.HandlerName, Types: notifier.EventTypes(), Handle: n.Handle}); err != nil {
		return nil, err
	}
	in.Go("basket reminders", func(ctx context.Context) error { return n.RunReminders(ctx, time.Minute) })
	verifier, err := in.Verifier()
	if err != nil {
		return nil, err
	}
	api, err := apinotifier.New(apinotifier.Config{Unsubscriber: n, Failed: n, Verifier: verifier})
	if err != nil {
		return nil, err
	}
	out.Routes = []Route{
		{Service: "NOTIFICATIONS", Prefix: "/api/notifications", Mount: api.MountNotifications},
		{Service: "NOTIFICATIONS", Prefix: "/api/admin/notifications", Mount: api.MountAdmin},
	}
	if out.Outbox != nil {
		dev, err := apinotifier.New(apinotifier.Config{Outbox: out.Outbox})
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
