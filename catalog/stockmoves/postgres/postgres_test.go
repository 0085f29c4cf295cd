package postgres_test

import (
	"context"
	"testing"

	"github.com/evshop/shop/catalog/stockmoves"
	"github.com/evshop/shop/catalog/stockmoves/postgres"
	"github.com/evshop/shop/catalog/stockmoves/stockmovestest"
	"github.com/evshop/shop/platform/testenv"
)

func TestContract(t *testing.T) {
	t.Parallel()
	// One database for the suite: each case uses its own SKUs.
	pool := testenv.Postgres(t)
	l, err := postgres.New(context.Background(), pool)
	if err != nil {
		t.Fatal(err)
	}
	stockmovestest.Run(t, func(*testing.T) stockmoves.Log { return l })
}
