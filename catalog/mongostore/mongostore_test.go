package mongostore_test

import (
	"context"
	"testing"

	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/catalogtest"
	"github.com/evshop/shop/catalog/mongostore"
	"github.com/evshop/shop/platform/testenv"
)

func TestContract(t *testing.T) {
	t.Parallel()
	catalogtest.Run(t, func(t *testing.T) catalog.Store {
		s, err := mongostore.New(context.Background(), testenv.Mongo(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestReopen: a restart re-creates the indexes on an existing database.
func TestReopen(t *testing.T) {
	t.Parallel()
	db := testenv.Mongo(t)
	for i := range 3 {
		if _, err := mongostore.New(context.Background(), db); err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
	}
}
