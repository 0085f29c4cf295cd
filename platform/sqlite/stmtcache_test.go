package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	msqlite "modernc.org/sqlite"
)

// TestKeptStatements: a query run again reuses its statement, also inside a
// write transaction and while rows of the same query are still open
// (nested reads), and never mixes up arguments or results.
func TestKeptStatements(t *testing.T) {
	ctx := context.Background()
	db, err := OpenWith(ctx, filepath.Join(t.TempDir(), "shop.db"), msqlite.NewConnector)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
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
