package memory_test

import (
	"testing"

	"github.com/evshop/shop/catalog/kvcache"
	"github.com/evshop/shop/client"
	"github.com/evshop/shop/client/clienttest"
	"github.com/evshop/shop/client/memory"
)

func TestContract(t *testing.T) {
	t.Parallel()
	clienttest.Run(t, func(*testing.T) (client.Store, client.Cache) { return memory.New(), kvcache.NewMemory(0) })
}

func TestContractWithoutCache(t *testing.T) {
	t.Parallel()
	clienttest.Run(t, func(*testing.T) (client.Store, client.Cache) { return memory.New(), nil })
}
