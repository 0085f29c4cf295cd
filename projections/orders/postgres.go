package orders

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/platform/pg"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Component is the migration component name of this read model.
const Component = "projections.orders"

// Migrate applies the read model's migrations (the live tables).
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	sub, err := fsSub()
	if err != nil {
		return err
	}
	return pg.Migrate(ctx, pool, Component, sub)
}

// Postgres is the server-mode Store.
type Postgres struct {
	pool   *pgxpool.Pool
	suffix string
	t      tables
}

type tables struct{ orders, lines, history string }

var suffixPattern = regexp.MustCompile(`^(_[a-z0-9]{1,20})?$`)

// NewPostgres returns the store over the live tables (suffix "") or over
// shadow tables named with suffix (e.g. "_rebuild"), which a rebuild fills
// before swapping. Run Migrate first; EnsureShadow creates shadow tables.
func NewPostgres(pool *pgxpool.Pool, suffix string) (*Postgres, error) {
	if pool == nil {
		return nil, errors.New("orders: pool is required")
	}
	if !suffixPattern.MatchString(suffix) {
		return nil, fmt.Errorf("orders: table suffix %q must match %s", suffix, suffixPattern)
	}
	return &Postgres{pool: pool, suffix: suffix, t: tables{
		orders: "orders" + suffix, lines: "order_lines" + suffix, history: "order_status_history" + suffix,
	}}, nil
}

// EnsureShadow creates empty shadow tables shaped like the live ones.
func (p *Postgres) EnsureShadow(ctx context.Context) error {
	if p.suffix == "" {
		return nil
	}
	for live, shadow := range map[string]string{"orders": p.t.orders, "order_lines": p.t.lines, "order_status_history": p.t.history} {
		if _, err := p.pool.Exec(ctx, fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (LIKE %s INCLUDING ALL)`, shadow, live)); err != nil {
			return fmt.Errorf("orders: shadow %s: %w", shadow, err)
		}
	}
	return nil
}

func (p *Postgres) checkpointName() string { return HandlerName + p.suffix }

// Apply implements Store: the change and the checkpoint commit together.
func (p *Postgres) Apply(ctx context.Context, c Change) (applied bool, err error) {
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer func() {
		if !applied || err != nil {
			tx.Rollback(ctx) //nolint:errcheck // nothing to keep
		}
	}()
	var version uint64
	var docs Documents
	err = tx.QueryRow(ctx, `SELECT version, documents FROM `+p.t.orders+` WHERE order_id=$1 FOR UPDATE`, c.OrderID).Scan(&version, &docs)
	exists := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return false, err
	}
	if ok, err := guard(version, exists, c.Revision); !ok {
		return false, err
	}
	if c.Placed != nil {
		if ok, err := p.insertPlaced(ctx, tx, c); !ok || err != nil {
			return false, err
		}
	} else {
		if !exists {
			return false, fmt.Errorf("%w: %s has no OrderPlaced", ErrOutOfOrder, c.OrderID)
		}
		var refunded *int64
		if c.Refunded != nil {
			refunded = &c.Refunded.Amount
		}
		docs.apply(c)
		_, err = tx.Exec(ctx, `UPDATE `+p.t.orders+` SET
			status = CASE WHEN $2 = '' THEN status ELSE $2 END,
			payment_id = CASE WHEN $3 = '' THEN payment_id ELSE $3 END,
			carrier = CASE WHEN $4 = '' THEN carrier ELSE $4 END,
			tracking_number = CASE WHEN $4 = '' THEN tracking_number ELSE $5 END,
			cancel_reason = CASE WHEN $2 = 'Cancelled' THEN $6 ELSE cancel_reason END,
			refunded_amount = COALESCE($7, refunded_amount),
			updated_at = $8, version = $9, position = $10, documents = $11
			WHERE order_id = $1`,
			c.OrderID, string(c.Status), c.PaymentID, c.Carrier, c.TrackingNumber, c.Reason, refunded, c.At, c.Revision+1, c.Position, docs)
		if err != nil {
			return false, fmt.Errorf("orders: update %s: %w", c.OrderID, err)
		}
	}
	if c.Status != ordering.StatusNone {
		if _, err = tx.Exec(ctx, `INSERT INTO `+p.t.history+` (order_id, revision, status, reason, at) VALUES ($1,$2,$3,$4,$5)`,
			c.OrderID, c.Revision, string(c.Status), c.Reason, c.At); err != nil {
			return false, fmt.Errorf("orders: history %s: %w", c.OrderID, err)
		}
	}
	if _, err = tx.Exec(ctx, `INSERT INTO orders_projection_checkpoints (projector, position) VALUES ($1, $2)
		ON CONFLICT (projector) DO UPDATE SET position = GREATEST(orders_projection_checkpoints.position, EXCLUDED.position), updated_at = now()`,
		p.checkpointName(), c.Position); err != nil {
		return false, fmt.Errorf("orders: checkpoint: %w", err)
	}
	if err = tx.Commit(ctx); err != nil {
		return false, err
	}
	return true, nil
}

// insertPlaced inserts the order row and its lines. A concurrent duplicate
// delivery loses the primary-key race and reports false.
func (p *Postgres) insertPlaced(ctx context.Context, tx pgx.Tx, c Change) (bool, error) {
	e := c.Placed
	addr, err := json.Marshal(e.ShippingAddress)
	if err != nil {
		return false, err
	}
	items := 0
	for _, l := range e.Lines {
		items += l.Quantity
	}
	priced, err := EncodePricing(PricingOf(e))
	if err != nil {
		return false, err
	}
	tag, err := tx.Exec(ctx, `INSERT INTO `+p.t.orders+` (order_id, customer_id, email, status, total_amount, currency,
		item_count, shipping_address, payment_method, payment_last4, placed_at, updated_at, version, position, pricing)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) ON CONFLICT (order_id) DO NOTHING`,
		c.OrderID, e.CustomerID, e.Email, string(ordering.StatusPlaced), e.Total.Amount, e.Total.Currency,
		items, addr, e.Payment.Method, e.Payment.Last4, e.PlacedAt.UTC(), c.At, c.Revision+1, c.Position, priced)
	if err != nil {
		return false, fmt.Errorf("orders: insert %s: %w", c.OrderID, err)
	}
	if tag.RowsAffected() == 0 {
		return false, nil
	}
	rows := make([][]any, len(e.Lines))
	for i, l := range e.Lines {
		rows[i] = []any{c.OrderID, i, l.SKU, l.Name, l.Category, l.Quantity, l.UnitPrice.Amount, l.UnitPrice.Currency, l.TaxClass, l.WeightGrams}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{p.t.lines},
		[]string{"order_id", "line_no", "sku", "name", "category", "quantity", "unit_amount", "currency", "tax_class", "weight_grams"}, pgx.CopyFromRows(rows)); err != nil {
		return false, fmt.Errorf("orders: lines %s: %w", c.OrderID, err)
	}
	return true, nil
}

const summaryCols = `order_id, customer_id, email, status, total_amount, currency, item_count, placed_at, updated_at`

func scanSummary(row pgx.Row, s *Summary, extra ...any) error {
	return row.Scan(append([]any{&s.OrderID, &s.CustomerID, &s.Email, &s.Status, &s.Total.Amount, &s.Total.Currency,
		&s.ItemCount, &s.PlacedAt, &s.UpdatedAt}, extra...)...)
}

// Get implements Store: one statement, so the order, its lines and its
// history come from one snapshot (a poll of the storefront is one query,
// not three). Lines and history travel as JSON in their API shapes.
func (p *Postgres) Get(ctx context.Context, orderID string) (Order, error) {
	var o Order
	var addr, lines, history []byte
	var refunded *int64
	var priced []byte
	err := scanSummary(p.pool.QueryRow(ctx, `SELECT `+summaryCols+`, shipping_address, payment_method, payment_last4,
		payment_id, carrier, tracking_number, cancel_reason, refunded_amount, version, pricing, documents,
		(SELECT coalesce(json_agg(json_build_object('sku', l.sku, 'name', l.name, 'category', l.category, 'quantity', l.quantity,
			'unitPrice', json_build_object('amount', l.unit_amount, 'currency', l.currency),
			'taxClass', l.tax_class, 'weightGrams', l.weight_grams) ORDER BY l.line_no), '[]')
		 FROM `+p.t.lines+` l WHERE l.order_id = o.order_id),
		(SELECT coalesce(json_agg(json_build_object('status', h.status, 'reason', h.reason, 'at', h.at) ORDER BY h.revision), '[]')
		 FROM `+p.t.history+` h WHERE h.order_id = o.order_id AND h.revision < o.version)
		FROM `+p.t.orders+` o WHERE order_id=$1`,
		strings.ToLower(orderID)), &o.Summary, &addr, &o.PaymentMethod, &o.PaymentLast4, &o.PaymentID, &o.Carrier,
		&o.TrackingNumber, &o.CancelReason, &refunded, &o.Version, &priced, &o.Documents, &lines, &history)
	if errors.Is(err, pgx.ErrNoRows) {
		return Order{}, ErrNotFound
	}
	if err != nil {
		return Order{}, fmt.Errorf("orders: get: %w", err)
	}
	if err := json.Unmarshal(addr, &o.ShippingAddress); err != nil {
		return Order{}, fmt.Errorf("orders: address of %s: %w", o.OrderID, err)
	}
	if refunded != nil {
		o.Refunded = &money.DTO{Amount: *refunded, Currency: o.Total.Currency}
	}
	if o.Pricing, err = DecodePricing(priced); err != nil {
		return Order{}, fmt.Errorf("orders: pricing of %s: %w", o.OrderID, err)
	}
	o.PlacedAt, o.UpdatedAt = o.PlacedAt.UTC(), o.UpdatedAt.UTC()
	if err := json.Unmarshal(lines, &o.Lines); err != nil {
		return Order{}, fmt.Errorf("orders: lines of %s: %w", o.OrderID, err)
	}
	// Only the history of the version read above: the caller folds newer
	// events in itself (reading them here too would list them twice).
	if err := json.Unmarshal(history, &o.History); err != nil {
		return Order{}, fmt.Errorf("orders: history of %s: %w", o.OrderID, err)
	}
	for i := range o.History {
		o.History[i].At = o.History[i].At.UTC()
	}
	return o, nil
}

// List implements Store.
func (p *Postgres) List(ctx context.Context, q Query) (Page, error) {
	q = q.Normalize()
	rows, err := p.pool.Query(ctx, `SELECT `+summaryCols+`, count(*) OVER () FROM `+p.t.orders+`
		WHERE ($1 = '' OR customer_id = $1 OR customer_id = $4) AND ($2 = '' OR status = $2) AND ($3 = '' OR lower(email) = $3)
		ORDER BY placed_at DESC, order_id LIMIT $5 OFFSET $6`,
		q.CustomerID, q.Status, q.Email, q.AlsoCustomerID, q.PageSize, (q.Page-1)*q.PageSize)
	if err != nil {
		return Page{}, fmt.Errorf("orders: list: %w", err)
	}
	page := Page{Page: q.Page, PageSize: q.PageSize, Items: []Summary{}}
	for rows.Next() {
		var s Summary
		if err := scanSummary(rows, &s, &page.Total); err != nil {
			rows.Close()
			return Page{}, err
		}
		s.PlacedAt, s.UpdatedAt = s.PlacedAt.UTC(), s.UpdatedAt.UTC()
		page.Items = append(page.Items, s)
	}
	if err := rows.Err(); err != nil {
		return Page{}, err
	}
	if len(page.Items) == 0 && q.Page > 1 {
		// count(*) OVER () has no row to ride on past the last page.
		if err := p.pool.QueryRow(ctx, `SELECT count(*) FROM `+p.t.orders+`
			WHERE ($1 = '' OR customer_id = $1 OR customer_id = $4) AND ($2 = '' OR status = $2) AND ($3 = '' OR lower(email) = $3)`,
			q.CustomerID, q.Status, q.Email, q.AlsoCustomerID).Scan(&page.Total); err != nil {
			return Page{}, err
		}
	}
	return page, nil
}

// Checkpoint implements Store.
func (p *Postgres) Checkpoint(ctx context.Context) (uint64, error) {
	var pos uint64
	err := p.pool.QueryRow(ctx, `SELECT position FROM orders_projection_checkpoints WHERE projector=$1`, p.checkpointName()).Scan(&pos)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return pos, err
}
