package wiring

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"github.com/gofiber/fiber/v2"
)

// Shop assembles every service in this process behind the gateway: the
// embedded default (memory adapters, Go-channel bus) or, with SHOP_MODE=server,
// the same process against the real servers.
func (in *Infra) Shop(ctx context.Context, authOpts *AuthOptions) (*fiber.App, error) {
	if in.S.Embedded() && in.S.AdminEmail == "" {
		// A demo back office needs an admin; its password is random per run
		// unless given, and logged once so the person running the shop can
		// sign in.
		in.S.AdminEmail = "admin@example.com"
		if in.S.AdminPassword == "" {
			b := make([]byte, 9)
			rand.Read(b) //nolint:errcheck
			in.S.AdminPassword = hex.EncodeToString(b)
		}
		in.Log.Info("demo admin account", "email", in.S.AdminEmail, "password", in.S.AdminPassword)
	}
	auth, err := in.Auth(ctx, authOpts)
	if err != nil {
		return nil, err
	}
	cat, err := in.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	cli, err := in.Client(ctx, cat.Service)
	if err != nil {
		return nil, err
	}
	ord, err := in.Ordering(ctx)
	if err != nil {
		return nil, err
	}
	bsk, err := in.Basket(ctx, BasketLookup(cat.Service), ord.Commands, "")
	if err != nil {
		return nil, err
	}
	pay, err := in.Payment(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := in.Checkout(ctx); err != nil {
		return nil, err
	}
	ntf, err := in.Notifier(ctx, cli.Profiles, nil)
	if err != nil {
		return nil, err
	}
	admin, err := in.Admin(ctx, ord.Rebuild, bsk.Rebuild)
	if err != nil {
		return nil, err
	}
	store, err := in.EventStore(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := in.StartRelay(ctx, "events", store); err != nil {
		return nil, err
	}
	var routes []Route
	for _, rs := range [][]Route{auth.Routes, cat.Routes, cli.Routes, ord.Routes, bsk.Routes, pay.Routes, ntf.Routes, admin.Routes} {
		routes = append(routes, rs...)
	}
	return in.Gateway(ctx, InProcess(routes), ntf.DevMail)
}
