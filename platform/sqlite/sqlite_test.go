package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/evshop/shop/platform/sqlite"
	"github.com/evshop/shop/platform/sqlite/sqlitedriver"
)

func TestOpenRefusesWhatIsNotOurs(t *testing.T) {
	ctx := context.Background()
	foreign := func(t *testing.T, path string) {
		db, err := sqlitedriver.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		// A database of another application: tables, no application id.
		if _, err := db.Write.Exec(`PRAGMA application_id = 0`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Write.Exec(`CREATE TABLE notes (x TEXT)`); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	cases := []struct {
		name    string
		prepare func(t *testing.T, path string)
	}{
		{"text file", func(t *testing.T, path string) {
			os.WriteFile(path, []byte("hello, this is not a database at all, just some text\n"), 0o600)
		}},
		{"random bytes", func(t *testing.T, path string) {
			b := make([]byte, 8192)
			for i := range b {
				b[i] = byte(i*7 + 3)
			}
			os.WriteFile(path, b, 0o600)
		}},
		{"another application's SQLite database", foreign},
		{"another application's database in rollback-journal mode", func(t *testing.T, path string) {
			// Made without sqlite.Open: switching it to WAL would change
			// its header, which a refusal must not do.
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(`CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('theirs')`); err != nil {
				t.Fatal(err)
			}
		}},
		{"a directory", func(t *testing.T, path string) { os.Mkdir(path, 0o700) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "shop.db")
			c.prepare(t, path)
			before, _ := os.ReadFile(path)
			db, err := sqlitedriver.Open(ctx, path)
			if err == nil {
				db.Close()
				t.Fatal("opened a file that is not ours")
			}
			if !errors.Is(err, sqlite.ErrForeign) {
				t.Logf("error (not ErrForeign, still refused): %v", err)
			}
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Fatal("the refused file was changed")
			}
		})
	}
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shop.db")
	migs := fstest.MapFS{
		"001_notes.sql": {Data: []byte(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);`)},
		"002_tags.sql":  {Data: []byte(`ALTER TABLE notes ADD COLUMN tag TEXT NOT NULL DEFAULT '';`)},
	}
	for round := range 2 {
		db, err := sqlitedriver.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if err := sqlite.Migrate(ctx, db, "notes", migs); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if err := db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.Exec(`INSERT INTO notes (body, tag) VALUES (?, ?)`, "n", "t")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.Read.QueryRow(`SELECT count(*) FROM notes`).Scan(&n); err != nil || n != round+1 {
			t.Fatalf("round %d: %d notes, %v", round, n, err)
		}
		db.Close()
	}
}

func TestConcurrentWritersNeverFailBusy(t *testing.T) {
	ctx := context.Background()
	db := openFresh(t)
	if _, err := db.Write.Exec(`CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0)`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 800)
	for range 8 {
		wg.Go(func() {
			for range 50 {
				errs <- db.Tx(ctx, func(tx *sql.Tx) error {
					var n int
					if err := tx.QueryRow(`SELECT n FROM counter`).Scan(&n); err != nil {
						return err
					}
					_, err := tx.Exec(`UPDATE counter SET n = ?`, n+1)
					return err
				})
				var n int
				errs <- db.Read.QueryRow(`SELECT n FROM counter`).Scan(&n)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int
	db.Read.QueryRow(`SELECT n FROM counter`).Scan(&n)
	if n != 400 {
		t.Fatalf("counter %d, want 400: a read-modify-write was lost", n)
	}
}

func TestBackupIsAConsistentCopy(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlitedriver.Open(ctx, filepath.Join(dir, "shop.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Write.Exec(`CREATE TABLE t (x INTEGER)`)
	for i := range 100 {
		db.Write.Exec(`INSERT INTO t VALUES (?)`, i)
	}
	dest := filepath.Join(dir, "copy.db")
	if err := db.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, dest); err == nil {
		t.Fatal("backup overwrote an existing file")
	}
	cp, err := sqlitedriver.Open(ctx, dest)
	if err != nil {
		t.Fatalf("the copy does not open as ours: %v", err)
	}
	defer cp.Close()
	var n int
	if err := cp.Read.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil || n != 100 {
		t.Fatalf("copy has %d rows, %v", n, err)
	}
}

func TestStoredTimesSortAsText(t *testing.T) {
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	times := []time.Time{base, base.Add(100 * time.Millisecond), base.Add(120 * time.Millisecond), base.Add(time.Second), base.In(time.FixedZone("x", 3600)).Add(time.Nanosecond)}
	// base+1ns (in another zone) sorts between base and base+100ms.
	order := []int{0, 4, 1, 2, 3}
	for i := 1; i < len(order); i++ {
		a, b := sqlite.FormatTime(times[order[i-1]]), sqlite.FormatTime(times[order[i]])
		if a >= b {
			t.Fatalf("%s does not sort before %s", a, b)
		}
	}
	for _, tm := range times {
		back, err := sqlite.ParseTime(sqlite.FormatTime(tm))
		if err != nil || !back.Equal(tm) || back.Location() != time.UTC {
			t.Fatalf("round trip of %v = %v, %v", tm, back, err)
		}
	}
	if _, err := sqlite.ParseTime("yesterday"); err == nil {
		t.Fatal("parsed a malformed time")
	}
}

func TestConnectionSettings(t *testing.T) {
	ctx := context.Background()
	db, err := sqlitedriver.Open(ctx, filepath.Join(t.TempDir(), "shop.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cases := []struct {
		name  string
		pool  *sql.DB
		query string
		want  string
	}{
		{"write-ahead log", db.Write, `PRAGMA journal_mode`, "wal"},
		{"commit without fsync (WAL)", db.Write, `PRAGMA synchronous`, "1"},
		{"writer checkpoints late", db.Write, `PRAGMA wal_autocheckpoint`, strconv.Itoa(sqlite.CheckpointPages)},
		{"foreign keys", db.Write, `PRAGMA foreign_keys`, "1"},
		{"readers cannot write", db.Read, `PRAGMA query_only`, "1"},
		{"readers wait for locks", db.Read, `PRAGMA busy_timeout`, "10000"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got string
			if err := c.pool.QueryRowContext(ctx, c.query).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("%s = %s, want %s", c.query, got, c.want)
			}
		})
	}
}
