package orders_test

import (
	"context"
	"testing"

	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/orders"
	"github.com/evshop/shop/projections/orders/sqlitestore"
)

// The embedded database's adapter lives in a sub-package; it passes the same
// contract, over live tables and over shadow ones.
func TestSQLiteContract(t *testing.T) {
	t.Parallel()
	for _, suffix := range []string{"", orders.ShadowSuffix} {
		t.Run("suffix "+suffix, func(t *testing.T) {
			t.Parallel()
			orders.RunContract(t, func(t *testing.T) orders.Store {
				db := testenv.SQLite(t)
				if err := sqlitestore.Migrate(context.Background(), db); err != nil {
					t.Fatal(err)
				}
				if suffix != "" {
					target, err := sqlitestore.NewRebuildTarget(db)
					if err != nil {
						t.Fatal(err)
					}
					if err := target.CreateShadow(context.Background()); err != nil {
						t.Fatal(err)
					}
				}
				s, err := sqlitestore.New(db, suffix)
				if err != nil {
					t.Fatal(err)
				}
				return s
			})
		})
	}
}
