package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/projections/rebuild"
)

// ShadowSuffix names the tables a rebuild fills before the swap.
const ShadowSuffix = "_rebuild"

// RebuildName is the name operators use for this projection.
const RebuildName = "orders"

// Changes decodes the ordering events among evs into changes, in order,
// ignoring events of other streams (as the projector does).
func Changes(evs []eventstore.RecordedEvent) ([]Change, error) {
	out := make([]Change, 0, len(evs))
	for _, ev := range evs {
		c, ok, err := changeOf(ev)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, c)
		}
	}
	return out, nil
}

type batchRow struct {
	o        Order
	position uint64
	dirty    bool
}

// ApplyBatch applies cs in one transaction with the checkpoint, with the
// same outcome as Apply on each in turn. It folds the batch in memory and
// writes each touched order once (bulk upsert, COPY for lines and history),
// which is what makes a rebuild and the catch-up runner fast. The
// transaction commits without waiting for the WAL flush: a crash can only
// lose whole batches, whose checkpoint is lost with them, so a rebuild or
// catch-up that reads from the event store resumes before them. (The bus
// path acks each message after Apply, which commits durably.)
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
	state, err := p.loadForBatch(ctx, tx, cs)
	if err != nil {
		return err
	}
	var lines, hist [][]any
	var top uint64
	for _, c := range cs {
		top = max(top, c.Position)
		r, exists := state[c.OrderID]
		var version uint64
		if exists {
			version = r.o.Version
		}
		ok, err := guard(version, exists, c.Revision)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if c.Placed == nil && !exists {
			return fmt.Errorf("%w: %s has no OrderPlaced", ErrOutOfOrder, c.OrderID)
		}
		if !exists {
			r = &batchRow{}
			state[c.OrderID] = r
			for i, l := range c.Placed.Lines {
				lines = append(lines, []any{c.OrderID, i, l.SKU, l.Name, l.Category, l.Quantity, l.UnitPrice.Amount, l.UnitPrice.Currency,
					l.TaxClass, l.WeightGrams})
			}
		}
		applyTo(&r.o, c)
		r.position, r.dirty = c.Position, true
		if c.Status != ordering.StatusNone {
			hist = append(hist, []any{c.OrderID, int64(c.Revision), string(c.Status), c.Reason, c.At})
		}
	}
	if err := p.upsertRows(ctx, tx, state); err != nil {
		return err
	}
	if len(lines) > 0 {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{p.t.lines},
			[]string{"order_id", "line_no", "sku", "name", "category", "quantity", "unit_amount", "currency", "tax_class", "weight_grams"},
			pgx.CopyFromRows(lines)); err != nil {
			return fmt.Errorf("orders: batch lines: %w", err)
		}
	}
	if len(hist) > 0 {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{p.t.history},
			[]string{"order_id", "revision", "status", "reason", "at"}, pgx.CopyFromRows(hist)); err != nil {
			return fmt.Errorf("orders: batch history: %w", err)
		}
	}
	if _, err = tx.Exec(ctx, `INSERT INTO orders_projection_checkpoints (projector, position) VALUES ($1, $2)
		ON CONFLICT (projector) DO UPDATE SET position = GREATEST(orders_projection_checkpoints.position, EXCLUDED.position), updated_at = now()`,
		p.checkpointName(), top); err != nil {
		return fmt.Errorf("orders: checkpoint: %w", err)
	}
	return tx.Commit(ctx)
}

// loadForBatch locks and reads the existing rows of the orders in cs.
func (p *Postgres) loadForBatch(ctx context.Context, tx pgx.Tx, cs []Change) (map[string]*batchRow, error) {
	seen := map[string]bool{}
	var ids []string
	for _, c := range cs {
		if !seen[c.OrderID] {
			seen[c.OrderID] = true
			ids = append(ids, c.OrderID)
		}
	}
	rows, err := tx.Query(ctx, `SELECT `+summaryCols+`, shipping_address, payment_method, payment_last4,
		payment_id, carrier, tracking_number, cancel_reason, refunded_amount, version, position, documents, pricing FROM `+p.t.orders+`
		WHERE order_id = ANY($1) ORDER BY order_id FOR UPDATE`, ids)
	if err != nil {
		return nil, fmt.Errorf("orders: batch load: %w", err)
	}
	defer rows.Close()
	out := make(map[string]*batchRow, len(ids))
	for rows.Next() {
		r := &batchRow{}
		var addr, priced []byte
		var refunded *int64
		if err := scanSummary(rows, &r.o.Summary, &addr, &r.o.PaymentMethod, &r.o.PaymentLast4, &r.o.PaymentID, &r.o.Carrier,
			&r.o.TrackingNumber, &r.o.CancelReason, &refunded, &r.o.Version, &r.position, &r.o.Documents, &priced); err != nil {
			return nil, err
		}
		var err error
		if r.o.Pricing, err = DecodePricing(priced); err != nil {
			return nil, fmt.Errorf("orders: pricing of %s: %w", r.o.OrderID, err)
		}
		if err := json.Unmarshal(addr, &r.o.ShippingAddress); err != nil {
			return nil, fmt.Errorf("orders: address of %s: %w", r.o.OrderID, err)
		}
		if refunded != nil {
			r.o.Refunded = &money.DTO{Amount: *refunded, Currency: r.o.Total.Currency}
		}
		out[r.o.OrderID] = r
	}
	return out, rows.Err()
}

// upsertRows writes every order the batch changed in one statement.
func (p *Postgres) upsertRows(ctx context.Context, tx pgx.Tx, state map[string]*batchRow) error {
	n := len(state)
	var (
		id, cust, email, status, cur, addr, method, last4, payID, carrier, tracking, cancel = make([]string, 0, n),
			make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n),
			make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
		total, items, version, position = make([]int64, 0, n), make([]int32, 0, n), make([]int64, 0, n), make([]int64, 0, n)
		refunded                        = make([]*int64, 0, n)
		placed, updated                 = make([]time.Time, 0, n), make([]time.Time, 0, n)
		docs                            = make([]string, 0, n)
		priced                          = make([]*string, 0, n)
	)
	for _, r := range state {
		if !r.dirty {
			continue
		}
		o := r.o
		a, err := json.Marshal(o.ShippingAddress)
		if err != nil {
			return err
		}
		var ref *int64
		if o.Refunded != nil {
			v := o.Refunded.Amount
			ref = &v
		}
		id, cust, email, status = append(id, o.OrderID), append(cust, o.CustomerID), append(email, o.Email), append(status, o.Status)
		total, cur, items = append(total, o.Total.Amount), append(cur, o.Total.Currency), append(items, int32(o.ItemCount))
		addr, method, last4, payID = append(addr, string(a)), append(method, o.PaymentMethod), append(last4, o.PaymentLast4), append(payID, o.PaymentID)
		carrier, tracking, cancel, refunded = append(carrier, o.Carrier), append(tracking, o.TrackingNumber), append(cancel, o.CancelReason), append(refunded, ref)
		placed, updated = append(placed, o.PlacedAt), append(updated, o.UpdatedAt)
		version, position = append(version, int64(o.Version)), append(position, int64(r.position))
		d, err := json.Marshal(o.Documents)
		if err != nil {
			return err
		}
		docs = append(docs, string(d))
		pr, err := EncodePricing(o.Pricing)
		if err != nil {
			return err
		}
		var prs *string
		if pr != nil {
			v := string(pr)
			prs = &v
		}
		priced = append(priced, prs)
	}
	if len(id) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO `+p.t.orders+` (order_id, customer_id, email, status, total_amount, currency,
		item_count, shipping_address, payment_method, payment_last4, payment_id, carrier, tracking_number, cancel_reason,
		refunded_amount, placed_at, updated_at, version, position, documents, pricing)
		SELECT u.id, u.cust, u.email, u.status, u.total, u.cur, u.items, u.addr::jsonb, u.method, u.last4, u.pay, u.carrier,
			u.tracking, u.cancel, u.refunded, u.placed, u.updated, u.version, u.position, u.docs::jsonb, u.priced::jsonb
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::int[], $8::text[], $9::text[],
			$10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::bigint[], $16::timestamptz[], $17::timestamptz[],
			$18::bigint[], $19::bigint[], $20::text[], $21::text[])
			AS u(id, cust, email, status, total, cur, items, addr, method, last4, pay, carrier, tracking, cancel, refunded,
			placed, updated, version, position, docs, priced)
		ON CONFLICT (order_id) DO UPDATE SET customer_id = EXCLUDED.customer_id, email = EXCLUDED.email,
			status = EXCLUDED.status, total_amount = EXCLUDED.total_amount, currency = EXCLUDED.currency,
			item_count = EXCLUDED.item_count, shipping_address = EXCLUDED.shipping_address,
			payment_method = EXCLUDED.payment_method, payment_last4 = EXCLUDED.payment_last4,
			payment_id = EXCLUDED.payment_id, carrier = EXCLUDED.carrier, tracking_number = EXCLUDED.tracking_number,
			cancel_reason = EXCLUDED.cancel_reason, refunded_amount = EXCLUDED.refunded_amount,
			placed_at = EXCLUDED.placed_at, updated_at = EXCLUDED.updated_at, version = EXCLUDED.version,
			position = EXCLUDED.position, documents = EXCLUDED.documents, pricing = EXCLUDED.pricing`,
		id, cust, email, status, total, cur, items, addr, method, last4, payID, carrier, tracking, cancel, refunded,
		placed, updated, version, position, docs, priced)
	if err != nil {
		return fmt.Errorf("orders: batch upsert: %w", err)
	}
	return nil
}

// RebuildTarget is the rebuild.Projection of the Postgres read model: it
// builds into tables suffixed ShadowSuffix, then swaps them in by renaming
// in one transaction.
type RebuildTarget struct {
	pool         *pgxpool.Pool
	live, shadow *Postgres
}

var _ rebuild.Projection = (*RebuildTarget)(nil)

// NewRebuildTarget returns the rebuild target over the read model in pool
// (Migrate must have run).
func NewRebuildTarget(pool *pgxpool.Pool) (*RebuildTarget, error) {
	live, err := NewPostgres(pool, "")
	if err != nil {
		return nil, err
	}
	shadow, err := NewPostgres(pool, ShadowSuffix)
	if err != nil {
		return nil, err
	}
	return &RebuildTarget{pool: pool, live: live, shadow: shadow}, nil
}

func (t *RebuildTarget) pairs() []rebuild.TablePair {
	return []rebuild.TablePair{
		{Live: t.live.t.orders, Shadow: t.shadow.t.orders},
		{Live: t.live.t.lines, Shadow: t.shadow.t.lines},
		{Live: t.live.t.history, Shadow: t.shadow.t.history},
	}
}

// Name implements rebuild.Projection.
func (t *RebuildTarget) Name() string { return RebuildName }

// Filter implements rebuild.Projection.
func (t *RebuildTarget) Filter() eventstore.Filter {
	return eventstore.Filter{StreamPrefixes: []string{ordering.StreamPrefix}}
}

// LiveCheckpoint implements rebuild.Projection.
func (t *RebuildTarget) LiveCheckpoint(ctx context.Context) (uint64, error) {
	return t.live.Checkpoint(ctx)
}

// ShadowCheckpoint implements rebuild.Projection.
func (t *RebuildTarget) ShadowCheckpoint(ctx context.Context) (uint64, error) {
	return t.shadow.Checkpoint(ctx)
}

// CreateShadow implements rebuild.Projection.
func (t *RebuildTarget) CreateShadow(ctx context.Context) error {
	return rebuild.CreateShadowTables(ctx, t.pool, t.pairs())
}

// ApplyShadow implements rebuild.Projection.
func (t *RebuildTarget) ApplyShadow(ctx context.Context, evs []eventstore.RecordedEvent) error {
	cs, err := Changes(evs)
	if err != nil {
		return err
	}
	return t.shadow.ApplyBatch(ctx, cs)
}

// Swap implements rebuild.Projection.
func (t *RebuildTarget) Swap(ctx context.Context, catchUp func(context.Context) error) error {
	return rebuild.SwapTables(ctx, t.pool, t.pairs(), catchUp, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO orders_projection_checkpoints (projector, position)
			SELECT $1, position FROM orders_projection_checkpoints WHERE projector = $2
			ON CONFLICT (projector) DO UPDATE SET position = GREATEST(orders_projection_checkpoints.position, EXCLUDED.position), updated_at = now()`,
			t.live.checkpointName(), t.shadow.checkpointName())
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM orders_projection_checkpoints WHERE projector = $1`, t.shadow.checkpointName())
		return err
	})
}

// DropShadow implements rebuild.Projection.
func (t *RebuildTarget) DropShadow(ctx context.Context) error {
	if err := rebuild.DropShadowTables(ctx, t.pool, t.pairs()); err != nil {
		return err
	}
	_, err := t.pool.Exec(ctx, `DELETE FROM orders_projection_checkpoints WHERE projector = $1`, t.shadow.checkpointName())
	return err
}

// Swappable is the embedded-mode Store whose memory model a rebuild can
// replace: wire it where a *Memory was wired (API reader and projector).
type Swappable struct{ live *rebuild.Live[*Memory] }

var _ Store = (*Swappable)(nil)

// NewSwappable wraps m.
func NewSwappable(m *Memory) (*Swappable, error) {
	if m == nil {
		return nil, errors.New("orders: memory store is required")
	}
	return &Swappable{live: rebuild.NewLive(m)}, nil
}

// Apply implements Store.
func (s *Swappable) Apply(ctx context.Context, c Change) (applied bool, err error) {
	err = s.live.Write(func(m *Memory) error {
		applied, err = m.Apply(ctx, c)
		return err
	})
	return applied, err
}

// ApplyBatch implements BatchStore.
func (s *Swappable) ApplyBatch(ctx context.Context, cs []Change) error {
	return s.live.Write(func(m *Memory) error { return m.ApplyBatch(ctx, cs) })
}

// Get implements Store.
func (s *Swappable) Get(ctx context.Context, id string) (Order, error) {
	return s.live.Current().Get(ctx, id)
}

// List implements Store.
func (s *Swappable) List(ctx context.Context, q Query) (Page, error) {
	return s.live.Current().List(ctx, q)
}

// Checkpoint implements Store.
func (s *Swappable) Checkpoint(ctx context.Context) (uint64, error) {
	return s.live.Current().Checkpoint(ctx)
}

// RebuildTarget returns the rebuild.Projection that rebuilds s in memory.
func (s *Swappable) RebuildTarget() (rebuild.Projection, error) {
	return rebuild.NewMemoryProjection(rebuild.MemoryConfig[*Memory]{
		Name:   RebuildName,
		Filter: eventstore.Filter{StreamPrefixes: []string{ordering.StreamPrefix}},
		Live:   s.live,
		New:    NewMemory,
		Apply: func(ctx context.Context, m *Memory, ev eventstore.RecordedEvent) error {
			p, err := NewProjector(m)
			if err != nil {
				return err
			}
			return p.Handle(ctx, ev)
		},
		Checkpoint: func(ctx context.Context, m *Memory) (uint64, error) { return m.Checkpoint(ctx) },
	})
}
