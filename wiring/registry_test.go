package wiring_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"

	"github.com/evshop/shop/wiring"
	"github.com/evshop/shop/wiring/providers/shopproviders"
)

// TestRelayPublishesWhatHandlersConsume: the relay of cmd/relay publishes,
// with RELAY_PUBLISH=consumed, the generated list of types; every type a
// bus handler of the shop consumes must be on it (else that handler's queue
// would never get it: run `make docs`). The one-process shop publishes
// exactly its own handlers' types, projectors' ones too when they read the
// bus, and everything with RELAY_PUBLISH=all.
func TestRelayPublishesWhatHandlersConsume(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		publish  string
		all      bool   // the shop's relay publishes every event
		relay    bool   // cmd/relay's list must hold every bus handler's types
		includes string // a type the shop's relay must publish
		excludes string // one it must not
	}{
		{"consumed, projectors from the store", nil, "consumed", false, true, "payment.PaymentCaptured.v1", "basket.ItemAdded.v1"},
		// Bus-fed projectors across binaries need RELAY_PUBLISH=all on
		// cmd/relay (documented); the one-process shop knows them.
		{"consumed, projectors from the bus", map[string]string{"PROJECTIONS_SOURCE": "bus"}, "consumed", false, false, "basket.ItemAdded.v1", "checkout.CheckoutStarted.v1"},
		{"all", nil, "all", true, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			s, err := wiring.LoadShop(lookup, "-storage", "memory", "-web-dir", t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			in := wiring.NewInfra(&s.Common, slog.New(slog.DiscardHandler))
			shopproviders.Set(&in.Providers)
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(func() { cancel(); in.Close() })
			if _, err := in.Shop(ctx, s); err != nil {
				t.Fatal(err)
			}
			shop := in.RelayFilter(wiring.Relay{Publish: tt.publish})
			relay := wiring.ConsumedRelayFilter(wiring.Relay{Publish: tt.publish})
			if tt.all {
				if !shop.IsZero() || !relay.IsZero() {
					t.Fatalf("RELAY_PUBLISH=all filters: shop %v, relay %v", shop, relay)
				}
				return
			}
			bus := 0
			for _, h := range in.Handlers() {
				if h.Command != nil || h.FromStore {
					continue
				}
				bus++
				for _, typ := range h.Events {
					if !shop.MatchType(typ) {
						t.Errorf("handler %s consumes %s, which the shop's relay does not publish", h.Name, typ)
					}
					if tt.relay && !relay.MatchType(typ) {
						t.Errorf("handler %s consumes %s, which cmd/relay does not publish: run `make docs`", h.Name, typ)
					}
				}
			}
			if bus == 0 || shop.IsZero() || relay.IsZero() {
				t.Fatalf("%d bus handlers; shop filter %v, relay filter %v", bus, shop, relay)
			}
			if !slices.Contains(shop.EventTypes, tt.includes) || slices.Contains(shop.EventTypes, tt.excludes) {
				t.Fatalf("shop publishes %v: want %s in, %s out", shop.EventTypes, tt.includes, tt.excludes)
			}
		})
	}
}
