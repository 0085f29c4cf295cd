package wiring_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/evshop/shop/wiring"
)

// A binary built without a store's driver (wiring/providers) refuses the
// settings that ask for that store with an error naming the setting, before
// connecting anywhere.
func TestStoreWithoutItsProviderIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name string
		open func(in *wiring.Infra) error
		s    wiring.Common
		want string
	}{
		{"esdb", func(in *wiring.Infra) error { _, err := in.EventStore(ctx); return err },
			wiring.Common{Mode: wiring.ModeServer, EventStore: "esdb"}, "EVENTSTORE=esdb: this binary was built without EventStoreDB"},
		{"mongo", func(in *wiring.Infra) error { _, err := in.Mongo(ctx); return err },
			wiring.Common{Mode: wiring.ModeServer}, "MONGO_URL: this binary was built without MongoDB"},
		{"sqlite", func(in *wiring.Infra) error { _, err := in.SQLite(ctx); return err },
			wiring.Common{Mode: wiring.ModeEmbedded, Storage: "sqlite", DataDir: t.TempDir()}, "STORAGE=sqlite: this binary was built without the embedded database"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			in := wiring.NewInfra(&c.s, slog.New(slog.DiscardHandler))
			defer in.Close()
			if err := c.open(in); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}
