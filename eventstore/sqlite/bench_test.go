package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/evshop/shop/eventstore/eventstoretest"
	"github.com/evshop/shop/platform/testenv"
)

// BenchmarkAppend measures appends of single events and of batches of 100,
// from 1 and 16 concurrent writers (eventstoretest.Appends), by a store that
// shares its file with other writers and by one that is its file's only
// writer (OnlyWriter, as the embedded shop's). Beside each, in the same run
// and on the same database file, a raw baseline INSERTs the same JSON into a
// plain table, one write transaction per batch through the same single
// writer. b.N counts appends.
func BenchmarkAppend(b *testing.B) {
	for _, only := range []bool{false, true} {
		b.Run(fmt.Sprintf("only-writer=%v", only), func(b *testing.B) { benchmarkAppend(b, only) })
	}
}

func benchmarkAppend(b *testing.B, only bool) {
	db := testenv.SQLite(b)
	ctx := context.Background()
	st, err := New(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	if only {
		if err := st.OnlyWriter(ctx); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.Write.ExecContext(ctx, `CREATE TABLE raw_events (id INTEGER PRIMARY KEY, data TEXT NOT NULL) STRICT`); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ writers, batch int }{{1, 1}, {16, 1}, {1, 100}, {16, 100}} {
		b.Run(fmt.Sprintf("writers=%d/batch=%d", c.writers, c.batch), func(b *testing.B) {
			query := `INSERT INTO raw_events (data) VALUES (?)` + strings.Repeat(",(?)", c.batch-1)
			rows := make([]any, c.batch)
			for i := range rows {
				rows[i] = string(eventstoretest.Payload)
			}
			raw := func(ops int) time.Duration {
				return eventstoretest.Concurrently(b, c.writers, ops, func(int, int) error {
					return db.Tx(ctx, func(tx *sql.Tx) error {
						_, err := tx.ExecContext(ctx, query, rows...)
						return err
					})
				})
			}
			store := func(ops int) time.Duration { return eventstoretest.Appends(b, st, c.writers, c.batch, ops) }
			eventstoretest.BesideRaw(b, c.batch, raw, store)
		})
	}
}

// BenchmarkReadAll measures the $all read rate (eventstoretest.ReadAllRate).
func BenchmarkReadAll(b *testing.B) { eventstoretest.ReadAllRate(b, newStore(b)) }
