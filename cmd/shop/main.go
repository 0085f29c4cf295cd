// Command shop runs the whole shop in one process behind the gateway on
// :8080. By default it is embedded: in-memory event store, read models and
// mail outbox (read it at /dev/mail), Go-channel bus, sandbox payments and the
// demo catalog, so it needs no server. SHOP_MODE=server (or -mode server)
// runs the same process against PostgreSQL, RabbitMQ, MongoDB and Redis.
package main

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/wiring"
)

func main() {
	wiring.Main("shop", wiring.ModeEmbedded, func(ctx context.Context, in *wiring.Infra, s *wiring.ShopSettings) (*fiber.App, error) {
		return in.Shop(ctx, s)
	})
}
