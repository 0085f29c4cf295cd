package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/eventstore/eventstoretest"
	"github.com/evshop/shop/platform/testenv"
)

// BenchmarkAppend measures appends of single events and of batches of 100,
// from 1 and 16 concurrent writers (eventstoretest.Appends). Beside each, in
// the same run and on the same pool, a raw baseline INSERTs the same JSON
// into a plain table (one autocommit statement per batch). Metrics: events/s
// of the store, rows/s of the baseline, and their ratio. b.N counts appends.
func BenchmarkAppend(b *testing.B) {
	pool := testenv.Postgres(b)
	ctx := context.Background()
	if _, err := New(ctx, pool); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE raw_events (id bigserial PRIMARY KEY, data jsonb NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		writers, batch int
		notifyInTx     bool
	}{
		{1, 1, false}, {16, 1, false}, {1, 100, false}, {16, 100, false},
		// What queueing the NOTIFY inside the transaction would cost.
		{16, 1, true},
	} {
		name := fmt.Sprintf("writers=%d/batch=%d", c.writers, c.batch)
		if c.notifyInTx {
			name += "/notify-in-tx"
		}
		b.Run(name, func(b *testing.B) {
			st := &Store{pool: pool, notifyInTx: c.notifyInTx}
			raw := func(ops int) time.Duration { return rawInserts(b, pool, c.writers, c.batch, ops) }
			store := func(ops int) time.Duration { return eventstoretest.Appends(b, st, c.writers, c.batch, ops) }
			eventstoretest.BesideRaw(b, c.batch, raw, store)
		})
	}
}

func rawInserts(b *testing.B, pool *pgxpool.Pool, writers, batch, ops int) time.Duration {
	ctx := context.Background()
	rows := make([]string, batch)
	for i := range rows {
		rows[i] = string(eventstoretest.Payload)
	}
	return eventstoretest.Concurrently(b, writers, ops, func(int, int) error {
		if batch == 1 {
			_, err := pool.Exec(ctx, `INSERT INTO raw_events (data) VALUES ($1::jsonb)`, rows[0])
			return err
		}
		_, err := pool.Exec(ctx, `INSERT INTO raw_events (data) SELECT unnest($1::text[])::jsonb`, rows)
		return err
	})
}

// BenchmarkReadAll measures the $all read rate (eventstoretest.ReadAllRate)
// over 50,000 events.
func BenchmarkReadAll(b *testing.B) { eventstoretest.ReadAllRate(b, newStore(b)) }
