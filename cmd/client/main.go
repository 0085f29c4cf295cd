// Command client runs the client service on its own: customer profiles and
// preferences on MongoDB with a Redis cache, profiles created on
// UserRegistered, and recommendations kept current from order events.
package main

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/wiring"
	"github.com/evshop/shop/wiring/providers/esdbstore"
	"github.com/evshop/shop/wiring/providers/mongostores"
)

func main() {
	wiring.Main("client", wiring.ModeServer, func(ctx context.Context, in *wiring.Infra, s *wiring.ClientSettings) (*fiber.App, error) {
		esdbstore.Set(&in.Providers)
		mongostores.Set(&in.Providers)
		svc, err := in.Client(ctx, s.Client, nil)
		if err != nil {
			return nil, err
		}
		app := in.NewApp("client")
		wiring.MountAll(app, svc.Routes)
		return app, nil
	})
}
