// Package readmodels is the one list of the shop's rebuildable read models
// in server mode: the admin API (and so the back office's Projections page)
// and `shopctl projections` take their registry from here, so both always
// rebuild the same set.
//
// A new read model registers with one declaration in List:
//
//	{Name: sales.RebuildName, Open: func(ctx context.Context, s Stores) (rebuild.Projection, error) {
//		pool, err := migrated(ctx, s, sales.Migrate)
//		if err != nil {
//			return nil, err
//		}
//		return sales.NewRebuildTarget(pool, s.Location)
//	}},
//
// where NewRebuildTarget returns a rebuild.Projection: for PostgreSQL
// tables with a (projector, position) checkpoint row, rebuild.NewTables
// gives the whole blue/green rebuild from the table names and the
// projector's batch path (see projections/payments/rebuild.go); Redis and
// MongoDB models move a generation pointer (projections/baskets,
// projections/recommendations/mongostore). In embedded mode each service
// hands its in-memory model's target (a Swappable's RebuildTarget) to
// wiring.Admin.
// Each read model then proves its rebuild equal to its live model row by
// row with rebuildtest.RebuildEqualsLive.
package readmodels

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/evshop/shop/projections/baskets"
	"github.com/evshop/shop/projections/orders"
	"github.com/evshop/shop/projections/payments"
	"github.com/evshop/shop/projections/rebuild"
	"github.com/evshop/shop/projections/recommendations"
	"github.com/evshop/shop/projections/returns"
	"github.com/evshop/shop/projections/sales"
)

// Stores opens the servers the read models live in; each is opened only
// when a declared read model needs it.
type Stores struct {
	Postgres func(ctx context.Context) (*pgxpool.Pool, error)
	Redis    func(ctx context.Context) (*redis.Client, error)
	// Recommendations opens the rebuild target of the recommendations on
	// MongoDB (projections/recommendations/mongostore), handed in so that
	// this list does not link the MongoDB driver into the binaries that
	// never open it.
	Recommendations func(ctx context.Context) (rebuild.Projection, error)
	// BasketsBase is the Redis key space of the basket read model
	// (settings.BasketsBase of the services' BUS_PREFIX).
	BasketsBase string
	// Location is the shop's time zone (SHOP_TIMEZONE): the days of the
	// sales figures.
	Location *time.Location
}

// Rebuildable declares one read model a rebuild can target.
type Rebuildable struct {
	Name string
	Open func(ctx context.Context, s Stores) (rebuild.Projection, error)
}

// List is every rebuildable read model of server mode.
func List() []Rebuildable {
	return []Rebuildable{
		{Name: orders.RebuildName, Open: func(ctx context.Context, s Stores) (rebuild.Projection, error) {
			pool, err := migrated(ctx, s, orders.Migrate)
			if err != nil {
				return nil, err
			}
			return orders.NewRebuildTarget(pool)
		}},
		{Name: baskets.RebuildName, Open: func(ctx context.Context, s Stores) (rebuild.Projection, error) {
			rc, err := s.Redis(ctx)
			if err != nil {
				return nil, err
			}
			return baskets.NewRebuildTarget(rc, s.BasketsBase)
		}},
		{Name: payments.RebuildName, Open: func(ctx context.Context, s Stores) (rebuild.Projection, error) {
			pool, err := migrated(ctx, s, payments.Migrate)
			if err != nil {
				return nil, err
			}
			return payments.NewRebuildTarget(pool)
		}},
		{Name: recommendations.RebuildName, Open: func(ctx context.Context, s Stores) (rebuild.Projection, error) {
			return s.Recommendations(ctx)
		}},
		{Name: sales.RebuildName, Open: func(ctx context.Context, s Stores) (rebuild.Projection, error) {
			pool, err := migrated(ctx, s, sales.Migrate)
			if err != nil {
				return nil, err
			}
			loc := s.Location
			if loc == nil {
				loc = time.UTC
			}
			return sales.NewRebuildTarget(pool, loc)
		}},
		{Name: returns.RebuildName, Open: func(ctx context.Context, s Stores) (rebuild.Projection, error) {
			pool, err := migrated(ctx, s, returns.Migrate)
			if err != nil {
				return nil, err
			}
			return returns.NewRebuildTarget(pool)
		}},
	}
}

// migrated returns the PostgreSQL pool with the read model's migrations run.
func migrated(ctx context.Context, s Stores, migrate func(context.Context, *pgxpool.Pool) error) (*pgxpool.Pool, error) {
	pool, err := s.Postgres(ctx)
	if err != nil {
		return nil, err
	}
	return pool, migrate(ctx, pool)
}

// Open opens the rebuild target of every declared read model.
func Open(ctx context.Context, s Stores) ([]rebuild.Projection, error) {
	out := make([]rebuild.Projection, 0, len(List()))
	for _, r := range List() {
		p, err := r.Open(ctx, s)
		if err != nil {
			return nil, fmt.Errorf("read model %s: %w", r.Name, err)
		}
		if p.Name() != r.Name {
			return nil, fmt.Errorf("read model %s: its target is named %q", r.Name, p.Name())
		}
		out = append(out, p)
	}
	return out, nil
}
