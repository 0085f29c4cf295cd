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
		{"projections from the store", wiring.ModeEmbedded, map[string]string{"PROJECTIONS_SOURCE": "store", "PROJECTIONS_BATCH": "1000"}, false, 1},
		{"unknown projections source", wiring.ModeEmbedded, map[string]string{"PROJECTIONS_SOURCE": "kafka"}, true, 0},
		{"projections batch zero", wiring.ModeEmbedded, map[string]string{"PROJECTIONS_BATCH": "0"}, true, 0},
		{"projections batch too big", wiring.ModeEmbedded, map[string]string{"PROJECTIONS_BATCH": "10001"}, true, 0},
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

func TestNotifierSettingsAreValidated(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		env     map[string]string
		wantErr bool
	}{
		{"defaults", nil, false},
		{"targets", map[string]string{"ALERT_READYZ_TARGETS": "auth=http://auth:8080/readyz", "ALERT_METRICS_TARGETS": "gw=https://gw/metrics"}, false},
		{"target not http", map[string]string{"ALERT_READYZ_TARGETS": "auth=file:///etc/passwd"}, true},
		{"target without a name", map[string]string{"ALERT_READYZ_TARGETS": "http://auth:8080/readyz"}, true},
		{"rate above 100", map[string]string{"ALERT_ERROR_RATE_PERCENT": "101"}, true},
		{"rate zero", map[string]string{"ALERT_ERROR_RATE_PERCENT": "0"}, true},
		{"no requests needed", map[string]string{"ALERT_MIN_REQUESTS": "0"}, true},
		{"negative idle", map[string]string{"REMINDER_IDLE": "-1h"}, true},
		{"max age below idle", map[string]string{"REMINDER_IDLE": "48h", "REMINDER_MAX_AGE": "24h"}, true},
		{"zero interval", map[string]string{"ALERT_INTERVAL": "0s"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg := config.New("test").WithEnv(func(k string) (string, bool) { v, ok := c.env[k]; return v, ok })
			opts := wiring.DeclareNotifier(cfg)
			err := cfg.Parse(nil) // refuses malformed values, e.g. negative durations
			if err == nil {
				err = opts.Validate()
			}
			if (err != nil) != c.wantErr {
				t.Fatalf("Parse+Validate = %v, want error %v", err, c.wantErr)
			}
		})
	}
}
