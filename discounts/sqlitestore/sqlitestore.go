// Package sqlitestore is the embedded-database adapter of discounts.Store
// (platform/sqlite), in tables prefixed discounts_. Every write, Reserve
// above all, is one transaction on the database's single write connection
// (BEGIN IMMEDIATE), so the counts Reserve reads cannot change before it
// writes the use.
package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/evshop/shop/discounts"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/platform/sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store implements discounts.Store.
type Store struct{ db *sqlite.DB }

var _ discounts.Store = (*Store)(nil)

// New applies the "discounts" migrations and returns the store.
func New(ctx context.Context, db *sqlite.DB) (*Store, error) {
	if db == nil {
		return nil, errors.New("discounts/sqlitestore: database is required")
	}
	if err := sqlite.MigrateEmbedded(ctx, db, "discounts", migrations, "migrations"); err != nil {
		return nil, err
	}
	return &Store{db: db}, nil
}

const codeCols = `c.code, c.kind, c.percent_off, c.amount_off, c.amount_currency, c.valid_from, c.valid_until, c.min_subtotal,
	c.min_currency, c.max_uses, c.max_uses_per_customer, c.categories, c.paused, c.created_at, c.updated_at`

// usageCols are the counts of a code's reservations (alias r) by state.
const usageCols = `count(CASE WHEN r.state = 'reserved' THEN 1 END), count(CASE WHEN r.state = 'committed' THEN 1 END),
	count(CASE WHEN r.state = 'released' THEN 1 END)`

type scanner interface{ Scan(dest ...any) error }

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func scanCode(r scanner, more ...any) (discounts.Code, error) {
	var c discounts.Code
	var amount, minimum, created, updated int64
	var amountCur, minCur, cats string
	var from, until *int64
	dest := append([]any{&c.Code, &c.Kind, &c.PercentOff, &amount, &amountCur, &from, &until, &minimum, &minCur,
		&c.MaxUses, &c.MaxUsesPerCustomer, &cats, &c.Paused, &created, &updated}, more...)
	if err := r.Scan(dest...); errors.Is(err, sql.ErrNoRows) {
		return c, discounts.ErrUnknown
	} else if err != nil {
		return c, fmt.Errorf("discounts/sqlitestore: code: %w", err)
	}
	var err error
	if c.AmountOff, err = toMoney(amount, amountCur); err != nil {
		return c, err
	}
	if c.MinSubtotal, err = toMoney(minimum, minCur); err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(cats), &c.Categories); err != nil {
		return c, fmt.Errorf("discounts/sqlitestore: categories of %s: %w", c.Code, err)
	}
	c.Window = discounts.Window{From: sqlite.FromNullNanos(from), Until: sqlite.FromNullNanos(until)}
	c.CreatedAt, c.UpdatedAt = sqlite.FromNanos(created), sqlite.FromNanos(updated)
	return c, nil
}

func toMoney(amount int64, currency string) (money.Money, error) {
	if currency == "" {
		return money.Money{}, nil
	}
	m, err := money.New(amount, currency)
	if err != nil {
		return m, fmt.Errorf("discounts/sqlitestore: stored amount: %w", err)
	}
	return m, nil
}

func codeArgs(c discounts.Code) ([]any, error) {
	cats := c.Categories
	if cats == nil {
		cats = []string{}
	}
	b, err := json.Marshal(cats)
	if err != nil {
		return nil, err
	}
	return []any{c.Code, string(c.Kind), c.PercentOff, c.AmountOff.Amount(), c.AmountOff.Currency(), sqlite.NullNanos(c.Window.From),
		sqlite.NullNanos(c.Window.Until), c.MinSubtotal.Amount(), c.MinSubtotal.Currency(), c.MaxUses, c.MaxUsesPerCustomer,
		string(b), c.Paused, sqlite.Nanos(c.CreatedAt), sqlite.Nanos(c.UpdatedAt)}, nil
}

// Create adds c.
func (s *Store) Create(ctx context.Context, c discounts.Code) error {
	args, err := codeArgs(c)
	if err != nil {
		return err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM discounts_codes WHERE code = ?`, c.Code).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return discounts.ErrDuplicate
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO discounts_codes (code, kind, percent_off, amount_off, amount_currency,
			valid_from, valid_until, min_subtotal, min_currency, max_uses, max_uses_per_customer, categories, paused,
			created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, args...)
		return err
	})
	if err != nil && !errors.Is(err, discounts.ErrDuplicate) {
		return fmt.Errorf("discounts/sqlitestore: create: %w", err)
	}
	return err
}

// Update changes a code with fn, in one write transaction.
func (s *Store) Update(ctx context.Context, code string, fn func(discounts.Code) (discounts.Code, error)) (discounts.Code, error) {
	var out discounts.Code
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, _, err := getCode(ctx, tx, code)
		if err != nil {
			return err
		}
		if out, err = fn(c); err != nil {
			return err
		}
		out.Code = code
		args, err := codeArgs(out)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE discounts_codes SET kind = ?2, percent_off = ?3, amount_off = ?4,
			amount_currency = ?5, valid_from = ?6, valid_until = ?7, min_subtotal = ?8, min_currency = ?9, max_uses = ?10,
			max_uses_per_customer = ?11, categories = ?12, paused = ?13, created_at = ?14, updated_at = ?15
			WHERE code = ?1`, args...)
		return err
	})
	if err != nil {
		return discounts.Code{}, err
	}
	return out, nil
}

// Get returns a code and its usage.
func (s *Store) Get(ctx context.Context, code string) (discounts.Code, discounts.Usage, error) {
	return getCode(ctx, s.db.Read, code)
}

func getCode(ctx context.Context, q querier, code string) (discounts.Code, discounts.Usage, error) {
	var u discounts.Usage
	c, err := scanCode(q.QueryRowContext(ctx, `SELECT `+codeCols+`, `+usageCols+` FROM discounts_codes c
		LEFT JOIN discounts_reservations r ON r.code = c.code WHERE c.code = ? GROUP BY c.code`, code),
		&u.Reserved, &u.Used, &u.Released)
	return c, u, err
}

// List returns every code with its usage, newest first.
func (s *Store) List(ctx context.Context) ([]discounts.Entry, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+codeCols+`, `+usageCols+` FROM discounts_codes c
		LEFT JOIN discounts_reservations r ON r.code = c.code
		GROUP BY c.code ORDER BY c.created_at DESC, c.code`)
	if err != nil {
		return nil, fmt.Errorf("discounts/sqlitestore: list: %w", err)
	}
	defer rows.Close()
	var out []discounts.Entry
	for rows.Next() {
		var e discounts.Entry
		if e.Code, err = scanCode(rows, &e.Usage.Reserved, &e.Usage.Used, &e.Usage.Released); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("discounts/sqlitestore: list: %w", err)
	}
	return out, nil
}

// CustomerUses counts the customer's reserved and committed uses.
func (s *Store) CustomerUses(ctx context.Context, code, customerKey string) (int, error) {
	return customerUses(ctx, s.db.Read, code, customerKey)
}

func customerUses(ctx context.Context, q querier, code, customerKey string) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM discounts_reservations
		WHERE code = ? AND customer_key = ? AND state <> 'released'`, code, customerKey).Scan(&n); err != nil {
		return 0, fmt.Errorf("discounts/sqlitestore: customer uses: %w", err)
	}
	return n, nil
}

const reservationCols = `order_id, code, customer_key, state, reserved_at, updated_at`

func scanReservation(r scanner) (discounts.Reservation, error) {
	var res discounts.Reservation
	var reserved, updated int64
	err := r.Scan(&res.OrderID, &res.Code, &res.CustomerKey, &res.State, &reserved, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return res, discounts.ErrNoReservation
	}
	if err != nil {
		return res, fmt.Errorf("discounts/sqlitestore: reservation: %w", err)
	}
	res.ReservedAt, res.UpdatedAt = sqlite.FromNanos(reserved), sqlite.FromNanos(updated)
	return res, nil
}

// Reserve checks and records the use in one write transaction.
func (s *Store) Reserve(ctx context.Context, r discounts.Reservation, check discounts.Eligibility) (discounts.Code, discounts.Reservation, error) {
	var c discounts.Code
	out := r
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var u discounts.Usage
		var err error
		if c, u, err = getCode(ctx, tx, r.Code); err != nil {
			return err
		}
		cur, err := scanReservation(tx.QueryRowContext(ctx, `SELECT `+reservationCols+` FROM discounts_reservations WHERE order_id = ?`, r.OrderID))
		switch {
		case err == nil && cur.State != discounts.StateReleased:
			if cur.Code != r.Code {
				return discounts.ErrOtherCode
			}
			out = cur
			return nil
		case err != nil && !errors.Is(err, discounts.ErrNoReservation):
			return err
		}
		uses, err := customerUses(ctx, tx, r.Code, r.CustomerKey)
		if err != nil {
			return err
		}
		if err := check(c, u, uses); err != nil {
			return err
		}
		out.State = discounts.StateReserved
		_, err = tx.ExecContext(ctx, `INSERT INTO discounts_reservations (`+reservationCols+`) VALUES (?1, ?2, ?3, 'reserved', ?4, ?5)
			ON CONFLICT (order_id) DO UPDATE SET code = excluded.code, customer_key = excluded.customer_key,
				state = 'reserved', reserved_at = excluded.reserved_at, updated_at = excluded.updated_at`,
			r.OrderID, r.Code, r.CustomerKey, sqlite.Nanos(r.ReservedAt), sqlite.Nanos(r.UpdatedAt))
		return err
	})
	if err != nil {
		var refusal *discounts.Refusal
		if errors.As(err, &refusal) || errors.Is(err, discounts.ErrOtherCode) {
			return discounts.Code{}, discounts.Reservation{}, err
		}
		return discounts.Code{}, discounts.Reservation{}, fmt.Errorf("discounts/sqlitestore: reserve: %w", err)
	}
	return c, out, nil
}

// Commit makes a reserved use final.
func (s *Store) Commit(ctx context.Context, orderID string, at time.Time) error {
	return s.move(ctx, orderID, discounts.StateCommitted, at)
}

// Release frees a reserved use.
func (s *Store) Release(ctx context.Context, orderID string, at time.Time) error {
	return s.move(ctx, orderID, discounts.StateReleased, at)
}

// move changes a reserved use to state; anything else stays.
func (s *Store) move(ctx context.Context, orderID string, state discounts.State, at time.Time) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE discounts_reservations SET state = ?2, updated_at = ?3
			WHERE order_id = ?1 AND state = 'reserved'`, orderID, string(state), sqlite.Nanos(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("discounts/sqlitestore: %s: %w", state, err)
	}
	return nil
}

// Reservation returns the order's use.
func (s *Store) Reservation(ctx context.Context, orderID string) (discounts.Reservation, error) {
	return scanReservation(s.db.Read.QueryRowContext(ctx, `SELECT `+reservationCols+` FROM discounts_reservations WHERE order_id = ?`, orderID))
}
