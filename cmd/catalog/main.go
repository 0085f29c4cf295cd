// Command catalog runs the catalog service on its own: the catalog API on
// MongoDB with a Redis cache, and the checkout saga's stock commands
// (ReserveStock, ReleaseStock, CommitStock), whose outcome events it appends
// to the event store for the relay to publish.
//
//	catalog          serve (SEED_DEMO=true also seeds the demo catalog)
//	catalog seed     insert the missing demo products, then exit
package main

import (
	"context"
	"os"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/wiring"
	"github.com/evshop/shop/wiring/providers/esdbstore"
	"github.com/evshop/shop/wiring/providers/mongostores"
)

func main() {
	seedOnly := len(os.Args) > 1 && os.Args[1] == "seed"
	if seedOnly {
		os.Args = append(os.Args[:1], os.Args[2:]...)
	}
	wiring.Main("catalog", wiring.ModeServer, func(ctx context.Context, in *wiring.Infra, s *wiring.CatalogSettings) (*fiber.App, error) {
		esdbstore.Set(&in.Providers)
		mongostores.Set(&in.Providers)
		if seedOnly {
			s.Catalog.SeedDemo = true
		}
		svc, err := in.Catalog(ctx, s.Catalog)
		if err != nil || seedOnly {
			return nil, err // seeding happened while building; nothing to serve
		}
		app := in.NewAppWithBodyLimit("catalog", s.Catalog.Uploads.BodyLimit())
		wiring.MountAll(app, svc.Routes)
		return app, nil
	})
}
