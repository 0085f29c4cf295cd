package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/evshop/shop/platform/sqlite"
	"github.com/evshop/shop/platform/sqlite/sqlitedriver"
	"github.com/evshop/shop/platform/testenv"
)

// TestGroupCommit: Tx calls queued behind a running transaction share the
// next one, and each keeps its own outcome — a call that fails (an error,
// a constraint, a panic, a context that ended while it waited) leaves
// nothing behind, and the calls beside it still commit; the undo hooks of
// the failed calls run, the commit hooks of the others.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	db := openWithTable(t, "notes")
	errRefused := errors.New("refused")
	// ends while its call waits for the group
	ending, end := context.WithCancel(ctx)
	type call struct {
		name    string
		ctx     context.Context
		fn      func(tx *sql.Tx) error
		wantErr bool // and its row is absent
		panics  bool
	}
	calls := []call{
		{name: "a", fn: insertNote("a")},
		{name: "fails after writing", fn: func(tx *sql.Tx) error {
			if err := insertNote("fails after writing")(tx); err != nil {
				return err
			}
			return errRefused
		}, wantErr: true},
		{name: "b", fn: insertNote("b")},
		{name: "duplicate", fn: func(tx *sql.Tx) error {
			if err := insertNote("duplicate")(tx); err != nil {
				return err
			}
			return insertNote("holder")(tx) // the transaction before wrote it
		}, wantErr: true},
		{name: "panics after writing", fn: func(tx *sql.Tx) error {
			if err := insertNote("panics after writing")(tx); err != nil {
				return err
			}
			panic("boom")
		}, wantErr: true, panics: true},
		{name: "context ended while queued", ctx: ending, fn: insertNote("context ended"), wantErr: true},
		{name: "c", fn: insertNote("c")},
	}
	// Hold the writer so that every call queues behind it and they run as
	// one group.
	release := make(chan struct{})
	holding := make(chan struct{})
	var hold sync.WaitGroup
	hold.Go(func() {
		if err := db.Tx(ctx, func(tx *sql.Tx) error {
			close(holding)
			<-release
			return insertNote("holder")(tx)
		}); err != nil {
			t.Errorf("holder: %v", err)
		}
	})
	<-holding
	var wg sync.WaitGroup
	errs := make([]error, len(calls))
	panics := make([]any, len(calls))
	queued := make(chan struct{}, len(calls))
	var undoneMu sync.Mutex
	var undone, committed []string // the calls whose undo (OnUndo) or commit hook (OnCommit) ran
	for i, c := range calls {
		wg.Go(func() {
			defer func() { panics[i] = recover() }()
			cctx := c.ctx
			if cctx == nil {
				cctx = ctx
			}
			queued <- struct{}{}
			errs[i] = db.Tx(cctx, func(tx *sql.Tx) error {
				db.OnUndo(func() {
					undoneMu.Lock()
					undone = append(undone, c.name)
					undoneMu.Unlock()
				})
				db.OnCommit(func() {
					undoneMu.Lock()
					committed = append(committed, c.name)
					undoneMu.Unlock()
				})
				return c.fn(tx)
			})
		})
	}
	for range calls {
		<-queued
	}
	testenv.WaitQueued(t, db, len(calls))
	end()
	close(release)
	hold.Wait()
	wg.Wait()

	for i, c := range calls {
		var n int
		if err := db.Read.QueryRow(`SELECT count(*) FROM notes WHERE k = ?`, c.name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		switch {
		case c.panics && panics[i] != "boom":
			t.Errorf("%s: panic %v reached the caller, want boom", c.name, panics[i])
		case !c.panics && panics[i] != nil:
			t.Errorf("%s: panicked: %v", c.name, panics[i])
		case !c.panics && c.wantErr != (errs[i] != nil):
			t.Errorf("%s: err = %v, want error: %v", c.name, errs[i], c.wantErr)
		}
		if want := map[bool]int{true: 0, false: 1}[c.wantErr]; n != want {
			t.Errorf("%s: %d rows, want %d", c.name, n, want)
		}
	}
	var total int
	if err := db.Read.QueryRow(`SELECT count(*) FROM notes`).Scan(&total); err != nil {
		t.Fatal(err)
	}
	if total != 4 { // holder, a, b, c
		t.Errorf("%d rows, want 4 (holder, a, b, c)", total)
	}
	// Undone: exactly the calls that ran and failed, each once (never the
	// one that did not run); committed: the others. (The calls queued in
	// any order; TestGroupCommitLostTransaction checks the order.)
	slices.Sort(undone)
	slices.Sort(committed)
	if want := []string{"duplicate", "fails after writing", "panics after writing"}; fmt.Sprint(undone) != fmt.Sprint(want) {
		t.Errorf("undone %q, want %q", undone, want)
	}
	if want := []string{"a", "b", "c"}; fmt.Sprint(committed) != fmt.Sprint(want) {
		t.Errorf("commit hooks of %q, want %q", committed, want)
	}
	if !errors.Is(errs[1], errRefused) {
		t.Errorf("the failing call got %v, want its own error", errs[1])
	}
	if !errors.Is(errs[5], context.Canceled) {
		t.Errorf("the call whose context ended got %v, want context.Canceled", errs[5])
	}
}

// TestGroupCommitLostTransaction: when the shared transaction ends under a
// call (here the call ends it itself; SQLite does so on an I/O error or an
// interrupted write), the calls it had run are told their writes are gone,
// and the calls after it still commit, in a fresh transaction.
func TestGroupCommitLostTransaction(t *testing.T) {
	ctx := context.Background()
	db := openWithTable(t, "notes")
	release, holding := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		db.Tx(ctx, func(tx *sql.Tx) error { close(holding); <-release; return nil }) //nolint:errcheck
	})
	<-holding
	errs := map[string]error{}
	var mu sync.Mutex
	var undone, committed []string // the calls whose undo (OnUndo) or commit hook (OnCommit) ran, in that order
	queued := 0
	// each queued behind the one before, so they run in this order
	run := func(name string, fn func(tx *sql.Tx) error) {
		wg.Go(func() {
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				db.OnUndo(func() {
					mu.Lock()
					undone = append(undone, name)
					mu.Unlock()
				})
				db.OnCommit(func() {
					mu.Lock()
					committed = append(committed, name)
					mu.Unlock()
				})
				return fn(tx)
			})
			mu.Lock()
			errs[name] = err
			mu.Unlock()
		})
		queued++
		testenv.WaitQueued(t, db, queued)
	}
	run("before", insertNote("before"))
	run("ends the transaction", func(tx *sql.Tx) error {
		if err := insertNote("ends the transaction")(tx); err != nil {
			return err
		}
		_, err := tx.Exec(`ROLLBACK`)
		return err
	})
	run("after", insertNote("after"))
	close(release)
	wg.Wait()
	for _, c := range []struct {
		name    string
		wantErr bool
	}{{"before", true}, {"ends the transaction", true}, {"after", false}} {
		var n int
		if err := db.Read.QueryRow(`SELECT count(*) FROM notes WHERE k = ?`, c.name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if (errs[c.name] != nil) != c.wantErr || n != map[bool]int{true: 0, false: 1}[c.wantErr] {
			t.Errorf("%s: err %v, %d rows; want error %v", c.name, errs[c.name], n, c.wantErr)
		}
	}
	// The lost calls' undos ran, the newest first; the call committed in
	// the fresh transaction was not undone.
	if want := []string{"ends the transaction", "before"}; fmt.Sprint(undone) != fmt.Sprint(want) {
		t.Errorf("undone %q, want %q", undone, want)
	}
	if want := []string{"after"}; fmt.Sprint(committed) != fmt.Sprint(want) {
		t.Errorf("commit hooks of %q, want %q", committed, want)
	}
}

// insertNote is a Tx function inserting row k into the table notes.
func insertNote(k string) func(tx *sql.Tx) error {
	return func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO notes (k, v) VALUES (?, 1)`, k)
		return err
	}
}

// openFresh opens a new database in a temporary directory, closed when the
// test ends.
func openFresh(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlitedriver.Open(context.Background(), filepath.Join(t.TempDir(), "shop.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// openWithTable opens a fresh database with one table (k TEXT PRIMARY KEY,
// v INTEGER), closed when the test ends.
func openWithTable(t *testing.T, table string) *sqlite.DB {
	t.Helper()
	ctx := context.Background()
	db := openFresh(t)
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`CREATE TABLE ` + table + ` (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestGroupCommitManyWriters: many concurrent writers, each incrementing
// its own counter many times, lose no increment.
func TestGroupCommitManyWriters(t *testing.T) {
	ctx := context.Background()
	db := openWithTable(t, "counters")
	const writers, rounds = 32, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			k := fmt.Sprint("w", w)
			for r := range rounds {
				err := db.Tx(ctx, func(tx *sql.Tx) error {
					_, err := tx.Exec(`INSERT INTO counters (k, v) VALUES (?, 1) ON CONFLICT (k) DO UPDATE SET v = v + 1`, k)
					if err == nil && r%7 == 3 {
						return errors.New("this round is undone")
					}
					return err
				})
				if (err != nil) != (r%7 == 3) {
					t.Errorf("%s round %d: %v", k, r, err)
				}
			}
		})
	}
	wg.Wait()
	undone := 0
	for r := range rounds {
		if r%7 == 3 {
			undone++
		}
	}
	rows, err := db.Read.Query(`SELECT k, v FROM counters`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var k string
		var v int
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		if v != rounds-undone {
			t.Errorf("%s = %d, want %d", k, v, rounds-undone)
		}
		n++
	}
	if n != writers {
		t.Errorf("%d counters, want %d", n, writers)
	}
}

// TestWriterStats: the writer counts every call it ran, failed ones too,
// and each transaction once, however many calls it carried; its metrics
// say the same.
func TestWriterStats(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name                string
		run                 func(t *testing.T, db *sqlite.DB)
		wantCalls, wantTxns uint64
	}{
		{name: "one after another, one failing", wantCalls: 3, wantTxns: 3, run: func(t *testing.T, db *sqlite.DB) {
			for _, k := range []string{"a", "b", "a"} { // the second "a" breaks the key
				db.Tx(ctx, insertNote(k)) //nolint:errcheck
			}
		}},
		{name: "five queued behind a held writer", wantCalls: 6, wantTxns: 2, run: func(t *testing.T, db *sqlite.DB) {
			release := make(chan struct{})
			held := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				db.Tx(ctx, func(tx *sql.Tx) error { close(held); <-release; return insertNote("held")(tx) }) //nolint:errcheck
			})
			<-held
			for i := range 5 {
				wg.Go(func() { db.Tx(ctx, insertNote(fmt.Sprint("q", i))) }) //nolint:errcheck
			}
			testenv.WaitQueued(t, db, 5)
			close(release)
			wg.Wait()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openWithTable(t, "notes")
			before := db.WriterStats()
			tt.run(t, db)
			got := db.WriterStats()
			if calls, txns := got.Calls-before.Calls, got.Groups-before.Groups; calls != tt.wantCalls || txns != tt.wantTxns {
				t.Fatalf("%d calls in %d transactions, want %d in %d", calls, txns, tt.wantCalls, tt.wantTxns)
			}
			if got.Busy <= before.Busy {
				t.Fatalf("busy %v, was %v: the calls took no time", got.Busy, before.Busy)
			}
			reg := prometheus.NewRegistry()
			reg.MustRegister(db.Metrics()...)
			families, err := reg.Gather()
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]float64{"sqlite_write_calls_total": float64(got.Calls),
				"sqlite_write_transactions_total": float64(got.Groups), "sqlite_writer_busy_seconds_total": got.Busy.Seconds()}
			for _, f := range families {
				if v := f.GetMetric()[0].GetCounter().GetValue(); v != want[f.GetName()] {
					t.Errorf("%s = %v, want %v", f.GetName(), v, want[f.GetName()])
				}
				delete(want, f.GetName())
			}
			if len(want) > 0 {
				t.Errorf("metrics missing: %v", want)
			}
		})
	}
}

// TestWriteNotInterruptedByItsCaller: a statement of a group transaction
// runs to its end although its caller's context ends meanwhile —
// interrupting it would end the transaction the group's other calls share —
// and its writes commit; whether run directly, prepared (the connection's
// kept statement), or prepared afresh while the kept one is in use.
func TestWriteNotInterruptedByItsCaller(t *testing.T) {
	const rows = 100000 // long enough to be running when the context ends
	const insert = `INSERT INTO notes (k, v)
		WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) SELECT 'n' || x, x FROM c`
	prepared := func(ctx context.Context, tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, insert)
		if err != nil {
			return err
		}
		defer st.Close()
		_, err = st.ExecContext(ctx, rows)
		return err
	}
	tests := []struct {
		name string
		run  func(ctx context.Context, tx *sql.Tx) error
	}{
		{"exec", func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, insert, rows)
			return err
		}},
		{"prepared", prepared},
		{"prepared afresh", func(ctx context.Context, tx *sql.Tx) error {
			kept, err := tx.PrepareContext(ctx, insert) // holds the kept statement
			if err != nil {
				return err
			}
			defer kept.Close()
			return prepared(ctx, tx) // so this one is prepared afresh
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openWithTable(t, "notes")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				time.AfterFunc(5*time.Millisecond, cancel)
				return tt.run(ctx, tx)
			})
			if err != nil {
				t.Fatalf("the statement was interrupted: %v", err)
			}
			var n int
			if err := db.Read.QueryRow(`SELECT count(*) FROM notes`).Scan(&n); err != nil || n != rows {
				t.Fatalf("%d rows stored (%v), want %d", n, err, rows)
			}
		})
	}
}
