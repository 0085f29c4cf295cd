// Command basket runs the basket service on its own: the basket API, its
// command handlers and the Redis basket read-model projector. Products are
// looked up through the catalog's API; orders are placed over the bus.
package main

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/platform/config"
	"github.com/evshop/shop/wiring"
)

func main() {
	var catalogURL *string
	extra := func(cfg *config.Set) {
		catalogURL = cfg.String("catalog-url", "CATALOG_URL", "http://127.0.0.1:8080", "catalog service base URL (product lookups)")
	}
	wiring.Main("basket", wiring.ModeServer, extra, func(ctx context.Context, in *wiring.Infra) (*fiber.App, error) {
		svc, err := in.Basket(ctx, nil, nil, *catalogURL)
		if err != nil {
			return nil, err
		}
		app := in.NewApp("basket")
		wiring.MountAll(app, svc.Routes)
		return app, nil
	})
}
