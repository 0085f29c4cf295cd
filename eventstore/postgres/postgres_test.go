package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/eventstoretest"
	"github.com/evshop/shop/platform/testenv"
)

func newStore(t testing.TB) *Store {
	t.Helper()
	s, err := New(context.Background(), testenv.Postgres(t))
	if err != nil {
		t.Fatalf("new store: %v", err)
	}
	return s
}

func TestContract(t *testing.T) {
	t.Parallel()
	eventstoretest.Run(t, func(t *testing.T) eventstore.Store { return newStore(t) })
}

// TestLateCommitIsNotSkipped stages the classic hazard: an append draws its
// position, then commits after appends with higher positions have committed.
// A $all reader following a checkpoint must still see every event exactly
// once and in increasing position. Not parallel: the held transaction holds
// the cluster-wide high-water mark back for every other test while it lasts.
func TestLateCommitIsNotSkipped(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := newStore(t)
	held, release := make(chan struct{}), make(chan struct{})
	var releaseOnce sync.Once
	// On failure, let the held append finish before the pool is closed.
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
	// A transaction elsewhere on the cluster that began before the seeds
	// committed hides them until it ends (the mark is cluster-wide, see
	// belowMark); later ones cannot. Staging starts once they show.
	for waited := time.Now(); ; time.Sleep(time.Millisecond) {
		if h, err := s.HeadPosition(ctx); err != nil || h == 3 {
			break
		}
		if time.Since(waited) > 30*time.Second {
			t.Fatal("the seeds never showed in $all")
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
	<-held // the late append has drawn its position and not committed

	var early []eventstore.AppendResult
	for i := range 20 {
		res, err := s.Append(ctx, fmt.Sprintf("early-%d", i), eventstore.NoStream(), newEvent(), newEvent())
		if err != nil {
			t.Fatal(err)
		}
		early = append(early, res)
	}

	// The relay-style reader, following its checkpoint.
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
	// Control: the hazard is real. A naive reader sees the early events
	// already, and would checkpoint past the late one.
	var naiveMin, naiveCount int64
	if err := s.pool.QueryRow(ctx, `SELECT min(position), count(*) FROM events WHERE position > 3`).Scan(&naiveMin, &naiveCount); err != nil {
		t.Fatal(err)
	}
	if naiveCount != 40 || uint64(naiveMin) <= 4 {
		t.Fatalf("staging failed: a naive reader sees %d events from %d, want 40 above the late one", naiveCount, naiveMin)
	}

	releaseOnce.Do(func() { close(release) })
	r := <-late
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.res.Position >= early[0].Position {
		t.Fatalf("late append at %d is not below the early ones (%d)", r.res.Position, early[0].Position)
	}
	// Unrelated transactions anywhere in the cluster may hold the mark back
	// for a moment (see the package doc); a relay simply reads again.
	waited := time.Now()
	for {
		h, err := s.HeadPosition(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if h == early[len(early)-1].Position {
			break
		}
		if time.Since(waited) > 30*time.Second {
			t.Fatalf("head stuck at %d", h)
		}
		time.Sleep(time.Millisecond)
	}
	t.Logf("the mark reached the last event %v after the late commit", time.Since(waited))
	follow()
	if len(seen) != 3+1+40 {
		t.Fatalf("after the late commit the reader has seen %d events, want 44", len(seen))
	}
	if checkpoint != early[len(early)-1].Position {
		t.Fatalf("checkpoint %d, want the last early position %d", checkpoint, early[len(early)-1].Position)
	}
}

func TestJSONThatJSONBRefuses(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	_, err := s.Append(context.Background(), "nul-1", eventstore.NoStream(),
		eventstore.EventData{ID: uuid.NewString(), Type: "test.Nul.v1", Data: json.RawMessage(`{"s":"a\u0000b"}`)})
	if !errors.Is(err, eventstore.ErrInvalidEvent) {
		t.Fatalf("err = %v, want ErrInvalidEvent", err)
	}
}

func TestMigrationsIdempotent(t *testing.T) {
	t.Parallel()
	pool := testenv.Postgres(t)
	for range 2 {
		if _, err := New(context.Background(), pool); err != nil {
			t.Fatalf("new: %v", err)
		}
	}
	if _, err := New(context.Background(), nil); err == nil {
		t.Fatal("New accepted a nil pool")
	}
}

// TestAppendsShareTheirNotify: every committed append is announced on
// NotifyChannel, after its commit; appends committed within AnnounceAfter
// of each other share one NOTIFY; and one armed after the last was sent is
// sent again.
func TestAppendsShareTheirNotify(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := newStore(t)
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN "+NotifyChannel); err != nil {
		t.Fatal(err)
	}
	// received counts the notifications until none came for quiet, the
	// first waited for up to 10 s when one is expected (a loaded machine
	// may run the timer late).
	received := func(expect bool, quiet time.Duration) int {
		n := 0
		for {
			wait := quiet
			if expect && n == 0 {
				wait = 10 * time.Second
			}
			wctx, c := context.WithTimeout(ctx, wait)
			_, err := conn.Conn().WaitForNotification(wctx)
			c()
			if err != nil {
				return n
			}
			n++
		}
	}
	stream := "notify-" + uuid.NewString()
	appendOne := func() {
		if _, err := s.Append(ctx, stream, eventstore.Any(), eventstore.EventData{ID: uuid.NewString(), Type: "test.Noted.v1", Data: json.RawMessage(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name     string
		do       func()
		min, max int
		stored   int // events of stream the listening connection sees once notified
	}{
		{"an append", appendOne, 1, 1, 1},
		{"a hundred announcements at once", func() {
			for range 100 {
				s.announce()
			}
		}, 1, 10, 1},
		{"three appends in a row", func() { appendOne(); appendOne(); appendOne() }, 1, 3, 4},
		{"an append after that", appendOne, 1, 1, 5},
		{"nothing", func() {}, 0, 0, 5},
	}
	for _, st := range steps {
		st.do()
		n := received(st.min > 0, 500*time.Millisecond)
		if n < st.min || n > st.max {
			t.Fatalf("%s: %d notifications, want %d to %d", st.name, n, st.min, st.max)
		}
		var stored int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM events WHERE stream = $1`, stream).Scan(&stored); err != nil || stored != st.stored {
			t.Fatalf("%s: the listener sees %d events (%v), want %d", st.name, stored, err, st.stored)
		}
	}
}

// trackingStore is a store after TrackHeads whose watcher listens.
func trackingStore(t testing.TB, pool *pgxpool.Pool) *Tracking {
	t.Helper()
	st, err := New(context.Background(), pool)
	if err != nil {
		t.Fatalf("new store: %v", err)
	}
	s := st.TrackHeads(context.Background())
	deadline := time.Now().Add(10 * time.Second)
	for !s.track.listening() {
		if time.Now().After(deadline) {
			t.Fatal("the head watcher does not listen")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return s
}

// TestContractTrackingHeads runs the contract on a store that tells stream
// heads from its own appends (TrackHeads).
func TestContractTrackingHeads(t *testing.T) {
	t.Parallel()
	eventstoretest.Run(t, func(t *testing.T) eventstore.Store { return trackingStore(t, testenv.Postgres(t)) })
}

// TestHeadsOfOtherProcesses: two stores on one database, as two processes.
// Alone, a store knows the heads of its own appends, and a failed
// expectation forgets the stream; once a second store says hello, the first
// never tells a head again, nor does the second, which hears the first's
// appends.
func TestHeadsOfOtherProcesses(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pool := testenv.Postgres(t)
	a := trackingStore(t, pool)
	one := func(s *Tracking, stream string, exp eventstore.ExpectedRevision) error {
		_, err := s.Append(ctx, stream, exp, eventstore.EventData{ID: uuid.NewString(), Type: "test.Head.v1", Data: json.RawMessage(`{}`)})
		return err
	}
	known := func(s *Tracking, stream string) string {
		next, ok := s.KnownNext(stream)
		if !ok {
			return "unknown"
		}
		return fmt.Sprint(next)
	}
	eventually := func(what string, s *Tracking, stream, want string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for known(s, stream) != want {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %s is %s, want %s", what, stream, known(s, stream), want)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	x, y := "heads-x-"+uuid.NewString(), "heads-y-"+uuid.NewString()
	for _, stream := range []string{x, x, y} {
		if err := one(a, stream, eventstore.Any()); err != nil {
			t.Fatal(err)
		}
	}
	// Its own notifications do not make it forget.
	time.Sleep(50 * time.Millisecond)
	if got := known(a, x) + "/" + known(a, y); got != "2/1" {
		t.Fatalf("alone: x/y %s, want 2/1", got)
	}
	// A failed expectation forgets the stream at once.
	if err := one(a, y, eventstore.AfterVersion(0)); !errors.Is(err, eventstore.ErrConcurrency) {
		t.Fatalf("stale append: %v", err)
	}
	if got := known(a, y); got != "unknown" {
		t.Fatalf("y after a failed append: %s", got)
	}
	// A second writer: its hello turns a's heads off, for good.
	other, err := pgxpool.NewWithConfig(ctx, pool.Config())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Close)
	b := trackingStore(t, other)
	eventually("b said hello", a, x, "unknown")
	if err := one(a, x, eventstore.AfterVersion(2)); err != nil {
		t.Fatal(err)
	}
	if err := one(b, y, eventstore.Any()); err != nil {
		t.Fatal(err)
	}
	eventually("b heard a's append", b, y, "unknown")
	time.Sleep(50 * time.Millisecond)
	if got := known(a, x) + "/" + known(b, y); got != "unknown/unknown" {
		t.Fatalf("two writers: a's x / b's y %s", got)
	}
}
