// Command admin runs the support back office that belongs to no single
// service: projection status and rebuilds (/api/admin/projections) and dead
// letters with redrive (/api/admin/deadletters). Run one instance; a second
// concurrent rebuild of the same projection is refused anyway.
package main

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/wiring"
	"github.com/evshop/shop/wiring/providers/esdbstore"
	"github.com/evshop/shop/wiring/providers/mongostores"
)

func main() {
	wiring.Main("admin", wiring.ModeServer, func(ctx context.Context, in *wiring.Infra, s *wiring.AdminSettings) (*fiber.App, error) {
		esdbstore.Set(&in.Providers)
		mongostores.Set(&in.Providers)
		admin, err := in.Admin(ctx, s.Admin)
		if err != nil {
			return nil, err
		}
		app := in.NewApp("admin")
		wiring.MountAll(app, admin.Routes)
		return app, nil
	})
}
