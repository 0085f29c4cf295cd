package sqlite_test

import (
	"context"
	"testing"

	"github.com/evshop/shop/catalog/images"
	"github.com/evshop/shop/catalog/images/imagestest"
	"github.com/evshop/shop/catalog/images/sqlite"
	"github.com/evshop/shop/platform/testenv"
)

func TestContract(t *testing.T) {
	t.Parallel()
	imagestest.Run(t, func(t *testing.T) images.Store {
		s, err := sqlite.New(context.Background(), testenv.SQLite(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
