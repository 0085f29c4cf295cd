package wiring_test

import (
	"testing"

	"github.com/evshop/shop/platform/config"
	"github.com/evshop/shop/wiring"
)

func TestResolveValidatesSettings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		mode          string
		env           map[string]string
		wantErr       bool
		wantConsumers int
	}{
		{"embedded defaults", wiring.ModeEmbedded, nil, false, 1},
		{"server defaults", wiring.ModeServer, map[string]string{"MAIL_LINK_KEY": "k"}, false, 8},
		{"server consumers set", wiring.ModeServer, map[string]string{"MAIL_LINK_KEY": "k", "BUS_CONSUMERS": "3"}, false, 3},
		{"consumers above 64", wiring.ModeServer, map[string]string{"MAIL_LINK_KEY": "k", "BUS_CONSUMERS": "65"}, true, 0},
		{"consumers negative", wiring.ModeServer, map[string]string{"MAIL_LINK_KEY": "k", "BUS_CONSUMERS": "-1"}, true, 0},
		{"consumers with go channels", wiring.ModeEmbedded, map[string]string{"BUS_CONSUMERS": "4"}, true, 0},
		{"unknown mode", "cluster", nil, true, 0},
		{"unknown bus", wiring.ModeEmbedded, map[string]string{"BUS": "kafka"}, true, 0},
		{"server without mail key", wiring.ModeServer, nil, true, 0},
		{"stripe without key", wiring.ModeEmbedded, map[string]string{"PAYMENT_GATEWAY": "stripe"}, true, 0},
		{"zero rate limit", wiring.ModeEmbedded, map[string]string{"RATE_LIMIT": "0"}, true, 0},
		{"public pprof", wiring.ModeEmbedded, map[string]string{"PPROF_ADDR": "0.0.0.0:6060"}, true, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg := config.New("test").WithEnv(func(k string) (string, bool) { v, ok := c.env[k]; return v, ok })
			s := wiring.Declare(cfg, c.mode)
			if err := cfg.Parse(nil); err != nil {
				t.Fatal(err)
			}
			err := s.Resolve()
			if (err != nil) != c.wantErr {
				t.Fatalf("Resolve = %v, want error %v", err, c.wantErr)
			}
			if err == nil && s.Consumers != c.wantConsumers {
				t.Fatalf("Consumers = %d, want %d", s.Consumers, c.wantConsumers)
			}
		})
	}
}
