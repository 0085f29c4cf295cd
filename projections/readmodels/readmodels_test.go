package readmodels_test

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/readmodels"
	"github.com/evshop/shop/projections/rebuild"
	recomongo "github.com/evshop/shop/projections/recommendations/mongostore"
)

// Every declared read model opens its rebuild target on the real servers
// it lives in, under its declared name, and reports its live checkpoint.
func TestOpenEveryDeclaredReadModel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testenv.Postgres(t)
	rdb, prefix := testenv.Redis(t)
	db := testenv.Mongo(t)
	opened := map[string]int{}
	stores := readmodels.Stores{
		Postgres: func(context.Context) (*pgxpool.Pool, error) { opened["postgres"]++; return pool, nil },
		Redis:    func(context.Context) (*redis.Client, error) { opened["redis"]++; return rdb, nil },
		Recommendations: func(ctx context.Context) (rebuild.Projection, error) {
			opened["mongo"]++
			return recomongo.NewRebuildTarget(ctx, db)
		},
		BasketsBase: prefix + "baskets",
	}
	targets, err := readmodels.Open(ctx, stores)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range targets {
		names = append(names, p.Name())
		if cp, err := p.LiveCheckpoint(ctx); err != nil || cp != 0 {
			t.Errorf("%s: live checkpoint %d, %v on empty stores", p.Name(), cp, err)
		}
	}
	slices.Sort(names)
	if want := []string{"baskets", "orders", "payments", "recommendations", "returns", "sales"}; !slices.Equal(names, want) {
		t.Fatalf("opened %v, want %v", names, want)
	}
	if opened["postgres"] != 4 || opened["redis"] != 1 || opened["mongo"] != 1 {
		t.Fatalf("servers opened %v", opened)
	}
}
