package wiring

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"github.com/gofiber/fiber/v2"
)

// ShopPostgresConns is the one-process shop's PostgreSQL pool size when
// POSTGRES_URL sets none (server mode): the pool of all its services.
const ShopPostgresConns = 16

// Shop assembles every service in this process behind the gateway: the
// embedded default (memory adapters, Go-channel bus) or, with SHOP_MODE=server,
// the same process against the real servers. Each service gets its own
// settings group, the notifier's alerts and reminders included.
func (in *Infra) Shop(ctx context.Context, s *ShopSettings) (*fiber.App, error) {
	// Every service's handlers share this process's one PostgreSQL pool:
	// with pgx's default (4 on two cores) each checkout's queries queued
	// for a connection, ~37 waiting at once (block profile in
	// docs/benchmarks-load.md). POSTGRES_URL's pool_max_conns still wins.
	in.pgConns = ShopPostgresConns
	authSet := s.Auth
	generated := false
	if in.S.Embedded() && authSet.AdminEmail == "" {
		// A demo back office needs an admin: admin@example.com with a
		// random password, logged when the account is created (a shop
		// keeping its data creates it once; STORAGE=memory at every start).
		authSet.AdminEmail = "admin@example.com"
		if authSet.AdminPassword == "" {
			b := make([]byte, 9)
			rand.Read(b) //nolint:errcheck
			authSet.AdminPassword, generated = hex.EncodeToString(b), true
		}
	}
	auth, err := in.Auth(ctx, authSet)
	if err != nil {
		return nil, err
	}
	if generated && auth.AdminCreated {
		in.Log.Info("demo admin account created", "email", authSet.AdminEmail, "password", authSet.AdminPassword)
	}
	cat, err := in.Catalog(ctx, s.Catalog)
	if err != nil {
		return nil, err
	}
	cli, err := in.Client(ctx, s.Client, cat.Service)
	if err != nil {
		return nil, err
	}
	ord, err := in.Ordering(ctx, s.Ordering)
	if err != nil {
		return nil, err
	}
	bsk, err := in.Basket(ctx, s.Basket, BasketLookup(cat.Service), ord.Commands, "")
	if err != nil {
		return nil, err
	}
	pay, err := in.Payment(ctx, s.Payment)
	if err != nil {
		return nil, err
	}
	if _, err := in.Checkout(ctx, s.Checkout); err != nil {
		return nil, err
	}
	ntf, err := in.Notifier(ctx, s.Notifier, cli.Profiles)
	if err != nil {
		return nil, err
	}
	admin, err := in.Admin(ctx, s.Admin, ord.Rebuild, ord.SalesRebuild, ord.ReturnsRebuild, bsk.Rebuild, pay.Rebuild, cli.Rebuild)
	if err != nil {
		return nil, err
	}
	store, err := in.EventStore(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := in.StartRelay(ctx, "events", store, in.RelayFilter(s.Relay)); err != nil {
		return nil, err
	}
	var routes []Route
	for _, rs := range [][]Route{auth.Routes, cat.Routes, cli.Routes, ord.Routes, bsk.Routes, pay.Routes, ntf.Routes, admin.Routes} {
		routes = append(routes, rs...)
	}
	return in.Gateway(ctx, s.Gateway, InProcess(routes), ntf.DevMail)
}
