package pg

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/evshop/shop/platform/testenv"
)

// Components migrating at the same moment on a fresh database (services
// starting together) must all succeed, and each migration runs once.
func TestConcurrentMigrationsOnAFreshDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testenv.Postgres(t)
	const components = 6
	var wg sync.WaitGroup
	errs := make([]error, components*2)
	for i := range components * 2 { // every component twice, concurrently
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := fmt.Sprintf("c%d", i%components)
			fsys := fstest.MapFS{
				"001_init.sql": {Data: []byte(fmt.Sprintf("CREATE TABLE %s_t (id int PRIMARY KEY);", c))},
				"002_more.sql": {Data: []byte(fmt.Sprintf("ALTER TABLE %s_t ADD COLUMN v text;", c))},
			}
			errs[i] = Migrate(ctx, pool, c, fsys)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("migration %d: %v", i, err)
		}
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != components*2 {
		t.Fatalf("%d migrations recorded, want %d", n, components*2)
	}
	if err := Migrate(ctx, pool, "c0", fstest.MapFS{"001_bad.sql": {Data: []byte("not sql")}}); err != nil {
		t.Fatalf("an applied version must not run again: %v", err)
	}
}
