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
