// Command checkout runs the checkout saga: it reacts to order, stock and
// payment events, sends the next commands, and expires checkouts whose
// payment is not authorized in time. It serves only its probes over HTTP.
package main

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/wiring"
	"github.com/evshop/shop/wiring/providers/esdbstore"
)

func main() {
	wiring.Main("checkout", wiring.ModeServer, func(ctx context.Context, in *wiring.Infra, s *wiring.CheckoutSettings) (*fiber.App, error) {
		esdbstore.Set(&in.Providers)
		if _, err := in.Checkout(ctx, s.Checkout); err != nil {
			return nil, err
		}
		return in.NewApp("checkout"), nil
	})
}
