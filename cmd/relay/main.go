// Command relay publishes the event store to the bus: it reads the events in
// global order from its checkpoint and publishes them with confirms — with
// RELAY_PUBLISH=consumed (the default) only the types some service's handler
// consumes from its queue (wiring/consumed_gen.go), with all every event.
// Start several for availability: one holds the lease and publishes, the
// others stand by.
package main

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/wiring"
	"github.com/evshop/shop/wiring/providers/esdbstore"
)

func main() {
	wiring.Main("relay", wiring.ModeServer, func(ctx context.Context, in *wiring.Infra, s *wiring.RelaySettings) (*fiber.App, error) {
		esdbstore.Set(&in.Providers)
		store, err := in.EventStore(ctx)
		if err != nil {
			return nil, err
		}
		if _, err := in.StartRelay(ctx, "events", store, wiring.ConsumedRelayFilter(s.Relay)); err != nil {
			return nil, err
		}
		return in.NewApp("relay"), nil
	})
}
