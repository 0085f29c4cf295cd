package wiring

import (
	"context"
	"time"

	"github.com/evshop/shop/api/adminsales"
	apiordering "github.com/evshop/shop/api/ordering"
	apishipping "github.com/evshop/shop/api/shipping"
	ordercmd "github.com/evshop/shop/commands/ordering"
	returnscmd "github.com/evshop/shop/commands/returns"
	"github.com/evshop/shop/invoices"
	"github.com/evshop/shop/invoices/issuer"
	invoicesmem "github.com/evshop/shop/invoices/memory"
	invoicespg "github.com/evshop/shop/invoices/pgstore"
	invoicesqlite "github.com/evshop/shop/invoices/sqlitestore"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/projections/orders"
	orderssqlite "github.com/evshop/shop/projections/orders/sqlitestore"
	"github.com/evshop/shop/projections/rebuild"
	projreturns "github.com/evshop/shop/projections/returns"
	returnssqlite "github.com/evshop/shop/projections/returns/sqlitestore"
	"github.com/evshop/shop/projections/sales"
	"github.com/evshop/shop/wiring/settings"
)

// OrderingService is the ordering service: its command handlers on the bus, the
// orders and sales read models and their projectors, and the customer, staff
// and admin APIs.
type OrderingService struct {
	Commands *ordercmd.Handlers
	View     orders.Store
	Sales    sales.Store
	Routes   []Route
	// Rebuild and SalesRebuild are the in-memory read models' rebuild
	// targets (embedded mode; in server mode the admin process rebuilds the
	// PostgreSQL tables).
	Rebuild, SalesRebuild rebuild.Projection
	// ReturnsRebuild rebuilds the embedded returns read model (memory or
	// SQLite; server mode's is in projections/readmodels).
	ReturnsRebuild rebuild.Projection
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
	prices, err := o.Pricing.Rules()
	if err != nil {
		return nil, err
	}
	cmds, err := ordercmd.NewHandlers(ordercmd.Config{Store: store, Metadata: messaging.EventMetadata, PaymentMethods: o.Methods.Gateways, Pricing: &prices})
	if err != nil {
		return nil, err
	}
	if err := in.commandHandlers(bus, cmds.CommandHandlers()); err != nil {
		return nil, err
	}
	if err := in.On(ctx, cmds.RefundEvents()); err != nil {
		return nil, err
	}
	if err := in.invoicing(ctx, cmds, o.Invoicing); err != nil {
		return nil, err
	}
	rets, err := returnscmd.NewHandlers(returnscmd.Config{Store: store, Sender: bus, Metadata: messaging.EventMetadata,
		Window: time.Duration(o.Returns.WindowDays) * 24 * time.Hour, RefundShippingOnFullReturn: o.Returns.RefundShippingOnFullReturn})
	if err != nil {
		return nil, err
	}
	if err := in.On(ctx, rets.EventHandlers()...); err != nil {
		return nil, err
	}
	var view orders.Store
	var target rebuild.Projection
	switch {
	case in.S.Durable():
		db, err := in.SQLite(ctx)
		if err != nil {
			return nil, err
		}
		if err := orderssqlite.Migrate(ctx, db); err != nil {
			return nil, err
		}
		if view, err = orderssqlite.New(db, ""); err != nil {
			return nil, err
		}
		if target, err = orderssqlite.NewRebuildTarget(db); err != nil {
			return nil, err
		}
	case in.S.Embedded():
		sw, err := orders.NewSwappable(orders.NewMemory())
		if err != nil {
			return nil, err
		}
		if target, err = sw.RebuildTarget(); err != nil {
			return nil, err
		}
		view = sw
	default:
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
	seller := apiordering.Seller{Name: o.Invoicing.SellerName, Address: apiordering.SellerAddress(o.Invoicing.SellerAddress),
		VATID: o.Invoicing.SellerVATID, Email: o.Invoicing.SellerEmail}
	links, err := in.OrderLinks(o.MailLink)
	if err != nil {
		return nil, err
	}
	returnsView, returnsTarget, err := in.returnsView(ctx, o)
	if err != nil {
		return nil, err
	}
	api, err := apiordering.New(apiordering.Deps{ReturnsList: returnsView, Reader: view, Commands: cmds, Payments: bus, Events: store, Log: in.Log, Verifier: verifier, OrderLinks: links, Seller: seller, Returns: rets,
		Stopping: ctx.Done()}) // ctx ends when the process is told to stop
	if err != nil {
		return nil, err
	}
	shippingAPI, err := apishipping.New(apishipping.Deps{Taxes: prices.Taxes, Methods: prices.Shipping, PricesIncludeTax: prices.PricesIncludeTax})
	if err != nil {
		return nil, err
	}
	salesView, salesTarget, err := in.sales(ctx, o)
	if err != nil {
		return nil, err
	}
	salesAPI, err := adminsales.New(adminsales.Deps{Store: salesView, Verifier: verifier})
	if err != nil {
		return nil, err
	}
	return &OrderingService{Commands: cmds, View: view, Sales: salesView, Rebuild: target, SalesRebuild: salesTarget, ReturnsRebuild: returnsTarget, Routes: []Route{
		{Prefix: "/api/orders", Mount: api.Mount},
		{Prefix: "/api/admin/orders", Mount: api.MountAdmin},
		{Prefix: "/api/admin/returns", Mount: api.MountAdminReturns},
		{Prefix: "/api/admin/sales", Mount: salesAPI.Mount},
		{Prefix: "/api/shipping", Mount: shippingAPI.Mount},
	}}, nil
}

// returnsView assembles the staff's returns read model (SQLite, memory or
// PostgreSQL, as the orders one) and starts its projector.
func (in *Infra) returnsView(ctx context.Context, o Ordering) (projreturns.Store, rebuild.Projection, error) {
	var view projreturns.Store
	var target rebuild.Projection
	switch {
	case in.S.Durable():
		db, err := in.SQLite(ctx)
		if err != nil {
			return nil, nil, err
		}
		if err := returnssqlite.Migrate(ctx, db); err != nil {
			return nil, nil, err
		}
		if view, err = returnssqlite.New(db); err != nil {
			return nil, nil, err
		}
		if target, err = returnssqlite.NewRebuildTarget(db); err != nil {
			return nil, nil, err
		}
	case in.S.Embedded():
		sw := projreturns.NewSwappable()
		t, err := sw.RebuildTarget()
		if err != nil {
			return nil, nil, err
		}
		view, target = sw, t
	default:
		pool, err := in.Postgres(ctx)
		if err != nil {
			return nil, nil, err
		}
		if err := projreturns.Migrate(ctx, pool); err != nil {
			return nil, nil, err
		}
		if view, err = projreturns.NewPostgres(pool); err != nil {
			return nil, nil, err
		}
	}
	projector, err := projreturns.NewProjector(view)
	if err != nil {
		return nil, nil, err
	}
	projector.Malformed = in.malformed(projector.Name())
	if err := in.OnProjector(ctx, o.Projections, projector); err != nil {
		return nil, nil, err
	}
	return view, target, nil
}

// sales assembles the sales read model (SQLite, memory or PostgreSQL, as
// the orders one) and starts its projector.
func (in *Infra) sales(ctx context.Context, o Ordering) (sales.Store, rebuild.Projection, error) {
	var view sales.Store
	var target rebuild.Projection
	loc := o.Time.Location()
	switch {
	case in.S.Durable():
		db, err := in.SQLite(ctx)
		if err != nil {
			return nil, nil, err
		}
		if err := sales.MigrateSQLite(ctx, db); err != nil {
			return nil, nil, err
		}
		if view, err = sales.NewSQLite(db, loc, ""); err != nil {
			return nil, nil, err
		}
		if target, err = sales.NewSQLiteRebuildTarget(db, loc); err != nil {
			return nil, nil, err
		}
	case in.S.Embedded():
		sw, err := sales.NewSwappable(sales.NewMemory(loc))
		if err != nil {
			return nil, nil, err
		}
		if target, err = sw.RebuildTarget(); err != nil {
			return nil, nil, err
		}
		view = sw
	default:
		pool, err := in.Postgres(ctx)
		if err != nil {
			return nil, nil, err
		}
		if err := sales.Migrate(ctx, pool); err != nil {
			return nil, nil, err
		}
		if view, err = sales.NewPostgres(pool, loc, ""); err != nil {
			return nil, nil, err
		}
	}
	projector, err := sales.NewProjector(view)
	if err != nil {
		return nil, nil, err
	}
	projector.Malformed = in.malformed(projector.Name())
	if err := in.OnProjector(ctx, o.Projections, projector); err != nil {
		return nil, nil, err
	}
	return view, target, nil
}

// invoicing starts the process that numbers invoices and credit notes, over
// the invoice sequence of the mode's database (SQLite, memory, PostgreSQL).
func (in *Infra) invoicing(ctx context.Context, cmds *ordercmd.Handlers, s settings.Invoicing) error {
	var seq invoices.Sequence
	switch {
	case in.S.Durable():
		db, err := in.SQLite(ctx)
		if err != nil {
			return err
		}
		if seq, err = invoicesqlite.New(ctx, db); err != nil {
			return err
		}
	case in.S.Embedded():
		seq = invoicesmem.New()
	default:
		pool, err := in.Postgres(ctx)
		if err != nil {
			return err
		}
		if seq, err = invoicespg.New(ctx, pool); err != nil {
			return err
		}
	}
	proc, err := issuer.New(issuer.Config{Sequence: seq, Commands: cmds,
		Prefixes: invoices.Prefixes{Invoice: s.InvoicePrefix, CreditNote: s.CreditNotePrefix}})
	if err != nil {
		return err
	}
	return in.On(ctx, proc.EventHandler())
}
