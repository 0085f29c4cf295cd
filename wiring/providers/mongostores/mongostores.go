// Package mongostores connects to MongoDB and opens the stores the server
// mode keeps there: the catalog's products, the client profiles and the
// recommendations' order history. Only the binaries that read them import
// it (cmd/catalog, cmd/client, cmd/notifier, cmd/admin, cmd/shop), so only
// they link the MongoDB driver (TestBinariesLinkOnlyWhatTheyRun).
package mongostores

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/images"
	imgmongo "github.com/evshop/shop/catalog/images/mongo"
	catalogmongo "github.com/evshop/shop/catalog/mongostore"
	"github.com/evshop/shop/catalog/pgstock"
	"github.com/evshop/shop/client"
	clientmongo "github.com/evshop/shop/client/mongostore"
	"github.com/evshop/shop/projections/rebuild"
	"github.com/evshop/shop/projections/recommendations"
	recomongo "github.com/evshop/shop/projections/recommendations/mongostore"
	"github.com/evshop/shop/wiring/provider"
)

// Set fills the MongoDB adapter of s.
func Set(s *provider.Set) { s.Mongo = Connect }

// Connect connects to the MongoDB at url and checks it answers.
func Connect(ctx context.Context, url, database string) (provider.Mongo, error) {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, err := mongo.Connect(cctx, options.Client().ApplyURI(url))
	if err != nil {
		return nil, fmt.Errorf("MONGO_URL: %w", err)
	}
	if err := c.Ping(cctx, nil); err != nil {
		c.Disconnect(context.Background()) //nolint:errcheck
		return nil, fmt.Errorf("MONGO_URL: %w", err)
	}
	return DB{c.Database(database)}, nil
}

// DB is one MongoDB database and the stores in it.
type DB struct{ *mongo.Database }

// Products is the catalog's store, its stock in PostgreSQL when stock is not nil.
func (d DB) Products(ctx context.Context, stock *pgxpool.Pool) (catalog.Store, error) {
	products, err := catalogmongo.New(ctx, d.Database)
	switch {
	case err != nil:
		return nil, err
	case stock == nil:
		return products, nil
	}
	withStock, err := pgstock.New(ctx, products, stock)
	if err != nil {
		return nil, err
	}
	return withStock, nil
}

// CatalogImages is the catalog's store of uploaded product images.
func (d DB) CatalogImages(context.Context) (images.Store, error) {
	return imgmongo.New(d.Database), nil
}

// Clients is the client service's store.
func (d DB) Clients(ctx context.Context) (client.Store, error) {
	s, err := clientmongo.New(ctx, d.Database)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Recommendations is the recommendations' order history.
func (d DB) Recommendations(ctx context.Context) (recommendations.Store, error) {
	s, err := recomongo.New(ctx, d.Database)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// RecommendationsRebuild is the rebuild target of the recommendations.
func (d DB) RecommendationsRebuild(ctx context.Context) (rebuild.Projection, error) {
	t, err := recomongo.NewRebuildTarget(ctx, d.Database)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Ping checks the server answers.
func (d DB) Ping(ctx context.Context) error { return d.Client().Ping(ctx, nil) }

// Close disconnects.
func (d DB) Close() { d.Client().Disconnect(context.Background()) } //nolint:errcheck
