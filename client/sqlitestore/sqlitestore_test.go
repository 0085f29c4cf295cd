package sqlitestore_test

import (
	"context"
	"testing"

	"github.com/evshop/shop/catalog/kvcache"
	"github.com/evshop/shop/client"
	"github.com/evshop/shop/client/clienttest"
	"github.com/evshop/shop/client/sqlitestore"
	"github.com/evshop/shop/platform/testenv"
)

func TestContract(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		cache func() client.Cache
	}{
		{"memory cache", func() client.Cache { return kvcache.NewMemory(0) }},
		{"no cache", func() client.Cache { return nil }},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			clienttest.Run(t, func(t *testing.T) (client.Store, client.Cache) {
				s, err := sqlitestore.New(context.Background(), testenv.SQLite(t))
				if err != nil {
					t.Fatal(err)
				}
				return s, c.cache()
			})
		})
	}
}
