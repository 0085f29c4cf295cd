package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/eventstoretest"
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
		s.OnlyWriter()
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
