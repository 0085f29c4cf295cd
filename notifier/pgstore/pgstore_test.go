package pgstore_test

import (
	"context"
	"testing"

	"github.com/evshop/shop/notifier/pgstore"
	"github.com/evshop/shop/notifier/storetest"
	"github.com/evshop/shop/platform/testenv"
)

func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) storetest.Store {
		s, err := pgstore.New(context.Background(), testenv.Postgres(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestMigrateTwice(t *testing.T) {
	t.Parallel()
	pool := testenv.Postgres(t)
	for range 2 {
		if _, err := pgstore.New(context.Background(), pool); err != nil {
			t.Fatal(err)
		}
	}
}
