package sqlite_test

import (
	"context"
	"testing"

	"github.com/evshop/shop/catalog/stockmoves"
	"github.com/evshop/shop/catalog/stockmoves/sqlite"
	"github.com/evshop/shop/catalog/stockmoves/stockmovestest"
	"github.com/evshop/shop/platform/testenv"
)

func TestContract(t *testing.T) {
	t.Parallel()
	stockmovestest.Run(t, func(t *testing.T) stockmoves.Log {
		l, err := sqlite.New(context.Background(), testenv.SQLite(t))
		if err != nil {
			t.Fatal(err)
		}
		return l
	})
}
