package wiring

import (
	"context"

	apibasket "github.com/evshop/shop/api/basket"
	basketcmd "github.com/evshop/shop/commands/basket"
	ordercmd "github.com/evshop/shop/commands/ordering"
	"github.com/evshop/shop/discounts"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/payments/sandbox"
	"github.com/evshop/shop/projections/baskets"
	basketssqlite "github.com/evshop/shop/projections/baskets/sqlitestore"
	"github.com/evshop/shop/projections/rebuild"
	"github.com/evshop/shop/wiring/settings"
)

// BasketService is the basket service.
type BasketService struct {
	Commands *basketcmd.Handlers
	View     baskets.Store
	// Discounts are the discount codes; the checkout reserves a code's use
	// through Discounts.Redeemer().
	Discounts *discounts.Service
	Routes    []Route
	Rebuild   rebuild.Projection // embedded mode only (see OrderingService.Rebuild)
}

// busPlacer sends PlaceOrder to the ordering service's queue. The order id
// comes from the Idempotency-Key, so a resend is harmless.
type busPlacer struct{ bus *messaging.Bus }

func (p busPlacer) PlaceOrder(ctx context.Context, cmd *ordercmd.PlaceOrder) error {
	return p.bus.Send(ctx, cmd)
}

// Basket assembles the basket service. products is the catalog lookup (in
// process when embedded; nil makes it use the catalog's HTTP API). orders,
// when not nil, places orders in process; otherwise PlaceOrder goes over the
// bus.
func (in *Infra) Basket(ctx context.Context, o Basket, products basketcmd.ProductLookup, orders basketcmd.OrderPlacer, catalogURL string) (*BasketService, error) {
	store, err := in.EventStore(ctx)
	if err != nil {
		return nil, err
	}
	bus, err := in.Bus(ctx)
	if err != nil {
		return nil, err
	}
	if products == nil {
		if products, err = newCatalogHTTP(catalogURL); err != nil {
			return nil, err
		}
	}
	if orders == nil {
		orders = busPlacer{bus}
	}
	cmds, err := basketcmd.NewHandlers(basketcmd.Config{Store: store, Products: products, Orders: orders, Metadata: messaging.EventMetadata})
	if err != nil {
		return nil, err
	}
	var view baskets.Store
	var target rebuild.Projection
	switch {
	case in.S.Durable():
		db, err := in.SQLite(ctx)
		if err != nil {
			return nil, err
		}
		if err := basketssqlite.Migrate(ctx, db); err != nil {
			return nil, err
		}
		if view, err = basketssqlite.New(db); err != nil {
			return nil, err
		}
		if target, err = basketssqlite.NewRebuildTarget(db); err != nil {
			return nil, err
		}
	case in.S.Embedded():
		sw, err := baskets.NewSwappable(baskets.NewMemory())
		if err != nil {
			return nil, err
		}
		if target, err = sw.RebuildTarget(); err != nil {
			return nil, err
		}
		view = sw
	default:
		rc, err := in.Redis(ctx)
		if err != nil {
			return nil, err
		}
		// ActiveRedis follows the generation pointer a rebuild swaps.
		if view, err = baskets.NewActiveRedis(rc, in.basketsBase()); err != nil {
			return nil, err
		}
	}
	projector, err := baskets.NewProjector(view)
	if err != nil {
		return nil, err
	}
	projector.Malformed = in.malformed(projector.Name())
	if err := in.OnProjector(ctx, o.Projections, projector); err != nil {
		return nil, err
	}
	verifier, err := in.Verifier(o.Tokens)
	if err != nil {
		return nil, err
	}
	tokenizer := apibasket.TokenizerFunc(func(_ context.Context, number string) (apibasket.Card, error) {
		c, err := sandbox.Tokenize(number)
		return apibasket.Card{Token: c.Token, Last4: c.Last4}, err
	})
	api, err := apibasket.New(apibasket.Deps{Commands: cmds, Reader: view, Events: store, Tokenizer: tokenizer, PaymentMethods: o.Methods.Gateways,
		Log: in.Log, Verifier: verifier, SecureCookie: o.Cookies.Secure})
	if err != nil {
		return nil, err
	}
	codes, codesRoute, err := in.Discounts(ctx, verifier)
	if err != nil {
		return nil, err
	}
	return &BasketService{Commands: cmds, View: view, Discounts: codes, Rebuild: target,
		Routes: []Route{{Prefix: "/api/basket", Mount: api.Mount}, codesRoute}}, nil
}

// basketsBase is the Redis key space of the basket read model.
func (in *Infra) basketsBase() string { return settings.BasketsBase(in.S.BusPrefix) }
