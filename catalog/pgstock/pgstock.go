// Package pgstock is the catalog store of server mode: product documents
// stay in MongoDB (catalog/mongostore) while the stock counts, the holds and
// the reservations live in PostgreSQL (schema "catalog"), where each stock
// operation is one short transaction with row-level guards instead of the
// compare-and-swap chains FerretDB needs.
//
// Guarantees: a SKU is never oversold (every reservation locks the stock
// rows of its SKUs, in SKU order so concurrent orders cannot deadlock, and
// the guarded update and the table's checks refuse reserved > on hand); an
// order holds every line or none (one transaction per order); applying a
// command twice changes nothing (one reservation row per order, one hold row
// per order and SKU). Reserve, release and commit of an order are one call
// of a function (migration 002) each, so the rows stay locked for one
// statement. A stock row exists only for a SKU with a product and mirrors
// its archived flag, so reserving reads nothing from MongoDB; MongoDB is
// written first and decides, and a read that finds the mirror behind
// repairs it (archiving is one-way).
//
// Existing deployments hand over from MongoDB lazily: the first time a SKU
// with a product has no stock row, its chain head (on hand, reserved and the
// holds of the orders in flight) is copied in one transaction; the open
// (pending or reserved) reservations are copied once, at the first start,
// recorded in catalog.stock_imports. Stop every catalog process still on the
// MongoDB stock before the first one on PostgreSQL starts.
package pgstock

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/catalog/mongostore"
	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/platform/pg"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store implements catalog.Store, catalog.OrderStore, catalog.StockMover and
// catalog.StockOverlay.
type Store struct {
	products *mongostore.Store
	pool     *pgxpool.Pool
	// stocked remembers SKUs known to have a stock row (rows are never
	// deleted), so the hand-over check costs a query once per SKU and process.
	stocked sync.Map // string → struct{}
}

// New applies the "catalog" migrations, copies the open reservations from
// products' MongoDB database the first time, and returns the store.
func New(ctx context.Context, products *mongostore.Store, pool *pgxpool.Pool) (*Store, error) {
	if products == nil || pool == nil {
		return nil, errors.New("catalog pgstock: New needs the product store and a pool")
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := pg.Migrate(ctx, pool, "catalog", sub); err != nil {
		return nil, err
	}
	s := &Store{products: products, pool: pool}
	if err := s.importReservations(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// importReservations copies MongoDB's open reservations once; a lock makes
// concurrent first starts copy them once.
func (s *Store) importReservations(ctx context.Context) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE catalog.stock_imports IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		var done bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM catalog.stock_imports WHERE what = 'reservations')`).Scan(&done); err != nil {
			return err
		}
		if done {
			return nil
		}
		open, err := s.products.OpenReservations(ctx)
		if err != nil {
			return err
		}
		for _, r := range open {
			if _, err := insertReservation(ctx, tx, r); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO catalog.stock_imports (what) VALUES ('reservations')`)
		return err
	})
}

// ensureStock makes sure every SKU of skus that has a product also has a
// stock row, copying it from the MongoDB chain when it has none.
func (s *Store) ensureStock(ctx context.Context, skus []string) error {
	var unsure []string
	for _, k := range skus {
		if _, ok := s.stocked.Load(k); !ok {
			unsure = append(unsure, k)
		}
	}
	if len(unsure) == 0 {
		return nil
	}
	rows, err := s.pool.Query(ctx, `SELECT sku FROM catalog.stock WHERE sku = ANY($1)`, unsure)
	if err != nil {
		return fmt.Errorf("catalog pgstock: stock rows: %w", err)
	}
	have, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("catalog pgstock: stock rows: %w", err)
	}
	for _, k := range have {
		s.stocked.Store(k, struct{}{})
	}
	for _, k := range unsure {
		if slices.Contains(have, k) {
			continue
		}
		if err := s.importStock(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

// importStock copies one SKU's MongoDB stock (with its holds) if it has a
// product; the first writer wins, so concurrent copies agree.
func (s *Store) importStock(ctx context.Context, sku string) error {
	known, err := s.products.Archived(ctx, []string{sku})
	if err != nil {
		return err
	}
	if _, ok := known[sku]; !ok {
		return nil // no product: no stock row either
	}
	snap, _, err := s.products.Stock(ctx, sku)
	if err != nil {
		return err
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO catalog.stock (sku, on_hand, reserved, archived) VALUES ($1, $2, $3, $4) ON CONFLICT (sku) DO NOTHING`,
			sku, snap.OnHand, snap.Reserved, known[sku])
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		for order, q := range snap.Holds {
			if _, err := tx.Exec(ctx, `INSERT INTO catalog.stock_holds (order_id, sku, quantity) VALUES ($1, $2, $3)`, order, sku, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("catalog pgstock: copy stock of %s: %w", sku, err)
	}
	s.stocked.Store(sku, struct{}{})
	return nil
}

type counts struct {
	onHand, reserved int
	archived         bool
}

// counts reads the stock of skus in one query; SKUs without a row read 0.
func (s *Store) counts(ctx context.Context, skus []string) (map[string]counts, error) {
	if err := s.ensureStock(ctx, skus); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT sku, on_hand, reserved, archived FROM catalog.stock WHERE sku = ANY($1)`, skus)
	if err != nil {
		return nil, fmt.Errorf("catalog pgstock: counts: %w", err)
	}
	defer rows.Close()
	out := make(map[string]counts, len(skus))
	for rows.Next() {
		var k string
		var c counts
		if err := rows.Scan(&k, &c.onHand, &c.reserved, &c.archived); err != nil {
			return nil, fmt.Errorf("catalog pgstock: counts: %w", err)
		}
		out[k] = c
	}
	return out, rows.Err()
}

// withCounts returns p with the stock figures of c, first catching the
// archived mirror up with p when a crash left it behind (archiving is
// one-way, so setting it never undoes a newer write).
func (s *Store) withCounts(ctx context.Context, p domain.Product, c counts) (domain.Product, error) {
	if p.IsArchived() && !c.archived {
		if err := s.mirrorArchived(ctx, p.SKU().String()); err != nil {
			return domain.Product{}, err
		}
	}
	st := p.State()
	st.OnHand, st.Reserved = c.onHand, c.reserved
	return domain.RestoreProduct(st)
}

// WithStock implements catalog.StockOverlay: the counts of every SKU of ps
// in one query, each product caught up as Get would (archived mirror
// repaired when behind).
func (s *Store) WithStock(ctx context.Context, ps []domain.Product) ([]domain.Product, error) {
	if len(ps) == 0 {
		return ps, nil
	}
	skus := make([]string, len(ps))
	for i, p := range ps {
		skus[i] = p.SKU().String()
	}
	c, err := s.counts(ctx, skus)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Product, len(ps))
	for i, p := range ps {
		if out[i], err = s.withCounts(ctx, p, c[skus[i]]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Insert implements catalog.Store: the document in MongoDB, then the stock
// row. A crash between the two leaves a product that reads as 0 on hand
// until an admin adjusts it, as on MongoDB alone.
func (s *Store) Insert(ctx context.Context, p domain.Product) error {
	if err := s.products.InsertProduct(ctx, p); err != nil {
		return err
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO catalog.stock (sku, on_hand, reserved, archived) VALUES ($1, $2, 0, $3) ON CONFLICT (sku) DO NOTHING`,
		p.SKU().String(), p.OnHand(), p.IsArchived()); err != nil {
		return fmt.Errorf("catalog pgstock: insert stock: %w", err)
	}
	s.stocked.Store(p.SKU().String(), struct{}{})
	return nil
}

// Get implements catalog.Store.
func (s *Store) Get(ctx context.Context, sku domain.SKU) (domain.Product, error) {
	p, err := s.products.GetProduct(ctx, sku)
	if err != nil {
		return domain.Product{}, err
	}
	c, err := s.counts(ctx, []string{sku.String()})
	if err != nil {
		return domain.Product{}, err
	}
	return s.withCounts(ctx, p, c[sku.String()])
}

// Update implements catalog.Store: the document in MongoDB, then the
// archived mirror.
func (s *Store) Update(ctx context.Context, p domain.Product, prevVersion int64) error {
	if err := s.products.Update(ctx, p, prevVersion); err != nil || !p.IsArchived() {
		return err
	}
	if err := s.ensureStock(ctx, []string{p.SKU().String()}); err != nil {
		return err
	}
	return s.mirrorArchived(ctx, p.SKU().String())
}

func (s *Store) mirrorArchived(ctx context.Context, sku string) error {
	if _, err := s.pool.Exec(ctx, `UPDATE catalog.stock SET archived = true WHERE sku = $1 AND NOT archived`, sku); err != nil {
		return fmt.Errorf("catalog pgstock: archive %s: %w", sku, err)
	}
	return nil
}

// List implements catalog.Store: one page of families from MongoDB, the
// counts of all their SKUs in one query.
func (s *Store) List(ctx context.Context, q domain.Query) (domain.Page, error) {
	fp, err := s.products.ListFamilyProducts(ctx, q)
	if err != nil {
		return domain.Page{}, err
	}
	var skus []string
	for _, id := range fp.IDs {
		for _, v := range fp.Families[id] {
			skus = append(skus, v.SKU().String())
		}
	}
	c := map[string]counts{}
	if len(skus) > 0 {
		if c, err = s.counts(ctx, skus); err != nil {
			return domain.Page{}, err
		}
	}
	return fp.Summarize(q, func(p domain.Product) (domain.Product, error) {
		return s.withCounts(ctx, p, c[p.SKU().String()])
	})
}

// Family implements catalog.Store.
func (s *Store) Family(ctx context.Context, productID domain.SKU) ([]domain.Product, error) {
	vs, err := s.products.FamilyProducts(ctx, productID)
	if err != nil {
		return nil, err
	}
	skus := make([]string, len(vs))
	for i, v := range vs {
		skus[i] = v.SKU().String()
	}
	c, err := s.counts(ctx, skus)
	if err != nil {
		return nil, err
	}
	for i, v := range vs {
		if vs[i], err = s.withCounts(ctx, v, c[skus[i]]); err != nil {
			return nil, err
		}
	}
	return vs, nil
}

// Categories implements catalog.Store.
func (s *Store) Categories(ctx context.Context) ([]domain.CategoryCount, error) {
	return s.products.Categories(ctx)
}

// AdjustStock implements catalog.Store.
func (s *Store) AdjustStock(ctx context.Context, sku domain.SKU, delta int) (domain.Product, error) {
	p, err := s.products.GetProduct(ctx, sku)
	if err != nil {
		return domain.Product{}, err
	}
	if err := s.ensureStock(ctx, []string{sku.String()}); err != nil {
		return domain.Product{}, err
	}
	var c counts
	err = s.pool.QueryRow(ctx, `UPDATE catalog.stock SET on_hand = on_hand + $2
		WHERE sku = $1 AND on_hand + $2 >= reserved AND on_hand + $2 BETWEEN 0 AND $3
		RETURNING on_hand, reserved, archived`, sku.String(), delta, domain.MaxStock).Scan(&c.onHand, &c.reserved, &c.archived)
	if errors.Is(err, pgx.ErrNoRows) {
		cur, cerr := s.counts(ctx, []string{sku.String()})
		if cerr != nil {
			return domain.Product{}, cerr
		}
		return domain.Product{}, fmt.Errorf("%w: %s has %d on hand, %d reserved", domain.ErrInsufficientStock, sku,
			cur[sku.String()].onHand, cur[sku.String()].reserved)
	}
	if err != nil {
		return domain.Product{}, fmt.Errorf("catalog pgstock: adjust: %w", err)
	}
	return s.withCounts(ctx, p, c)
}

// holdPlan is what holding lines for an order would do, decided on locked
// stock rows.
type holdPlan struct {
	outcomes []domain.HoldOutcome
	apply    []domain.Line // lines to hold now (outcome HoldApplied)
}

func (h holdPlan) held() bool {
	for _, o := range h.outcomes {
		if !o.Held() {
			return false
		}
	}
	return true
}

// planHolds locks the stock rows of lines (sorted by SKU: the order every
// writer locks in) and decides each line; a SKU without a row has no product.
func planHolds(ctx context.Context, tx pgx.Tx, orderID string, lines []domain.Line) (holdPlan, error) {
	skus := make([]string, len(lines))
	for i, l := range lines {
		skus[i] = l.SKU().String()
	}
	rows, err := tx.Query(ctx, `SELECT s.sku, s.on_hand - s.reserved, s.archived, h.quantity IS NOT NULL
		FROM catalog.stock s LEFT JOIN catalog.stock_holds h ON h.sku = s.sku AND h.order_id = $2
		WHERE s.sku = ANY($1) ORDER BY s.sku FOR UPDATE OF s`, skus, orderID)
	if err != nil {
		return holdPlan{}, fmt.Errorf("catalog pgstock: lock stock: %w", err)
	}
	type row struct {
		available      int
		archived, held bool
	}
	got := map[string]row{}
	for rows.Next() {
		var k string
		var r row
		if err := rows.Scan(&k, &r.available, &r.archived, &r.held); err != nil {
			rows.Close()
			return holdPlan{}, fmt.Errorf("catalog pgstock: lock stock: %w", err)
		}
		got[k] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return holdPlan{}, fmt.Errorf("catalog pgstock: lock stock: %w", err)
	}
	var plan holdPlan
	for _, l := range lines {
		k := l.SKU().String()
		r, stocked := got[k]
		var o domain.HoldOutcome
		switch {
		case !stocked:
			o = domain.HoldUnknown
		case r.held:
			o = domain.HoldAlreadyHeld
		case r.archived:
			o = domain.HoldArchived
		case r.available < l.Quantity():
			o = domain.HoldInsufficient
		default:
			o = domain.HoldApplied
			plan.apply = append(plan.apply, l)
		}
		plan.outcomes = append(plan.outcomes, o)
	}
	return plan, nil
}

// applyHolds holds the lines for the order; the rows are locked by
// planHolds, and the guard repeats its check.
func applyHolds(ctx context.Context, tx pgx.Tx, orderID string, lines []domain.Line) error {
	if len(lines) == 0 {
		return nil
	}
	skus, qty := make([]string, len(lines)), make([]int32, len(lines))
	for i, l := range lines {
		skus[i], qty[i] = l.SKU().String(), int32(l.Quantity())
	}
	tag, err := tx.Exec(ctx, `UPDATE catalog.stock s SET reserved = s.reserved + l.q
		FROM unnest($1::text[], $2::int[]) AS l(sku, q)
		WHERE s.sku = l.sku AND s.on_hand - s.reserved >= l.q`, skus, qty)
	if err != nil {
		return fmt.Errorf("catalog pgstock: hold: %w", err)
	}
	if tag.RowsAffected() != int64(len(lines)) {
		return fmt.Errorf("catalog pgstock: hold of order %s: %d of %d lines passed the guard", orderID, tag.RowsAffected(), len(lines))
	}
	if _, err := tx.Exec(ctx, `INSERT INTO catalog.stock_holds (order_id, sku, quantity)
		SELECT $1, sku, q FROM unnest($2::text[], $3::int[]) AS l(sku, q)`, orderID, skus, qty); err != nil {
		return fmt.Errorf("catalog pgstock: hold: %w", err)
	}
	return nil
}

// dropHolds removes the order's holds on skus (all its holds when skus is
// nil), giving the units back, or selling them when sold. Stock rows are
// locked first, in SKU order, like every other writer.
func dropHolds(ctx context.Context, tx pgx.Tx, orderID string, skus []string, sold bool) error {
	if _, err := tx.Exec(ctx, `SELECT 1 FROM catalog.stock WHERE sku IN (
			SELECT sku FROM catalog.stock_holds WHERE order_id = $1 AND ($2::text[] IS NULL OR sku = ANY($2)))
		ORDER BY sku FOR UPDATE`, orderID, skus); err != nil {
		return fmt.Errorf("catalog pgstock: lock stock: %w", err)
	}
	soldUnits := 0
	if sold {
		soldUnits = 1
	}
	if _, err := tx.Exec(ctx, `WITH gone AS (
			DELETE FROM catalog.stock_holds WHERE order_id = $1 AND ($2::text[] IS NULL OR sku = ANY($2)) RETURNING sku, quantity)
		UPDATE catalog.stock s SET reserved = s.reserved - g.quantity, on_hand = s.on_hand - g.quantity * $3
		FROM gone g WHERE s.sku = g.sku`, orderID, skus, soldUnits); err != nil {
		return fmt.Errorf("catalog pgstock: drop holds: %w", err)
	}
	return nil
}

// Hold implements catalog.Store.
func (s *Store) Hold(ctx context.Context, orderID string, l domain.Line) (domain.HoldOutcome, error) {
	if err := s.ensureStock(ctx, []string{l.SKU().String()}); err != nil {
		return 0, err
	}
	var out domain.HoldOutcome
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		plan, err := planHolds(ctx, tx, orderID, []domain.Line{l})
		if err != nil {
			return err
		}
		out = plan.outcomes[0]
		return applyHolds(ctx, tx, orderID, plan.apply)
	})
	return out, err
}

// Unhold implements catalog.Store.
func (s *Store) Unhold(ctx context.Context, orderID string, sku domain.SKU) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return dropHolds(ctx, tx, orderID, []string{sku.String()}, false)
	})
}

// Consume implements catalog.Store.
func (s *Store) Consume(ctx context.Context, orderID string, sku domain.SKU) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return dropHolds(ctx, tx, orderID, []string{sku.String()}, true)
	})
}

type lineRow struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// insertReservation stores r unless the order has one; it reports whether
// it did.
func insertReservation(ctx context.Context, tx pgx.Tx, r domain.Reservation) (bool, error) {
	ls := []lineRow{}
	for _, l := range r.Lines() {
		ls = append(ls, lineRow{SKU: l.SKU().String(), Quantity: l.Quantity()})
	}
	raw, err := json.Marshal(ls)
	if err != nil {
		return false, err
	}
	failed := r.FailedSKUs()
	if failed == nil {
		failed = []string{}
	}
	tag, err := tx.Exec(ctx, `INSERT INTO catalog.stock_reservations (order_id, lines, status, reason, failed_skus)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (order_id) DO NOTHING`, r.OrderID(), raw, string(r.Status()), r.Reason(), failed)
	if err != nil {
		return false, fmt.Errorf("catalog pgstock: insert reservation: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// querier is a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// readReservation reads the order's reservation (locked when lock);
// domain.ErrNotReserved when there is none.
func readReservation(ctx context.Context, q querier, orderID string, lock bool) (domain.Reservation, error) {
	sql := `SELECT lines, status, reason, failed_skus FROM catalog.stock_reservations WHERE order_id = $1`
	if lock {
		sql += ` FOR UPDATE`
	}
	var raw []byte
	var status, reason string
	var failed []string
	err := q.QueryRow(ctx, sql, orderID).Scan(&raw, &status, &reason, &failed)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Reservation{}, fmt.Errorf("%w: order %s", domain.ErrNotReserved, orderID)
	}
	if err != nil {
		return domain.Reservation{}, fmt.Errorf("catalog pgstock: read reservation: %w", err)
	}
	var ls []lineRow
	if err := json.Unmarshal(raw, &ls); err != nil {
		return domain.Reservation{}, fmt.Errorf("catalog pgstock: reservation %s: %w", orderID, err)
	}
	lines := make([]domain.Line, len(ls))
	for i, l := range ls {
		if lines[i], err = domain.NewLine(l.SKU, l.Quantity); err != nil {
			return domain.Reservation{}, err
		}
	}
	return domain.RestoreReservation(orderID, lines, domain.ReservationStatus(status), reason, failed)
}

func setStatus(ctx context.Context, tx pgx.Tx, orderID string, to domain.ReservationStatus, reason string, skus []string) error {
	if skus == nil {
		skus = []string{}
	}
	if _, err := tx.Exec(ctx, `UPDATE catalog.stock_reservations SET status = $2, reason = $3, failed_skus = $4, updated_at = now()
		WHERE order_id = $1`, orderID, string(to), reason, skus); err != nil {
		return fmt.Errorf("catalog pgstock: reservation status: %w", err)
	}
	return nil
}

// CreateReservation implements catalog.Store.
func (s *Store) CreateReservation(ctx context.Context, r domain.Reservation) (domain.Reservation, bool, error) {
	var created bool
	var got domain.Reservation
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if created, err = insertReservation(ctx, tx, r); err != nil || created {
			got = r
			return err
		}
		got, err = readReservation(ctx, tx, r.OrderID(), false)
		return err
	})
	if err != nil {
		return domain.Reservation{}, false, err
	}
	return got, created, nil
}

// GetReservation implements catalog.Store.
func (s *Store) GetReservation(ctx context.Context, orderID string) (domain.Reservation, error) {
	return readReservation(ctx, s.pool, orderID, false)
}

// TransitionReservation implements catalog.Store.
func (s *Store) TransitionReservation(ctx context.Context, orderID string, from []domain.ReservationStatus, to domain.ReservationStatus, reason string, skus []string) (domain.Reservation, error) {
	var out domain.Reservation
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		cur, err := readReservation(ctx, tx, orderID, true)
		if err != nil {
			return err
		}
		if !slices.Contains(from, cur.Status()) {
			out = cur
			return nil
		}
		if err := setStatus(ctx, tx, orderID, to, reason, skus); err != nil {
			return err
		}
		out, err = readReservation(ctx, tx, orderID, false)
		return err
	})
	return out, err
}
