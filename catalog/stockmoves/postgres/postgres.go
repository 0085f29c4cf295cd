// Package postgres is the stock movement log of server mode, in
// catalog.stock_movements beside the stock counts of catalog/pgstock, whose
// MoveStock records a movement with InsertTx inside the transaction that
// changes the stock.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/catalog/stockmoves"
	"github.com/evshop/shop/platform/pg"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates the table (idempotent, safe from concurrent starts).
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return pg.Migrate(ctx, pool, "catalog-stockmoves", sub)
}

// Log implements stockmoves.Log.
type Log struct{ pool *pgxpool.Pool }

// New migrates and returns the log.
func New(ctx context.Context, pool *pgxpool.Pool) (*Log, error) {
	if pool == nil {
		return nil, errors.New("stockmoves postgres: New needs a pool")
	}
	if err := Migrate(ctx, pool); err != nil {
		return nil, err
	}
	return &Log{pool: pool}, nil
}

const columns = `id::text, sku, delta, quantity, reason, note, actor, ref, on_hand_after, at`

func scan(row pgx.Row) (stockmoves.Movement, error) {
	var m stockmoves.Movement
	var after *int32
	var reason string
	if err := row.Scan(&m.ID, &m.SKU, &m.Delta, &m.Quantity, &reason, &m.Note, &m.Actor, &m.Ref, &after, &m.At); err != nil {
		return m, err
	}
	m.Reason = stockmoves.Reason(reason)
	if after != nil {
		v := int(*after)
		m.OnHandAfter = &v
	}
	m.At = m.At.UTC()
	return m, nil
}

// insertSQL records a movement unless its id is stored.
const insertSQL = `INSERT INTO catalog.stock_movements (id, sku, delta, quantity, reason, note, actor, ref, on_hand_after, at)
	VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT (id) DO NOTHING`

func insertArgs(m stockmoves.Movement) []any {
	return []any{m.ID, m.SKU, m.Delta, m.Quantity, string(m.Reason), m.Note, m.Actor, m.Ref, m.OnHandAfter, m.At}
}

// InsertTx records m inside tx unless its id is stored; it reports whether a
// row was inserted. The caller rolls back its own change when it was not.
func InsertTx(ctx context.Context, tx pgx.Tx, m stockmoves.Movement) (bool, error) {
	tag, err := tx.Exec(ctx, insertSQL, insertArgs(m)...)
	if err != nil {
		return false, fmt.Errorf("stockmoves postgres: insert: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// Get implements stockmoves.Log.
func (l *Log) Get(ctx context.Context, id string) (stockmoves.Movement, bool, error) {
	return get(ctx, l.pool, id)
}

// GetWith reads a movement through q (a transaction or the pool).
func GetWith(ctx context.Context, q Querier, id string) (stockmoves.Movement, bool, error) {
	return get(ctx, q, id)
}

// Querier is a transaction or a pool.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func get(ctx context.Context, q Querier, id string) (stockmoves.Movement, bool, error) {
	m, err := scan(q.QueryRow(ctx, `SELECT `+columns+` FROM catalog.stock_movements WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return stockmoves.Movement{}, false, nil
	}
	if err != nil {
		return stockmoves.Movement{}, false, fmt.Errorf("stockmoves postgres: get: %w", err)
	}
	return m, true, nil
}

// Record implements stockmoves.Log.
func (l *Log) Record(ctx context.Context, m stockmoves.Movement) (stockmoves.Movement, bool, error) {
	var out stockmoves.Movement
	var created bool
	err := pgx.BeginFunc(ctx, l.pool, func(tx pgx.Tx) error {
		var err error
		if created, err = InsertTx(ctx, tx, m); err != nil {
			return err
		}
		out, _, err = get(ctx, tx, m.ID)
		return err
	})
	return out, created, err
}

// RecordAll implements stockmoves.Log: the inserts and the commit go in one
// round trip.
func (l *Log) RecordAll(ctx context.Context, ms []stockmoves.Movement) error {
	if len(ms) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	for _, m := range ms {
		b.Queue(insertSQL, insertArgs(m)...)
	}
	b.Queue("COMMIT")
	if err := l.pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("stockmoves postgres: record: %w", err)
	}
	return nil
}

// List implements stockmoves.Log.
func (l *Log) List(ctx context.Context, sku string, page, pageSize int) (stockmoves.Page, error) {
	page, pageSize = stockmoves.ClampPage(page, pageSize)
	out := stockmoves.Page{Page: page, PageSize: pageSize, Items: []stockmoves.Movement{}}
	if err := l.pool.QueryRow(ctx, `SELECT count(*) FROM catalog.stock_movements WHERE sku = $1`, sku).Scan(&out.Total); err != nil {
		return out, fmt.Errorf("stockmoves postgres: count: %w", err)
	}
	rows, err := l.pool.Query(ctx, `SELECT `+columns+` FROM catalog.stock_movements WHERE sku = $1
		ORDER BY seq DESC LIMIT $2 OFFSET $3`, sku, pageSize, (page-1)*pageSize)
	if err != nil {
		return out, fmt.Errorf("stockmoves postgres: list: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scan(rows)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, m)
	}
	return out, rows.Err()
}
