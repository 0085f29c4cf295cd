package payments

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/platform/pg"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Component is the migration component name of this read model.
const Component = "projections.payments"

// Migrate applies the read model's migrations.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return pg.Migrate(ctx, pool, Component, sub)
}

// Postgres is the server-mode Store over the live tables, or over the
// shadow tables a rebuild fills (NewRebuildTarget).
type Postgres struct {
	pool *pgxpool.Pool
	// payments and ledger name the tables; checkpoint names this store's
	// row in payments_projection_checkpoints.
	payments, ledger, checkpoint string
}

// NewPostgres returns the store over the live tables; run Migrate first.
func NewPostgres(pool *pgxpool.Pool) (*Postgres, error) { return newPostgres(pool, "") }

func newPostgres(pool *pgxpool.Pool, suffix string) (*Postgres, error) {
	if pool == nil {
		return nil, errors.New("payments projection: pool is required")
	}
	return &Postgres{pool: pool, payments: "payments" + suffix, ledger: "payment_ledger" + suffix, checkpoint: HandlerName + suffix}, nil
}

func (s *Postgres) selectPayment() string {
	return `SELECT payment_id, order_id, customer_id, method, last4, status, amount, currency,
	captured, refunded, fail_code, reason, gateway_ref, version, updated_at FROM ` + s.payments
}

// upsertPayment writes one summary row (Apply and ApplyBatch).
func (s *Postgres) upsertPayment() string {
	return `INSERT INTO ` + s.payments + ` (payment_id, order_id, customer_id, method, last4, status, amount, currency,
		captured, refunded, fail_code, reason, gateway_ref, version, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)
		ON CONFLICT (payment_id) DO UPDATE SET customer_id=EXCLUDED.customer_id, method=EXCLUDED.method, last4=EXCLUDED.last4,
		status=EXCLUDED.status, amount=EXCLUDED.amount, currency=EXCLUDED.currency, captured=EXCLUDED.captured,
		refunded=EXCLUDED.refunded, fail_code=EXCLUDED.fail_code, reason=EXCLUDED.reason, gateway_ref=EXCLUDED.gateway_ref,
		version=EXCLUDED.version, updated_at=EXCLUDED.updated_at`
}

func paymentArgs(p *Payment) []any {
	return []any{p.PaymentID, p.OrderID, p.CustomerID, p.Method, p.Last4, p.Status, p.Amount.Amount, p.Amount.Currency,
		p.Captured, p.Refunded, p.FailCode, p.Reason, p.GatewayRef, p.Version, p.UpdatedAt}
}

const saveCheckpoint = `INSERT INTO payments_projection_checkpoints (projector, position) VALUES ($1, $2)
		ON CONFLICT (projector) DO UPDATE SET position = GREATEST(payments_projection_checkpoints.position, EXCLUDED.position), updated_at = now()`

func scanPayment(row pgx.Row) (Payment, error) {
	var p Payment
	err := row.Scan(&p.PaymentID, &p.OrderID, &p.CustomerID, &p.Method, &p.Last4, &p.Status, &p.Amount.Amount, &p.Amount.Currency,
		&p.Captured, &p.Refunded, &p.FailCode, &p.Reason, &p.GatewayRef, &p.Version, &p.UpdatedAt)
	p.UpdatedAt = p.UpdatedAt.UTC()
	return p, err
}

// Apply implements Store: summary, ledger line and checkpoint in one
// transaction, the summary row locked so concurrent deliveries serialise.
func (s *Postgres) Apply(ctx context.Context, c Change) (applied bool, err error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer func() {
		if !applied || err != nil {
			tx.Rollback(ctx) //nolint:errcheck // nothing to keep
		}
	}()
	// Serialise per payment even before its row exists.
	if _, err = tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('payments:' || $1))`, c.PaymentID); err != nil {
		return false, err
	}
	p, err := scanPayment(tx.QueryRow(ctx, s.selectPayment()+` WHERE payment_id=$1`, c.PaymentID))
	exists := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return false, err
	}
	if !exists {
		p = Payment{}
	}
	if ok, gerr := guard(p.Version, c.Entry.Revision); !ok {
		return false, gerr
	}
	fold(&p, c)
	if _, err = tx.Exec(ctx, s.upsertPayment(), paymentArgs(&p)...); err != nil {
		return false, fmt.Errorf("payments projection: upsert %s: %w", c.PaymentID, err)
	}
	e := c.Entry
	if _, err = tx.Exec(ctx, `INSERT INTO `+s.ledger+` (payment_id, revision, position, kind, amount, currency, code, reason, gateway_ref, at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
		c.PaymentID, e.Revision, c.Position, e.Kind, e.Amount.Amount, e.Amount.Currency, e.Code, e.Reason, e.GatewayRef, e.At); err != nil {
		return false, fmt.Errorf("payments projection: ledger %s: %w", c.PaymentID, err)
	}
	if _, err = tx.Exec(ctx, saveCheckpoint, s.checkpoint, c.Position); err != nil {
		return false, fmt.Errorf("payments projection: checkpoint: %w", err)
	}
	if err = tx.Commit(ctx); err != nil {
		return false, err
	}
	return true, nil
}

// ByOrder implements Store.
func (s *Postgres) ByOrder(ctx context.Context, orderID string) ([]Payment, error) {
	rows, err := s.pool.Query(ctx, s.selectPayment()+` WHERE order_id=$1 ORDER BY payment_id`, orderID)
	if err != nil {
		return nil, err
	}
	out := []Payment{}
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
		lr, err := s.pool.Query(ctx, `SELECT revision, kind, amount, currency, code, reason, gateway_ref, at
			FROM `+s.ledger+` WHERE payment_id=$1 ORDER BY revision`, out[i].PaymentID)
		if err != nil {
			return nil, err
		}
		out[i].Ledger = []Entry{}
		for lr.Next() {
			var e Entry
			if err := lr.Scan(&e.Revision, &e.Kind, &e.Amount.Amount, &e.Amount.Currency, &e.Code, &e.Reason, &e.GatewayRef, &e.At); err != nil {
				lr.Close()
				return nil, err
			}
			e.At = e.At.UTC()
			out[i].Ledger = append(out[i].Ledger, e)
		}
		lr.Close()
		if err := lr.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Checkpoint implements Store.
func (s *Postgres) Checkpoint(ctx context.Context) (uint64, error) {
	var pos uint64
	err := s.pool.QueryRow(ctx, `SELECT position FROM payments_projection_checkpoints WHERE projector=$1`, s.checkpoint).Scan(&pos)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return pos, err
}

// ApplyBatch implements BatchStore: the summaries, ledger lines and the
// checkpoint of cs in one transaction. Each touched payment is locked (in id
// order, so concurrent batches cannot deadlock), folded in memory and
// written once. It commits without waiting for the WAL flush: the catch-up
// runner reads from the event store, so a crash can only lose whole batches
// together with their checkpoint, and the runner applies them again.
func (s *Postgres) ApplyBatch(ctx context.Context, cs []Change) error {
	if len(cs) == 0 {
		return nil
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // no-op after commit
	if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
		return err
	}
	ids := make([]string, 0, len(cs))
	for _, c := range cs {
		ids = append(ids, c.PaymentID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('payments:' || id)) FROM unnest($1::text[]) WITH ORDINALITY AS u(id, n) ORDER BY n`, ids); err != nil {
		return err
	}
	rows, err := tx.Query(ctx, s.selectPayment()+` WHERE payment_id = ANY($1)`, ids)
	if err != nil {
		return fmt.Errorf("payments projection: batch load: %w", err)
	}
	state := make(map[string]*Payment, len(ids))
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			rows.Close()
			return err
		}
		state[p.PaymentID] = &p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	dirty := map[string]bool{}
	var ledger [][]any
	var top uint64
	for _, c := range cs {
		top = max(top, c.Position)
		p, ok := state[c.PaymentID]
		if !ok {
			p = &Payment{}
			state[c.PaymentID] = p
		}
		if apply, err := guard(p.Version, c.Entry.Revision); err != nil {
			return err
		} else if !apply {
			continue
		}
		fold(p, c)
		dirty[c.PaymentID] = true
		e := c.Entry
		ledger = append(ledger, []any{c.PaymentID, int64(e.Revision), int64(c.Position), e.Kind, e.Amount.Amount, e.Amount.Currency,
			e.Code, e.Reason, e.GatewayRef, e.At})
	}
	b := &pgx.Batch{}
	for id := range dirty {
		p := state[id]
		b.Queue(s.upsertPayment(), paymentArgs(p)...)
	}
	b.Queue(saveCheckpoint, s.checkpoint, top)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("payments projection: batch upsert: %w", err)
	}
	if len(ledger) > 0 {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{s.ledger},
			[]string{"payment_id", "revision", "position", "kind", "amount", "currency", "code", "reason", "gateway_ref", "at"},
			pgx.CopyFromRows(ledger)); err != nil {
			return fmt.Errorf("payments projection: batch ledger: %w", err)
		}
	}
	return tx.Commit(ctx)
}
