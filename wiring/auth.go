package wiring

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/evshop/shop/api/auth"
	ident "github.com/evshop/shop/commands/identity"
	"github.com/evshop/shop/commands/identity/memstore"
	"github.com/evshop/shop/commands/identity/pgstore"
	"github.com/evshop/shop/commands/identity/redisstore"
	"github.com/evshop/shop/messaging/relay"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/config"
	"github.com/evshop/shop/platform/ratelimit"
)

// AuthOptions are the settings only the identity service has.
type AuthOptions struct {
	AccessTTL, RefreshTTL *time.Duration
	RefreshAbsoluteTTL    *time.Duration
	HashConcurrency       *int
}

// DeclareAuth registers the identity service's settings on cfg.
func DeclareAuth(cfg *config.Set) *AuthOptions {
	return &AuthOptions{
		AccessTTL:  cfg.Duration("access-ttl", "AUTH_ACCESS_TTL", authn.MaxAccessTTL, "access-token lifetime (at most 15m)"),
		RefreshTTL: cfg.Duration("refresh-ttl", "AUTH_REFRESH_TTL", ident.DefaultRefreshTTL, "refresh-token lifetime (sliding, per rotation)"),
		RefreshAbsoluteTTL: cfg.Duration("refresh-absolute-ttl", "AUTH_REFRESH_ABSOLUTE_TTL", ident.DefaultRefreshAbsoluteTTL,
			"a sign-in's absolute lifetime: refreshing never keeps it past this (at least AUTH_REFRESH_TTL)"),
		HashConcurrency: cfg.Int("hash-concurrency", "AUTH_HASH_CONCURRENCY", 4, "argon2id hashes run at once (19 MiB each)"),
	}
}

// Auth is the identity service.
type Auth struct {
	Service *ident.Service
	Outbox  relay.Source
	Routes  []Route
}

// Auth assembles the identity service on PostgreSQL and Redis (memory when
// embedded), ensures the bootstrap admin when configured, and starts the
// relay of its outbox.
func (in *Infra) Auth(ctx context.Context, o *AuthOptions) (*Auth, error) {
	var (
		store    ident.Store
		outbox   relay.Source
		sessions ident.Sessions
		limiter  ratelimit.Limiter
	)
	if in.S.Embedded() {
		ms := memstore.New()
		store, outbox, sessions, limiter = ms, ms.Outbox(), memstore.NewSessions(nil), ratelimit.NewMemory(nil)
	} else {
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
	box, err := in.SealedBox()
	if err != nil {
		return nil, err
	}
	keys, err := in.KeySet()
	if err != nil {
		return nil, err
	}
	verifier, err := in.Verifier()
	if err != nil {
		return nil, err
	}
	hasher, err := ident.NewArgon2id(ident.DefaultArgon2Params, *o.HashConcurrency)
	if err != nil {
		return nil, err
	}
	// The link-token HMAC key is derived from MAIL_LINK_KEY so one secret
	// covers the mail links; the derivation keeps the two uses apart.
	mac := hmac.New(sha256.New, []byte(in.S.MailLinkKey))
	mac.Write([]byte("evshop identity link tokens"))
	svc, err := ident.NewService(ctx, ident.Config{Store: store, Sessions: sessions, Hasher: hasher, Sealer: box,
		TokenKey: mac.Sum(nil), Log: in.Log, RefreshTTL: *o.RefreshTTL, RefreshAbsoluteTTL: *o.RefreshAbsoluteTTL})
	if err != nil {
		return nil, err
	}
	signer, err := authn.NewSigner(authn.SignerConfig{Keys: keys, Issuer: in.S.JWTIssuer, Audience: in.S.JWTAudience, TTL: *o.AccessTTL})
	if err != nil {
		return nil, err
	}
	api, err := auth.New(auth.Deps{Service: svc, Signer: signer, Keys: keys, Verifier: verifier, Limiter: limiter,
		Log: in.Log, CookieSecure: in.S.CookieSecure, TrustedProxies: in.S.TrustedProxies})
	if err != nil {
		return nil, err
	}
	if in.S.AdminEmail != "" {
		created, err := svc.BootstrapAdmin(ctx, in.S.AdminEmail, in.S.AdminPassword, "Administrator")
		if err != nil {
			return nil, fmt.Errorf("bootstrap admin: %w", err)
		}
		in.Log.Info("bootstrap admin ensured", "email", in.S.AdminEmail, "created", created)
	}
	if _, err := in.StartRelay(ctx, "auth-outbox", outbox); err != nil {
		return nil, err
	}
	return &Auth{Service: svc, Outbox: outbox, Routes: []Route{{Prefix: "/api/auth", Mount: api.Mount}}}, nil
}
