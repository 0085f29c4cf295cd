package wiring

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/api/gateway"
	apipayment "github.com/evshop/shop/api/payment"
	"github.com/evshop/shop/platform/ratelimit"
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
func (in *Infra) Gateway(ctx context.Context, routes []gateway.Route, root func(fiber.Router)) (*fiber.App, error) {
	verifier, err := in.Verifier()
	if err != nil {
		return nil, err
	}
	key, err := in.csrfKey()
	if err != nil {
		return nil, err
	}
	cfg := gateway.Config{
		Log: in.Log, Verifier: verifier, CSRFKey: key, CookieSecure: in.S.CookieSecure, StripeJS: slices.Contains(in.S.PaymentGateways, "stripe"),
		RateLimit: ratelimit.Limit{Events: in.S.RateLimit, Window: time.Minute},
		StaticDir: in.S.WebDir, Registry: in.Registry, Ready: in.Checks(), Root: root, TrustedProxies: in.S.TrustedProxies,
		CSRFExempt: append([]string{"/api/notifications/unsubscribe"}, apipayment.WebhookPaths...),
	}
	if in.S.CORSOrigins != "" {
		for _, o := range strings.Split(in.S.CORSOrigins, ",") {
			cfg.AllowedOrigins = append(cfg.AllowedOrigins, strings.TrimSpace(o))
		}
	}
	if in.S.Embedded() {
		cfg.Limiter = ratelimit.NewMemory(time.Now)
	} else {
		rc, err := in.Redis(ctx)
		if err != nil {
			return nil, err
		}
		cfg.Limiter = ratelimit.NewRedis(rc, in.S.BusPrefix+":ratelimit:gateway")
	}
	methods, err := in.S.PaymentMethods()
	if err != nil {
		return nil, err
	}
	cfg.Routes = append(routes, gateway.Route{Prefix: "/api/config", Mount: in.publicConfig(methods)})
	return gateway.New(cfg)
}

// UpstreamRoutes are the gateway's routes in server mode: every prefix of
// PublicAPI proxied to the URL configured for its service.
func (in *Infra) UpstreamRoutes() ([]gateway.Route, error) {
	out := make([]gateway.Route, 0, len(PublicAPI))
	for _, r := range PublicAPI {
		url, ok := in.S.UpstreamURLs[r.Service]
		if !ok || *url == "" {
			return nil, fmt.Errorf("UPSTREAM_%s is required for the gateway in server mode", r.Service)
		}
		out = append(out, gateway.Route{Prefix: r.Prefix, Target: *url})
	}
	return out, nil
}

// publicConfig tells the storefront which payment methods the shop accepts
// (the checkout offers only these) and, for older storefronts, the first of
// them as paymentGateway.
func (in *Infra) publicConfig(methods []string) func(fiber.Router) {
	return func(r fiber.Router) {
		r.Get("/", func(c *fiber.Ctx) error {
			body := fiber.Map{"paymentMethods": methods, "paymentGateway": methods[0]}
			if slices.Contains(methods, "stripe") && in.S.StripePublic != "" {
				body["stripePublishableKey"] = in.S.StripePublic
			}
			return c.JSON(body)
		})
	}
}

func (in *Infra) csrfKey() ([]byte, error) {
	if in.S.CSRFKey == "" {
		if !in.S.Embedded() {
			return nil, fmt.Errorf("CSRF_KEY is required in server mode (64 hex characters)")
		}
		b := make([]byte, 32)
		rand.Read(b) //nolint:errcheck
		return b, nil
	}
	b, err := hex.DecodeString(in.S.CSRFKey)
	if err != nil || len(b) < 32 {
		return nil, fmt.Errorf("CSRF_KEY must be at least 64 hex characters")
	}
	return b, nil
}
