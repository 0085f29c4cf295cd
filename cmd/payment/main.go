// Command payment runs the payment service on its own: payment command
// handlers (sandbox, Stripe, PayPal gateways), the payments ledger projector,
// the payments API and the gateway webhooks.
package main

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/wiring"
	"github.com/evshop/shop/wiring/providers/esdbstore"
	"github.com/evshop/shop/wiring/providers/paymentproviders"
)

func main() {
	wiring.Main("payment", wiring.ModeServer, func(ctx context.Context, in *wiring.Infra, s *wiring.PaymentSettings) (*fiber.App, error) {
		esdbstore.Set(&in.Providers)
		paymentproviders.Set(&in.Providers)
		svc, err := in.Payment(ctx, s.Payment)
		if err != nil {
			return nil, err
		}
		app := in.NewApp("payment")
		wiring.MountAll(app, svc.Routes)
		return app, nil
	})
}
