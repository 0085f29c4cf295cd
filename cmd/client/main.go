// Command client runs the client-profile service on its own: the profile
// API on MongoDB with a Redis cache, the profile-creating handler of
// identity.UserRegistered.v1, and the recommendations projector on the
// ordering events. Recommendations read the catalog from the same MongoDB
// database (read-only; the catalog service owns it).
package main

import (
	"context"

	"github.com/gofiber/fiber/v2"

	apiclient "github.com/evshop/shop/api/client"
	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/kvcache"
	catalogmongo "github.com/evshop/shop/catalog/mongostore"
	"github.com/evshop/shop/client"
	clientmongo "github.com/evshop/shop/client/mongostore"
	"github.com/evshop/shop/projections/recommendations"
	"github.com/evshop/shop/wiring"
)

func main() {
	wiring.Main("client", wiring.ModeServer, nil, func(ctx context.Context, in *wiring.Infra) (*fiber.App, error) {
		db, err := in.Mongo(ctx)
		if err != nil {
			return nil, err
		}
		rdb, err := in.Redis(ctx)
		if err != nil {
			return nil, err
		}
		cache := kvcache.NewRedis(rdb, "shop:")
		history, err := recommendations.NewMongoStore(ctx, db)
		if err != nil {
			return nil, err
		}
		svc, err := client.New(client.Config{Store: clientmongo.New(db), Cache: cache,
			History: recommendations.History{Store: history}, Log: in.Log})
		if err != nil {
			return nil, err
		}
		products, err := catalogmongo.New(ctx, db)
		if err != nil {
			return nil, err
		}
		// Same cache namespace as the catalog service, so its writes
		// invalidate what this reader cached.
		catalogReader, err := catalog.New(catalog.Config{Store: products, Cache: cache, Log: in.Log})
		if err != nil {
			return nil, err
		}
		rec, err := recommendations.NewRecommender(history, catalogReader)
		if err != nil {
			return nil, err
		}
		if err := in.On(ctx, svc.UserRegisteredHandler(), recommendations.NewProjector(history).EventHandler()); err != nil {
			return nil, err
		}
		verifier, err := in.Verifier()
		if err != nil {
			return nil, err
		}
		api, err := apiclient.New(apiclient.Deps{Clients: svc, Recommender: rec, Log: in.Log, Verifier: verifier})
		if err != nil {
			return nil, err
		}
		app := in.NewApp("client")
		api.Mount(app.Group("/api/clients"))
		return app, nil
	})
}
