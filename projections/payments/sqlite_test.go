package payments_test

import (
	"context"
	"testing"

	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/payments"
	"github.com/evshop/shop/projections/payments/sqlitestore"
)

// The embedded database's adapter lives in a sub-package and passes the
// same contract.
func TestSQLite(t *testing.T) {
	t.Parallel()
	runContract(t, func(t *testing.T) payments.Store {
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
