package wiring

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	apicatalog "github.com/evshop/shop/api/catalog"
	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/images"
	imgmemory "github.com/evshop/shop/catalog/images/memory"
	imgsqlite "github.com/evshop/shop/catalog/images/sqlite"
	"github.com/evshop/shop/catalog/kvcache"
	catalogmem "github.com/evshop/shop/catalog/memory"
	catalogsqlite "github.com/evshop/shop/catalog/sqlitestore"
	"github.com/evshop/shop/catalog/stockmoves"
	smmemory "github.com/evshop/shop/catalog/stockmoves/memory"
	smpostgres "github.com/evshop/shop/catalog/stockmoves/postgres"
	smsqlite "github.com/evshop/shop/catalog/stockmoves/sqlite"
	basketcmd "github.com/evshop/shop/commands/basket"
	domaincatalog "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/eventstore"
)

// CatalogService is the catalog service.
type CatalogService struct {
	Service *catalog.Service
	Routes  []Route
}

// stockAppender appends stock outcomes to the event store. Any revision: the
// stream holds only this service's outcomes, and the event ids derive from
// the order id, so a repeated append is a no-op.
type stockAppender struct{ store eventstore.Store }

func (a stockAppender) Append(ctx context.Context, stream string, events ...eventstore.EventData) error {
	_, err := a.store.Append(ctx, stream, eventstore.Any(), events...)
	return err
}

// catalogCache is the product cache: Redis in server mode (shared by every
// replica and by the client service's reader), memory when embedded.
func (in *Infra) catalogCache(ctx context.Context) (catalog.Cache, error) {
	if in.S.Embedded() {
		return kvcache.NewMemory(0), nil
	}
	rdb, err := in.Redis(ctx)
	if err != nil {
		return nil, err
	}
	return kvcache.NewRedis(rdb, in.S.BusPrefix+":"), nil
}

// catalogService opens the catalog store and service (no handlers); events,
// when not nil, records restocks (the catalog service itself).
func (in *Infra) catalogService(ctx context.Context, stock Stock, events catalog.EventAppender) (*catalog.Service, error) {
	var store catalog.Store
	switch {
	case in.S.Durable():
		db, err := in.SQLite(ctx)
		if err != nil {
			return nil, err
		}
		if store, err = catalogsqlite.New(ctx, db); err != nil {
			return nil, err
		}
	case in.S.Embedded():
		store = catalogmem.New()
	default:
		db, err := in.Mongo(ctx)
		if err != nil {
			return nil, err
		}
		var pool *pgxpool.Pool // the stock levels' (STOCK_STORE=postgres)
		if stock.Store == "postgres" {
			if pool, err = in.Postgres(ctx); err != nil {
				return nil, err
			}
		}
		if store, err = db.Products(ctx, pool); err != nil {
			return nil, err
		}
	}
	cache, err := in.catalogCache(ctx)
	if err != nil {
		return nil, err
	}
	var moves stockmoves.Log
	if events != nil { // the catalog service itself, which moves stock
		if moves, err = in.stockMoves(ctx); err != nil {
			return nil, err
		}
	}
	return catalog.New(catalog.Config{Store: store, Cache: cache, Log: in.Log, Events: events, Moves: moves})
}

// stockMoves is the history of stock movements, in the database of the
// stock itself (so SQLite and PostgreSQL stock record each movement in the
// stock change's transaction); with CATALOG_STOCK=mongo it is PostgreSQL's.
func (in *Infra) stockMoves(ctx context.Context) (stockmoves.Log, error) {
	switch {
	case in.S.Durable():
		db, err := in.SQLite(ctx)
		if err != nil {
			return nil, err
		}
		return smsqlite.New(ctx, db)
	case in.S.Embedded():
		return smmemory.New(), nil
	}
	pool, err := in.Postgres(ctx)
	if err != nil {
		return nil, err
	}
	return smpostgres.New(ctx, pool)
}

// catalogImages is where uploaded product images are kept: the catalog's own
// database (SQLite, memory, or MongoDB in server mode).
func (in *Infra) catalogImages(ctx context.Context) (images.Store, error) {
	switch {
	case in.S.Durable():
		db, err := in.SQLite(ctx)
		if err != nil {
			return nil, err
		}
		return imgsqlite.New(ctx, db)
	case in.S.Embedded():
		return imgmemory.New(), nil
	}
	db, err := in.Mongo(ctx)
	if err != nil {
		return nil, err
	}
	return db.CatalogImages(ctx)
}

// Catalog assembles the catalog service: its API, the stock commands of the
// checkout saga, and (SEED_DEMO) the demo products.
func (in *Infra) Catalog(ctx context.Context, o Catalog) (*CatalogService, error) {
	es, err := in.EventStore(ctx)
	if err != nil {
		return nil, err
	}
	svc, err := in.catalogService(ctx, o.Stock, stockAppender{store: es})
	if err != nil {
		return nil, err
	}
	if o.SeedDemo {
		n, err := svc.SeedDemo(ctx)
		if err != nil {
			return nil, fmt.Errorf("seed demo catalog: %w", err)
		}
		if n > 0 {
			in.Log.Info("demo catalog seeded", "inserted", n)
		}
	}
	handlers, err := catalog.NewStockHandlers(svc, stockAppender{store: es})
	if err != nil {
		return nil, err
	}
	bus, err := in.Bus(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.commandHandlers(bus, handlers.CommandHandlers()); err != nil {
		return nil, err
	}
	returned, err := catalog.NewReturnHandlers(svc, es)
	if err != nil {
		return nil, err
	}
	if err := in.commandHandlers(bus, returned.CommandHandlers()); err != nil {
		return nil, err
	}
	verifier, err := in.Verifier(o.Tokens)
	if err != nil {
		return nil, err
	}
	uploads, err := in.catalogImages(ctx)
	if err != nil {
		return nil, err
	}
	api, err := apicatalog.New(apicatalog.Deps{Catalog: svc, Log: in.Log, Verifier: verifier, Uploads: uploads,
		ImageLimits: images.Limits{MaxBytes: o.Uploads.ImageMaxBytes, MaxPixels: o.Uploads.ImageMaxPixels}})
	if err != nil {
		return nil, err
	}
	return &CatalogService{Service: svc, Routes: []Route{{Prefix: "/api/catalog", Mount: api.Mount}}}, nil
}

// BasketLookup adapts the catalog service to the basket's product lookup.
func BasketLookup(svc *catalog.Service) basketcmd.ProductLookup {
	return basketcmd.ProductLookupFunc(func(ctx context.Context, sku string) (basketcmd.Product, error) {
		p, err := svc.Lookup(ctx, sku)
		if errors.Is(err, domaincatalog.ErrNotFound) || errors.Is(err, domaincatalog.ErrInvalid) {
			return basketcmd.Product{}, fmt.Errorf("%w: %s", basketcmd.ErrUnknownProduct, sku)
		}
		if err != nil {
			return basketcmd.Product{}, err
		}
		return basketcmd.Product{SKU: p.SKU, Name: p.Name, Category: p.Category, Price: p.Price, Archived: p.Archived,
			TaxClass: p.TaxClass, WeightGrams: p.WeightGrams}, nil
	})
}
