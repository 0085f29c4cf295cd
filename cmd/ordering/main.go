// Command ordering runs the ordering service on its own: the orders API
// (/api/orders, /api/admin/orders), the ordering command handlers on the bus
// and the orders read-model projector.
package main

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/wiring"
	"github.com/evshop/shop/wiring/providers/esdbstore"
)

func main() {
	wiring.Main("ordering", wiring.ModeServer, func(ctx context.Context, in *wiring.Infra, s *wiring.OrderingSettings) (*fiber.App, error) {
		esdbstore.Set(&in.Providers)
		svc, err := in.Ordering(ctx, s.Ordering)
		if err != nil {
			return nil, err
		}
		app := in.NewApp("ordering")
		wiring.MountAll(app, svc.Routes)
		return app, nil
	})
}
