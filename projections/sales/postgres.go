package sales

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/platform/pg"
	"github.com/evshop/shop/projections/rebuild"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Component is the migration component name of this read model.
const Component = "projections.sales"

// Migrate applies the read model's migrations (the live tables).
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return pg.Migrate(ctx, pool, Component, sub)
}

// Postgres is the server-mode Store.
type Postgres struct {
	pool   *pgxpool.Pool
	loc    *time.Location
	suffix string
	t      tables
}

type tables struct{ streams, lines, days, items, baskets string }

func (t tables) all() []string { return []string{t.streams, t.lines, t.days, t.items, t.baskets} }

var suffixPattern = regexp.MustCompile(`^(_[a-z0-9]{1,20})?$`)

// tablesFor names the live tables (suffix "") or a rebuild's shadows; the
// PostgreSQL and SQLite adapters share the names.
func tablesFor(suffix string) (tables, error) {
	if !suffixPattern.MatchString(suffix) {
		return tables{}, fmt.Errorf("sales: table suffix %q must match %s", suffix, suffixPattern)
	}
	return tables{
		streams: "sales_streams" + suffix, lines: "sales_order_lines" + suffix, days: "sales_days" + suffix,
		items: "sales_items" + suffix, baskets: "sales_baskets" + suffix,
	}, nil
}

// pairs pairs each live table with its shadow.
func pairs(live, shadow tables) []rebuild.TablePair {
	sh := shadow.all()
	var out []rebuild.TablePair
	for i, l := range live.all() {
		out = append(out, rebuild.TablePair{Live: l, Shadow: sh[i]})
	}
	return out
}

// NewPostgres returns the store over the live tables (suffix "") or over
// shadow tables named with suffix, which a rebuild fills before swapping.
// Days are bucketed in loc (UTC when nil). Run Migrate first.
func NewPostgres(pool *pgxpool.Pool, loc *time.Location, suffix string) (*Postgres, error) {
	if pool == nil {
		return nil, errors.New("sales: pool is required")
	}
	t, err := tablesFor(suffix)
	if err != nil {
		return nil, err
	}
	if loc == nil {
		loc = time.UTC
	}
	return &Postgres{pool: pool, loc: loc, suffix: suffix, t: t}, nil
}

// Location implements Store.
func (p *Postgres) Location() *time.Location { return p.loc }

func (p *Postgres) checkpointName() string { return HandlerName + p.suffix }

// ApplyBatch implements Store: every touched stream is locked (in name
// order, so concurrent batches cannot deadlock), the batch is folded in
// memory and its sums are added in one transaction with the checkpoint. It
// commits without waiting for the WAL flush: the catch-up runner reads from
// the event store, so a crash can only lose whole batches together with
// their checkpoint, and the runner applies them again.
func (p *Postgres) ApplyBatch(ctx context.Context, cs []Change) error {
	if len(cs) == 0 {
		return nil
	}
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // no-op after commit
	if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
		return err
	}
	streams, orders := needs(cs)
	slices.Sort(streams)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('sales:' || s)) FROM unnest($1::text[]) WITH ORDINALITY AS u(s, n) ORDER BY n`, streams); err != nil {
		return err
	}
	b, err := p.load(ctx, tx, streams, orders)
	if err != nil {
		return err
	}
	d, err := fold(p.loc, b, cs)
	if err != nil {
		return err
	}
	if err := p.write(ctx, tx, d); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

func (p *Postgres) load(ctx context.Context, tx pgx.Tx, streams, orders []string) (batch, error) {
	b := batch{versions: map[string]uint64{}, lines: map[string][]Line{}}
	rows, err := tx.Query(ctx, `SELECT stream, version FROM `+p.t.streams+` WHERE stream = ANY($1)`, streams)
	if err != nil {
		return b, fmt.Errorf("sales: load versions: %w", err)
	}
	for rows.Next() {
		var s string
		var v int64
		if err := rows.Scan(&s, &v); err != nil {
			rows.Close()
			return b, err
		}
		b.versions[s] = uint64(v)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(orders) == 0 {
		return b, err
	}
	rows, err = tx.Query(ctx, `SELECT order_id, sku, name, category, quantity, unit_amount, currency, gross_amount, net_amount FROM `+p.t.lines+`
		WHERE order_id = ANY($1) ORDER BY order_id, line_no`, orders)
	if err != nil {
		return b, fmt.Errorf("sales: load lines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var l Line
		var gross, net *int64
		if err := rows.Scan(&id, &l.SKU, &l.Name, &l.Category, &l.Quantity, &l.UnitPrice.Amount, &l.UnitPrice.Currency, &gross, &net); err != nil {
			return b, err
		}
		if gross != nil && net != nil {
			l.Priced, l.Gross, l.Net = true, *gross, *net
		}
		b.lines[id] = append(b.lines[id], l)
	}
	return b, rows.Err()
}

// write adds d to the tables and moves the checkpoint.
func (p *Postgres) write(ctx context.Context, tx pgx.Tx, d delta) error {
	q := &pgx.Batch{}
	var ss []string
	var vs []int64
	for s, v := range d.versions {
		ss, vs = append(ss, s), append(vs, int64(v))
	}
	q.Queue(`INSERT INTO `+p.t.streams+` (stream, version) SELECT * FROM unnest($1::text[], $2::bigint[])
		ON CONFLICT (stream) DO UPDATE SET version = EXCLUDED.version`, ss, vs)
	for k, f := range d.days {
		q.Queue(`INSERT INTO `+p.t.days+` AS t (day, currency, orders, gross, net, refunds, refunded) VALUES ($1,$2,$3,$4,$5,$6,$7)
			ON CONFLICT (day, currency) DO UPDATE SET orders = t.orders + EXCLUDED.orders, gross = t.gross + EXCLUDED.gross,
			net = t.net + EXCLUDED.net, refunds = t.refunds + EXCLUDED.refunds, refunded = t.refunded + EXCLUDED.refunded`,
			k.day.t, k.currency, f.Orders, f.Gross, f.Net, f.Refunds, f.Refunded)
	}
	for _, m := range []map[itemKey]*ItemFigures{d.products, d.categories} {
		for k, f := range m {
			q.Queue(`INSERT INTO `+p.t.items+` AS t (day, sku, category, currency, name, quantity, orders, gross, net)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)
				ON CONFLICT (day, sku, category, currency) DO UPDATE SET name = EXCLUDED.name, quantity = t.quantity + EXCLUDED.quantity,
				orders = t.orders + EXCLUDED.orders, gross = t.gross + EXCLUDED.gross, net = t.net + EXCLUDED.net`,
				k.day.t, k.sku, k.category, k.currency, f.Name, f.Quantity, f.Orders, f.Gross, f.Net)
		}
	}
	for k, m := range d.baskets {
		q.Queue(`INSERT INTO `+p.t.baskets+` AS t (basket_id, day, filled, checked_out) VALUES ($1,$2,$3,$4)
			ON CONFLICT (basket_id, day) DO UPDATE SET filled = t.filled OR EXCLUDED.filled, checked_out = t.checked_out OR EXCLUDED.checked_out`,
			k.id, k.day.t, m.filled, m.checkedOut)
	}
	q.Queue(`INSERT INTO sales_projection_checkpoints (projector, position) VALUES ($1, $2)
		ON CONFLICT (projector) DO UPDATE SET position = GREATEST(sales_projection_checkpoints.position, EXCLUDED.position), updated_at = now()`,
		p.checkpointName(), int64(d.top))
	if err := tx.SendBatch(ctx, q).Close(); err != nil {
		return fmt.Errorf("sales: write batch: %w", err)
	}
	var lines [][]any
	for id, ls := range d.lines {
		for i, l := range ls {
			lines = append(lines, []any{id, i, l.SKU, l.Name, l.Category, l.Quantity, l.UnitPrice.Amount, l.UnitPrice.Currency, nullable(l.Priced, l.Gross), nullable(l.Priced, l.Net)})
		}
	}
	if len(lines) > 0 {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{p.t.lines},
			[]string{"order_id", "line_no", "sku", "name", "category", "quantity", "unit_amount", "currency", "gross_amount", "net_amount"}, pgx.CopyFromRows(lines)); err != nil {
			return fmt.Errorf("sales: order lines: %w", err)
		}
	}
	return nil
}

// Checkpoint implements Store.
func (p *Postgres) Checkpoint(ctx context.Context) (uint64, error) {
	var pos int64
	err := p.pool.QueryRow(ctx, `SELECT position FROM sales_projection_checkpoints WHERE projector=$1`, p.checkpointName()).Scan(&pos)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return uint64(pos), err
}

// Figures implements Store.
func (p *Postgres) Figures(ctx context.Context, from, to Day) (Figures, error) {
	var f Figures
	rows, err := p.pool.Query(ctx, `SELECT day, currency, orders, gross, net, refunds, refunded FROM `+p.t.days+`
		WHERE day BETWEEN $1 AND $2 ORDER BY day, currency`, from.t, to.t)
	if err != nil {
		return f, fmt.Errorf("sales: days: %w", err)
	}
	f.Days, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (DayFigures, error) {
		var d DayFigures
		err := r.Scan(&d.Day.t, &d.Currency, &d.Orders, &d.Gross, &d.Net, &d.Refunds, &d.Refunded)
		d.Day = DayOf(d.Day.t, time.UTC)
		return d, err
	})
	if err != nil {
		return f, err
	}
	rows, err = p.pool.Query(ctx, `SELECT sku, (array_agg(name ORDER BY day DESC))[1], category, currency,
		sum(quantity)::bigint, sum(orders)::bigint, sum(gross)::bigint, sum(net)::bigint FROM `+p.t.items+`
		WHERE day BETWEEN $1 AND $2 GROUP BY sku, category, currency`, from.t, to.t)
	if err != nil {
		return f, fmt.Errorf("sales: items: %w", err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ItemFigures, error) {
		var it ItemFigures
		err := r.Scan(&it.SKU, &it.Name, &it.Category, &it.Currency, &it.Quantity, &it.Orders, &it.Gross, &it.Net)
		return it, err
	})
	if err != nil {
		return f, err
	}
	f.Products, f.Categories = []ItemFigures{}, []ItemFigures{}
	for _, it := range items {
		if it.SKU == "" {
			f.Categories = append(f.Categories, it)
		} else {
			f.Products = append(f.Products, it)
		}
	}
	rows, err = p.pool.Query(ctx, `SELECT day, count(*) FILTER (WHERE filled), count(*) FILTER (WHERE checked_out) FROM `+p.t.baskets+`
		WHERE day BETWEEN $1 AND $2 GROUP BY day ORDER BY day`, from.t, to.t)
	if err != nil {
		return f, fmt.Errorf("sales: baskets: %w", err)
	}
	f.Baskets, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (BasketDay, error) {
		var b BasketDay
		err := r.Scan(&b.Day.t, &b.Filled, &b.CheckedOut)
		b.Day = DayOf(b.Day.t, time.UTC)
		return b, err
	})
	if err != nil {
		return f, err
	}
	err = p.pool.QueryRow(ctx, `SELECT count(DISTINCT basket_id) FILTER (WHERE filled), count(DISTINCT basket_id) FILTER (WHERE checked_out)
		FROM `+p.t.baskets+` WHERE day BETWEEN $1 AND $2`, from.t, to.t).Scan(&f.Filled, &f.CheckedOut)
	return f, err
}

// nullable stores v when ok, else NULL (a line of an order placed before
// pricing existed).
func nullable(ok bool, v int64) any {
	if !ok {
		return nil
	}
	return v
}
