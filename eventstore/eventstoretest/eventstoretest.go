// Package eventstoretest is the contract every eventstore.Store adapter must
// honour: one suite, run by each adapter's tests against its real backend
// (memory, Postgres, EventStoreDB). Each case works in its own randomly named
// streams and filters $all by them, so the suite also runs against a shared
// server that already holds other events.
package eventstoretest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/eventstore"
)

// Option adjusts the suite to a documented limitation of an adapter.
type Option func(*options)

type options struct {
	globalIDs       bool
	streamPositions bool
	strictRetries   bool
	bigStream       int
}

// WithoutGlobalIDUniqueness skips the case asserting that an event id stored
// in one stream is refused in another. EventStoreDB only deduplicates ids per
// stream, so its adapter cannot promise it.
func WithoutGlobalIDUniqueness() Option { return func(o *options) { o.globalIDs = false } }

// WithoutStreamReadPositions accepts Position 0 in events read from one
// stream (Read); ReadAll must still carry positions. Some EventStoreDB
// versions serve stream reads from an index without log positions.
func WithoutStreamReadPositions() Option { return func(o *options) { o.streamPositions = false } }

// WithoutStrictRetryConflicts skips the two retry cases that only an adapter
// checking every id on every append can refuse: a retry whose Exact
// expectation points at the current head, and an Any append whose first id
// is new but a later one is stored. EventStoreDB's idempotency is
// best-effort and stores such events again.
func WithoutStrictRetryConflicts() Option { return func(o *options) { o.strictRetries = false } }

// WithBigStream sets the size of the long-stream case (10,000 by default).
func WithBigStream(n int) Option { return func(o *options) { o.bigStream = n } }

// Run runs the contract against stores made by newStore. newStore may return
// the same store every time; the cases never assume an empty store.
func Run(t *testing.T, newStore func(t *testing.T) eventstore.Store, opts ...Option) {
	o := options{globalIDs: true, streamPositions: true, strictRetries: true, bigStream: 10_000}
	for _, opt := range opts {
		opt(&o)
	}
	cases := []struct {
		name string
		run  func(t *testing.T, s eventstore.Store)
	}{
		{"ExpectedRevision", func(t *testing.T, s eventstore.Store) { testExpectedRevision(t, s, o) }},
		{"IdempotentRetry", func(t *testing.T, s eventstore.Store) { testIdempotentRetry(t, s, o) }},
		{"ReadFromRevision", func(t *testing.T, s eventstore.Store) { testReadFromRevision(t, s, o) }},
		{"ReadAllOrderAndFilters", testReadAllOrderAndFilters},
		{"EnvelopeRoundTrip", func(t *testing.T, s eventstore.Store) { testEnvelopeRoundTrip(t, s, o) }},
		{"InvalidInput", testInvalidInput},
		{"LongStreamInOrder", func(t *testing.T, s eventstore.Store) { testLongStream(t, s, o) }},
		{"ConcurrentExactWriters", func(t *testing.T, s eventstore.Store) { testConcurrentExactWriters(t, s, o) }},
		{"ConcurrentAnyWriters", func(t *testing.T, s eventstore.Store) { testConcurrentAnyWriters(t, s, o) }},
		{"ReadAllWhileAppending", testReadAllWhileAppending},
		{"StopAndCancel", testStopAndCancel},
		{"Notifier", testNotifier},
		{"StreamHeads", testStreamHeads},
	}
	if o.globalIDs {
		cases = append(cases, struct {
			name string
			run  func(t *testing.T, s eventstore.Store)
		}{"EventIDUniqueAcrossStreams", testGlobalIDs})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, newStore(t))
		})
	}
}

// testStreamHeads: a store that tells stream heads (eventstore.StreamHeads)
// never tells one short of what a read returns — while appends run, with
// conflicts and idempotent retries among them — and, after an append that
// no other overlapped, tells exactly the stream's head.
func testStreamHeads(t *testing.T, s eventstore.Store) {
	h, ok := s.(eventstore.StreamHeads)
	if !ok {
		t.Skip("this store does not tell stream heads")
	}
	ctx := ctxFor(t)
	p := prefix()
	const streams, writers, rounds = 4, 4, 15
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for r := range rounds {
				stream := fmt.Sprintf("%s-%d", p, (w+r)%streams)
				// read first: what is readable only grows, so a head told
				// after the read must reach at least as far
				n := uint64(len(readStream(t, s, stream, 0)))
				if next, known := h.KnownNext(stream); known && next < n {
					t.Errorf("%s: told next %d after %d events were readable", stream, next, n)
				}
				e := evs("test.Head.v1", r, 1+r%3)
				var exp eventstore.ExpectedRevision = eventstore.Any()
				if r%2 == 1 {
					// an exact expectation that may well be stale: a
					// conflict must leave the head where it was
					next, known := h.KnownNext(stream)
					exp = eventstore.NoStream()
					if known && next > 0 {
						exp = eventstore.AfterVersion(next)
					}
				}
				if _, err := s.Append(ctx, stream, exp, e...); err != nil && !errors.Is(err, eventstore.ErrConcurrency) {
					t.Errorf("append: %v", err)
					return
				}
				if r%5 == 0 { // the same append again: a retry
					s.Append(ctx, stream, eventstore.Any(), e...) //nolint:errcheck
				}
			}
		})
	}
	wg.Wait()
	for i := range streams {
		stream := fmt.Sprintf("%s-%d", p, i)
		if _, err := s.Append(ctx, stream, eventstore.Any(), evs("test.Head.v1", 99, 1)...); err != nil {
			t.Fatalf("append: %v", err)
		}
		n := uint64(len(readStream(t, s, stream, 0)))
		if next, known := h.KnownNext(stream); !known || next != n {
			t.Errorf("%s: told %d (known %v), want %d", stream, next, known, n)
		}
	}
	if next, known := h.KnownNext(p + "-never"); known && next != 0 {
		t.Errorf("a stream never written: told %d", next)
	}
}

// ---- helpers ----

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// prefix returns a fresh stream-name prefix, unique to one case.
func prefix() string { return "t" + strings.ReplaceAll(uuid.NewString()[:13], "-", "") }

func ev(typ string, n int) eventstore.EventData {
	return eventstore.EventData{
		ID:   uuid.NewString(),
		Type: typ,
		Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, n)),
	}
}

func evs(typ string, from, count int) []eventstore.EventData {
	out := make([]eventstore.EventData, count)
	for i := range out {
		out[i] = ev(typ, from+i)
	}
	return out
}

func mustAppend(t *testing.T, s eventstore.Store, stream string, exp eventstore.ExpectedRevision, e ...eventstore.EventData) eventstore.AppendResult {
	t.Helper()
	res, err := s.Append(ctxFor(t), stream, exp, e...)
	if err != nil {
		t.Fatalf("append %d to %s (%s): %v", len(e), stream, exp, err)
	}
	return res
}

func readStream(t *testing.T, s eventstore.Store, stream string, from uint64) []eventstore.RecordedEvent {
	t.Helper()
	var out []eventstore.RecordedEvent
	for e, err := range s.Read(ctxFor(t), stream, from) {
		if err != nil {
			t.Fatalf("read %s: %v", stream, err)
		}
		out = append(out, e)
	}
	return out
}

func readAll(t *testing.T, s eventstore.Store, after uint64, f eventstore.Filter) []eventstore.RecordedEvent {
	t.Helper()
	var out []eventstore.RecordedEvent
	for e, err := range s.ReadAll(ctxFor(t), after, f) {
		if err != nil {
			t.Fatalf("read all: %v", err)
		}
		out = append(out, e)
	}
	return out
}

func head(t *testing.T, s eventstore.Store) uint64 {
	t.Helper()
	h, err := s.HeadPosition(ctxFor(t))
	if err != nil {
		t.Fatalf("head: %v", err)
	}
	return h
}

// settle waits until HeadPosition reaches pos. A store may hold back $all
// behind transactions still in flight (Postgres does, to never skip a late
// commit), so an event is guaranteed in ReadAll only once the head covers it.
func settle(t *testing.T, s eventstore.Store, pos uint64) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for head(t, s) < pos {
		if time.Now().After(deadline) {
			t.Fatalf("head stuck at %d below %d", head(t, s), pos)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func ids(es []eventstore.RecordedEvent) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func dataIDs(es []eventstore.EventData) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("stored data %q is not JSON: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("data %q is not JSON: %v", b, err)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

// checkIncreasing fails unless positions strictly increase.
func checkIncreasing(t *testing.T, es []eventstore.RecordedEvent) {
	t.Helper()
	for i := 1; i < len(es); i++ {
		if es[i].Position <= es[i-1].Position {
			t.Fatalf("positions not increasing at %d: %d then %d", i, es[i-1].Position, es[i].Position)
		}
	}
}

// ---- cases ----

func testExpectedRevision(t *testing.T, s eventstore.Store, o options) {
	p := prefix()
	// Each case starts from a stream holding `existing` events.
	cases := []struct {
		name     string
		existing int
		expected eventstore.ExpectedRevision
		wantErr  bool
		wantNext uint64
	}{
		{"any on empty", 0, eventstore.Any(), false, 0},
		{"any on existing", 2, eventstore.Any(), false, 2},
		{"no stream on empty", 0, eventstore.NoStream(), false, 0},
		{"no stream on existing", 1, eventstore.NoStream(), true, 0},
		{"stream exists on empty", 0, eventstore.StreamExists(), true, 0},
		{"stream exists on existing", 3, eventstore.StreamExists(), false, 3},
		{"exact at head", 3, eventstore.Exact(2), false, 3},
		{"exact behind head", 3, eventstore.Exact(1), true, 0},
		{"exact ahead of head", 3, eventstore.Exact(3), true, 0},
		{"exact on empty", 0, eventstore.Exact(0), true, 0},
		{"after version 0 on empty", 0, eventstore.AfterVersion(0), false, 0},
		{"after version 2 on 2", 2, eventstore.AfterVersion(2), false, 2},
		{"after version 1 on 2", 2, eventstore.AfterVersion(1), true, 0},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			stream := fmt.Sprintf("%s-%d", p, i)
			if c.existing > 0 {
				mustAppend(t, s, stream, eventstore.NoStream(), evs("test.Seeded.v1", 0, c.existing)...)
			}
			e := ev("test.Tried.v1", 0)
			res, err := s.Append(ctxFor(t), stream, c.expected, e)
			got := readStream(t, s, stream, 0)
			if c.wantErr {
				if !errors.Is(err, eventstore.ErrConcurrency) {
					t.Fatalf("err = %v, want ErrConcurrency", err)
				}
				if len(got) != c.existing {
					t.Fatalf("refused append changed the stream: %d events, want %d", len(got), c.existing)
				}
				return
			}
			if err != nil {
				t.Fatalf("append: %v", err)
			}
			if res.NextExpected != c.wantNext {
				t.Fatalf("NextExpected = %d, want %d", res.NextExpected, c.wantNext)
			}
			if len(got) != c.existing+1 || got[len(got)-1].ID != e.ID || (o.streamPositions && got[len(got)-1].Position != res.Position) {
				t.Fatalf("stream after append = %+v, want %d events ending with %s at %d", ids(got), c.existing+1, e.ID, res.Position)
			}
		})
	}
}

func testIdempotentRetry(t *testing.T, s eventstore.Store, o options) {
	p := prefix()
	type step struct {
		expected eventstore.ExpectedRevision
		batch    func(orig []eventstore.EventData) []eventstore.EventData
		wantErr  bool
	}
	same := func(orig []eventstore.EventData) []eventstore.EventData { return orig }
	cases := []struct {
		name string
		// The stream gets 2 seed events, then the original batch of 2 is
		// appended with Exact(1) (landing at revisions 2..3), then one
		// more event unless noTail, then the retry.
		noTail bool
		retry  step
		strict bool // only adapters checking every id refuse it
	}{
		{"same expectation", false, step{eventstore.Exact(1), same, false}, false},
		{"same expectation at head", true, step{eventstore.Exact(1), same, false}, false},
		{"any", false, step{eventstore.Any(), same, false}, false},
		{"stream exists", false, step{eventstore.StreamExists(), same, false}, false},
		{"upper-case ids", false, step{eventstore.Exact(1), func(o []eventstore.EventData) []eventstore.EventData {
			c := slices.Clone(o)
			for i := range c {
				c[i].ID = strings.ToUpper(c[i].ID)
			}
			return c
		}, false}, false},
		{"conflicting exact", false, step{eventstore.Exact(3), same, true}, false},
		{"conflicting exact at head", true, step{eventstore.Exact(3), same, true}, true},
		{"conflicting no stream", false, step{eventstore.NoStream(), same, true}, false},
		{"only first id", false, step{eventstore.Exact(1), func(o []eventstore.EventData) []eventstore.EventData { return o[:1] }, false}, false},
		{"partly stored", false, step{eventstore.Exact(1), func(o []eventstore.EventData) []eventstore.EventData {
			return []eventstore.EventData{o[0], ev("test.Other.v1", 9)}
		}, true}, false},
		{"reordered", false, step{eventstore.Exact(1), func(o []eventstore.EventData) []eventstore.EventData {
			return []eventstore.EventData{o[1], o[0]}
		}, true}, false},
		{"second id stored", false, step{eventstore.Any(), func(o []eventstore.EventData) []eventstore.EventData {
			return []eventstore.EventData{ev("test.Other.v1", 9), o[1]}
		}, true}, true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.strict && !o.strictRetries {
				t.Skip("adapter declared WithoutStrictRetryConflicts")
			}
			t.Parallel()
			stream := fmt.Sprintf("%s-%d", p, i)
			mustAppend(t, s, stream, eventstore.NoStream(), evs("test.Seeded.v1", 0, 2)...)
			orig := evs("test.Original.v1", 0, 2)
			first := mustAppend(t, s, stream, eventstore.Exact(1), orig...)
			if first.NextExpected != 3 {
				t.Fatalf("original append NextExpected = %d, want 3", first.NextExpected)
			}
			if !c.noTail {
				mustAppend(t, s, stream, eventstore.Exact(3), ev("test.Tail.v1", 0))
			}
			before := readStream(t, s, stream, 0)
			batch := c.retry.batch(orig)
			res, err := s.Append(ctxFor(t), stream, c.retry.expected, batch...)
			after := readStream(t, s, stream, 0)
			if !slices.Equal(ids(before), ids(after)) {
				t.Fatalf("retry changed the stream:\nbefore %v\nafter  %v", ids(before), ids(after))
			}
			if c.retry.wantErr {
				if !errors.Is(err, eventstore.ErrConcurrency) {
					t.Fatalf("err = %v, want ErrConcurrency", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			want := first
			if len(batch) == 1 { // a retry of only the first event ends there
				want = eventstore.AppendResult{NextExpected: 2, Position: after[2].Position}
				if !o.streamPositions {
					want.Position = res.Position // not knowable from Read
				}
			}
			if res != want {
				t.Fatalf("retry result = %+v, want the original %+v", res, want)
			}
		})
	}
}

func testReadFromRevision(t *testing.T, s eventstore.Store, o options) {
	stream := prefix() + "-order-1"
	in := evs("test.Step.v1", 0, 7)
	mustAppend(t, s, stream, eventstore.NoStream(), in[:3]...)
	mustAppend(t, s, stream, eventstore.Exact(2), in[3:]...)
	mustAppend(t, s, prefix()+"-other", eventstore.Any(), ev("test.Noise.v1", 0))
	cases := []struct {
		from uint64
		want int // events expected
	}{{0, 7}, {1, 6}, {3, 4}, {6, 1}, {7, 0}, {100, 0}}
	for _, c := range cases {
		t.Run(fmt.Sprintf("from %d", c.from), func(t *testing.T) {
			got := readStream(t, s, stream, c.from)
			var want []string
			if c.want > 0 {
				want = dataIDs(in[c.from : c.from+uint64(c.want)])
			}
			if !slices.Equal(ids(got), want) {
				t.Fatalf("read from %d = %v, want %v", c.from, ids(got), want)
			}
			for i, e := range got {
				if e.Revision != c.from+uint64(i) || e.Stream != stream {
					t.Fatalf("event %d: stream %q revision %d, want %q %d", i, e.Stream, e.Revision, stream, c.from+uint64(i))
				}
			}
			if o.streamPositions {
				checkIncreasing(t, got)
			}
		})
	}
	if got := readStream(t, s, prefix()+"-missing", 0); len(got) != 0 {
		t.Fatalf("reading a missing stream yielded %d events", len(got))
	}
}

func testReadAllOrderAndFilters(t *testing.T, s eventstore.Store) {
	p := prefix()
	typA, typB := "test"+p+".Added.v1", "test"+p+".Removed.v1"
	start := head(t, s)
	var appended []string
	var results []eventstore.AppendResult
	// Interleave streams and types so global order differs from any one stream.
	for i := range 6 {
		stream := fmt.Sprintf("%s-basket-%d", p, i%2)
		if i == 4 {
			stream = p + "-order-1"
		}
		typ := typA
		if i%3 == 2 {
			typ = typB
		}
		e := ev(typ, i)
		results = append(results, mustAppend(t, s, stream, eventstore.Any(), e))
		appended = append(appended, e.ID)
	}
	settle(t, s, results[len(results)-1].Position)
	all := readAll(t, s, start, eventstore.Filter{StreamPrefixes: []string{p + "-"}})
	if !slices.Equal(ids(all), appended) {
		t.Fatalf("ReadAll = %v, want append order %v", ids(all), appended)
	}
	checkIncreasing(t, all)
	for i, e := range all {
		if e.Position != results[i].Position || e.Position <= start {
			t.Fatalf("event %d at position %d, append reported %d (start %d)", i, e.Position, results[i].Position, start)
		}
	}

	cases := []struct {
		name   string
		after  uint64
		filter eventstore.Filter
		want   []int // indexes into appended
	}{
		{"one prefix", start, eventstore.Filter{StreamPrefixes: []string{p + "-basket-"}}, []int{0, 1, 2, 3, 5}},
		{"two prefixes", start, eventstore.Filter{StreamPrefixes: []string{p + "-order-", p + "-basket-1"}}, []int{1, 3, 4, 5}},
		{"type", start, eventstore.Filter{EventTypes: []string{typB}}, []int{2, 5}},
		{"two types", start, eventstore.Filter{EventTypes: []string{typB, typA}}, []int{0, 1, 2, 3, 4, 5}},
		{"prefix and type", start, eventstore.Filter{StreamPrefixes: []string{p + "-basket-0"}, EventTypes: []string{typA}}, []int{0}},
		{"after a position", results[2].Position, eventstore.Filter{StreamPrefixes: []string{p + "-"}}, []int{3, 4, 5}},
		{"after the last", results[5].Position, eventstore.Filter{StreamPrefixes: []string{p + "-"}}, nil},
		{"no match", start, eventstore.Filter{StreamPrefixes: []string{p + "-nothing"}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var want []string
			for _, i := range c.want {
				want = append(want, appended[i])
			}
			got := ids(readAll(t, s, c.after, c.filter))
			if !slices.Equal(got, want) {
				t.Fatalf("ReadAll(%d, %+v) = %v, want %v", c.after, c.filter, got, want)
			}
		})
	}
}

func testEnvelopeRoundTrip(t *testing.T, s eventstore.Store, o options) {
	p := prefix()
	cases := []struct {
		name string
		in   eventstore.EventData
		want string // expected data, compared as JSON
	}{
		{"full metadata", eventstore.EventData{
			ID:   uuid.NewString(),
			Type: "ordering.OrderPlaced.v1",
			Data: json.RawMessage(`{"orderId":"o-1","total":{"amount":1250,"currency":"EUR"},"lines":[{"sku":"A","q":2}],"note":"ünïcødé \"q\""}`),
			Metadata: eventstore.Metadata{
				CorrelationID: uuid.NewString(), CausationID: uuid.NewString(),
				UserID: "user-42", SchemaVersion: 3,
			},
		}, `{"orderId":"o-1","total":{"amount":1250,"currency":"EUR"},"lines":[{"sku":"A","q":2}],"note":"ünïcødé \"q\""}`},
		{"no metadata", eventstore.EventData{ID: uuid.NewString(), Type: "test.Bare.v1", Data: json.RawMessage(`[1,2,3]`)}, `[1,2,3]`},
		{"no data is null", eventstore.EventData{ID: uuid.NewString(), Type: "test.Empty.v1"}, `null`},
		{"scalar data", eventstore.EventData{ID: uuid.NewString(), Type: "test.Scalar.v1", Data: json.RawMessage(` "x" `)}, `"x"`},
		{"big integer", eventstore.EventData{ID: uuid.NewString(), Type: "test.Big.v1", Data: json.RawMessage(`{"n":9007199254740993}`)}, `{"n":9007199254740993}`},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			stream := fmt.Sprintf("%s-%d", p, i)
			before := time.Now().Add(-time.Second)
			res := mustAppend(t, s, stream, eventstore.NoStream(), c.in)
			after := time.Now().Add(time.Second)
			got := readStream(t, s, stream, 0)
			if len(got) != 1 {
				t.Fatalf("read %d events, want 1", len(got))
			}
			e := got[0]
			if !o.streamPositions && e.Position == 0 {
				e.Position = res.Position
			}
			if e.ID != c.in.ID || e.Stream != stream || e.Revision != 0 || e.Position != res.Position || e.Type != c.in.Type {
				t.Fatalf("envelope = %+v, want id %s stream %s revision 0 position %d type %s", e, c.in.ID, stream, res.Position, c.in.Type)
			}
			if e.Metadata != c.in.Metadata {
				t.Fatalf("metadata = %+v, want %+v", e.Metadata, c.in.Metadata)
			}
			if e.Time.Before(before) || e.Time.After(after) {
				t.Fatalf("time %v not within the append (%v .. %v)", e.Time, before, after)
			}
			if !jsonEqual(t, e.Data, []byte(c.want)) {
				t.Fatalf("data = %s, want %s", e.Data, c.want)
			}
			// The $all envelope is the same as the stream's.
			settle(t, s, res.Position)
			all := readAll(t, s, res.Position-1, eventstore.Filter{StreamPrefixes: []string{stream}})
			if len(all) != 1 || all[0].ID != e.ID || all[0].Metadata != e.Metadata || !all[0].Time.Equal(e.Time) || all[0].Position != e.Position {
				t.Fatalf("ReadAll envelope = %+v, want %+v", all, e)
			}
		})
	}
}

func testInvalidInput(t *testing.T, s eventstore.Store) {
	p := prefix()
	good := func() eventstore.EventData { return ev("test.Good.v1", 0) }
	dup := good()
	cases := []struct {
		name   string
		stream string
		events []eventstore.EventData
	}{
		{"empty stream name", "", []eventstore.EventData{good()}},
		{"system stream name", "$all", []eventstore.EventData{good()}},
		{"no events", p + "-a", nil},
		{"empty id", p + "-b", []eventstore.EventData{{Type: "test.X.v1"}}},
		{"id not a uuid", p + "-c", []eventstore.EventData{{ID: "event-1", Type: "test.X.v1"}}},
		{"empty type", p + "-d", []eventstore.EventData{{ID: uuid.NewString()}}},
		{"data not json", p + "-e", []eventstore.EventData{{ID: uuid.NewString(), Type: "test.X.v1", Data: json.RawMessage(`{"a":`)}}},
		{"same id twice in one append", p + "-f", []eventstore.EventData{dup, dup}},
		{"one bad event spoils the batch", p + "-g", []eventstore.EventData{good(), {ID: uuid.NewString(), Type: ""}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := s.Append(ctxFor(t), c.stream, eventstore.Any(), c.events...)
			if !errors.Is(err, eventstore.ErrInvalidEvent) {
				t.Fatalf("err = %v, want ErrInvalidEvent", err)
			}
			if c.stream != "" && !strings.HasPrefix(c.stream, "$") {
				if got := readStream(t, s, c.stream, 0); len(got) != 0 {
					t.Fatalf("refused append stored %d events", len(got))
				}
			}
		})
	}
}

func testLongStream(t *testing.T, s eventstore.Store, o options) {
	n := o.bigStream
	stream := prefix() + "-long"
	const batch = 500
	var res eventstore.AppendResult
	for i := 0; i < n; i += batch {
		size := min(batch, n-i)
		res = mustAppend(t, s, stream, eventstore.AfterVersion(uint64(i)), evs("test.Long.v1", i, size)...)
	}
	settle(t, s, res.Position)
	count := 0
	var last uint64
	for e, err := range s.Read(ctxFor(t), stream, 0) {
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		var d struct{ N int }
		if err := json.Unmarshal(e.Data, &d); err != nil {
			t.Fatal(err)
		}
		if e.Revision != uint64(count) || d.N != count || (o.streamPositions && count > 0 && e.Position <= last) {
			t.Fatalf("event %d: revision %d, n %d, position %d after %d", count, e.Revision, d.N, e.Position, last)
		}
		last = e.Position
		count++
	}
	if count != n {
		t.Fatalf("read %d events, want %d", count, n)
	}
	if got := len(readAll(t, s, 0, eventstore.Filter{StreamPrefixes: []string{stream}})); got != n {
		t.Fatalf("ReadAll returned %d events of the long stream, want %d", got, n)
	}
}

// testConcurrentExactWriters races writers on one stream, each appending at
// the revision it last saw: every revision must have exactly one winner.
func testConcurrentExactWriters(t *testing.T, s eventstore.Store, o options) {
	stream := prefix() + "-race"
	const writers, perWriter = 8, 15
	ctx := ctxFor(t)
	var (
		mu      sync.Mutex
		winners = map[uint64]string{} // revision -> event id
		lost    int
	)
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := 0; i < perWriter; {
				// Load the "aggregate": its version is the stream length.
				var version uint64
				for _, err := range s.Read(ctx, stream, 0) {
					if err != nil {
						errs <- err
						return
					}
					version++
				}
				e := ev("test.Raced.v1", w*1000+i)
				res, err := s.Append(ctx, stream, eventstore.AfterVersion(version), e)
				if errors.Is(err, eventstore.ErrConcurrency) {
					mu.Lock()
					lost++
					mu.Unlock()
					continue
				}
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				if prev, ok := winners[res.NextExpected]; ok {
					mu.Unlock()
					errs <- fmt.Errorf("revision %d won twice: %s and %s", res.NextExpected, prev, e.ID)
					return
				}
				winners[res.NextExpected] = e.ID
				mu.Unlock()
				i++
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got := readStream(t, s, stream, 0)
	if len(got) != writers*perWriter {
		t.Fatalf("stream holds %d events, want %d", len(got), writers*perWriter)
	}
	for r, e := range got {
		if e.Revision != uint64(r) || winners[uint64(r)] != e.ID {
			t.Fatalf("revision %d holds %s (revision field %d), the winner was %s", r, e.ID, e.Revision, winners[uint64(r)])
		}
	}
	if o.streamPositions {
		checkIncreasing(t, got)
	}
	t.Logf("%d appends lost a race and retried", lost)
}

// testConcurrentAnyWriters checks that Any never fails under contention and
// never loses or duplicates an event.
func testConcurrentAnyWriters(t *testing.T, s eventstore.Store, o options) {
	stream := prefix() + "-any"
	const writers, perWriter = 8, 20
	ctx := ctxFor(t)
	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter)
	var mu sync.Mutex
	pairs := map[string]string{} // first id of a batch -> second
	for range writers {
		wg.Go(func() {
			for range perWriter {
				batch := evs("test.Any.v1", 0, 2)
				if _, err := s.Append(ctx, stream, eventstore.Any(), batch...); err != nil {
					errs <- err
					return
				}
				mu.Lock()
				pairs[batch[0].ID] = batch[1].ID
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("append with Any failed under contention: %v", err)
	}
	got := readStream(t, s, stream, 0)
	if len(got) != 2*len(pairs) {
		t.Fatalf("stream holds %d events, want %d", len(got), 2*len(pairs))
	}
	for r := 0; r < len(got); r += 2 {
		// A batch stays contiguous and in order.
		if second, ok := pairs[got[r].ID]; !ok || got[r+1].ID != second {
			t.Fatalf("revisions %d-%d hold %s, %s: not one batch", r, r+1, got[r].ID, got[r+1].ID)
		}
		if got[r].Revision != uint64(r) || got[r+1].Revision != uint64(r+1) {
			t.Fatalf("revision fields %d, %d at %d", got[r].Revision, got[r+1].Revision, r)
		}
	}
	if o.streamPositions {
		checkIncreasing(t, got)
	}
}

// testReadAllWhileAppending follows $all from a checkpoint, as the relay
// does, while writers append: every event must arrive exactly once, in
// increasing position, and each stream's events in revision order.
func testReadAllWhileAppending(t *testing.T, s eventstore.Store) {
	p := prefix()
	const writers, perWriter = 6, 40
	ctx := ctxFor(t)
	start := head(t, s)
	filter := eventstore.Filter{StreamPrefixes: []string{p + "-"}}

	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				stream := fmt.Sprintf("%s-%d", p, (w+i)%4)
				n := 1 + i%3 // single events and small batches
				if _, err := s.Append(ctx, stream, eventstore.Any(), evs("test.Live.v1", i, n)...); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	want := 0
	for i := range perWriter {
		want += writers * (1 + i%3)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	seen := map[string]bool{}
	nextRev := map[string]uint64{} // per stream: $all keeps revision order
	checkpoint := start
	var lastPos uint64
	deadline := time.After(90 * time.Second)
	for len(seen) < want {
		for e, err := range s.ReadAll(ctx, checkpoint, filter) {
			if err != nil {
				t.Fatalf("read all: %v", err)
			}
			if seen[e.ID] {
				t.Fatalf("event %s at %d delivered twice", e.ID, e.Position)
			}
			if e.Position <= lastPos {
				t.Fatalf("position went back: %d after %d", e.Position, lastPos)
			}
			if e.Revision != nextRev[e.Stream] {
				t.Fatalf("$all yields %s revision %d, want revision %d next", e.Stream, e.Revision, nextRev[e.Stream])
			}
			nextRev[e.Stream]++
			seen[e.ID], lastPos, checkpoint = true, e.Position, e.Position
		}
		select {
		case <-deadline:
			t.Fatalf("saw %d of %d events", len(seen), want)
		case err := <-errs:
			t.Fatalf("writer: %v", err)
		case <-done:
		default:
			time.Sleep(time.Millisecond)
		}
	}
	<-done
	// Nothing more may show up once writers are done.
	if extra := readAll(t, s, checkpoint, filter); len(extra) != 0 {
		t.Fatalf("%d events appeared after the reader caught up", len(extra))
	}
	if got := len(readAll(t, s, start, filter)); got != want {
		t.Fatalf("a full re-read returns %d events, want %d", got, want)
	}
}

func testStopAndCancel(t *testing.T, s eventstore.Store) {
	stream := prefix() + "-stop"
	mustAppend(t, s, stream, eventstore.NoStream(), evs("test.Stop.v1", 0, 5)...)
	f := eventstore.Filter{StreamPrefixes: []string{stream}}
	t.Run("break", func(t *testing.T) {
		n := 0
		for _, err := range s.Read(ctxFor(t), stream, 0) {
			if err != nil {
				t.Fatal(err)
			}
			n++
			if n == 2 {
				break
			}
		}
		for _, err := range s.ReadAll(ctxFor(t), 0, f) {
			if err != nil {
				t.Fatal(err)
			}
			break
		}
		if n != 2 {
			t.Fatalf("read %d events before break, want 2", n)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := s.Append(ctx, stream, eventstore.Any(), ev("test.Stop.v1", 9)); err == nil {
			t.Fatal("append with a cancelled context succeeded")
		}
		for name, seq := range map[string]func(func(eventstore.RecordedEvent, error) bool){
			"read": s.Read(ctx, stream, 0), "read all": s.ReadAll(ctx, 0, f),
		} {
			var gotErr error
			for _, err := range seq {
				if err != nil {
					gotErr = err
					break
				}
			}
			if !errors.Is(gotErr, context.Canceled) {
				t.Fatalf("%s with a cancelled context: err %v, want context.Canceled", name, gotErr)
			}
		}
		if got := readStream(t, s, stream, 0); len(got) != 5 {
			t.Fatalf("stream holds %d events, want 5", len(got))
		}
	})
}

func testNotifier(t *testing.T, s eventstore.Store) {
	n, ok := s.(eventstore.Notifier)
	if !ok {
		t.Skip("adapter does not implement eventstore.Notifier")
	}
	ctx := ctxFor(t)
	h := head(t, s)
	if h > 0 {
		if err := n.WaitForAppend(ctx, h-1); err != nil {
			t.Fatalf("wait below head: %v", err)
		}
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	// On a shared store someone else may append meanwhile; only an error
	// other than the deadline is wrong.
	if err := n.WaitForAppend(short, h+1<<40); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait with nothing to come = %v, want deadline exceeded", err)
	}
	woke := make(chan error, 1)
	started := time.Now()
	h = head(t, s)
	go func() { woke <- n.WaitForAppend(ctx, h) }()
	time.Sleep(30 * time.Millisecond)
	res := mustAppend(t, s, prefix()+"-wake", eventstore.NoStream(), ev("test.Wake.v1", 0))
	select {
	case err := <-woke:
		if err != nil {
			t.Fatalf("wait: %v", err)
		}
		settle(t, s, res.Position)
		t.Logf("woke %v after the wait began", time.Since(started))
	case <-time.After(10 * time.Second):
		t.Fatal("WaitForAppend did not wake on append")
	}
}

func testGlobalIDs(t *testing.T, s eventstore.Store) {
	p := prefix()
	e := ev("test.Once.v1", 0)
	mustAppend(t, s, p+"-a", eventstore.NoStream(), e)
	_, err := s.Append(ctxFor(t), p+"-b", eventstore.Any(), e)
	if !errors.Is(err, eventstore.ErrConcurrency) {
		t.Fatalf("appending an id stored in another stream: err %v, want ErrConcurrency", err)
	}
	if got := readStream(t, s, p+"-b", 0); len(got) != 0 {
		t.Fatalf("the other stream got %d events", len(got))
	}
}
