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
// images, option values and reservation lines JSON TEXT. A listing groups
// the rows by product family in SQL (filters and sorting on the family's
// primary row and its lowest visible price), then summarises each family
// of the page from its rows (domain.Summarize). Search matches the lower-case
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

// Store implements catalog.Store, catalog.OrderStore and
// catalog.StockOverlay on SQLite.
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
	on_hand, reserved, archived, created_at, updated_at, version, tax_class, weight_grams, product_id, options`

// family is a row's product family: product_id, or its own SKU when the
// row was written without one.
const family = `coalesce(nullif(product_id, ''), sku)`

type scanner interface{ Scan(dest ...any) error }

func scanProduct(row scanner) (domain.Product, error) {
	var s domain.State
	var attrs, images, currency, options string
	var amount, created, updated int64
	if err := row.Scan(&s.SKU, &s.Name, &s.Description, &s.Category, &attrs, &amount, &currency, &images,
		&s.OnHand, &s.Reserved, &s.Archived, &created, &updated, &s.Version, &s.TaxClass, &s.WeightGrams, &s.ProductID, &options); err != nil {
		return domain.Product{}, err
	}
	if err := json.Unmarshal([]byte(options), &s.Options); err != nil {
		return domain.Product{}, fmt.Errorf("catalog sqlitestore: options of %s: %w", s.SKU, err)
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
	attrs, images, options string
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
	options := []byte("[]")
	if len(p.Options()) > 0 {
		if options, err = json.Marshal(p.Options()); err != nil {
			return details{}, err
		}
	}
	return details{attrs: string(attrs), images: string(images), options: string(options)}, nil
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
			tax_class, weight_grams, product_id, options)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (sku) DO NOTHING`,
			p.SKU().String(), p.Name(), domain.NameKey(p.Name()), p.Description(), p.Category().String(), d.attrs,
			p.Price().Amount(), p.Price().Currency(), d.images, domain.SearchText(p), p.OnHand(), p.Reserved(), p.IsArchived(),
			sqlite.Nanos(p.CreatedAt()), sqlite.Nanos(p.UpdatedAt()), p.Version(), string(p.TaxClass()), p.WeightGrams(),
			p.ProductID().String(), d.options)
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

// WithStock implements catalog.StockOverlay: the stock counters sit in the
// products' own rows, but only their columns are read here (one query, no
// JSON to decode), so the Service keeps a product's details cached across
// the reserve and commit of every checkout instead of reading the whole row
// again after each. A SKU without a row reads 0 on hand, 0 reserved.
func (s *Store) WithStock(ctx context.Context, ps []domain.Product) ([]domain.Product, error) {
	if len(ps) == 0 {
		return ps, nil
	}
	type counts struct{ onHand, reserved int }
	byKey := make(map[string]counts, len(ps))
	args := make([]any, 0, len(ps))
	for _, p := range ps {
		args = append(args, p.SKU().String())
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT sku, on_hand, reserved FROM catalog_products WHERE sku IN `+
		sqlite.Placeholders(1, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("catalog sqlitestore: stock counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var c counts
		if err := rows.Scan(&k, &c.onHand, &c.reserved); err != nil {
			return nil, fmt.Errorf("catalog sqlitestore: stock counts: %w", err)
		}
		byKey[k] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catalog sqlitestore: stock counts: %w", err)
	}
	out := make([]domain.Product, len(ps))
	for i, p := range ps {
		st := p.State()
		c := byKey[p.SKU().String()]
		st.OnHand, st.Reserved = c.onHand, c.reserved
		if out[i], err = domain.RestoreProduct(st); err != nil {
			return nil, err
		}
	}
	return out, nil
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
			price_amount=?, currency=?, images=?, search_text=?, archived=?, updated_at=?, version=?, tax_class=?, weight_grams=?,
			options=? WHERE sku=?`,
			p.Name(), domain.NameKey(p.Name()), p.Description(), p.Category().String(), d.attrs,
			p.Price().Amount(), p.Price().Currency(), d.images, domain.SearchText(p), p.IsArchived(),
			sqlite.Nanos(p.UpdatedAt()), p.Version(), string(p.TaxClass()), p.WeightGrams(), d.options, p.SKU().String())
		if err != nil {
			return fmt.Errorf("catalog sqlitestore: update %s: %w", p.SKU(), err)
		}
		return nil
	})
}

// Family implements catalog.Store.
func (s *Store) Family(ctx context.Context, productID domain.SKU) ([]domain.Product, error) {
	out, err := s.families(ctx, s.db.Read, []string{productID.String()})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: %s", domain.ErrNotFound, productID)
	}
	return out[productID.String()], nil
}

type rowsQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// families reads every SKU of the families ids, by family, each in
// domain.SortFamily order.
func (s *Store) families(ctx context.Context, q rowsQuerier, ids []string) (map[string][]domain.Product, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	rows, err := q.QueryContext(ctx, `SELECT `+productColumns+` FROM catalog_products
		WHERE product_id IN (`+marks+`) OR (product_id = '' AND sku IN (`+marks+`))`, append(args, args...)...)
	if err != nil {
		return nil, fmt.Errorf("catalog sqlitestore: families: %w", err)
	}
	defer rows.Close()
	out := map[string][]domain.Product{}
	for rows.Next() {
		p, err := scanProduct(rows)
		if err != nil {
			return nil, fmt.Errorf("catalog sqlitestore: families: %w", err)
		}
		id := p.ProductID().String()
		out[id] = append(out[id], p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catalog sqlitestore: families: %w", err)
	}
	for _, vs := range out {
		domain.SortFamily(vs)
	}
	return out, nil
}

// listing selects one row per family that has a visible variant: its
// primary p, and f.from_price, the lowest price among the visible variants.
func listing(q domain.Query) (string, []any) {
	visible := `archived = 0`
	if q.IncludeArchived() {
		visible = `1`
	}
	where := []string{`1`}
	var args []any
	if c := q.Category(); c != "" {
		where, args = append(where, `p.category = ?`), append(args, c)
	}
	if q.MinPrice() >= 0 {
		where, args = append(where, `f.from_price >= ?`), append(args, q.MinPrice())
	}
	if q.MaxPrice() >= 0 {
		where, args = append(where, `f.from_price <= ?`), append(args, q.MaxPrice())
	}
	for _, t := range q.Terms() {
		where, args = append(where, `instr(p.search_text, ?) > 0`), append(args, t)
	}
	return ` FROM (SELECT ` + family + ` AS fam, min(price_amount) AS from_price FROM catalog_products WHERE ` + visible + `
		GROUP BY fam) f JOIN catalog_products p ON p.sku = f.fam WHERE ` + strings.Join(where, ` AND `), args
}

// orderBy mirrors domain.Query.CompareFamilies, SKU last so pages never
// overlap.
func orderBy(s domain.Sort) string {
	switch s {
	case domain.SortPriceAsc:
		return ` ORDER BY f.from_price, p.sku`
	case domain.SortPriceDesc:
		return ` ORDER BY f.from_price DESC, p.sku`
	case domain.SortName:
		return ` ORDER BY p.name_key, p.sku`
	default:
		return ` ORDER BY p.created_at DESC, p.sku`
	}
}

// List implements catalog.Store. The count, the page and its families are
// read in one read transaction, so they agree.
func (s *Store) List(ctx context.Context, q domain.Query) (domain.Page, error) {
	page := domain.Page{Page: q.Page(), PageSize: q.PageSize(), Items: []domain.Product{}, Families: []domain.FamilySummary{}}
	tx, err := s.db.Read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return domain.Page{}, fmt.Errorf("catalog sqlitestore: list: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	from, args := listing(q)
	if err := tx.QueryRowContext(ctx, `SELECT count(*)`+from, args...).Scan(&page.Total); err != nil {
		return domain.Page{}, fmt.Errorf("catalog sqlitestore: list: %w", err)
	}
	if q.Offset() >= page.Total {
		return page, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT p.sku`+from+orderBy(q.Sort())+` LIMIT ? OFFSET ?`, append(args, q.PageSize(), q.Offset())...)
	if err != nil {
		return domain.Page{}, fmt.Errorf("catalog sqlitestore: list: %w", err)
	}
	ids, err := collect(rows)
	if err != nil {
		return domain.Page{}, fmt.Errorf("catalog sqlitestore: list: %w", err)
	}
	fams, err := s.families(ctx, tx, ids)
	if err != nil {
		return domain.Page{}, err
	}
	for _, id := range ids {
		shown, sum, ok := domain.Summarize(fams[id], q.IncludeArchived())
		if !ok {
			return domain.Page{}, fmt.Errorf("catalog sqlitestore: list: family %s has no visible variant", id)
		}
		page.Items, page.Families = append(page.Items, shown), append(page.Families, sum)
	}
	return page, nil
}

func collect(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// Categories implements catalog.Store: families with a variant on sale,
// counted in their primary's category.
func (s *Store) Categories(ctx context.Context) ([]domain.CategoryCount, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT p.category, count(*) FROM (SELECT DISTINCT `+family+` AS fam
		FROM catalog_products WHERE archived = 0) f JOIN catalog_products p ON p.sku = f.fam GROUP BY p.category ORDER BY p.category`)
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
