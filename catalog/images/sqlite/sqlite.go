// Package sqlite is the image store of the durable embedded shop, in the
// catalog_images table of the shop's SQLite database.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"

	"github.com/evshop/shop/catalog/images"
	"github.com/evshop/shop/platform/sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store implements images.Store.
type Store struct{ db *sqlite.DB }

// New migrates and returns the store.
func New(ctx context.Context, db *sqlite.DB) (*Store, error) {
	if err := sqlite.MigrateEmbedded(ctx, db, "catalog-images", migrations, "migrations"); err != nil {
		return nil, err
	}
	return &Store{db: db}, nil
}

// Put implements images.Store.
func (s *Store) Put(ctx context.Context, img images.Image) (bool, error) {
	var n int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO catalog_images (name, sku, content_type, data, width, height, created_at)
			VALUES (?,?,?,?,?,?,?) ON CONFLICT (name) DO NOTHING`,
			img.Name, img.SKU, img.ContentType, img.Data, img.Width, img.Height, sqlite.Nanos(img.CreatedAt))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("images sqlite: put: %w", err)
	}
	return n == 1, nil
}

// Get implements images.Store.
func (s *Store) Get(ctx context.Context, name string) (images.Image, error) {
	img := images.Image{Name: name}
	var at int64
	err := s.db.Read.QueryRowContext(ctx, `SELECT sku, content_type, data, width, height, created_at FROM catalog_images WHERE name = ?`, name).
		Scan(&img.SKU, &img.ContentType, &img.Data, &img.Width, &img.Height, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return images.Image{}, images.ErrNotFound
	}
	if err != nil {
		return images.Image{}, fmt.Errorf("images sqlite: get: %w", err)
	}
	img.CreatedAt = sqlite.FromNanos(at)
	return img, nil
}

// Delete implements images.Store.
func (s *Store) Delete(ctx context.Context, name string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM catalog_images WHERE name = ?`, name)
		return err
	})
}
