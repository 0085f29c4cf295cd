package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	msqlite "modernc.org/sqlite"
)

// TestKeptStatements: a query run again reuses its statement, also inside a
// write transaction and while rows of the same query are still open
// (nested reads), and never mixes up arguments or results.
func TestKeptStatements(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
			return err
		}
		for i := 1; i <= 5; i++ { // the same INSERT, kept after the first
			if _, err := tx.ExecContext(ctx, `INSERT INTO kv (k, v) VALUES (?, ?)`, i, string(rune('a'+i-1))); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// A failing run (duplicate key) leaves the kept statement usable.
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO kv (k, v) VALUES (?, ?)`, 1, "dup")
		return err
	}); err == nil {
		t.Fatal("duplicate key inserted")
	}
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO kv (k, v) VALUES (?, ?)`, 6, "f")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	const q = `SELECT k, v FROM kv WHERE k >= ? ORDER BY k`
	for _, pool := range []*sql.DB{db.Read, db.Write} {
		outer, err := pool.QueryContext(ctx, q, 5)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for outer.Next() {
			var k int
			var v string
			if err := outer.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			got = append(got, v)
			if pool == db.Write {
				continue // one connection: the transaction below nests there
			}
			var inner string // the same query while its rows are open
			if err := pool.QueryRowContext(ctx, q, 6).Scan(new(int), &inner); err != nil || inner != "f" {
				t.Fatalf("nested run of the same query: %q %v", inner, err)
			}
		}
		if err := outer.Close(); err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != "e" || got[1] != "f" {
			t.Fatalf("rows = %q, want [e f]", got)
		}
		if pool == db.Write { // on the one write connection, nested
			if err := db.Tx(ctx, func(tx *sql.Tx) error {
				rows, err := tx.QueryContext(ctx, q, 5)
				if err != nil {
					return err
				}
				defer rows.Close()
				n := 0
				for rows.Next() {
					n++
					var inner string
					if err := tx.QueryRowContext(ctx, q, 6).Scan(new(int), &inner); err != nil || inner != "f" {
						t.Fatalf("nested run of the same query in a transaction: %q %v", inner, err)
					}
				}
				if n != 2 {
					t.Fatalf("%d rows, want 2", n)
				}
				return rows.Err()
			}); err != nil {
				t.Fatal(err)
			}
		}
		for i, want := range []string{"a", "b", "c"} { // again, other arguments
			var v string
			if err := pool.QueryRowContext(ctx, `SELECT v FROM kv WHERE k = ?`, i+1).Scan(&v); err != nil || v != want {
				t.Fatalf("k=%d: %q %v, want %q", i+1, v, err, want)
			}
		}
	}
}

// kept returns the statements the write connection keeps, by query, and
// whether each is lent out.
func kept(t *testing.T, db *DB) map[string]bool {
	t.Helper()
	ctx := context.Background()
	c, err := db.Write.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	out := map[string]bool{}
	if err := c.Raw(func(dc any) error {
		cc := dc.(*cachingConn)
		cc.mu.Lock()
		defer cc.mu.Unlock()
		for q, s := range cc.stmts {
			out[q] = s.busy
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPreparedStatementsAreKept: a statement prepared through database/sql
// (the read models prepare their batch writes on the transaction) is the
// kept one, lent out until closed and its rows are, and prepared afresh
// while lent.
func TestPreparedStatementsAreKept(t *testing.T) {
	const (
		ins = `INSERT INTO kv (k, v) VALUES (?, ?)`
		sel = `SELECT v FROM kv WHERE k >= ? ORDER BY k`
	)
	tests := []struct {
		name string
		fn   func(ctx context.Context, tx *sql.Tx) error
		want []string // values in kv after
	}{
		{"prepared, run, closed", func(ctx context.Context, tx *sql.Tx) error {
			st, err := tx.PrepareContext(ctx, ins)
			if err != nil {
				return err
			}
			defer st.Close()
			for i, v := range []string{"a", "b"} {
				if _, err := st.ExecContext(ctx, i+1, v); err != nil {
					return err
				}
			}
			return nil
		}, []string{"a", "b"}},
		{"the same text twice at once, and run plainly meanwhile", func(ctx context.Context, tx *sql.Tx) error {
			st1, err := tx.PrepareContext(ctx, ins)
			if err != nil {
				return err
			}
			defer st1.Close()
			st2, err := tx.PrepareContext(ctx, ins)
			if err != nil {
				return err
			}
			defer st2.Close()
			if _, err := st1.ExecContext(ctx, 1, "a"); err != nil {
				return err
			}
			if _, err := st2.ExecContext(ctx, 2, "b"); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, ins, 3, "c")
			return err
		}, []string{"a", "b", "c"}},
		{"rows read after their statement is closed", func(ctx context.Context, tx *sql.Tx) error {
			for i, v := range []string{"a", "b", "c"} {
				if _, err := tx.ExecContext(ctx, ins, i+1, v); err != nil {
					return err
				}
			}
			st, err := tx.PrepareContext(ctx, sel)
			if err != nil {
				return err
			}
			rows, err := st.QueryContext(ctx, 2)
			if err != nil {
				return err
			}
			defer rows.Close()
			if err := st.Close(); err != nil {
				return err
			}
			// the kept statement is still the rows': this runs its own
			var first string
			if err := tx.QueryRowContext(ctx, sel, 1).Scan(&first); err != nil || first != "a" {
				return fmt.Errorf("plain run meanwhile: %q %v", first, err)
			}
			var got []string
			for rows.Next() {
				var v string
				if err := rows.Scan(&v); err != nil {
					return err
				}
				got = append(got, v)
			}
			if fmt.Sprint(got) != "[b c]" {
				return fmt.Errorf("rows %v, want [b c]", got)
			}
			return rows.Err()
		}, []string{"a", "b", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db, err := OpenWith(ctx, filepath.Join(t.TempDir(), "shop.db"), msqlite.NewConnector)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Write.ExecContext(ctx, `CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
				t.Fatal(err)
			}
			for range 2 { // the second time on the statements the first kept
				if _, err := db.Write.ExecContext(ctx, `DELETE FROM kv`); err != nil {
					t.Fatal(err)
				}
				if err := db.Tx(ctx, func(tx *sql.Tx) error { return tt.fn(ctx, tx) }); err != nil {
					t.Fatal(err)
				}
				var got []string
				rows, err := db.Read.QueryContext(ctx, `SELECT v FROM kv ORDER BY k`)
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var v string
					if err := rows.Scan(&v); err != nil {
						t.Fatal(err)
					}
					got = append(got, v)
				}
				rows.Close()
				if fmt.Sprint(got) != fmt.Sprint(tt.want) {
					t.Fatalf("kv = %v, want %v", got, tt.want)
				}
				stmts := kept(t, db)
				if _, ok := stmts[ins]; !ok {
					t.Fatalf("%q not kept: %v", ins, stmts)
				}
				for q, busy := range stmts {
					if busy {
						t.Fatalf("%q still lent out after its transaction", q)
					}
				}
			}
		})
	}
}

// TestWriteTransactionsKept: the write connection begins, commits and rolls
// back with kept statements, and its BEGIN is still IMMEDIATE: the file's
// write lock is taken when the transaction begins, before it writes.
func TestWriteTransactionsKept(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE kv (k INTEGER PRIMARY KEY)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO kv (k) VALUES (1)`); err != nil {
			return err
		}
		return fmt.Errorf("refused")
	}); err == nil {
		t.Fatal("refused call committed")
	}
	var n int
	if err := db.Read.QueryRowContext(ctx, `SELECT count(*) FROM kv`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows, %v: the refused call's row was kept", n, err)
	}

	// Another connection cannot begin writing while a write transaction
	// that has written nothing yet is open.
	other, err := sql.Open("sqlite", db.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.SetMaxOpenConns(1)
	if _, err := other.ExecContext(ctx, `PRAGMA busy_timeout = 0`); err != nil {
		t.Fatal(err)
	}
	begun, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.Tx(ctx, func(*sql.Tx) error { close(begun); <-release; return nil })
	}()
	<-begun
	_, lockErr := other.ExecContext(ctx, `BEGIN IMMEDIATE`)
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if lockErr == nil {
		other.ExecContext(ctx, `ROLLBACK`) //nolint:errcheck
		t.Error("another connection began writing inside the shop's write transaction: its BEGIN was not IMMEDIATE")
	}

	conn, err := db.Write.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Raw(func(dc any) error {
		c := dc.(*cachingConn)
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, q := range []string{"BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"} {
			if _, ok := c.stmts[q]; !ok {
				t.Errorf("%s is not a kept statement", q)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// openTemp opens a fresh database in the test's directory, closed when the
// test ends.
func openTemp(t *testing.T) *DB {
	t.Helper()
	db, err := OpenWith(context.Background(), filepath.Join(t.TempDir(), "shop.db"), msqlite.NewConnector)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
