package sqlitestore

import (
	"context"
	"testing"

	"github.com/evshop/shop/discounts"
	"github.com/evshop/shop/discounts/storetest"
	"github.com/evshop/shop/platform/testenv"
)

func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) discounts.Store {
		s, err := New(context.Background(), testenv.SQLite(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
