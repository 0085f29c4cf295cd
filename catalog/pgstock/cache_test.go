package pgstock_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/catalogtest"
	"github.com/evshop/shop/catalog/kvcache"
	"github.com/evshop/shop/catalog/mongostore"
	"github.com/evshop/shop/catalog/pgstock"
	smpostgres "github.com/evshop/shop/catalog/stockmoves/postgres"
	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/platform/testenv"
)

// countedPG is the PostgreSQL-stock store counting product reads; its other
// interfaces (OrderStore, StockMover, StockOverlay) stay visible.
type countedPG struct {
	*pgstock.Store
	catalogtest.Reads
}

func (c *countedPG) Get(ctx context.Context, sku domain.SKU) (domain.Product, error) {
	c.Gets.Add(1)
	return c.Store.Get(ctx, sku)
}

func (c *countedPG) Family(ctx context.Context, id domain.SKU) ([]domain.Product, error) {
	c.Families.Add(1)
	return c.Store.Family(ctx, id)
}

// countedMongo is the MongoDB-stock store (CATALOG_STOCK=mongo) counting
// product reads.
type countedMongo struct {
	*mongostore.Store
	catalogtest.Reads
}

func (c *countedMongo) Get(ctx context.Context, sku domain.SKU) (domain.Product, error) {
	c.Gets.Add(1)
	return c.Store.Get(ctx, sku)
}

func (c *countedMongo) Family(ctx context.Context, id domain.SKU) ([]domain.Product, error) {
	c.Families.Add(1)
	return c.Store.Family(ctx, id)
}

// TestCachedProductsAcrossStockChanges: with the stock in PostgreSQL, a
// checkout's stock operations keep the cached product details; with the
// stock in MongoDB every stock change still empties the cache
// (catalogtest.CachedAcrossStockChanges). Both wired as the server-mode
// shop does: Redis cache, movements in PostgreSQL.
func TestCachedProductsAcrossStockChanges(t *testing.T) {
	t.Parallel()
	config := func(t *testing.T, store catalog.Store, pool *pgxpool.Pool) catalog.Config {
		moves, err := smpostgres.New(context.Background(), pool)
		if err != nil {
			t.Fatal(err)
		}
		client, prefix := testenv.Redis(t)
		return catalog.Config{Store: store, Cache: kvcache.NewRedis(client, prefix), Moves: moves}
	}
	catalogtest.CachedAcrossStockChanges(t, []catalogtest.CachedStore{
		{Name: "postgres stock", Open: func(t *testing.T) (catalog.Config, *catalogtest.Reads) {
			pool := testenv.Postgres(t)
			s := &countedPG{Store: open(t, testenv.Mongo(t), pool)}
			return config(t, s, pool), &s.Reads
		}},
		{Name: "mongo stock", StockEmpties: true, Open: func(t *testing.T) (catalog.Config, *catalogtest.Reads) {
			m, err := mongostore.New(context.Background(), testenv.Mongo(t))
			if err != nil {
				t.Fatal(err)
			}
			s := &countedMongo{Store: m}
			return config(t, s, testenv.Postgres(t)), &s.Reads
		}},
	})
}
