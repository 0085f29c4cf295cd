package mongostore

import (
	"context"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	domain "github.com/evshop/shop/domain/catalog"
)

// The methods below serve a composite store (catalog/pgstock) that keeps the
// product documents here and the stock elsewhere: they read and write the
// product documents only, and read the stock chains once, to hand existing
// figures over.

// InsertProduct adds the product document without a stock chain.
func (s *Store) InsertProduct(ctx context.Context, p domain.Product) error {
	return s.insertDoc(ctx, p)
}

// GetProduct returns the product with zero stock figures.
func (s *Store) GetProduct(ctx context.Context, sku domain.SKU) (domain.Product, error) {
	d, err := s.find(ctx, sku.String())
	if err != nil {
		return domain.Product{}, err
	}
	return d.product(stockState{})
}

// Archived reports, for each of skus that has a product, whether it is
// archived; absent SKUs are absent from the map. One query.
func (s *Store) Archived(ctx context.Context, skus []string) (map[string]bool, error) {
	cur, err := s.products.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: skus}}}},
		options.Find().SetProjection(bson.D{{Key: "archived", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("catalog mongostore: archived: %w", err)
	}
	var rows []struct {
		SKU      string `bson:"_id"`
		Archived bool   `bson:"archived"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, fmt.Errorf("catalog mongostore: archived: %w", err)
	}
	out := make(map[string]bool, len(rows))
	for _, r := range rows {
		out[r.SKU] = r.Archived
	}
	return out, nil
}

// StockSnapshot is a SKU's stock as its chain holds it.
type StockSnapshot struct {
	OnHand   int
	Reserved int
	Holds    map[string]int // order id → units held
}

// Stock returns the SKU's stock chain head; found is false when the SKU has
// no chain (never stocked here, or a crash right after the insert).
func (s *Store) Stock(ctx context.Context, sku string) (snap StockSnapshot, found bool, err error) {
	var st stockState
	_, found, err = s.stock.head(ctx, sku, &st)
	return StockSnapshot{OnHand: st.OnHand, Reserved: st.Reserved, Holds: st.Holds}, found, err
}

// OpenReservations returns the reservations whose head is pending or
// reserved: the orders in flight when stock moves to another store.
func (s *Store) OpenReservations(ctx context.Context) ([]domain.Reservation, error) {
	open := []string{string(domain.StatusPending), string(domain.StatusReserved)}
	keys, err := s.reservations.coll.Distinct(ctx, "key", bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: open}}}})
	if err != nil {
		return nil, fmt.Errorf("catalog mongostore: open reservations: %w", err)
	}
	var out []domain.Reservation
	for _, k := range keys {
		id, ok := k.(string)
		if !ok {
			continue
		}
		r, err := s.GetReservation(ctx, id)
		if err != nil {
			return nil, err
		}
		if slices.Contains(open, string(r.Status())) {
			out = append(out, r)
		}
	}
	return out, nil
}
