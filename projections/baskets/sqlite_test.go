package baskets_test

import (
	"context"
	"testing"

	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/baskets"
	"github.com/evshop/shop/projections/baskets/sqlitestore"
)

// The embedded database's adapter lives in a sub-package and passes the
// same contract.
func TestSQLiteContract(t *testing.T) {
	t.Parallel()
	baskets.RunContract(t, func(t *testing.T) baskets.Store {
		db := testenv.SQLite(t)
		if err := sqlitestore.Migrate(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		s, err := sqlitestore.New(db)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
