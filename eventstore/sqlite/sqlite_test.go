package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/eventstoretest"
	sqlitedb "github.com/evshop/shop/platform/sqlite"
	"github.com/evshop/shop/platform/sqlite/sqlitedriver"
	"github.com/evshop/shop/platform/testenv"
)

func newStore(t testing.TB) *Store {
	t.Helper()
	s, err := New(context.Background(), testenv.SQLite(t))
	if err != nil {
		t.Fatalf("new store: %v", err)
	}
	return s
}

// TestContract runs the contract on the store as the embedded shop uses it:
// the only writer of its file (OnlyWriter), telling stream heads.
func TestContract(t *testing.T) {
	t.Parallel()
	eventstoretest.Run(t, func(t *testing.T) eventstore.Store {
		s := newStore(t)
		if err := s.OnlyWriter(context.Background()); err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestLateCommitIsNotSkipped stages what makes PostgreSQL readers skip
// events: an append that has drawn its position and not yet committed while
// others append. Here the others must wait for it (one writer), so the held
// append keeps the lowest position, readers never see past it meanwhile,
// and a reader following its checkpoint sees every event exactly once.
func TestLateCommitIsNotSkipped(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := newStore(t)
	held, release := make(chan struct{}), make(chan struct{})
	var releaseOnce sync.Once
	t.Cleanup(func() { releaseOnce.Do(func() { close(release) }) })
	s.holdBeforeCommit = func(_ context.Context, stream string) {
		if stream == "late-1" {
			close(held)
			<-release
		}
	}
	newEvent := func() eventstore.EventData {
		return eventstore.EventData{ID: uuid.NewString(), Type: "test.Staged.v1", Data: json.RawMessage(`{}`)}
	}
	for i := range 3 {
		if _, err := s.Append(ctx, fmt.Sprintf("seed-%d", i), eventstore.NoStream(), newEvent()); err != nil {
			t.Fatal(err)
		}
	}
	type result struct {
		res eventstore.AppendResult
		err error
	}
	late := make(chan result, 1)
	go func() {
		res, err := s.Append(ctx, "late-1", eventstore.NoStream(), newEvent())
		late <- result{res, err}
	}()
	<-held // the late append has inserted its row and not committed

	const earlyN = 20
	early := make(chan result, earlyN)
	for i := range earlyN {
		go func() {
			res, err := s.Append(ctx, fmt.Sprintf("early-%d", i), eventstore.NoStream(), newEvent(), newEvent())
			early <- result{res, err}
		}()
	}

	seen := map[string]bool{}
	var checkpoint uint64
	follow := func() {
		t.Helper()
		for e, err := range s.ReadAll(ctx, checkpoint, eventstore.Filter{}) {
			if err != nil {
				t.Fatal(err)
			}
			if seen[e.ID] || e.Position <= checkpoint {
				t.Fatalf("event %s at %d after checkpoint %d: duplicate or out of order", e.ID, e.Position, checkpoint)
			}
			seen[e.ID], checkpoint = true, e.Position
		}
	}
	follow()
	if len(seen) != 3 || checkpoint != 3 {
		t.Fatalf("while the late append is in flight the reader got %d events up to %d, want the 3 seeds", len(seen), checkpoint)
	}
	if h, err := s.HeadPosition(ctx); err != nil || h != 3 {
		t.Fatalf("head while held = %d, %v; want 3", h, err)
	}
	select {
	case r := <-early:
		t.Fatalf("an append committed while another held the writer: %+v", r)
	default:
	}

	releaseOnce.Do(func() { close(release) })
	r := <-late
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.res.Position != 4 {
		t.Fatalf("late append at %d, want 4: positions follow commits", r.res.Position)
	}
	var last uint64
	for range earlyN {
		r := <-early
		if r.err != nil {
			t.Fatal(r.err)
		}
		last = max(last, r.res.Position)
	}
	follow()
	if len(seen) != 3+1+2*earlyN || checkpoint != last || last != uint64(len(seen)) {
		t.Fatalf("after the late commit the reader has seen %d events up to %d, want %d up to %d", len(seen), checkpoint, 3+1+2*earlyN, last)
	}
}

// TestRolledBackAppendLeavesNoHole: a failed append gives its positions
// back, so the log stays dense and a reader has nothing to wait for.
func TestRolledBackAppendLeavesNoHole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	e := func() eventstore.EventData {
		return eventstore.EventData{ID: uuid.NewString(), Type: "test.Dense.v1"}
	}
	steps := []struct {
		name    string
		stream  string
		exp     eventstore.ExpectedRevision
		wantPos uint64 // 0: must fail
	}{
		{"first", "dense-a", eventstore.NoStream(), 1},
		{"wrong revision", "dense-a", eventstore.Exact(5), 0},
		{"stream exists on a new stream", "dense-b", eventstore.StreamExists(), 0},
		{"next", "dense-b", eventstore.NoStream(), 2},
	}
	for _, st := range steps {
		res, err := s.Append(ctx, st.stream, st.exp, e())
		if st.wantPos == 0 {
			if err == nil {
				t.Fatalf("%s: append succeeded", st.name)
			}
			continue
		}
		if err != nil || res.Position != st.wantPos {
			t.Fatalf("%s: position %d, %v; want %d", st.name, res.Position, err, st.wantPos)
		}
	}
}

// onlyWriter opens a store on db, lets set adjust its bounds (nil: as the
// shop runs it) and makes it the file's only writer.
func onlyWriter(t *testing.T, db *sqlitedb.DB, set func(*Store)) *Store {
	t.Helper()
	s, err := New(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if set != nil {
		set(s)
	}
	if err := s.OnlyWriter(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// loseAppend runs appendOne (an append) in a group whose transaction a
// later call of the same group ends, as an I/O error would.
func loseAppend(t *testing.T, db *sqlitedb.DB, appendOne func()) {
	t.Helper()
	ctx := context.Background()
	release, holding := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		db.Tx(ctx, func(*sql.Tx) error { close(holding); <-release; return nil }) //nolint:errcheck
	})
	<-holding
	wg.Go(appendOne)
	testenv.WaitQueued(t, db, 1)
	wg.Go(func() {
		db.Tx(ctx, func(tx *sql.Tx) error { _, err := tx.Exec(`ROLLBACK`); return err }) //nolint:errcheck
	})
	testenv.WaitQueued(t, db, 2)
	close(release)
	wg.Wait()
}

// TestLedger: the only writer's ledger of heads (OnlyWriter) follows what
// is committed. It starts from the streams stored before, knows a stream
// never written as empty, moves with every append kept, and is put back
// when an append is not kept (refused, or its group transaction lost), so
// that the next append draws the same revision and position again: the log
// stays dense and the writer's own reads hold no lost event. A log of more
// streams than the ledger may keep starts it empty and incomplete, and a
// complete ledger that fills up forgets what it held; either way an append
// to a stream it does not hold reads that stream's head from the file (a
// forgotten stream is never taken for a new one, nor a stale expectation
// let through) and KnownNext does not guess.
func TestLedger(t *testing.T) {
	t.Parallel()
	const unknown = ^uint64(0) // KnownNext must say it cannot tell
	type step struct {
		name     string
		stream   string
		exp      eventstore.ExpectedRevision
		lost     bool
		wantPos  uint64            // 0: refused (ErrConcurrency)
		wantNext map[string]uint64 // KnownNext afterwards
	}
	tests := []struct {
		name    string
		stored  map[string]int // events per stream stored before the start
		bound   int            // the ledger's; 0: the shop's
		steps   []step
		wantLog string
	}{
		{name: "within the bound", stored: map[string]int{"old": 3}, steps: []step{
			{name: "stored before: known", wantNext: map[string]uint64{"old": 3, "new": 0}},
			{name: "append kept", stream: "old", exp: eventstore.Exact(2), wantPos: 4, wantNext: map[string]uint64{"old": 4}},
			{name: "stale append refused", stream: "old", exp: eventstore.Exact(2), wantNext: map[string]uint64{"old": 4}},
			{name: "new stream, transaction lost", stream: "new", exp: eventstore.NoStream(), lost: true, wantNext: map[string]uint64{"new": 0}},
			{name: "new stream again: the same position", stream: "new", exp: eventstore.NoStream(), wantPos: 5, wantNext: map[string]uint64{"new": 1}},
			{name: "old stream, transaction lost", stream: "old", exp: eventstore.Exact(3), lost: true, wantNext: map[string]uint64{"old": 4}},
			{name: "old stream again", stream: "old", exp: eventstore.Exact(3), wantPos: 6, wantNext: map[string]uint64{"old": 5, "new": 1}},
		}, wantLog: "[1:old@0 2:old@1 3:old@2 4:old@3 5:new@0 6:old@4]"},
		{name: "started past the bound", stored: map[string]int{"s0": 1, "s1": 1, "s2": 1, "s3": 1, "s4": 1}, bound: 3, steps: []step{
			{name: "nothing held", wantNext: map[string]uint64{"s0": unknown, "never": unknown}},
			{name: "append to a stream not held", stream: "s0", exp: eventstore.Exact(0), wantPos: 6, wantNext: map[string]uint64{"s0": 2}},
			{name: "stale expectation on a stream not held", stream: "s1", exp: eventstore.Exact(4)},
			{name: "a stream not held taken for new", stream: "s1", exp: eventstore.NoStream()},
			{name: "its head read from the file", stream: "s1", exp: eventstore.Exact(0), wantPos: 7, wantNext: map[string]uint64{"s1": 2}},
			{name: "lost on a stream not held", stream: "s2", exp: eventstore.Exact(0), lost: true, wantNext: map[string]uint64{"s2": unknown}},
			{name: "then kept: the same position", stream: "s2", exp: eventstore.Exact(0), wantPos: 8, wantNext: map[string]uint64{"s2": 2}},
		}, wantLog: "[1:s0@0 2:s1@0 3:s2@0 4:s3@0 5:s4@0 6:s0@1 7:s1@1 8:s2@1]"},
		{name: "filled past the bound", stored: map[string]int{"s0": 1, "s1": 1}, bound: 3, steps: []step{
			{name: "complete: every stream held", wantNext: map[string]uint64{"s0": 1, "s1": 1, "never": 0}},
			{name: "a new stream fills the ledger", stream: "n0", exp: eventstore.NoStream(), wantPos: 3,
				wantNext: map[string]uint64{"s0": 1, "n0": 1, "never": 0}},
			{name: "the next one makes it forget", stream: "n1", exp: eventstore.NoStream(), wantPos: 4,
				wantNext: map[string]uint64{"n1": 1, "s0": unknown, "n0": unknown, "never": unknown}},
			{name: "a forgotten stream is no new stream", stream: "n0", exp: eventstore.NoStream(), wantNext: map[string]uint64{"n0": unknown}},
			{name: "a forgotten stream appended to", stream: "s0", exp: eventstore.Exact(0), wantPos: 5, wantNext: map[string]uint64{"s0": 2}},
			{name: "lost on a forgotten stream", stream: "s1", exp: eventstore.Exact(0), lost: true, wantNext: map[string]uint64{"s1": unknown}},
			{name: "then kept: the same position", stream: "s1", exp: eventstore.Exact(0), wantPos: 6, wantNext: map[string]uint64{"s1": 2}},
		}, wantLog: "[1:s0@0 2:s1@0 3:n0@0 4:n1@0 5:s0@1 6:s1@1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := testenv.SQLite(t)
			e := func() eventstore.EventData {
				return eventstore.EventData{ID: uuid.NewString(), Type: "test.Ledger.v1"}
			}
			file, err := New(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			for _, stream := range slices.Sorted(maps.Keys(tt.stored)) {
				evs := make([]eventstore.EventData, tt.stored[stream])
				for i := range evs {
					evs[i] = e()
				}
				if _, err := file.Append(ctx, stream, eventstore.NoStream(), evs...); err != nil {
					t.Fatal(err)
				}
			}
			s := onlyWriter(t, db, func(s *Store) { s.headsCap = tt.bound })
			for _, st := range tt.steps {
				switch {
				case st.lost:
					loseAppend(t, db, func() { s.Append(ctx, st.stream, st.exp, e()) }) //nolint:errcheck
				case st.stream != "":
					res, err := s.Append(ctx, st.stream, st.exp, e())
					if st.wantPos == 0 && !errors.Is(err, eventstore.ErrConcurrency) {
						t.Fatalf("%s: %+v, %v; want ErrConcurrency", st.name, res, err)
					}
					if st.wantPos != 0 && (err != nil || res.Position != st.wantPos) {
						t.Fatalf("%s: position %d, %v; want %d", st.name, res.Position, err, st.wantPos)
					}
				}
				for stream, want := range st.wantNext {
					next, ok := s.KnownNext(stream)
					if want == unknown && ok {
						t.Errorf("%s: KnownNext(%s) = %d, want it not to tell", st.name, stream, next)
					}
					if want != unknown && (!ok || next != want) {
						t.Errorf("%s: KnownNext(%s) = %d, %v; want %d", st.name, stream, next, ok, want)
					}
				}
			}
			// The file, and the only writer's own reads (its recent window).
			for who, store := range map[string]*Store{"the file": file, "the only writer": s} {
				var got []string
				for ev, err := range store.ReadAll(ctx, 0, eventstore.Filter{}) {
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, fmt.Sprintf("%d:%s@%d", ev.Position, ev.Stream, ev.Revision))
				}
				if fmt.Sprint(got) != tt.wantLog {
					t.Errorf("%s reads %v, want %s", who, got, tt.wantLog)
				}
			}
		})
	}
}

func TestMigrationsIdempotent(t *testing.T) {
	t.Parallel()
	db := testenv.SQLite(t)
	for range 2 {
		if _, err := New(context.Background(), db); err != nil {
			t.Fatalf("new: %v", err)
		}
	}
	if _, err := New(context.Background(), nil); err == nil {
		t.Fatal("New accepted a nil database")
	}
}

// TestWaitForAppendSeesEveryWriter: a wait ends for an append of this store
// (woken in-process), of another store on the same file (another process:
// seen by the query at the start of the wait or by the periodic one), and
// for an append made before the wait began.
func TestWaitForAppendSeesEveryWriter(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "shop.db")
	open := func() *Store {
		db, err := sqlitedriver.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		s, err := New(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	waiter, other := open(), open()
	appendTo := func(s *Store) error {
		_, err := s.Append(context.Background(), "wait-"+uuid.NewString(), eventstore.NoStream(),
			eventstore.EventData{ID: uuid.NewString(), Type: "test.Waited.v1"})
		return err
	}
	tests := []struct {
		name   string
		before *Store // appends before the wait begins
		during *Store // appends while it waits
	}{
		{"this store, during the wait", nil, waiter},
		{"another process, during the wait", nil, other},
		{"another process, before the wait", other, nil},
		{"this store, before the wait", waiter, nil},
	}
	for _, tt := range tests { // one after the other: they share the head
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		head, err := waiter.HeadPosition(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if tt.before != nil {
			if err := appendTo(tt.before); err != nil {
				t.Fatal(err)
			}
		}
		done := make(chan error, 1)
		go func() { done <- waiter.WaitForAppend(ctx, head) }()
		if tt.during != nil {
			if err := appendTo(tt.during); err != nil {
				t.Fatal(err)
			}
		}
		if err := <-done; err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		cancel()
	}
}

// TestRecentReadsAsTheFile: what the only writer serves from its window of
// recent events (OnlyWriter) is what a reader of the file gets — every
// field, every filter, reads that start before the window and cross into
// it, streams partly evicted — and its head is the file's.
func TestRecentReadsAsTheFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.SQLite(t)
	file, err := New(ctx, db) // not the only writer: reads the file
	if err != nil {
		t.Fatal(err)
	}
	if _, err := file.Append(ctx, "order-0", eventstore.NoStream(), eventstore.EventData{ID: uuid.NewString(), Type: "test.Placed.v1"}); err != nil {
		t.Fatal(err)
	}
	s := onlyWriter(t, db, func(s *Store) { s.recentCap = 8 })
	meta := eventstore.Metadata{CorrelationID: "c", CausationID: "k", UserID: "u", SchemaVersion: 2, TraceParent: "00-x"}
	for i := range 7 { // 12 events in all: the window holds the last 8, from position 5
		stream := fmt.Sprintf("order-%d", i%3)
		evs := []eventstore.EventData{{ID: uuid.NewString(), Type: "test.Placed.v1", Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)), Metadata: meta}}
		if i%2 == 0 {
			// metadata JSON cannot hold as given: the file has U+FFFD
			evs = append(evs, eventstore.EventData{ID: uuid.NewString(), Type: "test.Paid.v1",
				Metadata: eventstore.Metadata{UserID: "bad\xff", CorrelationID: fmt.Sprint(i)}})
		}
		if _, err := s.Append(ctx, stream, eventstore.Any(), evs...); err != nil {
			t.Fatal(err)
		}
	}
	collect := func(seq iter.Seq2[eventstore.RecordedEvent, error]) []eventstore.RecordedEvent {
		var out []eventstore.RecordedEvent
		for e, err := range seq {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, e)
		}
		return out
	}
	for _, after := range []uint64{0, 3, 5, 6, 12, 13, 20} {
		for _, f := range []eventstore.Filter{{}, {EventTypes: []string{"test.Paid.v1"}}, {StreamPrefixes: []string{"order-1", "order-2"}}} {
			got, want := collect(s.ReadAll(ctx, after, f)), collect(file.ReadAll(ctx, after, f))
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ReadAll(%d, %+v):\n got %+v\nwant %+v", after, f, got, want)
			}
		}
	}
	for _, stream := range []string{"order-0", "order-1", "order-2", "order-9"} {
		for from := range eventstore.Revision(6) {
			got, want := collect(s.Read(ctx, stream, from)), collect(file.Read(ctx, stream, from))
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Read(%s, %d):\n got %+v\nwant %+v", stream, from, got, want)
			}
		}
	}
	head, err := s.HeadPosition(ctx)
	if want, _ := file.HeadPosition(ctx); err != nil || head != want || head != 12 {
		t.Errorf("head %d, %v; want %d (the file's)", head, err, want)
	}
	// and those reads were the window's where it reached
	if _, upTo, ok := s.recent.all(4, eventstore.Filter{}, 100); !ok || upTo != 12 || s.recent.first != 5 {
		t.Errorf("window from %d, read to %d, %v; want from 5 to 12", s.recent.first, upTo, ok)
	}
	if _, ok := s.recent.stream("order-1", 1); !ok {
		t.Error("order-1 from revision 1 not served from the window")
	}
}
