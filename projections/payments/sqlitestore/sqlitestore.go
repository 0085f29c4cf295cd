// Package sqlitestore is the payments ledger read model
// (projections/payments) in the one-process shop's embedded database
// (platform/sqlite). Summaries, ledger lines and the projector checkpoint
// commit in one transaction, so a restart resumes from where the projector
// stopped.
//
// Tables are prefixed payments_; times are stored as unix nanoseconds (UTC),
// money as integer minor units. ApplyBatch folds a batch in memory and writes
// each touched payment once; reads use the read-only pool.
package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/evshop/shop/platform/sqlite"
	"github.com/evshop/shop/projections/payments"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Component is the migration component name of this read model.
const Component = "projections.payments"

// Migrate applies the read model's migrations.
func Migrate(ctx context.Context, db *sqlite.DB) error {
	return sqlite.MigrateEmbedded(ctx, db, Component, migrations, "migrations")
}

// Store is the embedded-mode payments.Store and payments.BatchStore.
type Store struct{ db *sqlite.DB }

var (
	_ payments.Store      = (*Store)(nil)
	_ payments.BatchStore = (*Store)(nil)
)

// New returns the store in db (run Migrate first).
func New(db *sqlite.DB) (*Store, error) {
	if db == nil {
		return nil, errors.New("payments projection: database is required")
	}
	return &Store{db: db}, nil
}

// Apply implements payments.Store: nothing is written when the payment
// already reflects c.
func (s *Store) Apply(ctx context.Context, c payments.Change) (applied bool, err error) {
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		n, err := s.apply(ctx, tx, []payments.Change{c}, false)
		applied = n > 0
		return err
	})
	return applied, err
}

// ApplyBatch implements payments.BatchStore: all of cs with the checkpoint
// in one transaction, or, on an error, none of it.
func (s *Store) ApplyBatch(ctx context.Context, cs []payments.Change) error {
	if len(cs) == 0 {
		return nil
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := s.apply(ctx, tx, cs, true)
		return err
	})
}

// apply folds cs into the stored payments and writes each touched one once.
// The checkpoint moves to the highest position of cs when something was
// booked, or always when skipped is true.
func (s *Store) apply(ctx context.Context, tx *sql.Tx, cs []payments.Change, skipped bool) (int, error) {
	state, err := s.load(ctx, tx, cs)
	if err != nil {
		return 0, err
	}
	var (
		booked []payments.Change
		dirty  = map[string]bool{}
		top    uint64
	)
	for _, c := range cs {
		top = max(top, c.Position)
		p, ok, err := payments.Fold(state[c.PaymentID], c)
		if err != nil {
			return 0, err
		}
		if ok {
			state[c.PaymentID], dirty[c.PaymentID] = p, true
			booked = append(booked, c)
		}
	}
	if len(booked) == 0 && !skipped {
		return 0, nil
	}
	if len(booked) > 0 {
		up, err := tx.PrepareContext(ctx, `INSERT INTO payments_payments (payment_id, order_id, customer_id, method, last4,
			status, amount, currency, captured, refunded, fail_code, reason, gateway_ref, version, updated_at)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
			ON CONFLICT (payment_id) DO UPDATE SET customer_id = excluded.customer_id, method = excluded.method,
				last4 = excluded.last4, status = excluded.status, amount = excluded.amount, currency = excluded.currency,
				captured = excluded.captured, refunded = excluded.refunded, fail_code = excluded.fail_code,
				reason = excluded.reason, gateway_ref = excluded.gateway_ref, version = excluded.version,
				updated_at = excluded.updated_at`)
		if err != nil {
			return 0, err
		}
		defer up.Close()
		for id := range dirty {
			p := state[id]
			if _, err := up.ExecContext(ctx, p.PaymentID, p.OrderID, p.CustomerID, p.Method, p.Last4, p.Status, p.Amount.Amount,
				p.Amount.Currency, p.Captured, p.Refunded, p.FailCode, p.Reason, p.GatewayRef, int64(p.Version), p.UpdatedAt.UnixNano()); err != nil {
				return 0, fmt.Errorf("payments projection: write %s: %w", id, err)
			}
		}
		led, err := tx.PrepareContext(ctx, `INSERT INTO payments_ledger (payment_id, revision, position, kind, amount,
			currency, code, reason, gateway_ref, at) VALUES (?,?,?,?,?,?,?,?,?,?)`)
		if err != nil {
			return 0, err
		}
		defer led.Close()
		for _, c := range booked {
			e := c.Entry
			if _, err := led.ExecContext(ctx, c.PaymentID, int64(e.Revision), int64(c.Position), e.Kind, e.Amount.Amount,
				e.Amount.Currency, e.Code, e.Reason, e.GatewayRef, e.At.UnixNano()); err != nil {
				return 0, fmt.Errorf("payments projection: ledger %s: %w", c.PaymentID, err)
			}
		}
	}
	if err := sqlite.SaveCheckpoint(ctx, tx, "payments_checkpoints", payments.HandlerName, top); err != nil {
		return 0, err
	}
	return len(booked), nil
}

const selectPayment = `SELECT payment_id, order_id, customer_id, method, last4, status, amount, currency,
	captured, refunded, fail_code, reason, gateway_ref, version, updated_at FROM payments_payments`

type scanner interface{ Scan(dest ...any) error }

func scanPayment(r scanner) (payments.Payment, error) {
	var p payments.Payment
	var version, updated int64
	err := r.Scan(&p.PaymentID, &p.OrderID, &p.CustomerID, &p.Method, &p.Last4, &p.Status, &p.Amount.Amount, &p.Amount.Currency,
		&p.Captured, &p.Refunded, &p.FailCode, &p.Reason, &p.GatewayRef, &version, &updated)
	p.Version, p.UpdatedAt = uint64(version), time.Unix(0, updated).UTC()
	return p, err
}

// load reads the stored summaries of the payments cs touches (the zero
// Payment for those not stored); ledgers are not read, only appended to.
func (s *Store) load(ctx context.Context, tx *sql.Tx, cs []payments.Change) (map[string]payments.Payment, error) {
	state := map[string]payments.Payment{}
	var ids []string
	for _, c := range cs {
		if _, ok := state[c.PaymentID]; !ok {
			state[c.PaymentID] = payments.Payment{}
			ids = append(ids, c.PaymentID)
		}
	}
	err := sqlite.QueryIn(ctx, tx, selectPayment+` WHERE payment_id IN (?)`, ids, func(rows *sql.Rows) error {
		p, err := scanPayment(rows)
		state[p.PaymentID] = p
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("payments projection: batch load: %w", err)
	}
	return state, nil
}

// ByOrder implements payments.Store: one read transaction, so summaries and
// ledgers agree.
func (s *Store) ByOrder(ctx context.Context, orderID string) ([]payments.Payment, error) {
	tx, err := s.db.Read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // read only
	rows, err := tx.QueryContext(ctx, selectPayment+` WHERE order_id = ? ORDER BY payment_id`, orderID)
	if err != nil {
		return nil, err
	}
	out := []payments.Payment{}
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Ledger, err = ledger(ctx, tx, out[i].PaymentID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func ledger(ctx context.Context, tx *sql.Tx, paymentID string) ([]payments.Entry, error) {
	rows, err := tx.QueryContext(ctx, `SELECT revision, kind, amount, currency, code, reason, gateway_ref, at
		FROM payments_ledger WHERE payment_id = ? ORDER BY revision`, paymentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []payments.Entry{}
	for rows.Next() {
		var e payments.Entry
		var rev, at int64
		if err := rows.Scan(&rev, &e.Kind, &e.Amount.Amount, &e.Amount.Currency, &e.Code, &e.Reason, &e.GatewayRef, &at); err != nil {
			return nil, err
		}
		e.Revision, e.At = uint64(rev), time.Unix(0, at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// Checkpoint implements payments.Store.
func (s *Store) Checkpoint(ctx context.Context) (uint64, error) {
	return sqlite.LoadCheckpoint(ctx, s.db.Read, "payments_checkpoints", payments.HandlerName)
}
