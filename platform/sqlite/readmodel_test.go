package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"github.com/evshop/shop/platform/sqlite"
)

func openMigrated(t *testing.T) *sqlite.DB {
	t.Helper()
	ctx := context.Background()
	db := openFresh(t)
	migs := fstest.MapFS{
		"sql/001_things.sql": {Data: []byte(`CREATE TABLE things (id TEXT PRIMARY KEY, n INTEGER NOT NULL);
			CREATE TABLE things_checkpoints (projector TEXT PRIMARY KEY, position INTEGER NOT NULL, updated_at INTEGER NOT NULL);`)},
	}
	if err := sqlite.MigrateEmbedded(ctx, db, "things", migs, "sql"); err != nil {
		t.Fatal(err)
	}
	return db
}

// QueryIn reads every key's row however many keys there are (more than one
// IN list holds), and runs nothing for none.
func TestQueryIn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openMigrated(t)
	var all []string
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		for i := range 1200 {
			id := fmt.Sprintf("k%04d", i)
			all = append(all, id)
			if _, err := tx.Exec(`INSERT INTO things VALUES (?, ?)`, id, i); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		keys []string
		want int
	}{
		{"none", nil, 0},
		{"one", all[:1], 1},
		{"one chunk exactly", all[:500], 500},
		{"several chunks", all[:1101], 1101},
		{"some unknown", append([]string{"nope", "nada"}, all[:3]...), 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]int{}
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				return sqlite.QueryIn(ctx, tx, `SELECT id, n FROM things WHERE id IN (?) ORDER BY id`, tt.keys, func(r *sql.Rows) error {
					var id string
					var n int
					err := r.Scan(&id, &n)
					got[id] = n
					return err
				})
			})
			if err != nil || len(got) != tt.want {
				t.Fatalf("%d rows, %v; want %d", len(got), err, tt.want)
			}
		})
	}
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		return sqlite.QueryIn(ctx, tx, `SELECT id FROM things WHERE id = ?`, all[:1], func(*sql.Rows) error { return nil })
	})
	if err == nil {
		t.Fatal("a query without IN (?) was accepted")
	}
}

// A checkpoint only moves forward, per projector.
func TestCheckpoint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openMigrated(t)
	steps := []struct {
		projector string
		save      uint64
		want      uint64
	}{
		{"live", 10, 10},
		{"live", 7, 10},
		{"live", 12, 12},
		{"live_rebuild", 3, 3},
	}
	if cp, err := sqlite.LoadCheckpoint(ctx, db.Read, "things_checkpoints", "live"); err != nil || cp != 0 {
		t.Fatalf("before any save: %d %v", cp, err)
	}
	for _, s := range steps {
		if err := db.Tx(ctx, func(tx *sql.Tx) error {
			return sqlite.SaveCheckpoint(ctx, tx, "things_checkpoints", s.projector, s.save)
		}); err != nil {
			t.Fatal(err)
		}
		if cp, err := sqlite.LoadCheckpoint(ctx, db.Read, "things_checkpoints", s.projector); err != nil || cp != s.want {
			t.Fatalf("after saving %d for %s: %d %v, want %d", s.save, s.projector, cp, err, s.want)
		}
	}
}

func TestNanos(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 5, 6, 7, 8, 9, 123456789, time.FixedZone("x", 2*3600))
	if got := sqlite.FromNanos(sqlite.Nanos(at)); !got.Equal(at) || got.Location() != time.UTC {
		t.Fatalf("round trip %v -> %v", at, got)
	}
	tests := []struct {
		name string
		in   time.Time
		null bool
	}{
		{"zero is NULL", time.Time{}, true},
		{"a time is kept", at, false},
	}
	for _, tt := range tests {
		n := sqlite.NullNanos(tt.in)
		if (n == nil) != tt.null || !sqlite.FromNullNanos(n).Equal(tt.in) {
			t.Fatalf("%s: %v -> %v", tt.name, tt.in, n)
		}
	}
}

func TestPlaceholders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		rows, cols int
		want       string
	}{
		{1, 1, "(?)"},
		{1, 3, "(?,?,?)"},
		{2, 2, "(?,?),(?,?)"},
		{3, 1, "(?),(?),(?)"},
	}
	for _, tt := range tests {
		if got := sqlite.Placeholders(tt.rows, tt.cols); got != tt.want {
			t.Errorf("Placeholders(%d, %d) = %q, want %q", tt.rows, tt.cols, got, tt.want)
		}
	}
}
