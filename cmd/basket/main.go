// Command basket runs the basket service on its own: the basket API, its
// command handlers and the Redis basket read-model projector. Products are
// looked up through the catalog's API; orders are placed over the bus.
package main

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/wiring"
	"github.com/evshop/shop/wiring/providers/esdbstore"
)

func main() {
	wiring.Main("basket", wiring.ModeServer, func(ctx context.Context, in *wiring.Infra, s *wiring.BasketSettings) (*fiber.App, error) {
		esdbstore.Set(&in.Providers)
		svc, err := in.Basket(ctx, s.Basket, nil, nil, s.CatalogURL)
		if err != nil {
			return nil, err
		}
		app := in.NewApp("basket")
		wiring.MountAll(app, svc.Routes)
		return app, nil
	})
}
