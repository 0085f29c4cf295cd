package wiring

import (
	"context"

	"github.com/evshop/shop/api/admindeadletters"
	"github.com/evshop/shop/api/adminprojections"
	"github.com/evshop/shop/projections/readmodels"
	"github.com/evshop/shop/projections/rebuild"
)

// AdminService is the support back office that belongs to no single service:
// projection status and rebuilds, and dead letters.
type AdminService struct {
	Runner *rebuild.Runner
	Routes []Route
}

// Admin assembles the back-office APIs. targets are the in-memory read
// models of this process (embedded mode); in server mode the rebuild targets
// are the read models of readmodels.List on the shared servers.
func (in *Infra) Admin(ctx context.Context, o Admin, targets ...rebuild.Projection) (*AdminService, error) {
	store, err := in.EventStore(ctx)
	if err != nil {
		return nil, err
	}
	var state rebuild.StateStore
	switch {
	case in.S.Durable():
		db, err := in.SQLite(ctx)
		if err != nil {
			return nil, err
		}
		if state, err = rebuild.NewSQLiteState(ctx, db); err != nil {
			return nil, err
		}
	case in.S.Embedded():
		state = rebuild.NewMemoryState()
	default:
		pool, err := in.Postgres(ctx)
		if err != nil {
			return nil, err
		}
		if state, err = rebuild.NewPostgresState(ctx, pool); err != nil {
			return nil, err
		}
		servers, err := readmodels.Open(ctx, readmodels.Stores{Postgres: in.Postgres, Redis: in.Redis, Recommendations: in.recommendationsRebuild,
			BasketsBase: in.basketsBase(), Location: o.Time.Location()})
		if err != nil {
			return nil, err
		}
		targets = append(targets, servers...)
	}
	var live []rebuild.Projection
	for _, t := range targets {
		if t != nil {
			live = append(live, t)
		}
	}
	registry, err := rebuild.NewRegistry(live...)
	if err != nil {
		return nil, err
	}
	runner, err := rebuild.NewRunner(rebuild.Config{Events: store, Registry: registry, State: state, Log: in.Log})
	if err != nil {
		return nil, err
	}
	in.OnClose(runner.Close)
	if err := in.Registry.Register(newProjectionLag(runner)); err != nil {
		return nil, err
	}
	verifier, err := in.Verifier(o.Tokens)
	if err != nil {
		return nil, err
	}
	projAPI, err := adminprojections.New(adminprojections.Deps{Runner: runner, Log: in.Log, Verifier: verifier})
	if err != nil {
		return nil, err
	}
	bus, err := in.Bus(ctx)
	if err != nil {
		return nil, err
	}
	dlAPI, err := admindeadletters.New(admindeadletters.Deps{Store: bus.DeadLetters(), Redriver: bus, Verifier: verifier})
	if err != nil {
		return nil, err
	}
	return &AdminService{Runner: runner, Routes: []Route{
		{Prefix: "/api/admin/projections", Mount: projAPI.Mount},
		{Prefix: "/api/admin/deadletters", Mount: dlAPI.Mount},
	}}, nil
}
