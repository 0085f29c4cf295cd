package wiring

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"

	"github.com/evshop/shop/api/auth"
	ident "github.com/evshop/shop/commands/identity"
	"github.com/evshop/shop/commands/identity/memstore"
	"github.com/evshop/shop/commands/identity/pgstore"
	"github.com/evshop/shop/commands/identity/redisstore"
	identsqlite "github.com/evshop/shop/commands/identity/sqlitestore"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/messaging/relay"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/ratelimit"
	ratesqlite "github.com/evshop/shop/platform/ratelimit/sqlitestore"
)

// AuthService is the identity service.
type AuthService struct {
	Service *ident.Service
	Outbox  relay.Source
	Routes  []Route
	// AdminCreated is true when this start created the bootstrap admin.
	AdminCreated bool
}

// Auth assembles the identity service on PostgreSQL and Redis (memory when
// embedded), ensures the bootstrap admin when configured, and starts the
// relay of its outbox.
func (in *Infra) Auth(ctx context.Context, o Auth) (*AuthService, error) {
	var (
		store    ident.Store
		outbox   relay.Source
		sessions ident.Sessions
		limiter  ratelimit.Limiter
	)
	switch {
	case in.S.Durable():
		db, err := in.SQLite(ctx)
		if err != nil {
			return nil, err
		}
		ss, err := identsqlite.New(ctx, db)
		if err != nil {
			return nil, err
		}
		if sessions, err = identsqlite.NewSessions(ctx, db, nil); err != nil {
			return nil, err
		}
		if limiter, err = ratesqlite.New(ctx, db, nil); err != nil {
			return nil, err
		}
		store, outbox = ss, ss.Outbox()
	case in.S.Embedded():
		ms := memstore.New()
		store, outbox, sessions, limiter = ms, ms.Outbox(), memstore.NewSessions(nil), ratelimit.NewMemory(nil)
	default:
		pool, err := in.Postgres(ctx)
		if err != nil {
			return nil, err
		}
		ps, err := pgstore.New(ctx, pool)
		if err != nil {
			return nil, err
		}
		rc, err := in.Redis(ctx)
		if err != nil {
			return nil, err
		}
		store, outbox = ps, ps.Outbox()
		sessions = redisstore.New(rc, in.S.BusPrefix+":auth:")
		limiter = ratelimit.NewRedis(rc, in.S.BusPrefix+":ratelimit:auth:")
	}
	box, err := in.SealedBox(o.MailLink)
	if err != nil {
		return nil, err
	}
	keys, err := in.KeySet(o.JWTKeys)
	if err != nil {
		return nil, err
	}
	verifier, err := in.Verifier(o.Tokens)
	if err != nil {
		return nil, err
	}
	hasher, err := ident.NewArgon2id(ident.DefaultArgon2Params, o.HashConcurrency)
	if err != nil {
		return nil, err
	}
	// The link-token HMAC key is derived from MAIL_LINK_KEY so one secret
	// covers the mail links; the derivation keeps the two uses apart.
	mac := hmac.New(sha256.New, []byte(in.mailKey))
	mac.Write([]byte("evshop identity link tokens"))
	svc, err := ident.NewService(ctx, ident.Config{Store: store, Sessions: sessions, Hasher: hasher, Sealer: box,
		TokenKey: mac.Sum(nil), Log: in.Log, RefreshTTL: o.RefreshTTL, RefreshAbsoluteTTL: o.RefreshAbsoluteTTL})
	if err != nil {
		return nil, err
	}
	signer, err := authn.NewSigner(authn.SignerConfig{Keys: keys, Issuer: o.Tokens.Issuer, Audience: o.Tokens.Audience, TTL: o.AccessTTL})
	if err != nil {
		return nil, err
	}
	trusted, err := o.Proxies.Prefixes()
	if err != nil {
		return nil, err
	}
	api, err := auth.New(auth.Deps{Service: svc, Signer: signer, Keys: keys, Verifier: verifier, Limiter: limiter,
		Log: in.Log, CookieSecure: o.Cookies.Secure, TrustedProxies: trusted})
	if err != nil {
		return nil, err
	}
	adminCreated := false
	if o.AdminEmail != "" {
		created, err := svc.BootstrapAdmin(ctx, o.AdminEmail, o.AdminPassword, "Administrator")
		adminCreated = created
		if err != nil {
			return nil, fmt.Errorf("bootstrap admin: %w", err)
		}
		in.Log.Info("bootstrap admin ensured", "email", o.AdminEmail, "created", created)
	}
	if _, err := in.StartRelay(ctx, "auth-outbox", outbox, eventstore.Filter{}); err != nil {
		return nil, err
	}
	return &AuthService{Service: svc, Outbox: outbox, AdminCreated: adminCreated, Routes: []Route{
		{Prefix: "/api/auth", Mount: api.Mount},
		{Prefix: auth.StaffPrefix, Mount: api.MountStaff},
	}}, nil
}
