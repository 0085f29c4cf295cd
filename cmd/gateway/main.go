// Command gateway is the single entry of the storefront in server mode: it
// proxies /api/<service>/… to the URL in UPSTREAM_<SERVICE>, verifies access
// tokens against the auth service's JWKS (JWKS_URL), enforces CSRF, CORS,
// rate and body limits, adds security headers and request ids, and serves
// /api/openapi.json, /api/docs and the built storefront (WEB_DIR).
package main

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/wiring"
)

func main() {
	wiring.Main("gateway", wiring.ModeServer, func(ctx context.Context, in *wiring.Infra, s *wiring.GatewaySettings) (*fiber.App, error) {
		routes, err := wiring.UpstreamRoutes(s.Upstreams)
		if err != nil {
			return nil, err
		}
		return in.Gateway(ctx, s.Gateway, routes, nil)
	})
}
