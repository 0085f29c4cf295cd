package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
)

func openTest(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "shop.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE notes (name TEXT PRIMARY KEY)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return db
}

func insert(name string) func(*sql.Tx) error {
	return func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO notes (name) VALUES (?)`, name)
		return err
	}
}

func stored(t *testing.T, db *DB) []string {
	t.Helper()
	rows, err := db.Read.Query(`SELECT name FROM notes ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

func request(ctx context.Context, fn func(*sql.Tx) error) *txRequest {
	return &txRequest{ctx: ctx, fn: fn, done: make(chan txResult, 1)}
}

// TestGroupMembersFailAlone runs one group by hand: the members that fail
// (an error, a panic, a cancelled context) leave no trace and get their own
// outcome; the others are committed together.
func TestGroupMembersFailAlone(t *testing.T) {
	db := openTest(t)
	errOwn := errors.New("refused")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	bg := context.Background()
	group := []*txRequest{
		request(bg, insert("a")),
		request(bg, func(tx *sql.Tx) error { insert("b")(tx); return errOwn }),
		request(bg, func(tx *sql.Tx) error { insert("c")(tx); panic("boom") }),
		request(cancelled, insert("e")),
		request(bg, insert("a")), // sees a, written by the first member: fails alone
		request(bg, insert("d")),
	}
	if rest := db.runGroup(group); rest != nil {
		t.Fatalf("runGroup returned %d members to run again", len(rest))
	}
	res := make([]txResult, len(group))
	for i, r := range group {
		res[i] = <-r.done
	}
	cases := []struct {
		name string
		ok   func(txResult) bool
	}{
		{"a committed", func(r txResult) bool { return r.ok() }},
		{"b its own error", func(r txResult) bool { return errors.Is(r.err, errOwn) }},
		{"c its panic", func(r txResult) bool { return r.panicked && r.panicVal == "boom" }},
		{"e its context's error", func(r txResult) bool { return errors.Is(r.err, context.Canceled) }},
		{"second a: the unique key", func(r txResult) bool { return r.err != nil && !r.panicked }},
		{"d committed", func(r txResult) bool { return r.ok() }},
	}
	for i, c := range cases {
		if !c.ok(res[i]) {
			t.Errorf("member %d (%s): got %+v", i, c.name, res[i])
		}
	}
	if got := stored(t, db); !slices.Equal(got, []string{"a", "d"}) {
		t.Errorf("stored %q, want [a d]", got)
	}
}

// TestGroupLostTransaction: a member whose failure takes the whole
// transaction down (as SQLite does when a write is interrupted) costs the
// members before it their writes, reported as errLost; the members after it
// run in a fresh transaction.
func TestGroupLostTransaction(t *testing.T) {
	db := openTest(t)
	bg := context.Background()
	errOwn := errors.New("interrupted")
	group := []*txRequest{
		request(bg, insert("a")),
		request(bg, func(tx *sql.Tx) error {
			if _, err := tx.Exec(`ROLLBACK`); err != nil {
				t.Errorf("rollback: %v", err)
			}
			return errOwn
		}),
		request(bg, insert("c")),
	}
	rest := db.runGroup(group)
	if len(rest) != 1 || rest[0] != group[2] {
		t.Fatalf("runGroup left %d members to run again, want the last one", len(rest))
	}
	if rest := db.runGroup(rest); rest != nil {
		t.Fatal("the fresh transaction was lost too")
	}
	if r := <-group[0].done; !errors.Is(r.err, errLost) {
		t.Errorf("first member: %+v, want errLost", r)
	}
	if r := <-group[1].done; !errors.Is(r.err, errOwn) {
		t.Errorf("failing member: %+v, want its own error", r)
	}
	if r := <-group[2].done; !r.ok() {
		t.Errorf("last member: %+v, want committed", r)
	}
	if got := stored(t, db); !slices.Equal(got, []string{"c"}) {
		t.Errorf("stored %q, want [c]", got)
	}
}

// TestTxConcurrentCallers: many callers at once, every third failing; each
// gets its own outcome and exactly the successful writes are stored.
func TestTxConcurrentCallers(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	errOwn := errors.New("refused")
	const n = 90
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := string(rune('A' + i/26)) + string(rune('a'+i%26))
			errs[i] = db.Tx(ctx, func(tx *sql.Tx) error {
				if err := insert(name)(tx); err != nil || i%3 != 0 {
					return err
				}
				return errOwn
			})
		}()
	}
	wg.Wait()
	var want []string
	for i, err := range errs {
		if i%3 == 0 {
			if !errors.Is(err, errOwn) {
				t.Errorf("caller %d: %v, want its own error", i, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("caller %d: %v", i, err)
		}
		want = append(want, string(rune('A'+i/26))+string(rune('a'+i%26)))
	}
	slices.Sort(want)
	if got := stored(t, db); !slices.Equal(got, want) {
		t.Errorf("stored %d rows, want %d", len(got), len(want))
	}
}

// TestTxPanicAndGoexitReachTheCaller: a panic in fn is raised again in the
// caller, runtime.Goexit (t.FailNow) ends the caller's goroutine, and
// neither leaves a write behind or stops later transactions.
func TestTxPanicAndGoexitReachTheCaller(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	func() {
		defer func() {
			if v := recover(); v != "boom" {
				t.Errorf("recovered %v, want the panic of fn", v)
			}
		}()
		db.Tx(ctx, func(tx *sql.Tx) error { insert("p")(tx); panic("boom") })
		t.Error("Tx returned after fn panicked")
	}()
	returned := false
	done := make(chan struct{})
	go func() {
		defer close(done)
		db.Tx(ctx, func(tx *sql.Tx) error { insert("g")(tx); runtime.Goexit(); return nil })
		returned = true
	}()
	<-done
	if returned {
		t.Error("Tx returned after fn called runtime.Goexit")
	}
	if err := db.Tx(ctx, insert("after")); err != nil {
		t.Fatalf("Tx after a panic and a Goexit: %v", err)
	}
	if got := stored(t, db); !slices.Equal(got, []string{"after"}) {
		t.Errorf("stored %q, want [after]", got)
	}
}

func TestTxAfterClose(t *testing.T) {
	db := openTest(t)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Tx(context.Background(), insert("x")); !errors.Is(err, errClosed) {
		t.Errorf("Tx after Close = %v, want errClosed", err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
