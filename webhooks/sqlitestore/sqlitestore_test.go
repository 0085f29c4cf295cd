package sqlitestore

import (
	"context"
	"testing"

	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/webhooks"
	"github.com/evshop/shop/webhooks/storetest"
)

func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) webhooks.Store {
		s, err := New(context.Background(), testenv.SQLite(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
