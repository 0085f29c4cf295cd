// Command catalog runs the catalog service on its own: the catalog API on
// MongoDB with a Redis cache, and the checkout saga's stock commands
// (ReserveStock, ReleaseStock, CommitStock) from the bus, whose outcome
// events it appends to the event store for the relay to publish.
//
//	catalog          serve (SEED_DEMO=true also seeds the demo catalogue)
//	catalog seed     insert the demo products that are missing, then exit
package main

import (
	"context"
	"os"

	"github.com/gofiber/fiber/v2"

	apicatalog "github.com/evshop/shop/api/catalog"
	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/kvcache"
	"github.com/evshop/shop/catalog/mongostore"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/wiring"
)

// appender sends stock outcome events to the event store. Any revision: the
// stream holds only this service's outcomes, and the deterministic event
// ids make a repeated append a no-op.
type appender struct{ store eventstore.Store }

func (a appender) Append(ctx context.Context, stream string, events ...eventstore.EventData) error {
	_, err := a.store.Append(ctx, stream, eventstore.Any(), events...)
	return err
}

func main() {
	seedOnly := len(os.Args) > 1 && os.Args[1] == "seed"
	if seedOnly {
		os.Args = append(os.Args[:1], os.Args[2:]...)
	}
	wiring.Main("catalog", wiring.ModeServer, nil, func(ctx context.Context, in *wiring.Infra) (*fiber.App, error) {
		db, err := in.Mongo(ctx)
		if err != nil {
			return nil, err
		}
		store, err := mongostore.New(ctx, db)
		if err != nil {
			return nil, err
		}
		rdb, err := in.Redis(ctx)
		if err != nil {
			return nil, err
		}
		svc, err := catalog.New(catalog.Config{Store: store, Cache: kvcache.NewRedis(rdb, "shop:"), Log: in.Log})
		if err != nil {
			return nil, err
		}
		if seedOnly || in.S.SeedDemo {
			n, err := svc.SeedDemo(ctx)
			if err != nil {
				return nil, err
			}
			in.Log.Info("demo catalogue seeded", "inserted", n)
			if seedOnly {
				in.Close()
				os.Exit(0)
			}
		}
		es, err := in.EventStore(ctx)
		if err != nil {
			return nil, err
		}
		handlers, err := catalog.NewStockHandlers(svc, appender{store: es})
		if err != nil {
			return nil, err
		}
		bus, err := in.Bus(ctx)
		if err != nil {
			return nil, err
		}
		for _, h := range handlers.CommandHandlers() {
			if err := bus.AddCommandHandler(h); err != nil {
				return nil, err
			}
		}
		verifier, err := in.Verifier()
		if err != nil {
			return nil, err
		}
		api, err := apicatalog.New(apicatalog.Deps{Catalog: svc, Log: in.Log, Verifier: verifier})
		if err != nil {
			return nil, err
		}
		app := in.NewApp("catalog")
		api.Mount(app.Group("/api/catalog"))
		return app, nil
	})
}
