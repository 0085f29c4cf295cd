package eventstoretest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/eventstore"
)

// The append and $all benchmarks every adapter runs beside its own raw
// baseline, so that their figures compare across adapters.

// Payload is a typical event body (an order placed with two lines), used by
// the store and by the raw baselines alike.
var Payload = json.RawMessage(`{"orderId":"8f0e6c1e-7f5e-4a8e-9d55-3a1c2b4d5e6f","customerId":"c-1042","lines":[{"sku":"SKU-0001","quantity":2,"unitPrice":{"amount":1999,"currency":"EUR"}},{"sku":"SKU-0042","quantity":1,"unitPrice":{"amount":4500,"currency":"EUR"}}],"total":{"amount":8498,"currency":"EUR"}}`)

// Concurrently spreads ops operations over writers goroutines and returns
// the wall time. op gets the writer number and that writer's op count so far.
func Concurrently(b *testing.B, writers, ops int, op func(w, i int) error) time.Duration {
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

// Appends runs ops appends of batch events each from writers goroutines,
// each writer extending its own streams with Exact revisions as aggregates
// do, and returns the wall time.
func Appends(b *testing.B, s eventstore.Store, writers, batch, ops int) time.Duration {
	ctx := context.Background()
	// A fresh tag per call: each call starts its writers' streams anew.
	tag := uuid.NewString()[:8]
	// Each writer keeps a stream of at most 1,000 events, then starts a new
	// one, so revisions and index depth stay realistic.
	perStream := max(1, 1000/batch)
	return Concurrently(b, writers, ops, func(w, i int) error {
		events := make([]eventstore.EventData, batch)
		for j := range events {
			events[j] = eventstore.EventData{ID: uuid.NewString(), Type: "ordering.OrderPlaced.v1", Data: Payload,
				Metadata: eventstore.Metadata{CorrelationID: tag, SchemaVersion: 1}}
		}
		stream := fmt.Sprintf("bench-%s-%d-%d", tag, w, i/perStream)
		_, err := s.Append(ctx, stream, eventstore.AfterVersion(uint64(i%perStream*batch)), events...)
		return err
	})
}

// BesideRaw splits b.N operations of batch events each between the store
// and its raw baseline, alternating the two in rounds so that load from
// elsewhere on the machine hits both alike, and reports events/s of the
// store, rows/s of the baseline and their ratio.
func BesideRaw(b *testing.B, batch int, raw, store func(ops int) time.Duration) {
	const rounds = 10
	var rawTime, storeTime time.Duration
	done := 0
	for r := range rounds {
		ops := (b.N - done) / (rounds - r)
		if ops == 0 {
			continue
		}
		if r%2 == 0 {
			rawTime += raw(ops)
			storeTime += store(ops)
		} else {
			storeTime += store(ops)
			rawTime += raw(ops)
		}
		done += ops
	}
	events := float64(b.N * batch)
	storeRate, rawRate := events/storeTime.Seconds(), events/rawTime.Seconds()
	b.ReportMetric(storeRate, "events/s")
	b.ReportMetric(rawRate, "raw-rows/s")
	b.ReportMetric(storeRate/rawRate, "ratio")
}

// ReadAllRate measures the $all read rate (events/s) of s over a log of
// 50,000 events in 500 streams; b.N counts events read, restarting from
// position 0 when the log is exhausted. s must be empty.
func ReadAllRate(b *testing.B, s eventstore.Store) {
	ctx := context.Background()
	const total, batch = 50_000, 100
	for i := range total / batch {
		events := make([]eventstore.EventData, batch)
		for j := range events {
			events[j] = eventstore.EventData{ID: uuid.NewString(), Type: "ordering.OrderPlaced.v1", Data: Payload}
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
