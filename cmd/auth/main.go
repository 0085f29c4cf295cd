// Command auth runs the identity service on its own: accounts in PostgreSQL
// (schema "auth"), refresh tokens and rate limits in Redis, access tokens
// signed with AUTH_JWT_KEYS and published as JWKS, and the relay that moves
// the auth outbox to the bus.
//
//	auth                    serve (AUTH_BOOTSTRAP_ADMIN_EMAIL/_PASSWORD also ensure that admin)
//	auth bootstrap-admin    ensure the admin named by AUTH_BOOTSTRAP_ADMIN_EMAIL/_PASSWORD, then exit
//	auth genkey [kid]       print a new Ed25519 key as AUTH_JWT_KEYS reads it, then exit
package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/api/auth"
	ident "github.com/evshop/shop/commands/identity"
	"github.com/evshop/shop/commands/identity/memstore"
	"github.com/evshop/shop/commands/identity/pgstore"
	"github.com/evshop/shop/commands/identity/redisstore"
	"github.com/evshop/shop/messaging/relay"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/config"
	"github.com/evshop/shop/platform/ratelimit"
	"github.com/evshop/shop/wiring"
)

// extra are the settings only this binary has.
type extra struct {
	accessTTL, refreshTTL *time.Duration
	trusted               *string
	hashConcurrency       *int
}

func (e *extra) declare(cfg *config.Set) {
	e.accessTTL = cfg.Duration("access-ttl", "AUTH_ACCESS_TTL", authn.MaxAccessTTL, "access-token lifetime (at most 15m)")
	e.refreshTTL = cfg.Duration("refresh-ttl", "AUTH_REFRESH_TTL", ident.DefaultRefreshTTL, "refresh-token lifetime (sliding, per rotation)")
	e.trusted = cfg.String("trusted-proxies", "AUTH_TRUSTED_PROXIES", "127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,::1/128",
		"CIDRs whose X-Forwarded-For is believed (the gateway); the client IP keys the per-IP rate limits")
	e.hashConcurrency = cfg.Int("hash-concurrency", "AUTH_HASH_CONCURRENCY", 4, "argon2id hashes run at once (19 MiB each)")
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "genkey" {
		os.Exit(genkey(os.Args[2:]))
	}
	bootstrapOnly := len(os.Args) > 1 && os.Args[1] == "bootstrap-admin"
	if bootstrapOnly {
		os.Args = append(os.Args[:1], os.Args[2:]...)
	}
	var x extra
	wiring.Main("auth", wiring.ModeServer, x.declare, func(ctx context.Context, in *wiring.Infra) (*fiber.App, error) {
		api, svc, outbox, err := build(ctx, in, x)
		if err != nil {
			return nil, err
		}
		if bootstrapOnly && in.S.AdminEmail == "" {
			return nil, errors.New("bootstrap-admin needs AUTH_BOOTSTRAP_ADMIN_EMAIL and AUTH_BOOTSTRAP_ADMIN_PASSWORD")
		}
		if in.S.AdminEmail != "" {
			created, err := svc.BootstrapAdmin(ctx, in.S.AdminEmail, in.S.AdminPassword, "Administrator")
			if err != nil {
				return nil, fmt.Errorf("bootstrap admin: %w", err)
			}
			in.Log.Info("bootstrap admin ensured", "email", in.S.AdminEmail, "created", created)
		}
		if bootstrapOnly {
			in.Close()
			os.Exit(0)
		}
		if _, err := in.StartRelay(ctx, "auth-outbox", outbox); err != nil {
			return nil, err
		}
		app := in.NewApp("auth")
		api.Mount(app.Group("/api/auth"))
		return app, nil
	})
}

// build assembles the identity service on in's infrastructure: PostgreSQL and
// Redis in server mode, the memory adapters in embedded mode.
func build(ctx context.Context, in *wiring.Infra, x extra) (*auth.API, *ident.Service, relay.Source, error) {
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
			return nil, nil, nil, err
		}
		ps, err := pgstore.New(ctx, pool)
		if err != nil {
			return nil, nil, nil, err
		}
		rc, err := in.Redis(ctx)
		if err != nil {
			return nil, nil, nil, err
		}
		store, outbox = ps, ps.Outbox()
		sessions = redisstore.New(rc, in.S.BusPrefix+":auth:")
		limiter = ratelimit.NewRedis(rc, in.S.BusPrefix+":ratelimit:auth:")
	}
	box, err := in.SealedBox()
	if err != nil {
		return nil, nil, nil, err
	}
	keys, err := in.KeySet()
	if err != nil {
		return nil, nil, nil, err
	}
	verifier, err := in.Verifier()
	if err != nil {
		return nil, nil, nil, err
	}
	hasher, err := ident.NewArgon2id(ident.DefaultArgon2Params, *x.hashConcurrency)
	if err != nil {
		return nil, nil, nil, err
	}
	// The link-token HMAC key is derived from MAIL_LINK_KEY so one secret
	// covers the mail links; the derivation keeps the two uses apart.
	mac := hmac.New(sha256.New, []byte(in.S.MailLinkKey))
	mac.Write([]byte("evshop identity link tokens"))
	svc, err := ident.NewService(ctx, ident.Config{Store: store, Sessions: sessions, Hasher: hasher, Sealer: box,
		TokenKey: mac.Sum(nil), Log: in.Log, RefreshTTL: *x.refreshTTL})
	if err != nil {
		return nil, nil, nil, err
	}
	signer, err := authn.NewSigner(authn.SignerConfig{Keys: keys, Issuer: in.S.JWTIssuer, Audience: in.S.JWTAudience, TTL: *x.accessTTL})
	if err != nil {
		return nil, nil, nil, err
	}
	trusted, err := ratelimit.ParsePrefixes(*x.trusted)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("AUTH_TRUSTED_PROXIES: %w", err)
	}
	api, err := auth.New(auth.Deps{Service: svc, Signer: signer, Keys: keys, Verifier: verifier, Limiter: limiter,
		Log: in.Log, CookieSecure: in.S.CookieSecure, TrustedProxies: trusted})
	if err != nil {
		return nil, nil, nil, err
	}
	return api, svc, outbox, nil
}

func genkey(args []string) int {
	k, err := authn.GenerateSigningKey()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if len(args) > 0 {
		if k, err = k.WithID(args[0]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	fmt.Println(k.MarshalSeed())
	return 0
}
