package memory_test

import (
	"testing"

	"github.com/evshop/shop/catalog/stockmoves"
	"github.com/evshop/shop/catalog/stockmoves/memory"
	"github.com/evshop/shop/catalog/stockmoves/stockmovestest"
)

func TestContract(t *testing.T) {
	t.Parallel()
	stockmovestest.Run(t, func(*testing.T) stockmoves.Log { return memory.New() })
}
