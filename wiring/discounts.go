package wiring

import (
	"context"

	"github.com/evshop/shop/api/admindiscounts"
	ordercmd "github.com/evshop/shop/commands/ordering"
	"github.com/evshop/shop/discounts"
	"github.com/evshop/shop/discounts/memstore"
	"github.com/evshop/shop/discounts/pgstore"
	discountssqlite "github.com/evshop/shop/discounts/sqlitestore"
	"github.com/evshop/shop/platform/authn"
)

// Discounts assembles the discount codes, owned by the basket service (the
// basket checks a code, the checkout reserves its use): the codes and uses
// in the embedded database when durable, in memory when embedded, in
// PostgreSQL otherwise; the handler that commits a use when its order is
// paid and releases it when the order is cancelled; and the admin API at
// /api/admin/discounts.
func (in *Infra) Discounts(ctx context.Context, verifier authn.Verifier) (*discounts.Service, Route, error) {
	var store discounts.Store
	switch {
	case in.S.Durable():
		db, err := in.SQLite(ctx)
		if err != nil {
			return nil, Route{}, err
		}
		if store, err = discountssqlite.New(ctx, db); err != nil {
			return nil, Route{}, err
		}
	case in.S.Embedded():
		store = memstore.New()
	default:
		pool, err := in.Postgres(ctx)
		if err != nil {
			return nil, Route{}, err
		}
		if store, err = pgstore.New(ctx, pool); err != nil {
			return nil, Route{}, err
		}
	}
	svc, err := discounts.New(discounts.Config{Store: store})
	if err != nil {
		return nil, Route{}, err
	}
	if err := in.On(ctx, svc.Lifecycle(ordercmd.Codec())); err != nil {
		return nil, Route{}, err
	}
	api, err := admindiscounts.New(admindiscounts.Config{Service: svc, Verifier: verifier})
	if err != nil {
		return nil, Route{}, err
	}
	return svc, Route{Prefix: "/api/admin/discounts", Mount: api.Mount}, nil
}
