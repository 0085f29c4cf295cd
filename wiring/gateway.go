package wiring

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/api/gateway"
	apipayment "github.com/evshop/shop/api/payment"
	"github.com/evshop/shop/platform/ratelimit"
	"github.com/evshop/shop/web"
)

// InProcess turns service routes into gateway routes served in this process.
func InProcess(routes []Route) []gateway.Route {
	out := make([]gateway.Route, 0, len(routes))
	for _, r := range routes {
		out = append(out, gateway.Route{Prefix: r.Prefix, Mount: r.Mount})
	}
	return out
}

// Gateway builds the single entry over routes: in process (InProcess) in the
// one-process shop, proxied (UpstreamRoutes) by cmd/gateway.
// root, when set, mounts non-API routes (the embedded /dev/mail).
func (in *Infra) Gateway(ctx context.Context, o Gateway, routes []gateway.Route, root func(fiber.Router)) (*fiber.App, error) {
	verifier, err := in.Verifier(o.Tokens)
	if err != nil {
		return nil, err
	}
	key, err := in.csrfKey(o.CSRFKey)
	if err != nil {
		return nil, err
	}
	trusted, err := o.Proxies.Prefixes()
	if err != nil {
		return nil, err
	}
	static, err := web.Storefront()
	if err != nil && o.WebDir == "" {
		in.Log.Warn("no storefront to serve", "err", err) // the API works without it
	}
	cfg := gateway.Config{
		Log: in.Log, Verifier: verifier, CSRFKey: key, CookieSecure: o.Cookies.Secure, TrustedProxies: trusted,
		StripeJS:  o.Methods.Has("stripe"),
		RateLimit: ratelimit.Limit{Events: o.RateLimit, Window: time.Minute},
		StaticDir: o.WebDir, Static: static, Registry: in.Registry, Ready: in.Checks(), Root: root,
		BodyLimit:      o.Uploads.BodyLimit(), // product image uploads
		CSRFExempt:     append([]string{"/api/notifications/unsubscribe"}, apipayment.WebhookPaths...),
		AllowedOrigins: o.CORSOrigins,
	}
	switch {
	case in.S.Embedded():
		// Memory even when the shop keeps its data: a write per request
		// to the one-writer database would cost every request, and a
		// per-minute request budget may start afresh after a restart
		// (sign-in attempts are limited by the auth store, which keeps them).
		cfg.Limiter = ratelimit.NewMemory(time.Now)
	default:
		rc, err := in.Redis(ctx)
		if err != nil {
			return nil, err
		}
		cfg.Limiter = ratelimit.NewRedis(rc, in.S.BusPrefix+":ratelimit:gateway")
	}
	cfg.Routes = append(routes, gateway.Route{Prefix: "/api/config", Mount: publicConfig(o.Methods, o.StripePublishableKey)})
	return gateway.New(cfg)
}

// UpstreamRoutes are the gateway's routes in server mode: every prefix of
// PublicAPI proxied to the URL configured for its service
// (UPSTREAM_<Service>, required and validated by Upstreams).
func UpstreamRoutes(u Upstreams) ([]gateway.Route, error) {
	urls := map[string]string{}
	for _, up := range u.ByService() {
		urls[up.Service] = up.URL
	}
	out := make([]gateway.Route, 0, len(PublicAPI))
	for _, r := range PublicAPI {
		url := urls[r.Service]
		if url == "" {
			return nil, fmt.Errorf("UPSTREAM_%s is required for the gateway in server mode", r.Service)
		}
		out = append(out, gateway.Route{Prefix: r.Prefix, Target: url})
	}
	return out, nil
}

// publicConfig tells the storefront which payment methods the shop accepts
// (the checkout offers only these) and, for older storefronts, the first of
// them as paymentGateway.
func publicConfig(m PaymentMethods, stripeKey string) func(fiber.Router) {
	methods := slices.Clone(m.Gateways)
	return func(r fiber.Router) {
		r.Get("/", func(c *fiber.Ctx) error {
			body := fiber.Map{"paymentMethods": methods, "paymentGateway": ""}
			if len(methods) > 0 {
				body["paymentGateway"] = methods[0]
			}
			if m.Has("stripe") && stripeKey != "" {
				body["stripePublishableKey"] = stripeKey
			}
			return c.JSON(body)
		})
	}
}

func (in *Infra) csrfKey(hexKey string) ([]byte, error) {
	if hexKey == "" {
		if sec, err := in.Secrets(context.Background()); err != nil {
			return nil, err
		} else if sec != nil {
			hexKey = sec.CSRFKey
		}
	}
	if hexKey == "" {
		if !in.S.Embedded() {
			return nil, fmt.Errorf("CSRF_KEY is required in server mode (64 hex characters)")
		}
		b := make([]byte, 32)
		rand.Read(b) //nolint:errcheck
		return b, nil
	}
	b, err := hex.DecodeString(hexKey)
	if err != nil || len(b) < 32 {
		return nil, fmt.Errorf("CSRF_KEY must be at least 64 hex characters")
	}
	return b, nil
}
