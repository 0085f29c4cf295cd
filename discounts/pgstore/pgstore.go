// Package pgstore is the PostgreSQL adapter of discounts.Store (server
// mode), in tables the discounts component owns and migrates itself.
// Reserve is one transaction that locks the code's row first, so the
// limits hold however many checkouts race, across processes.
package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/discounts"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/platform/pg"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store implements discounts.Store.
type Store struct{ pool *pgxpool.Pool }

var _ discounts.Store = (*Store)(nil)

// New applies the migrations and returns the store.
func New(ctx context.Context, pool *pgxpool.Pool) (*Store, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := pg.Migrate(ctx, pool, "discounts", sub); err != nil {
		return nil, err
	}
	return &Store{pool: pool}, nil
}

const codeCols = `code, kind, percent_off, amount_off, amount_currency, valid_from, valid_until, min_subtotal, min_currency,
	max_uses, max_uses_per_customer, categories, paused, created_at, updated_at`

// usageCols are the counts of a code's reservations (alias r) by state.
const usageCols = `count(r.order_id) FILTER (WHERE r.state = 'reserved'), count(r.order_id) FILTER (WHERE r.state = 'committed'),
	count(r.order_id) FILTER (WHERE r.state = 'released')`

func scanCode(row pgx.Row, more ...any) (discounts.Code, error) {
	var c discounts.Code
	var amount, minimum int64
	var amountCur, minCur string
	var from, until *time.Time
	dest := append([]any{&c.Code, &c.Kind, &c.PercentOff, &amount, &amountCur, &from, &until, &minimum, &minCur,
		&c.MaxUses, &c.MaxUsesPerCustomer, &c.Categories, &c.Paused, &c.CreatedAt, &c.UpdatedAt}, more...)
	if err := row.Scan(dest...); errors.Is(err, pgx.ErrNoRows) {
		return c, discounts.ErrUnknown
	} else if err != nil {
		return c, fmt.Errorf("discounts/pgstore: code: %w", err)
	}
	var err error
	if c.AmountOff, err = toMoney(amount, amountCur); err != nil {
		return c, err
	}
	if c.MinSubtotal, err = toMoney(minimum, minCur); err != nil {
		return c, err
	}
	c.Window = discounts.Window{From: fromNull(from), Until: fromNull(until)}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, nil
}

func toMoney(amount int64, currency string) (money.Money, error) {
	if currency == "" {
		return money.Money{}, nil
	}
	m, err := money.New(amount, currency)
	if err != nil {
		return m, fmt.Errorf("discounts/pgstore: stored amount: %w", err)
	}
	return m, nil
}

func fromNull(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func null(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func codeArgs(c discounts.Code) []any {
	cats := c.Categories
	if cats == nil {
		cats = []string{}
	}
	return []any{c.Code, string(c.Kind), c.PercentOff, c.AmountOff.Amount(), c.AmountOff.Currency(), null(c.Window.From),
		null(c.Window.Until), c.MinSubtotal.Amount(), c.MinSubtotal.Currency(), c.MaxUses, c.MaxUsesPerCustomer, cats,
		c.Paused, c.CreatedAt, c.UpdatedAt}
}

// Create adds c.
func (s *Store) Create(ctx context.Context, c discounts.Code) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO discount_codes (`+codeCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`, codeArgs(c)...)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return discounts.ErrDuplicate
	}
	if err != nil {
		return fmt.Errorf("discounts/pgstore: create: %w", err)
	}
	return nil
}

// Update changes a code with fn, holding its row.
func (s *Store) Update(ctx context.Context, code string, fn func(discounts.Code) (discounts.Code, error)) (discounts.Code, error) {
	var out discounts.Code
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := scanCode(tx.QueryRow(ctx, `SELECT `+codeCols+` FROM discount_codes WHERE code = $1 FOR UPDATE`, code))
		if err != nil {
			return err
		}
		if out, err = fn(c); err != nil {
			return err
		}
		out.Code = code
		_, err = tx.Exec(ctx, `UPDATE discount_codes SET kind = $2, percent_off = $3, amount_off = $4, amount_currency = $5,
			valid_from = $6, valid_until = $7, min_subtotal = $8, min_currency = $9, max_uses = $10,
			max_uses_per_customer = $11, categories = $12, paused = $13, created_at = $14, updated_at = $15
			WHERE code = $1`, codeArgs(out)...)
		return err
	})
	if err != nil {
		return discounts.Code{}, err
	}
	return out, nil
}

// Get returns a code and its usage.
func (s *Store) Get(ctx context.Context, code string) (discounts.Code, discounts.Usage, error) {
	return getCode(ctx, s.pool, code, "")
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// getCode reads a code and its counts; lock is "" or "FOR UPDATE OF c".
func getCode(ctx context.Context, q querier, code, lock string) (discounts.Code, discounts.Usage, error) {
	// The counts are read in a second statement: FOR UPDATE cannot lock
	// through an aggregate.
	c, err := scanCode(q.QueryRow(ctx, `SELECT `+codeCols+` FROM discount_codes c WHERE code = $1 `+lock, code))
	if err != nil {
		return c, discounts.Usage{}, err
	}
	var u discounts.Usage
	if err := q.QueryRow(ctx, `SELECT `+usageCols+` FROM discount_reservations r WHERE r.code = $1`, code).
		Scan(&u.Reserved, &u.Used, &u.Released); err != nil {
		return c, u, fmt.Errorf("discounts/pgstore: usage: %w", err)
	}
	return c, u, nil
}

// List returns every code with its usage, newest first.
func (s *Store) List(ctx context.Context) ([]discounts.Entry, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+qualified+`, `+usageCols+` FROM discount_codes c
		LEFT JOIN discount_reservations r ON r.code = c.code
		GROUP BY c.code ORDER BY c.created_at DESC, c.code`)
	if err != nil {
		return nil, fmt.Errorf("discounts/pgstore: list: %w", err)
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
		return nil, fmt.Errorf("discounts/pgstore: list: %w", err)
	}
	return out, nil
}

// qualified is codeCols on alias c.
const qualified = `c.code, c.kind, c.percent_off, c.amount_off, c.amount_currency, c.valid_from, c.valid_until, c.min_subtotal,
	c.min_currency, c.max_uses, c.max_uses_per_customer, c.categories, c.paused, c.created_at, c.updated_at`

// CustomerUses counts the customer's reserved and committed uses.
func (s *Store) CustomerUses(ctx context.Context, code, customerKey string) (int, error) {
	return customerUses(ctx, s.pool, code, customerKey)
}

func customerUses(ctx context.Context, q querier, code, customerKey string) (int, error) {
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM discount_reservations
		WHERE code = $1 AND customer_key = $2 AND state <> 'released'`, code, customerKey).Scan(&n); err != nil {
		return 0, fmt.Errorf("discounts/pgstore: customer uses: %w", err)
	}
	return n, nil
}

const reservationCols = `order_id, code, customer_key, state, reserved_at, updated_at`

func scanReservation(row pgx.Row) (discounts.Reservation, error) {
	var r discounts.Reservation
	err := row.Scan(&r.OrderID, &r.Code, &r.CustomerKey, &r.State, &r.ReservedAt, &r.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, discounts.ErrNoReservation
	}
	if err != nil {
		return r, fmt.Errorf("discounts/pgstore: reservation: %w", err)
	}
	r.ReservedAt, r.UpdatedAt = r.ReservedAt.UTC(), r.UpdatedAt.UTC()
	return r, nil
}

// errRace: another transaction took the order id between our read and our
// write (it reserved another code for the same order); read again.
var errRace = errors.New("discounts/pgstore: order reserved concurrently")

// Reserve locks the code's row, then checks and records the use.
func (s *Store) Reserve(ctx context.Context, r discounts.Reservation, check discounts.Eligibility) (discounts.Code, discounts.Reservation, error) {
	for attempt := 0; ; attempt++ {
		c, out, err := s.reserve(ctx, r, check)
		if errors.Is(err, errRace) && attempt < 3 {
			continue
		}
		return c, out, err
	}
}

func (s *Store) reserve(ctx context.Context, r discounts.Reservation, check discounts.Eligibility) (discounts.Code, discounts.Reservation, error) {
	var c discounts.Code
	out := r
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var u discounts.Usage
		var err error
		if c, u, err = getCode(ctx, tx, r.Code, "FOR UPDATE"); err != nil {
			return err
		}
		cur, err := scanReservation(tx.QueryRow(ctx, `SELECT `+reservationCols+` FROM discount_reservations WHERE order_id = $1`, r.OrderID))
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
		tag, err := tx.Exec(ctx, `INSERT INTO discount_reservations (`+reservationCols+`) VALUES ($1, $2, $3, 'reserved', $4, $5)
			ON CONFLICT (order_id) DO UPDATE SET code = EXCLUDED.code, customer_key = EXCLUDED.customer_key,
				state = 'reserved', reserved_at = EXCLUDED.reserved_at, updated_at = EXCLUDED.updated_at
			WHERE discount_reservations.state = 'released'`, r.OrderID, r.Code, r.CustomerKey, r.ReservedAt, r.UpdatedAt)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errRace
		}
		return nil
	})
	if err != nil {
		var refusal *discounts.Refusal
		if errors.As(err, &refusal) || errors.Is(err, discounts.ErrOtherCode) || errors.Is(err, errRace) {
			return discounts.Code{}, discounts.Reservation{}, err
		}
		return discounts.Code{}, discounts.Reservation{}, fmt.Errorf("discounts/pgstore: reserve: %w", err)
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
	if _, err := s.pool.Exec(ctx, `UPDATE discount_reservations SET state = $2, updated_at = $3
		WHERE order_id = $1 AND state = 'reserved'`, orderID, string(state), at); err != nil {
		return fmt.Errorf("discounts/pgstore: %s: %w", state, err)
	}
	return nil
}

// Reservation returns the order's use.
func (s *Store) Reservation(ctx context.Context, orderID string) (discounts.Reservation, error) {
	return scanReservation(s.pool.QueryRow(ctx, `SELECT `+reservationCols+` FROM discount_reservations WHERE order_id = $1`, orderID))
}
