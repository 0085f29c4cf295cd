package memstore_test

import (
	"testing"

	"github.com/evshop/shop/notifier/memstore"
	"github.com/evshop/shop/notifier/storetest"
)

func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(*testing.T) storetest.Store { return memstore.New() })
}
