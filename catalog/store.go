// Package catalog is the catalog service's application layer: the product
// store port and its use cases (browse, admin edits, stock reservations for
// the checkout saga), cache-aside reads, the command handlers the saga sends
// ReserveStock/ReleaseStock/CommitStock to, and the demo catalogue. Adapters
// live in subpackages: memory (in-memory demo, tests), sqlitestore (durable
// embedded mode: products, stock and reservations in SQLite, whole orders in
// one transaction through OrderStore), mongostore (MongoDB /
// FerretDB), pgstock (server mode's default: products in MongoDB, stock and
// reservations in PostgreSQL, whole orders in one transaction through
// OrderStore), kvcache (Redis and in-memory caches).
//
// FerretDB has no transactions, so on mongostore every stock change is one atomic
// single-document update guarded by a filter, and a reservation spanning
// several products is made all-or-nothing by the Service: a reservation
// document claims the outcome, each product records the order's hold inside
// itself (so applying a line twice is a no-op), and a failed line rolls back
// the lines already held.
package catalog

import (
	"context"

	domain "github.com/evshop/shop/domain/catalog"
)

// Store is the port every catalog store adapter implements; catalogtest holds
// its contract suite. Errors wrap the domain sentinels.
type Store interface {
	// Insert adds a new product; domain.ErrDuplicate when the SKU exists.
	Insert(ctx context.Context, p domain.Product) error
	// Get returns a product, archived or not; domain.ErrNotFound when absent.
	Get(ctx context.Context, sku domain.SKU) (domain.Product, error)
	// Update writes p's descriptive fields, option values, archived flag,
	// version and update time if the stored version is still prevVersion
	// (else domain.ErrConflict). Stock counters and the product id are
	// never written by Update.
	Update(ctx context.Context, p domain.Product, prevVersion int64) error
	// Family returns every SKU of the product family (archived ones
	// included) in domain.SortFamily order; domain.ErrNotFound when none.
	// A product stored before variants is its own family.
	Family(ctx context.Context, productID domain.SKU) ([]domain.Product, error)
	// List returns one page of the product families matching q, sorted as
	// q says (domain.ListFamilies is the reference), with Page.Families.
	List(ctx context.Context, q domain.Query) (domain.Page, error)
	// Categories counts the families on sale per category, sorted by name.
	Categories(ctx context.Context) ([]domain.CategoryCount, error)
	// AdjustStock adds delta (may be negative) to the units on hand; it
	// refuses (domain.ErrInsufficientStock) to drop below the reserved units
	// or exceed domain.MaxStock.
	AdjustStock(ctx context.Context, sku domain.SKU, delta int) (domain.Product, error)

	// Hold moves the line's units from available to reserved for orderID
	// in one atomic update, unless the order already holds that SKU.
	Hold(ctx context.Context, orderID string, l domain.Line) (domain.HoldOutcome, error)
	// Unhold gives back the order's hold on the line's SKU, if any.
	Unhold(ctx context.Context, orderID string, sku domain.SKU) error
	// Consume turns the order's hold on the SKU into sold units (on hand and
	// reserved both drop), if the hold exists.
	Consume(ctx context.Context, orderID string, sku domain.SKU) error

	// CreateReservation stores r unless a reservation for the order exists;
	// it returns the stored one and whether it was created now.
	CreateReservation(ctx context.Context, r domain.Reservation) (domain.Reservation, bool, error)
	// GetReservation returns the order's reservation; domain.ErrNotReserved
	// when there is none.
	GetReservation(ctx context.Context, orderID string) (domain.Reservation, error)
	// TransitionReservation sets status to (with reason and skus) when the
	// current status is one of from, atomically, and returns the reservation
	// as stored afterwards (compare its status to know who won).
	TransitionReservation(ctx context.Context, orderID string, from []domain.ReservationStatus, to domain.ReservationStatus, reason string, skus []string) (domain.Reservation, error)
}

// OrderStore is implemented by stores that can reserve, release and commit
// a whole order in one transaction (catalog/pgstock). The Service then calls
// these instead of composing the per-line steps of Store, with the same
// outcomes: Reserve holds every line or none and is idempotent per order;
// ReleaseOrder leaves a tombstone for an unknown order and refuses
// (domain.ErrAlreadyCommitted) a committed one; CommitOrder refuses
// (domain.ErrNotReserved) an order that is not reserved or committed.
type OrderStore interface {
	ReserveOrder(ctx context.Context, r domain.Reservation) (domain.Reservation, error)
	ReleaseOrder(ctx context.Context, orderID string) (domain.Reservation, error)
	CommitOrder(ctx context.Context, orderID string) (domain.Reservation, error)
}

// StockOverlay is implemented by stores that can read the stock counts
// apart from the product details: catalog/pgstock (documents in MongoDB,
// counts in PostgreSQL) and catalog/sqlitestore (the counter columns of the
// products' rows, without the rest). The Service then caches product
// details across stock changes and overlays the current counts at read
// time, so a checkout's reserve and commit no longer empty the cached
// products.
type StockOverlay interface {
	// WithStock returns ps with the current stock figures (units on hand
	// and reserved) from the stock store, read in one query, ignoring the
	// figures ps carry; a SKU without stock reads 0 as in Get.
	WithStock(ctx context.Context, ps []domain.Product) ([]domain.Product, error)
}
