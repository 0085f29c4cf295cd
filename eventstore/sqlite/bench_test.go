package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/eventstore"
	sqlitedb "github.com/evshop/shop/platform/sqlite"
	"github.com/evshop/shop/platform/testenv"
)

// payload is a typical event body (an order placed with two lines), used by
// the store and by the raw baseline alike.
var payload = json.RawMessage(`{"orderId":"8f0e6c1e-7f5e-4a8e-9d55-3a1c2b4d5e6f","customerId":"c-1042","lines":[{"sku":"SKU-0001","quantity":2,"unitPrice":{"amount":1999,"currency":"EUR"}},{"sku":"SKU-0042","quantity":1,"unitPrice":{"amount":4500,"currency":"EUR"}}],"total":{"amount":8498,"currency":"EUR"}}`)

// run spreads ops operations over writers goroutines and returns the wall
// time. op gets the writer number and that writer's op count so far.
func run(b *testing.B, writers, ops int, op func(w, i int) error) time.Duration {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	start := time.Now()
	for w := range writers {
		wg.Go(func() {
			for i := 0; next.Add(1) <= int64(ops); i++ {
				if err := op(w, i); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	return elapsed
}

// BenchmarkAppend measures appends of single events and of batches of 100,
// from 1 and 16 concurrent writers, each writer extending its own streams
// with Exact revisions as aggregates do. Beside each, in the same run and on
// the same database file, a raw baseline INSERTs the same JSON into a plain
// table (one write transaction per batch, through the same single writer).
// Metrics: events/s of the store, rows/s of the baseline, and their ratio.
// b.N counts appends.
func BenchmarkAppend(b *testing.B) {
	db := testenv.SQLite(b)
	ctx := context.Background()
	st, err := New(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Write.ExecContext(ctx, `CREATE TABLE raw_events (id INTEGER PRIMARY KEY, data TEXT NOT NULL) STRICT`); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ writers, batch int }{{1, 1}, {16, 1}, {1, 100}, {16, 100}} {
		b.Run(fmt.Sprintf("writers=%d/batch=%d", c.writers, c.batch), func(b *testing.B) {
			// Alternate the two workloads in rounds so that load from
			// elsewhere on the machine hits both alike.
			const rounds = 10
			var rawTime, storeTime time.Duration
			done := 0
			for r := range rounds {
				ops := (b.N - done) / (rounds - r)
				if ops == 0 {
					continue
				}
				if r%2 == 0 {
					rawTime += rawInserts(b, db, c.writers, c.batch, ops)
					storeTime += storeAppends(b, st, c.writers, c.batch, ops)
				} else {
					storeTime += storeAppends(b, st, c.writers, c.batch, ops)
					rawTime += rawInserts(b, db, c.writers, c.batch, ops)
				}
				done += ops
			}
			events := float64(b.N * c.batch)
			storeRate, rawRate := events/storeTime.Seconds(), events/rawTime.Seconds()
			b.ReportMetric(storeRate, "events/s")
			b.ReportMetric(rawRate, "raw-rows/s")
			b.ReportMetric(storeRate/rawRate, "ratio")
		})
	}
}

func rawInserts(b *testing.B, db *sqlitedb.DB, writers, batch, ops int) time.Duration {
	ctx := context.Background()
	query := `INSERT INTO raw_events (data) VALUES (?)` + strings.Repeat(",(?)", batch-1)
	rows := make([]any, batch)
	for i := range rows {
		rows[i] = string(payload)
	}
	return run(b, writers, ops, func(int, int) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, query, rows...)
			return err
		})
	})
}

func storeAppends(b *testing.B, s *Store, writers, batch, ops int) time.Duration {
	ctx := context.Background()
	// A fresh tag per call: each call starts its writers' streams anew.
	tag := uuid.NewString()[:8]
	// Each writer keeps a stream of at most 1,000 events, then starts a new
	// one, so revisions and index depth stay realistic.
	perStream := max(1, 1000/batch)
	return run(b, writers, ops, func(w, i int) error {
		events := make([]eventstore.EventData, batch)
		for j := range events {
			events[j] = eventstore.EventData{ID: uuid.NewString(), Type: "ordering.OrderPlaced.v1", Data: payload,
				Metadata: eventstore.Metadata{CorrelationID: tag, SchemaVersion: 1}}
		}
		stream := fmt.Sprintf("bench-%s-%d-%d", tag, w, i/perStream)
		_, err := s.Append(ctx, stream, eventstore.AfterVersion(uint64(i%perStream*batch)), events...)
		return err
	})
}

// BenchmarkReadAll measures the $all read rate (events/s) over a log of
// 50,000 events in 500 streams; b.N counts events read, restarting from
// position 0 when the log is exhausted.
func BenchmarkReadAll(b *testing.B) {
	ctx := context.Background()
	s := newStore(b)
	const total, batch = 50_000, 100
	for i := range total / batch {
		events := make([]eventstore.EventData, batch)
		for j := range events {
			events[j] = eventstore.EventData{ID: uuid.NewString(), Type: "ordering.OrderPlaced.v1", Data: payload}
		}
		if _, err := s.Append(ctx, fmt.Sprintf("read-%d", i), eventstore.NoStream(), events...); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	start := time.Now()
	read := 0
	for read < b.N {
		for e, err := range s.ReadAll(ctx, 0, eventstore.Filter{}) {
			if err != nil {
				b.Fatal(err)
			}
			if !strings.HasPrefix(e.Stream, "read-") {
				b.Fatalf("unexpected stream %q", e.Stream)
			}
			if read++; read == b.N {
				break
			}
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}
