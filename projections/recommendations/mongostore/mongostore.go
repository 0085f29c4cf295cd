// Package mongostore keeps the recommendations' order history in MongoDB
// (or FerretDB): the server-mode recommendations.Store and its rebuild
// target. Only the binaries that read it (wiring/providers/mongostores)
// link the MongoDB driver.
package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/evshop/shop/projections/recommendations"
)

// Collection names of the Mongo store. The orders and paid collections of
// a rebuilt generation carry its suffix (reco_orders_g<n>, ...).
const (
	OrdersCollection      = "reco_orders"
	PaidCollection        = "reco_paid"
	CheckpointsCollection = "reco_checkpoints"
	// ForgottenCollection holds one tombstone per erased customer, shared
	// by every generation, so a rebuild from history does not bring an
	// erased customer's orders back.
	ForgottenCollection = "reco_forgotten"
)

// Documents of the checkpoints collection that point at generations: the
// one live traffic reads and writes (absent: the suffix-less collections
// written before rebuilds existed), and the one a rebuild is filling.
const (
	activeDoc = "generation:active"
	shadowDoc = "generation:shadow"
)

// Store is the recommendations.Store on MongoDB / FerretDB. Only inserts (atomic on
// FerretDB thanks to the unique _id) and deletes are used. Live stores
// follow the active-generation pointer on every call, so a rebuild's swap
// takes effect for the API and the projector at once (FerretDB cannot
// rename a collection over another, so the swap moves a pointer).
type Store struct {
	db          *mongo.Database
	checkpoints *mongo.Collection
	forgotten   *mongo.Collection
	// fixed, when set, pins the store to one generation (a rebuild's shadow).
	fixed *generation
}

type generation struct {
	suffix       string
	orders, paid *mongo.Collection
}

func (s *Store) generation(suffix string) generation {
	return generation{suffix: suffix, orders: s.db.Collection(OrdersCollection + suffix), paid: s.db.Collection(PaidCollection + suffix)}
}

// checkpointID names the generation's checkpoint document.
func (g generation) checkpointID() string { return recommendations.HandlerName + g.suffix }

func (s *Store) pointer(ctx context.Context, id string) (suffix string, ok bool, err error) {
	var d struct {
		Suffix string `bson:"suffix"`
	}
	err = s.checkpoints.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("recommendations: generation pointer: %w", err)
	}
	return d.Suffix, true, nil
}

// current is the generation this store reads and writes now.
func (s *Store) current(ctx context.Context) (generation, error) {
	if s.fixed != nil {
		return *s.fixed, nil
	}
	suffix, _, err := s.pointer(ctx, activeDoc)
	if err != nil {
		return generation{}, err
	}
	return s.generation(suffix), nil
}

// New returns a store on db and creates its index.
func New(ctx context.Context, db *mongo.Database) (*Store, error) {
	s := &Store{db: db, checkpoints: db.Collection(CheckpointsCollection), forgotten: db.Collection(ForgottenCollection)}
	g, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	if err := g.index(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func (g generation) index(ctx context.Context) error {
	_, err := g.orders.Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys: bson.D{{Key: "customerId", Value: 1}, {Key: "placedAt", Value: -1}}, Options: options.Index().SetName("customer"),
	})
	if err != nil {
		return fmt.Errorf("recommendations: index: %w", err)
	}
	return nil
}

type lineDoc struct {
	SKU      string `bson:"sku"`
	Name     string `bson:"name"`
	Category string `bson:"category"`
	Quantity int    `bson:"quantity"`
}

type orderDoc struct {
	OrderID    string    `bson:"_id"`
	CustomerID string    `bson:"customerId"`
	Lines      []lineDoc `bson:"lines"`
	PlacedAt   time.Time `bson:"placedAt"`
	Position   int64     `bson:"position"`
}

type paidDoc struct {
	OrderID  string `bson:"_id"`
	Position int64  `bson:"position"`
}

func ignoreDuplicate(err error) error {
	if err == nil || mongo.IsDuplicateKeyError(err) {
		return nil
	}
	return fmt.Errorf("recommendations: %w", err)
}

// AddOrder implements recommendations.Store.
func (s *Store) AddOrder(ctx context.Context, o recommendations.Order) error {
	d := orderDoc{OrderID: o.OrderID, CustomerID: o.CustomerID, PlacedAt: o.PlacedAt, Position: int64(o.Position), Lines: []lineDoc{}}
	for _, l := range o.Lines {
		d.Lines = append(d.Lines, lineDoc(l))
	}
	g, err := s.current(ctx)
	if err != nil {
		return err
	}
	_, err = g.orders.InsertOne(ctx, d)
	return ignoreDuplicate(err)
}

// MarkPaid implements recommendations.Store.
func (s *Store) MarkPaid(ctx context.Context, orderID string, position uint64) error {
	g, err := s.current(ctx)
	if err != nil {
		return err
	}
	_, err = g.paid.InsertOne(ctx, paidDoc{OrderID: orderID, Position: int64(position)})
	return ignoreDuplicate(err)
}

// Orders implements recommendations.Store.
func (s *Store) Orders(ctx context.Context, customerID string, limit int) ([]recommendations.Order, error) {
	g, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	return g.customerOrders(ctx, bson.D{{Key: "customerId", Value: customerID}}, limit)
}

// customerOrders returns the orders matching q, newest first, with Paid.
func (g generation) customerOrders(ctx context.Context, q bson.D, limit int) ([]recommendations.Order, error) {
	cur, err := g.orders.Find(ctx, q,
		options.Find().SetSort(bson.D{{Key: "placedAt", Value: -1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("recommendations: orders: %w", err)
	}
	var docs []orderDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("recommendations: orders: %w", err)
	}
	out := make([]recommendations.Order, 0, len(docs))
	ids := bson.A{}
	for _, d := range docs {
		o := recommendations.Order{OrderID: d.OrderID, CustomerID: d.CustomerID, PlacedAt: d.PlacedAt.UTC(), Position: uint64(d.Position), Lines: []recommendations.Line{}}
		for _, l := range d.Lines {
			o.Lines = append(o.Lines, recommendations.Line(l))
		}
		out = append(out, o)
		ids = append(ids, d.OrderID)
	}
	if len(out) == 0 {
		return out, nil
	}
	pc, err := g.paid.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return nil, fmt.Errorf("recommendations: paid: %w", err)
	}
	var paid []paidDoc
	if err := pc.All(ctx, &paid); err != nil {
		return nil, fmt.Errorf("recommendations: paid: %w", err)
	}
	isPaid := map[string]bool{}
	for _, p := range paid {
		isPaid[p.OrderID] = true
	}
	for i := range out {
		out[i].Paid = isPaid[out[i].OrderID]
	}
	return out, nil
}

// Forget implements recommendations.Store. The tombstone goes first: a rebuild that
// swaps a generation in after it deletes the customer's orders there too.
func (s *Store) Forget(ctx context.Context, customerID string) error {
	if _, err := s.forgotten.UpdateOne(ctx, bson.D{{Key: "_id", Value: customerID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "at", Value: time.Now().UTC()}}}}, options.Update().SetUpsert(true)); err != nil {
		return fmt.Errorf("recommendations: forget: %w", err)
	}
	g, err := s.current(ctx)
	if err != nil {
		return err
	}
	return g.forget(ctx, customerID, time.Time{})
}

// forget deletes the customer's orders placed up to `upTo` (zero: all).
func (g generation) forget(ctx context.Context, customerID string, upTo time.Time) error {
	q := bson.D{{Key: "customerId", Value: customerID}}
	if !upTo.IsZero() {
		q = append(q, bson.E{Key: "placedAt", Value: bson.D{{Key: "$lte", Value: upTo}}})
	}
	orders, err := g.customerOrders(ctx, q, 1_000_000)
	if err != nil {
		return err
	}
	ids := bson.A{}
	for _, o := range orders {
		ids = append(ids, o.OrderID)
	}
	if len(ids) == 0 {
		return nil
	}
	in := bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}
	if _, err := g.paid.DeleteMany(ctx, in); err != nil {
		return fmt.Errorf("recommendations: forget: %w", err)
	}
	if _, err := g.orders.DeleteMany(ctx, in); err != nil {
		return fmt.Errorf("recommendations: forget: %w", err)
	}
	return nil
}

// Position implements recommendations.Store. Read from the newest documents: positions
// only grow, so the maximum is the projection's progress.
func (s *Store) Position(ctx context.Context) (uint64, error) {
	g, err := s.current(ctx)
	if err != nil {
		return 0, err
	}
	return g.position(ctx)
}

func (g generation) position(ctx context.Context) (uint64, error) {
	var best uint64
	for _, c := range []*mongo.Collection{g.orders, g.paid} {
		var d struct {
			Position int64 `bson:"position"`
		}
		err := c.FindOne(ctx, bson.D{}, options.FindOne().SetSort(bson.D{{Key: "position", Value: -1}})).Decode(&d)
		if err != nil && err != mongo.ErrNoDocuments {
			return 0, fmt.Errorf("recommendations: position: %w", err)
		}
		best = max(best, uint64(d.Position))
	}
	return best, nil
}

// ignoreDuplicates drops duplicate-key failures from an unordered bulk
// insert: those documents are stored already.
func ignoreDuplicates(err error) error {
	var bw mongo.BulkWriteException
	if errors.As(err, &bw) && bw.WriteConcernError == nil {
		for _, we := range bw.WriteErrors {
			if we.Code != 11000 {
				return fmt.Errorf("recommendations: %w", err)
			}
		}
		return nil
	}
	return ignoreDuplicate(err)
}

// AddBatch implements recommendations.BatchStore: two unordered bulk inserts (a duplicate
// only fails its own document), then the checkpoint. A crash in between
// leaves the checkpoint behind, and the batch is inserted again: nothing
// new.
func (s *Store) AddBatch(ctx context.Context, orders []recommendations.Order, paid []recommendations.Paid, position uint64) error {
	g, err := s.current(ctx)
	if err != nil {
		return err
	}
	unordered := options.InsertMany().SetOrdered(false)
	if len(orders) > 0 {
		docs := make([]any, 0, len(orders))
		for _, o := range orders {
			d := orderDoc{OrderID: o.OrderID, CustomerID: o.CustomerID, PlacedAt: o.PlacedAt, Position: int64(o.Position), Lines: []lineDoc{}}
			for _, l := range o.Lines {
				d.Lines = append(d.Lines, lineDoc(l))
			}
			docs = append(docs, d)
		}
		if _, err := g.orders.InsertMany(ctx, docs, unordered); ignoreDuplicates(err) != nil {
			return ignoreDuplicates(err)
		}
	}
	if len(paid) > 0 {
		docs := make([]any, 0, len(paid))
		for _, p := range paid {
			docs = append(docs, paidDoc{OrderID: p.OrderID, Position: int64(p.Position)})
		}
		if _, err := g.paid.InsertMany(ctx, docs, unordered); ignoreDuplicates(err) != nil {
			return ignoreDuplicates(err)
		}
	}
	if err := s.raiseCheckpoint(ctx, g.checkpointID(), position); err != nil {
		return fmt.Errorf("recommendations: checkpoint: %w", err)
	}
	return nil
}

// Checkpoint implements recommendations.BatchStore; before the first batch it is Position
// (the progress the bus path made).
func (s *Store) Checkpoint(ctx context.Context) (uint64, error) {
	g, err := s.current(ctx)
	if err != nil {
		return 0, err
	}
	var d struct {
		Position int64 `bson:"position"`
	}
	err = s.checkpoints.FindOne(ctx, bson.D{{Key: "_id", Value: g.checkpointID()}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return g.position(ctx)
	}
	if err != nil {
		return 0, fmt.Errorf("recommendations: checkpoint: %w", err)
	}
	return uint64(d.Position), nil
}

func (s *Store) raiseCheckpoint(ctx context.Context, id string, position uint64) error {
	_, err := s.checkpoints.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$max", Value: bson.D{{Key: "position", Value: int64(position)}}}}, options.Update().SetUpsert(true))
	return err
}
