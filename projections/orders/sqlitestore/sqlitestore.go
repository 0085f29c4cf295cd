// Package sqlitestore is the ordering read model (projections/orders) in the
// one-process shop's embedded database (platform/sqlite). Rows and the
// projector checkpoint commit in one transaction, so a restart resumes from
// where the projector stopped instead of replaying every event.
//
// Tables are prefixed orders_; times are stored as unix nanoseconds (UTC),
// money as integer minor units, the shipping address as JSON text. Writes
// go through the database's one writer connection; ApplyBatch folds a batch
// in memory and writes each touched order once. Reads use the read-only
// pool and see every committed batch (WAL).
package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/platform/sqlite"
	"github.com/evshop/shop/projections/orders"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Component is the migration component name of this read model.
const Component = "projections.orders"

// Migrate applies the read model's migrations (the live tables).
func Migrate(ctx context.Context, db *sqlite.DB) error {
	return sqlite.MigrateEmbedded(ctx, db, Component, migrations, "migrations")
}

// Store is the embedded-mode orders.Store and orders.BatchStore.
type Store struct {
	db     *sqlite.DB
	suffix string
	t      tables
}

var (
	_ orders.Store      = (*Store)(nil)
	_ orders.BatchStore = (*Store)(nil)
)

type tables struct{ orders, lines, history string }

var suffixPattern = regexp.MustCompile(`^(_[a-z0-9]{1,20})?$`)

// New returns the store over the live tables (suffix "") or over shadow
// tables named with suffix, which a rebuild fills before swapping them in.
// Run Migrate first.
func New(db *sqlite.DB, suffix string) (*Store, error) {
	if db == nil {
		return nil, errors.New("orders: database is required")
	}
	if !suffixPattern.MatchString(suffix) {
		return nil, fmt.Errorf("orders: table suffix %q must match %s", suffix, suffixPattern)
	}
	return &Store{db: db, suffix: suffix, t: tables{
		orders: "orders_orders" + suffix, lines: "orders_lines" + suffix, history: "orders_history" + suffix,
	}}, nil
}

func (s *Store) checkpointName() string { return orders.HandlerName + s.suffix }

// Apply implements orders.Store: the change and the checkpoint commit
// together, or nothing is written when the order already reflects c.
func (s *Store) Apply(ctx context.Context, c orders.Change) (applied bool, err error) {
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		n, err := s.apply(ctx, tx, []orders.Change{c}, false)
		applied = n > 0
		return err
	})
	return applied, err
}

// ApplyBatch implements orders.BatchStore: all of cs with the checkpoint in
// one transaction, or, on an error, none of it.
func (s *Store) ApplyBatch(ctx context.Context, cs []orders.Change) error {
	if len(cs) == 0 {
		return nil
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := s.apply(ctx, tx, cs, true)
		return err
	})
}

type row struct {
	o        orders.Order
	exists   bool
	dirty    bool
	position uint64
}

// apply folds cs into the stored orders and writes each touched order once
// with tx. The checkpoint moves to the highest position of cs when something
// was applied, or always when skipped is true (a batch of duplicates still
// tells where the runner stands).
func (s *Store) apply(ctx context.Context, tx *sql.Tx, cs []orders.Change, skipped bool) (int, error) {
	state, err := s.load(ctx, tx, cs)
	if err != nil {
		return 0, err
	}
	type line struct {
		id string
		no int
		l  ordering.LineDTO
	}
	type hist struct {
		id     string
		rev    uint64
		status string
		reason string
		at     time.Time
	}
	var (
		lines   []line
		history []hist
		top     uint64
		applied int
	)
	for _, c := range cs {
		top = max(top, c.Position)
		r := state[c.OrderID]
		o, ok, err := orders.Fold(r.o, r.exists, c)
		if err != nil {
			return 0, err
		}
		if !ok {
			continue
		}
		if !r.exists {
			for i, l := range c.Placed.Lines {
				lines = append(lines, line{c.OrderID, i, l})
			}
		}
		if c.Status != ordering.StatusNone {
			history = append(history, hist{c.OrderID, c.Revision, string(c.Status), c.Reason, c.At})
		}
		*r = row{o: o, exists: true, dirty: true, position: c.Position}
		applied++
	}
	if applied == 0 && !skipped {
		return 0, nil
	}
	if err := s.upsert(ctx, tx, state); err != nil {
		return 0, err
	}
	if len(lines) > 0 {
		st, err := tx.PrepareContext(ctx, `INSERT INTO `+s.t.lines+` (order_id, line_no, sku, name, category, quantity, unit_amount, currency,
			tax_class, weight_grams) VALUES (?,?,?,?,?,?,?,?,?,?)`)
		if err != nil {
			return 0, err
		}
		defer st.Close()
		for _, l := range lines {
			if _, err := st.ExecContext(ctx, l.id, l.no, l.l.SKU, l.l.Name, l.l.Category, l.l.Quantity, l.l.UnitPrice.Amount, l.l.UnitPrice.Currency,
				l.l.TaxClass, l.l.WeightGrams); err != nil {
				return 0, fmt.Errorf("orders: lines of %s: %w", l.id, err)
			}
		}
	}
	if len(history) > 0 {
		st, err := tx.PrepareContext(ctx, `INSERT INTO `+s.t.history+` (order_id, revision, status, reason, at) VALUES (?,?,?,?,?)`)
		if err != nil {
			return 0, err
		}
		defer st.Close()
		for _, h := range history {
			if _, err := st.ExecContext(ctx, h.id, int64(h.rev), h.status, h.reason, h.at.UnixNano()); err != nil {
				return 0, fmt.Errorf("orders: history of %s: %w", h.id, err)
			}
		}
	}
	if err := sqlite.SaveCheckpoint(ctx, tx, "orders_checkpoints", s.checkpointName(), top); err != nil {
		return 0, err
	}
	return applied, nil
}

// load reads the stored rows of the orders cs touches (one entry per order,
// exists false for those not stored).
func (s *Store) load(ctx context.Context, tx *sql.Tx, cs []orders.Change) (map[string]*row, error) {
	state := map[string]*row{}
	var ids []string
	for _, c := range cs {
		if state[c.OrderID] == nil {
			state[c.OrderID] = &row{}
			ids = append(ids, c.OrderID)
		}
	}
	err := sqlite.QueryIn(ctx, tx, `SELECT `+detailCols+`, position FROM `+s.t.orders+` WHERE order_id IN (?)`, ids,
		func(rows *sql.Rows) error {
			var o orders.Order
			var pos int64
			if err := scanDetail(rows, &o, &pos); err != nil {
				return err
			}
			*state[o.OrderID] = row{o: o, exists: true, position: uint64(pos)}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("orders: batch load: %w", err)
	}
	return state, nil
}

// upsert writes every order of state the batch changed.
func (s *Store) upsert(ctx context.Context, tx *sql.Tx, state map[string]*row) error {
	st, err := tx.PrepareContext(ctx, `INSERT INTO `+s.t.orders+` (order_id, customer_id, email, email_lower, status,
		total_amount, currency, item_count, shipping_address, payment_method, payment_last4, payment_id, carrier,
		tracking_number, cancel_reason, refunded_amount, placed_at, updated_at, version, position, pricing, documents)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, payment_id = excluded.payment_id,
			carrier = excluded.carrier, tracking_number = excluded.tracking_number, cancel_reason = excluded.cancel_reason,
			refunded_amount = excluded.refunded_amount, updated_at = excluded.updated_at, version = excluded.version,
			position = excluded.position, documents = excluded.documents`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, r := range state {
		if !r.dirty {
			continue
		}
		o := r.o
		addr, err := json.Marshal(o.ShippingAddress)
		if err != nil {
			return err
		}
		var refunded *int64
		if o.Refunded != nil {
			refunded = &o.Refunded.Amount
		}
		docs, err := json.Marshal(o.Documents)
		if err != nil {
			return err
		}
		priced, err := orders.EncodePricing(o.Pricing)
		if err != nil {
			return err
		}
		var pricing *string
		if priced != nil {
			v := string(priced)
			pricing = &v
		}
		if _, err := st.ExecContext(ctx, o.OrderID, o.CustomerID, o.Email, strings.ToLower(o.Email), o.Status,
			o.Total.Amount, o.Total.Currency, o.ItemCount, string(addr), o.PaymentMethod, o.PaymentLast4, o.PaymentID,
			o.Carrier, o.TrackingNumber, o.CancelReason, refunded, o.PlacedAt.UnixNano(), o.UpdatedAt.UnixNano(),
			int64(o.Version), int64(r.position), pricing, string(docs)); err != nil {
			return fmt.Errorf("orders: write %s: %w", o.OrderID, err)
		}
	}
	return nil
}

const summaryCols = `order_id, customer_id, email, status, total_amount, currency, item_count, placed_at, updated_at`

const detailCols = summaryCols + `, shipping_address, payment_method, payment_last4, payment_id, carrier,
	tracking_number, cancel_reason, refunded_amount, version, pricing, documents`

type scanner interface{ Scan(dest ...any) error }

func scanSummary(r scanner, s *orders.Summary, extra ...any) error {
	var placed, updated int64
	err := r.Scan(append([]any{&s.OrderID, &s.CustomerID, &s.Email, &s.Status, &s.Total.Amount, &s.Total.Currency,
		&s.ItemCount, &placed, &updated}, extra...)...)
	s.PlacedAt, s.UpdatedAt = sqlite.FromNanos(placed), sqlite.FromNanos(updated)
	return err
}

func scanDetail(r scanner, o *orders.Order, extra ...any) error {
	var addr, docs string
	var refunded sql.NullInt64
	var version int64
	var priced sql.NullString
	if err := scanSummary(r, &o.Summary, append([]any{&addr, &o.PaymentMethod, &o.PaymentLast4, &o.PaymentID, &o.Carrier,
		&o.TrackingNumber, &o.CancelReason, &refunded, &version, &priced, &docs}, extra...)...); err != nil {
		return err
	}
	var err error
	if o.Pricing, err = orders.DecodePricing([]byte(priced.String)); err != nil {
		return fmt.Errorf("orders: pricing of %s: %w", o.OrderID, err)
	}
	if err := json.Unmarshal([]byte(addr), &o.ShippingAddress); err != nil {
		return fmt.Errorf("orders: address of %s: %w", o.OrderID, err)
	}
	if err := json.Unmarshal([]byte(docs), &o.Documents); err != nil {
		return fmt.Errorf("orders: documents of %s: %w", o.OrderID, err)
	}
	if refunded.Valid {
		o.Refunded = &money.DTO{Amount: refunded.Int64, Currency: o.Total.Currency}
	}
	o.Version = uint64(version)
	return nil
}

// Get implements orders.Store. One statement reads the order with its lines
// and history (as JSON arrays), so it sees one snapshot without a read
// transaction: the order page is polled while a checkout runs, and BEGIN,
// ROLLBACK and two more queries cost more than the arrays' decoding.
func (s *Store) Get(ctx context.Context, orderID string) (orders.Order, error) {
	var o orders.Order
	var lines, history string
	err := scanDetail(s.db.Read.QueryRowContext(ctx, `SELECT `+detailCols+`,
		(SELECT json_group_array(json_object('s', sku, 'n', name, 'c', category, 'q', quantity, 'a', unit_amount,
			'cur', currency, 't', tax_class, 'w', weight_grams) ORDER BY line_no)
			FROM `+s.t.lines+` l WHERE l.order_id = o.order_id),
		(SELECT json_group_array(json_object('s', status, 'r', reason, 'at', at) ORDER BY revision)
			FROM `+s.t.history+` h WHERE h.order_id = o.order_id)
		FROM `+s.t.orders+` o WHERE order_id = ?`, strings.ToLower(orderID)), &o, &lines, &history)
	if errors.Is(err, sql.ErrNoRows) {
		return orders.Order{}, orders.ErrNotFound
	}
	if err != nil {
		return orders.Order{}, fmt.Errorf("orders: get: %w", err)
	}
	var ls []struct {
		SKU      string `json:"s"`
		Name     string `json:"n"`
		Category string `json:"c"`
		Quantity int    `json:"q"`
		Amount   int64  `json:"a"`
		Currency string `json:"cur"`
		TaxClass string `json:"t"`
		Weight   int    `json:"w"`
	}
	if err := json.Unmarshal([]byte(lines), &ls); err != nil {
		return orders.Order{}, fmt.Errorf("orders: lines of %s: %w", o.OrderID, err)
	}
	for _, l := range ls {
		o.Lines = append(o.Lines, orders.Line{SKU: l.SKU, Name: l.Name, Category: l.Category, Quantity: l.Quantity,
			UnitPrice: money.DTO{Amount: l.Amount, Currency: l.Currency}, TaxClass: l.TaxClass, WeightGrams: l.Weight})
	}
	var hs []struct {
		Status string `json:"s"`
		Reason string `json:"r"`
		At     int64  `json:"at"`
	}
	if err := json.Unmarshal([]byte(history), &hs); err != nil {
		return orders.Order{}, fmt.Errorf("orders: history of %s: %w", o.OrderID, err)
	}
	for _, h := range hs {
		o.History = append(o.History, orders.HistoryEntry{Status: h.Status, Reason: h.Reason, At: sqlite.FromNanos(h.At)})
	}
	return o, nil
}

const listWhere = ` WHERE (?1 = '' OR customer_id = ?1 OR customer_id = ?4) AND (?2 = '' OR status = ?2) AND (?3 = '' OR email_lower = ?3)`

// List implements orders.Store.
func (s *Store) List(ctx context.Context, q orders.Query) (orders.Page, error) {
	q = q.Normalize()
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+summaryCols+`, count(*) OVER () FROM `+s.t.orders+listWhere+`
		ORDER BY placed_at DESC, order_id LIMIT ?5 OFFSET ?6`,
		q.CustomerID, q.Status, q.Email, q.AlsoCustomerID, q.PageSize, (q.Page-1)*q.PageSize)
	if err != nil {
		return orders.Page{}, fmt.Errorf("orders: list: %w", err)
	}
	defer rows.Close()
	page := orders.Page{Page: q.Page, PageSize: q.PageSize, Items: []orders.Summary{}}
	for rows.Next() {
		var it orders.Summary
		if err := scanSummary(rows, &it, &page.Total); err != nil {
			return orders.Page{}, err
		}
		page.Items = append(page.Items, it)
	}
	if err := rows.Err(); err != nil {
		return orders.Page{}, err
	}
	if len(page.Items) == 0 && q.Page > 1 {
		// count(*) OVER () has no row to ride on past the last page.
		if err := s.db.Read.QueryRowContext(ctx, `SELECT count(*) FROM `+s.t.orders+listWhere,
			q.CustomerID, q.Status, q.Email, q.AlsoCustomerID).Scan(&page.Total); err != nil {
			return orders.Page{}, err
		}
	}
	return page, nil
}

// Checkpoint implements orders.Store.
func (s *Store) Checkpoint(ctx context.Context) (uint64, error) {
	return s.checkpoint(ctx, s.db.Read)
}

func (s *Store) checkpoint(ctx context.Context, q sqlite.Querier) (uint64, error) {
	return sqlite.LoadCheckpoint(ctx, q, "orders_checkpoints", s.checkpointName())
}
