// Package mongo is the image store of server mode, one document per image in
// the catalog_images collection of the catalog's MongoDB (or FerretDB)
// database. Images are capped far below MongoDB's 16 MiB document limit, so
// a document holds the bytes; an image is written once (insert with a
// unique _id), which FerretDB does atomically too.
package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/evshop/shop/catalog/images"
)

// Store implements images.Store.
type Store struct{ coll *mongo.Collection }

// New returns the store on db.
func New(db *mongo.Database) *Store { return &Store{coll: db.Collection("catalog_images")} }

type doc struct {
	Name        string    `bson:"_id"`
	SKU         string    `bson:"sku"`
	ContentType string    `bson:"contentType"`
	Data        []byte    `bson:"data"`
	Width       int       `bson:"width"`
	Height      int       `bson:"height"`
	CreatedAt   time.Time `bson:"createdAt"`
}

// Put implements images.Store.
func (s *Store) Put(ctx context.Context, img images.Image) (bool, error) {
	_, err := s.coll.InsertOne(ctx, doc{Name: img.Name, SKU: img.SKU, ContentType: img.ContentType, Data: img.Data,
		Width: img.Width, Height: img.Height, CreatedAt: img.CreatedAt.UTC().Truncate(time.Millisecond)})
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("images mongo: put: %w", err)
	}
	return true, nil
}

// Get implements images.Store.
func (s *Store) Get(ctx context.Context, name string) (images.Image, error) {
	var d doc
	err := s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return images.Image{}, images.ErrNotFound
	}
	if err != nil {
		return images.Image{}, fmt.Errorf("images mongo: get: %w", err)
	}
	return images.Image{Name: d.Name, SKU: d.SKU, ContentType: d.ContentType, Data: d.Data, Width: d.Width, Height: d.Height,
		CreatedAt: d.CreatedAt.UTC()}, nil
}

// Delete implements images.Store.
func (s *Store) Delete(ctx context.Context, name string) error {
	if _, err := s.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: name}}); err != nil {
		return fmt.Errorf("images mongo: delete: %w", err)
	}
	return nil
}
