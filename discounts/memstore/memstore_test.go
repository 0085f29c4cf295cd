package memstore

import (
	"testing"

	"github.com/evshop/shop/discounts"
	"github.com/evshop/shop/discounts/storetest"
)

func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(*testing.T) discounts.Store { return New() })
}
