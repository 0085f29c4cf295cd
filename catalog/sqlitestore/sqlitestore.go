// Package sqlitestore is the catalog store of the durable embedded shop:
// products, their stock counters, the holds of orders in flight and the
// reservations, in the catalog_* tables of the shop's SQLite database.
//
// SQLite has one writer, and every write here is one BEGIN IMMEDIATE
// transaction on it (platform/sqlite), so each operation sees and changes
// the stock alone, as a row lock would give on PostgreSQL. Guarantees: a SKU
// is never oversold (the availability check and the update run in one
// transaction, and the table's CHECK refuses reserved > on hand); an order
// holds every line or none (Store also implements catalog.OrderStore, so the
// Service reserves, releases and commits a whole order in one transaction);
// applying a command twice changes nothing (one reservation row per order,
// one hold row per order and SKU).
//
// Times are Unix nanoseconds (UTC), prices integer minor units, attributes,
// images and reservation lines JSON TEXT. Search matches the lower-case
// domain.SearchText stored beside each product, with instr (no pattern
// syntax, so user text is always literal).
package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/platform/sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store implements catalog.Store and catalog.OrderStore on SQLite.
type Store struct{ db *sqlite.DB }

// New applies the "catalog" migrations and returns the store.
func New(ctx context.Context, db *sqlite.DB) (*Store, error) {
	if err := sqlite.MigrateEmbedded(ctx, db, "catalog", migrations, "migrations"); err != nil {
		return nil, err
	}
	return &Store{db: db}, nil
}

// querier is the read pool or a write transaction.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const productColumns = `sku, name, description, category, attributes, price_amount, currency, images,
	on_hand, reserved, archived, created_at, updated_at, version, tax_class, weight_grams`

type scanner interface{ Scan(dest ...any) error }

func scanProduct(row scanner) (domain.Product, error) {
	var s domain.State
	var attrs, images, currency string
	var amount, created, updated int64
	if err := row.Scan(&s.SKU, &s.Name, &s.Description, &s.Category, &attrs, &amount, &currency, &images,
		&s.OnHand, &s.Reserved, &s.Archived, &created, &updated, &s.Version, &s.TaxClass, &s.WeightGrams); err != nil {
		return domain.Product{}, err
	}
	if err := json.Unmarshal([]byte(attrs), &s.Attributes); err != nil {
		return domain.Product{}, fmt.Errorf("catalog sqlitestore: attributes of %s: %w", s.SKU, err)
	}
	if err := json.Unmarshal([]byte(images), &s.Images); err != nil {
		return domain.Product{}, fmt.Errorf("catalog sqlitestore: images of %s: %w", s.SKU, err)
	}
	price, err := money.New(amount, currency)
	if err != nil {
		return domain.Product{}, fmt.Errorf("catalog sqlitestore: price of %s: %w", s.SKU, err)
	}
	s.Price, s.CreatedAt, s.UpdatedAt = price, time.Unix(0, created).UTC(), time.Unix(0, updated).UTC()
	return domain.RestoreProduct(s)
}

func getProduct(ctx context.Context, q querier, sku domain.SKU) (domain.Product, error) {
	p, err := scanProduct(q.QueryRowContext(ctx, `SELECT `+productColumns+` FROM catalog_products WHERE sku = ?`, sku.String()))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Product{}, fmt.Errorf("%w: %s", domain.ErrNotFound, sku)
	}
	if err != nil {
		return domain.Product{}, fmt.Errorf("catalog sqlitestore: get %s: %w", sku, err)
	}
	return p, nil
}

// details are a product's descriptive columns as stored.
type details struct {
	attrs, images string
}

func encodeDetails(p domain.Product) (details, error) {
	attrs, err := json.Marshal(p.Attributes().Map())
	if err != nil {
		return details{}, err
	}
	images, err := json.Marshal(p.Images())
	if err != nil {
		return details{}, err
	}
	return details{attrs: string(attrs), images: string(images)}, nil
}

// Insert implements catalog.Store.
func (s *Store) Insert(ctx context.Context, p domain.Product) error {
	d, err := encodeDetails(p)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO catalog_products (sku, name, name_key, description, category, attributes,
			price_amount, currency, images, search_text, on_hand, reserved, archived, created_at, updated_at, version,
			tax_class, weight_grams)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (sku) DO NOTHING`,
			p.SKU().String(), p.Name(), domain.NameKey(p.Name()), p.Description(), p.Category().String(), d.attrs,
			p.Price().Amount(), p.Price().Currency(), d.images, domain.SearchText(p), p.OnHand(), p.Reserved(), p.IsArchived(),
			sqlite.Nanos(p.CreatedAt()), sqlite.Nanos(p.UpdatedAt()), p.Version(), string(p.TaxClass()), p.WeightGrams())
		if err != nil {
			return fmt.Errorf("catalog sqlitestore: insert %s: %w", p.SKU(), err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, fmt.Errorf("%w: %s", domain.ErrDuplicate, p.SKU()))
		}
		return nil
	})
}

// Get implements catalog.Store.
func (s *Store) Get(ctx context.Context, sku domain.SKU) (domain.Product, error) {
	return getProduct(ctx, s.db.Read, sku)
}

// Update implements catalog.Store. Stock columns are not written.
func (s *Store) Update(ctx context.Context, p domain.Product, prevVersion int64) error {
	d, err := encodeDetails(p)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var cur int64
		err := tx.QueryRowContext(ctx, `SELECT version FROM catalog_products WHERE sku = ?`, p.SKU().String()).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %s", domain.ErrNotFound, p.SKU())
		}
		if err != nil {
			return fmt.Errorf("catalog sqlitestore: update %s: %w", p.SKU(), err)
		}
		if cur != prevVersion {
			return fmt.Errorf("%w: %s", domain.ErrConflict, p.SKU())
		}
		_, err = tx.ExecContext(ctx, `UPDATE catalog_products SET name=?, name_key=?, description=?, category=?, attributes=?,
			price_amount=?, currency=?, images=?, search_text=?, archived=?, updated_at=?, version=?, tax_class=?, weight_grams=?
			WHERE sku=?`,
			p.Name(), domain.NameKey(p.Name()), p.Description(), p.Category().String(), d.attrs,
			p.Price().Amount(), p.Price().Currency(), d.images, domain.SearchText(p), p.IsArchived(),
			sqlite.Nanos(p.UpdatedAt()), p.Version(), string(p.TaxClass()), p.WeightGrams(), p.SKU().String())
		if err != nil {
			return fmt.Errorf("catalog sqlitestore: update %s: %w", p.SKU(), err)
		}
		return nil
	})
}

// filter is the WHERE clause of a query and its arguments.
func filter(q domain.Query) (string, []any) {
	var where []string
	var args []any
	if !q.IncludeArchived() {
		where = append(where, `archived = 0`)
	}
	if c := q.Category(); c != "" {
		where, args = append(where, `category = ?`), append(args, c)
	}
	if q.MinPrice() >= 0 {
		where, args = append(where, `price_amount >= ?`), append(args, q.MinPrice())
	}
	if q.MaxPrice() >= 0 {
		where, args = append(where, `price_amount <= ?`), append(args, q.MaxPrice())
	}
	for _, t := range q.Terms() {
		where, args = append(where, `instr(search_text, ?) > 0`), append(args, t)
	}
	if len(where) == 0 {
		return "", nil
	}
	return ` WHERE ` + strings.Join(where, ` AND `), args
}

// orderBy mirrors domain.Query.Compare, SKU last so pages never overlap.
func orderBy(s domain.Sort) string {
	switch s {
	case domain.SortPriceAsc:
		return ` ORDER BY price_amount, sku`
	case domain.SortPriceDesc:
		return ` ORDER BY price_amount DESC, sku`
	case domain.SortName:
		return ` ORDER BY name_key, sku`
	default:
		return ` ORDER BY created_at DESC, sku`
	}
}

// List implements catalog.Store. The count and the page are read in one
// read transaction, so they agree.
func (s *Store) List(ctx context.Context, q domain.Query) (domain.Page, error) {
	page := domain.Page{Page: q.Page(), PageSize: q.PageSize(), Items: []domain.Product{}}
	tx, err := s.db.Read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return domain.Page{}, fmt.Errorf("catalog sqlitestore: list: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	where, args := filter(q)
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM catalog_products`+where, args...).Scan(&page.Total); err != nil {
		return domain.Page{}, fmt.Errorf("catalog sqlitestore: list: %w", err)
	}
	if q.Offset() >= page.Total {
		return page, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+productColumns+` FROM catalog_products`+where+orderBy(q.Sort())+` LIMIT ? OFFSET ?`,
		append(args, q.PageSize(), q.Offset())...)
	if err != nil {
		return domain.Page{}, fmt.Errorf("catalog sqlitestore: list: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanProduct(rows)
		if err != nil {
			return domain.Page{}, fmt.Errorf("catalog sqlitestore: list: %w", err)
		}
		page.Items = append(page.Items, p)
	}
	if err := rows.Err(); err != nil {
		return domain.Page{}, fmt.Errorf("catalog sqlitestore: list: %w", err)
	}
	return page, nil
}

// Categories implements catalog.Store.
func (s *Store) Categories(ctx context.Context) ([]domain.CategoryCount, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT category, count(*) FROM catalog_products WHERE archived = 0
		GROUP BY category ORDER BY category`)
	if err != nil {
		return nil, fmt.Errorf("catalog sqlitestore: categories: %w", err)
	}
	defer rows.Close()
	out := []domain.CategoryCount{}
	for rows.Next() {
		var c domain.CategoryCount
		if err := rows.Scan(&c.Name, &c.Count); err != nil {
			return nil, fmt.Errorf("catalog sqlitestore: categories: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AdjustStock implements catalog.Store.
func (s *Store) AdjustStock(ctx context.Context, sku domain.SKU, delta int) (domain.Product, error) {
	var out domain.Product
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := getProduct(ctx, tx, sku)
		if err != nil {
			return err
		}
		next := cur.OnHand() + delta
		if next < cur.Reserved() || next > domain.MaxStock {
			return fmt.Errorf("%w: %s has %d on hand, %d reserved", domain.ErrInsufficientStock, sku, cur.OnHand(), cur.Reserved())
		}
		if _, err := tx.ExecContext(ctx, `UPDATE catalog_products SET on_hand = ? WHERE sku = ?`, next, sku.String()); err != nil {
			return fmt.Errorf("catalog sqlitestore: adjust %s: %w", sku, err)
		}
		out, err = getProduct(ctx, tx, sku)
		return err
	})
	return out, err
}
