package memory_test

import (
	"testing"

	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/catalogtest"
	"github.com/evshop/shop/catalog/memory"
)

func TestContract(t *testing.T) {
	t.Parallel()
	catalogtest.Run(t, func(*testing.T) catalog.Store { return memory.New() })
}
