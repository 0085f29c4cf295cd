package memstore

import (
	"testing"

	"github.com/evshop/shop/webhooks"
	"github.com/evshop/shop/webhooks/storetest"
)

func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(*testing.T) webhooks.Store { return New() })
}
