// Package provider declares, as constructors a binary hands to wiring
// (Infra.Providers), the adapters whose SDKs or drivers only some binaries
// need: the outside services a shop pays for — Stripe, PayPal, Amazon SES —
// and the stores with heavy drivers — MongoDB, EventStoreDB and the
// embedded SQLite database. A binary takes the ones of the services it runs
// from wiring/providers/...; the others stay nil, are not linked, and
// asking for one in the settings fails with a clear error
// (TestBinariesLinkOnlyWhatTheyRun checks every binary × SDK and driver).
package provider

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"

	apipayment "github.com/evshop/shop/api/payment"
	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/images"
	"github.com/evshop/shop/client"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/mail"
	"github.com/evshop/shop/payments"
	"github.com/evshop/shop/platform/sqlite"
	"github.com/evshop/shop/projections/rebuild"
	"github.com/evshop/shop/projections/recommendations"
	"github.com/evshop/shop/wiring/settings"
)

// StripeGateway is what the payment service needs of Stripe: a gateway and
// its webhook verification.
type StripeGateway interface {
	payments.Gateway
	apipayment.StripeWebhooks
}

// PayPalGateway is what the payment service needs of PayPal.
type PayPalGateway interface {
	payments.Gateway
	apipayment.PayPalWebhooks
}

// Mongo is the server mode's MongoDB database (MONGO_URL, MONGO_DB) with the
// stores kept in it.
type Mongo interface {
	// Products is the catalog's store; with stock not nil
	// (STOCK_STORE=postgres) the stock levels live in that PostgreSQL.
	Products(ctx context.Context, stock *pgxpool.Pool) (catalog.Store, error)
	// CatalogImages is where staff's uploaded product images are kept.
	CatalogImages(ctx context.Context) (images.Store, error)
	// Clients is the client service's profiles and preferences.
	Clients(ctx context.Context) (client.Store, error)
	// Recommendations is the recommendations' order history, and
	// RecommendationsRebuild its rebuild target.
	Recommendations(ctx context.Context) (recommendations.Store, error)
	RecommendationsRebuild(ctx context.Context) (rebuild.Projection, error)
	Ping(ctx context.Context) error
	Close()
}

// ESDB is an event store on EventStoreDB (EVENTSTORE=esdb).
type ESDB interface {
	eventstore.Store
	Close() error
}

// Set holds the constructors; a nil one means the binary was built without
// that adapter.
type Set struct {
	Stripe func(settings.Payment) (StripeGateway, error)
	PayPal func(settings.Payment) (PayPalGateway, error)
	SES    func(context.Context, settings.Notifier) (mail.Sender, error)

	// Mongo connects to MongoDB (catalog, client, and the notifier and
	// admin, which read the client profiles and rebuild recommendations).
	Mongo func(ctx context.Context, url, database string) (Mongo, error)
	// ESDB connects to EventStoreDB (binaries that open the event store).
	ESDB func(ctx context.Context, url string) (ESDB, error)
	// SQLite opens the durable embedded shop's database file (cmd/shop);
	// the stores' SQLite adapters take the *sqlite.DB, whose package does
	// not link the driver.
	SQLite func(ctx context.Context, path string) (*sqlite.DB, error)
}
