package wiring

import (
	"context"

	apiordering "github.com/evshop/shop/api/ordering"
	ordercmd "github.com/evshop/shop/commands/ordering"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/projections/orders"
	"github.com/evshop/shop/projections/rebuild"
)

// OrderingService is the ordering service: its command handlers on the bus, the
// orders read model and its projector, and the customer and staff APIs.
type OrderingService struct {
	Commands *ordercmd.Handlers
	View     orders.Store
	Routes   []Route
	// Rebuild is the in-memory read model's rebuild target (embedded mode;
	// in server mode the admin process rebuilds the PostgreSQL tables).
	Rebuild rebuild.Projection
}

// Ordering assembles the ordering service.
func (in *Infra) Ordering(ctx context.Context, o Ordering) (*OrderingService, error) {
	store, err := in.EventStore(ctx)
	if err != nil {
		return nil, err
	}
	bus, err := in.Bus(ctx)
	if err != nil {
		return nil, err
	}
	cmds, err := ordercmd.NewHandlers(ordercmd.Config{Store: store, Metadata: messaging.EventMetadata, PaymentMethods: o.Methods.Gateways})
	if err != nil {
		return nil, err
	}
	if err := in.commandHandlers(bus, cmds.CommandHandlers()); err != nil {
		return nil, err
	}
	if err := in.On(ctx, cmds.RefundEvents()); err != nil {
		return nil, err
	}
	var view orders.Store
	var target rebuild.Projection
	if in.S.Embedded() {
		sw, err := orders.NewSwappable(orders.NewMemory())
		if err != nil {
			return nil, err
		}
		if target, err = sw.RebuildTarget(); err != nil {
			return nil, err
		}
		view = sw
	} else {
		pool, err := in.Postgres(ctx)
		if err != nil {
			return nil, err
		}
		if err := orders.Migrate(ctx, pool); err != nil {
			return nil, err
		}
		if view, err = orders.NewPostgres(pool, ""); err != nil {
			return nil, err
		}
	}
	projector, err := orders.NewProjector(view)
	if err != nil {
		return nil, err
	}
	projector.Malformed = in.malformed(projector.Name())
	if err := in.OnProjector(ctx, o.Projections, projector); err != nil {
		return nil, err
	}
	verifier, err := in.Verifier(o.Tokens)
	if err != nil {
		return nil, err
	}
	api, err := apiordering.New(apiordering.Deps{Reader: view, Commands: cmds, Payments: bus, Events: store, Log: in.Log, Verifier: verifier})
	if err != nil {
		return nil, err
	}
	return &OrderingService{Commands: cmds, View: view, Rebuild: target, Routes: []Route{
		{Prefix: "/api/orders", Mount: api.Mount},
		{Prefix: "/api/admin/orders", Mount: api.MountAdmin},
	}}, nil
}
