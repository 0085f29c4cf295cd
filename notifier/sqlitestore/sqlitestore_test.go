package sqlitestore_test

import (
	"context"
	"testing"

	"github.com/evshop/shop/notifier/sqlitestore"
	"github.com/evshop/shop/notifier/storetest"
	"github.com/evshop/shop/platform/testenv"
)

func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) storetest.Store {
		s, err := sqlitestore.New(context.Background(), testenv.SQLite(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestMigrateTwice(t *testing.T) {
	t.Parallel()
	db := testenv.SQLite(t)
	for range 2 {
		if _, err := sqlitestore.New(context.Background(), db); err != nil {
			t.Fatal(err)
		}
	}
}
