package sales

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/sqlite"
	"github.com/evshop/shop/projections/rebuild"
)

//go:embed sqlitemigrations/*.sql
var sqliteMigrations embed.FS

// MigrateSQLite applies the read model's migrations to the embedded
// database (the live tables).
func MigrateSQLite(ctx context.Context, db *sqlite.DB) error {
	return sqlite.MigrateEmbedded(ctx, db, Component, sqliteMigrations, "sqlitemigrations")
}

// SQLite is the Store of the durable embedded shop (platform/sqlite), in
// the tables of sqlitemigrations: a batch, folded in memory like the other
// adapters, and its checkpoint commit in one write transaction, so a
// restart resumes where the projector stopped. Days are 'YYYY-MM-DD' text.
type SQLite struct {
	db     *sqlite.DB
	loc    *time.Location
	suffix string
	t      tables
}

var _ Store = (*SQLite)(nil)

// NewSQLite returns the store over the live tables (suffix "") or over
// shadow tables named with suffix, which a rebuild fills before the swap.
// Days are bucketed in loc (UTC when nil). Run MigrateSQLite first.
func NewSQLite(db *sqlite.DB, loc *time.Location, suffix string) (*SQLite, error) {
	if db == nil {
		return nil, errors.New("sales: database is required")
	}
	t, err := tablesFor(suffix)
	if err != nil {
		return nil, err
	}
	if loc == nil {
		loc = time.UTC
	}
	return &SQLite{db: db, loc: loc, suffix: suffix, t: t}, nil
}

// Location implements Store.
func (s *SQLite) Location() *time.Location { return s.loc }

func (s *SQLite) checkpointName() string { return HandlerName + s.suffix }

// ApplyBatch implements Store.
func (s *SQLite) ApplyBatch(ctx context.Context, cs []Change) error {
	if len(cs) == 0 {
		return nil
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return s.apply(ctx, tx, cs) })
}

// apply folds cs over the stored state and writes the sums with tx.
func (s *SQLite) apply(ctx context.Context, tx *sql.Tx, cs []Change) error {
	if len(cs) == 0 {
		return nil
	}
	streams, orders := needs(cs)
	b, err := s.load(ctx, tx, streams, orders)
	if err != nil {
		return err
	}
	d, err := fold(s.loc, b, cs)
	if err != nil {
		return err
	}
	return s.write(ctx, tx, d)
}

func (s *SQLite) load(ctx context.Context, tx *sql.Tx, streams, orders []string) (batch, error) {
	b := batch{versions: map[string]uint64{}, lines: map[string][]Line{}}
	err := sqlite.QueryIn(ctx, tx, `SELECT stream, version FROM `+s.t.streams+` WHERE stream IN (?)`, streams, func(r *sql.Rows) error {
		var st string
		var v int64
		err := r.Scan(&st, &v)
		b.versions[st] = uint64(v)
		return err
	})
	if err != nil {
		return b, fmt.Errorf("sales: load versions: %w", err)
	}
	err = sqlite.QueryIn(ctx, tx, `SELECT order_id, sku, name, category, quantity, unit_amount, currency, gross_amount, net_amount FROM `+s.t.lines+`
		WHERE order_id IN (?) ORDER BY order_id, line_no`, orders, func(r *sql.Rows) error {
		var id string
		var l Line
		var gross, net sql.NullInt64
		err := r.Scan(&id, &l.SKU, &l.Name, &l.Category, &l.Quantity, &l.UnitPrice.Amount, &l.UnitPrice.Currency, &gross, &net)
		l.Priced, l.Gross, l.Net = gross.Valid && net.Valid, gross.Int64, net.Int64
		b.lines[id] = append(b.lines[id], l)
		return err
	})
	if err != nil {
		return b, fmt.Errorf("sales: load lines: %w", err)
	}
	return b, nil
}

// exec runs one prepared statement for each argument list.
func exec(ctx context.Context, tx *sql.Tx, query string, argss [][]any) error {
	if len(argss) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, args := range argss {
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

// write adds d to the tables and moves the checkpoint.
func (s *SQLite) write(ctx context.Context, tx *sql.Tx, d delta) error {
	var streams, lines, days, items, baskets [][]any
	for st, v := range d.versions {
		streams = append(streams, []any{st, int64(v)})
	}
	for id, ls := range d.lines {
		for i, l := range ls {
			lines = append(lines, []any{id, i, l.SKU, l.Name, l.Category, l.Quantity, l.UnitPrice.Amount, l.UnitPrice.Currency, nullable(l.Priced, l.Gross), nullable(l.Priced, l.Net)})
		}
	}
	for k, f := range d.days {
		days = append(days, []any{k.day.String(), k.currency, f.Orders, f.Gross, f.Net, f.Refunds, f.Refunded})
	}
	for _, m := range []map[itemKey]*ItemFigures{d.products, d.categories} {
		for k, f := range m {
			items = append(items, []any{k.day.String(), k.sku, k.category, k.currency, f.Name, f.Quantity, f.Orders, f.Gross, f.Net})
		}
	}
	for k, m := range d.baskets {
		baskets = append(baskets, []any{k.id, k.day.String(), m.filled, m.checkedOut})
	}
	steps := []struct {
		what, query string
		args        [][]any
	}{
		{"versions", `INSERT INTO ` + s.t.streams + ` (stream, version) VALUES (?, ?)
			ON CONFLICT (stream) DO UPDATE SET version = excluded.version`, streams},
		{"order lines", `INSERT INTO ` + s.t.lines + ` (order_id, line_no, sku, name, category, quantity, unit_amount, currency,
			gross_amount, net_amount) VALUES (?,?,?,?,?,?,?,?,?,?)`, lines},
		{"days", `INSERT INTO ` + s.t.days + ` AS t (day, currency, orders, gross, net, refunds, refunded) VALUES (?,?,?,?,?,?,?)
			ON CONFLICT (day, currency) DO UPDATE SET orders = t.orders + excluded.orders, gross = t.gross + excluded.gross,
			net = t.net + excluded.net, refunds = t.refunds + excluded.refunds, refunded = t.refunded + excluded.refunded`, days},
		{"items", `INSERT INTO ` + s.t.items + ` AS t (day, sku, category, currency, name, quantity, orders, gross, net)
			VALUES (?,?,?,?,?,?,?,?,?)
			ON CONFLICT (day, sku, category, currency) DO UPDATE SET name = excluded.name, quantity = t.quantity + excluded.quantity,
			orders = t.orders + excluded.orders, gross = t.gross + excluded.gross, net = t.net + excluded.net`, items},
		{"baskets", `INSERT INTO ` + s.t.baskets + ` AS t (basket_id, day, filled, checked_out) VALUES (?,?,?,?)
			ON CONFLICT (basket_id, day) DO UPDATE SET filled = t.filled OR excluded.filled,
			checked_out = t.checked_out OR excluded.checked_out`, baskets},
	}
	for _, st := range steps {
		if err := exec(ctx, tx, st.query, st.args); err != nil {
			return fmt.Errorf("sales: write %s: %w", st.what, err)
		}
	}
	return sqlite.SaveCheckpoint(ctx, tx, "sales_checkpoints", s.checkpointName(), d.top)
}

// Checkpoint implements Store.
func (s *SQLite) Checkpoint(ctx context.Context) (uint64, error) { return s.checkpoint(ctx, s.db.Read) }

func (s *SQLite) checkpoint(ctx context.Context, q sqlite.Querier) (uint64, error) {
	return sqlite.LoadCheckpoint(ctx, q, "sales_checkpoints", s.checkpointName())
}

func scanDay(text string) (Day, error) {
	d, err := ParseDay(text)
	if err != nil {
		return d, fmt.Errorf("sales: stored day: %w", err)
	}
	return d, nil
}

// Figures implements Store. It reads one snapshot of the model.
func (s *SQLite) Figures(ctx context.Context, from, to Day) (Figures, error) {
	var f Figures
	tx, err := s.db.Read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return f, err
	}
	defer tx.Rollback() //nolint:errcheck // read only
	query := func(what, q string, scan func(*sql.Rows) error) error {
		rows, err := tx.QueryContext(ctx, q, from.String(), to.String())
		if err != nil {
			return fmt.Errorf("sales: %s: %w", what, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return fmt.Errorf("sales: %s: %w", what, err)
			}
		}
		return rows.Err()
	}
	err = query("days", `SELECT day, currency, orders, gross, net, refunds, refunded FROM `+s.t.days+`
		WHERE day BETWEEN ?1 AND ?2 ORDER BY day, currency`, func(r *sql.Rows) error {
		var d DayFigures
		var day string
		if err := r.Scan(&day, &d.Currency, &d.Orders, &d.Gross, &d.Net, &d.Refunds, &d.Refunded); err != nil {
			return err
		}
		d.Day, err = scanDay(day)
		f.Days = append(f.Days, d)
		return err
	})
	if err != nil {
		return f, err
	}
	f.Products, f.Categories = []ItemFigures{}, []ItemFigures{}
	// With max(day) the only min/max aggregate, SQLite takes the bare name
	// from the row of the latest day: the latest name in the period.
	err = query("items", `SELECT sku, name, category, currency, sum(quantity), sum(orders), sum(gross), sum(net), max(day)
		FROM `+s.t.items+` WHERE day BETWEEN ?1 AND ?2 GROUP BY sku, category, currency`, func(r *sql.Rows) error {
		var it ItemFigures
		var last string
		if err := r.Scan(&it.SKU, &it.Name, &it.Category, &it.Currency, &it.Quantity, &it.Orders, &it.Gross, &it.Net, &last); err != nil {
			return err
		}
		if it.SKU == "" {
			f.Categories = append(f.Categories, it)
		} else {
			f.Products = append(f.Products, it)
		}
		return nil
	})
	if err != nil {
		return f, err
	}
	err = query("baskets", `SELECT day, sum(filled <> 0), sum(checked_out <> 0) FROM `+s.t.baskets+`
		WHERE day BETWEEN ?1 AND ?2 GROUP BY day ORDER BY day`, func(r *sql.Rows) error {
		var b BasketDay
		var day string
		if err := r.Scan(&day, &b.Filled, &b.CheckedOut); err != nil {
			return err
		}
		b.Day, err = scanDay(day)
		f.Baskets = append(f.Baskets, b)
		return err
	})
	if err != nil {
		return f, err
	}
	err = tx.QueryRowContext(ctx, `SELECT count(DISTINCT CASE WHEN filled <> 0 THEN basket_id END),
		count(DISTINCT CASE WHEN checked_out <> 0 THEN basket_id END)
		FROM `+s.t.baskets+` WHERE day BETWEEN ?1 AND ?2`, from.String(), to.String()).Scan(&f.Filled, &f.CheckedOut)
	if err != nil {
		return f, fmt.Errorf("sales: baskets: %w", err)
	}
	return f, nil
}

// SQLiteRebuildTarget is the rebuild.Projection of the SQLite model: it
// builds into tables suffixed ShadowSuffix, then swaps them in with
// rebuild.SwapSQLiteTables. The live store needs no wrapper: the swap holds
// the database's write lock, which every live write waits for.
type SQLiteRebuildTarget struct {
	live, shadow *SQLite
	side         *rebuild.SQLiteShadow
}

var _ rebuild.Projection = (*SQLiteRebuildTarget)(nil)

// NewSQLiteRebuildTarget returns the rebuild target over the model in db
// (MigrateSQLite must have run), bucketing days in loc.
func NewSQLiteRebuildTarget(db *sqlite.DB, loc *time.Location) (*SQLiteRebuildTarget, error) {
	live, err := NewSQLite(db, loc, "")
	if err != nil {
		return nil, err
	}
	shadow, err := NewSQLite(db, loc, ShadowSuffix)
	if err != nil {
		return nil, err
	}
	return &SQLiteRebuildTarget{live: live, shadow: shadow, side: &rebuild.SQLiteShadow{
		DB: db, Pairs: pairs(live.t, shadow.t),
		Checkpoints: "sales_checkpoints", Live: live.checkpointName(), Shadow: shadow.checkpointName(),
	}}, nil
}

// Name implements rebuild.Projection.
func (t *SQLiteRebuildTarget) Name() string { return RebuildName }

// Filter implements rebuild.Projection.
func (t *SQLiteRebuildTarget) Filter() eventstore.Filter { return Filter() }

// LiveCheckpoint implements rebuild.Projection.
func (t *SQLiteRebuildTarget) LiveCheckpoint(ctx context.Context) (uint64, error) {
	return t.live.Checkpoint(ctx)
}

// ShadowCheckpoint implements rebuild.Projection.
func (t *SQLiteRebuildTarget) ShadowCheckpoint(ctx context.Context) (uint64, error) {
	if tx := t.side.Tx(); tx != nil {
		return t.shadow.checkpoint(ctx, tx)
	}
	return t.shadow.Checkpoint(ctx)
}

// CreateShadow implements rebuild.Projection.
func (t *SQLiteRebuildTarget) CreateShadow(ctx context.Context) error { return t.side.Create(ctx) }

// ApplyShadow implements rebuild.Projection. During Swap it writes with the
// swap's transaction.
func (t *SQLiteRebuildTarget) ApplyShadow(ctx context.Context, evs []eventstore.RecordedEvent) error {
	cs := Decode(evs, nil)
	if tx := t.side.Tx(); tx != nil {
		return t.shadow.apply(ctx, tx, cs)
	}
	return t.shadow.ApplyBatch(ctx, cs)
}

// Swap implements rebuild.Projection.
func (t *SQLiteRebuildTarget) Swap(ctx context.Context, catchUp func(context.Context) error) error {
	return t.side.Swap(ctx, catchUp)
}

// DropShadow implements rebuild.Projection.
func (t *SQLiteRebuildTarget) DropShadow(ctx context.Context) error { return t.side.Drop(ctx) }
