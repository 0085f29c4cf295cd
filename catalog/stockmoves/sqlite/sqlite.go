// Package sqlite is the stock movement log of the durable embedded shop, in
// the catalog_stock_movements table of the shop's SQLite database — the same
// file as the catalog's stock (catalog/sqlitestore), whose MoveStock records
// a movement with InsertTx inside the transaction that changes the stock.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"

	"github.com/evshop/shop/catalog/stockmoves"
	"github.com/evshop/shop/platform/sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates the table (idempotent); New and the stock store call it.
func Migrate(ctx context.Context, db *sqlite.DB) error {
	return sqlite.MigrateEmbedded(ctx, db, "catalog-stockmoves", migrations, "migrations")
}

// Log implements stockmoves.Log.
type Log struct{ db *sqlite.DB }

// New migrates and returns the log.
func New(ctx context.Context, db *sqlite.DB) (*Log, error) {
	if err := Migrate(ctx, db); err != nil {
		return nil, err
	}
	return &Log{db: db}, nil
}

const columns = `id, sku, delta, quantity, reason, note, actor, ref, on_hand_after, at`

type scanner interface{ Scan(dest ...any) error }

func scan(row scanner) (stockmoves.Movement, error) {
	var m stockmoves.Movement
	var after sql.NullInt64
	var at int64
	if err := row.Scan(&m.ID, &m.SKU, &m.Delta, &m.Quantity, &m.Reason, &m.Note, &m.Actor, &m.Ref, &after, &at); err != nil {
		return m, err
	}
	if after.Valid {
		v := int(after.Int64)
		m.OnHandAfter = &v
	}
	m.At = sqlite.FromNanos(at)
	return m, nil
}

// InsertTx records m inside tx unless its id is stored; it reports whether a
// row was inserted. The caller rolls back its own change when it was not.
func InsertTx(ctx context.Context, tx *sql.Tx, m stockmoves.Movement) (bool, error) {
	var after any
	if m.OnHandAfter != nil {
		after = *m.OnHandAfter
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO catalog_stock_movements (`+columns+`) VALUES (?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (id) DO NOTHING`, m.ID, m.SKU, m.Delta, m.Quantity, string(m.Reason), m.Note, m.Actor, m.Ref, after, sqlite.Nanos(m.At))
	if err != nil {
		return false, fmt.Errorf("stockmoves sqlite: insert: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// GetTx reads a movement inside tx.
func GetTx(ctx context.Context, tx *sql.Tx, id string) (stockmoves.Movement, bool, error) {
	m, err := scan(tx.QueryRowContext(ctx, `SELECT `+columns+` FROM catalog_stock_movements WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return stockmoves.Movement{}, false, nil
	}
	return m, err == nil, err
}

// Record implements stockmoves.Log.
func (l *Log) Record(ctx context.Context, m stockmoves.Movement) (stockmoves.Movement, bool, error) {
	var out stockmoves.Movement
	var created bool
	err := l.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if created, err = InsertTx(ctx, tx, m); err != nil {
			return err
		}
		out, _, err = GetTx(ctx, tx, m.ID)
		return err
	})
	return out, created, err
}

// RecordAll implements stockmoves.Log.
func (l *Log) RecordAll(ctx context.Context, ms []stockmoves.Movement) error {
	if len(ms) == 0 {
		return nil
	}
	return l.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, m := range ms {
			if _, err := InsertTx(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	})
}

// Get implements stockmoves.Log.
func (l *Log) Get(ctx context.Context, id string) (stockmoves.Movement, bool, error) {
	m, err := scan(l.db.Read.QueryRowContext(ctx, `SELECT `+columns+` FROM catalog_stock_movements WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return stockmoves.Movement{}, false, nil
	}
	if err != nil {
		return stockmoves.Movement{}, false, fmt.Errorf("stockmoves sqlite: get: %w", err)
	}
	return m, true, nil
}

// List implements stockmoves.Log.
func (l *Log) List(ctx context.Context, sku string, page, pageSize int) (stockmoves.Page, error) {
	page, pageSize = stockmoves.ClampPage(page, pageSize)
	out := stockmoves.Page{Page: page, PageSize: pageSize, Items: []stockmoves.Movement{}}
	if err := l.db.Read.QueryRowContext(ctx, `SELECT count(*) FROM catalog_stock_movements WHERE sku = ?`, sku).Scan(&out.Total); err != nil {
		return out, fmt.Errorf("stockmoves sqlite: count: %w", err)
	}
	rows, err := l.db.Read.QueryContext(ctx, `SELECT `+columns+` FROM catalog_stock_movements WHERE sku = ?
		ORDER BY seq DESC LIMIT ? OFFSET ?`, sku, pageSize, (page-1)*pageSize)
	if err != nil {
		return out, fmt.Errorf("stockmoves sqlite: list: %w", err)
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
