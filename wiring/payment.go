package wiring

import (
	"context"
	"fmt"
	"slices"

	apipayment "github.com/evshop/shop/api/payment"
	cmdpay "github.com/evshop/shop/commands/payment"
	"github.com/evshop/shop/payments"
	"github.com/evshop/shop/payments/sandbox"
	sandboxpg "github.com/evshop/shop/payments/sandbox/pgstore"
	sandboxsqlite "github.com/evshop/shop/payments/sandbox/sqlitestore"
	projection "github.com/evshop/shop/projections/payments"
	paymentssqlite "github.com/evshop/shop/projections/payments/sqlitestore"
	"github.com/evshop/shop/projections/rebuild"
)

// PaymentService is the payment service.
type PaymentService struct {
	Commands *cmdpay.Handlers
	Ledger   projection.Store
	Routes   []Route
	Rebuild  rebuild.Projection // embedded mode only (see OrderingService.Rebuild)
}

// Payment assembles the payment service with exactly the gateways named in
// PAYMENT_GATEWAYS. The sandbox approves any test card, so in server mode and
// beyond loopback it exists only when named, with a warning at start
// (settings.PaymentMethods.Warnings); its provider records are in DATA_DIR
// when durable, in memory with STORAGE=memory and in PostgreSQL in server
// mode, so a restarted payment process still captures what it authorized.
func (in *Infra) Payment(ctx context.Context, o Payment) (*PaymentService, error) {
	store, err := in.EventStore(ctx)
	if err != nil {
		return nil, err
	}
	bus, err := in.Bus(ctx)
	if err != nil {
		return nil, err
	}
	dedupe, err := in.Deduper(ctx)
	if err != nil {
		return nil, err
	}
	methods := o.Methods.Gateways
	router := payments.Router{}
	deps := apipayment.Deps{Dedupe: dedupe, Log: in.Log}
	if slices.Contains(methods, "sandbox") {
		sbx := sandbox.New()
		if in.S.Durable() {
			db, err := in.SQLite(ctx)
			if err != nil {
				return nil, err
			}
			st, err := sandboxsqlite.New(ctx, db)
			if err != nil {
				return nil, err
			}
			sbx = sandbox.NewWithStore(st)
		} else if !in.S.Embedded() {
			pool, err := in.Postgres(ctx)
			if err != nil {
				return nil, err
			}
			st, err := sandboxpg.New(ctx, pool)
			if err != nil {
				return nil, err
			}
			sbx = sandbox.NewWithStore(st)
		}
		router["sandbox"] = sbx
	}
	if slices.Contains(methods, "stripe") {
		if in.Providers.Stripe == nil {
			return nil, fmt.Errorf("PAYMENT_GATEWAYS names stripe, but this binary was built without the Stripe adapter")
		}
		g, err := in.Providers.Stripe(o)
		if err != nil {
			return nil, err
		}
		router["stripe"], deps.Stripe = g, g
	}
	if slices.Contains(methods, "paypal") {
		if in.Providers.PayPal == nil {
			return nil, fmt.Errorf("PAYMENT_GATEWAYS names paypal, but this binary was built without the PayPal adapter")
		}
		g, err := in.Providers.PayPal(o)
		if err != nil {
			return nil, err
		}
		router["paypal"], deps.PayPal = g, g
	}
	cmds, err := cmdpay.NewHandlers(cmdpay.Config{Store: store, Gateways: router, Logger: in.Log})
	if err != nil {
		return nil, err
	}
	if err := in.commandHandlers(bus, cmds.CommandHandlers()); err != nil {
		return nil, err
	}
	var ledger projection.Store
	var target rebuild.Projection
	switch {
	case in.S.Durable():
		// No blue/green target yet on SQLite: the ledger catches up
		// from its own checkpoint (payments has none on PostgreSQL
		// before this release either).
		db, err := in.SQLite(ctx)
		if err != nil {
			return nil, err
		}
		if err := paymentssqlite.Migrate(ctx, db); err != nil {
			return nil, err
		}
		if ledger, err = paymentssqlite.New(db); err != nil {
			return nil, err
		}
	case in.S.Embedded():
		sw := projection.NewSwappable()
		if target, err = sw.RebuildTarget(); err != nil {
			return nil, err
		}
		ledger = sw
	default:
		pool, err := in.Postgres(ctx)
		if err != nil {
			return nil, err
		}
		if err := projection.Migrate(ctx, pool); err != nil {
			return nil, err
		}
		if ledger, err = projection.NewPostgres(pool); err != nil {
			return nil, err
		}
	}
	projector, err := projection.NewProjector(ledger)
	if err != nil {
		return nil, err
	}
	projector.Malformed = in.malformed(projector.Name())
	if err := in.OnProjector(ctx, o.Projections, projector); err != nil {
		return nil, err
	}
	if deps.Verifier, err = in.Verifier(o.Tokens); err != nil {
		return nil, err
	}
	if deps.OrderLinks, err = in.OrderLinks(o.MailLink); err != nil {
		return nil, err
	}
	deps.Reader, deps.Commands = ledger, cmds
	api, err := apipayment.New(deps)
	if err != nil {
		return nil, err
	}
	return &PaymentService{Commands: cmds, Ledger: ledger, Rebuild: target, Routes: []Route{{Prefix: "/api/payments", Mount: api.Mount}}}, nil
}
