// Command shop runs the whole shop in one process behind the gateway. By
// default it is embedded, on 127.0.0.1:8080: in-memory event store, read
// models and mail outbox (read it at /dev/mail), Go-channel bus, sandbox
// payments and the demo catalog, so it needs no server. SHOP_MODE=server (or
// -mode server) runs the same process on :8080 against PostgreSQL, RabbitMQ,
// MongoDB and Redis.
package main

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/wiring"
	"github.com/evshop/shop/wiring/providers/shopproviders"
)

func main() {
	wiring.Main("shop", wiring.ModeEmbedded, func(ctx context.Context, in *wiring.Infra, s *wiring.ShopSettings) (*fiber.App, error) {
		shopproviders.Set(&in.Providers)
		return in.Shop(ctx, s)
	})
}
