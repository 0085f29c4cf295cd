package mongostore_test

import (
	"testing"

	"github.com/evshop/shop/catalog/kvcache"
	"github.com/evshop/shop/client"
	"github.com/evshop/shop/client/clienttest"
	"github.com/evshop/shop/client/mongostore"
	"github.com/evshop/shop/platform/testenv"
)

func TestContract(t *testing.T) {
	t.Parallel()
	clienttest.Run(t, func(t *testing.T) (client.Store, client.Cache) {
		rdb, prefix := testenv.Redis(t)
		return mongostore.New(testenv.Mongo(t)), kvcache.NewRedis(rdb, prefix)
	})
}
