package wiring_test

import (
	"slices"
	"strings"
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
		{"stripe in the list without key", wiring.ModeServer, map[string]string{"MAIL_LINK_KEY": "k", "PAYMENT_GATEWAYS": "paypal,stripe", "PAYPAL_CLIENT_ID": "id", "PAYPAL_SECRET": "s"}, true, 0},
		{"unknown gateway in the list", wiring.ModeServer, map[string]string{"MAIL_LINK_KEY": "k", "PAYMENT_GATEWAYS": "stripe,cash", "STRIPE_SECRET_KEY": "sk"}, true, 0},
		{"zero rate limit", wiring.ModeEmbedded, map[string]string{"RATE_LIMIT": "0"}, true, 0},
		{"public pprof", wiring.ModeEmbedded, map[string]string{"PPROF_ADDR": "0.0.0.0:6060"}, true, 0},
		{"projections from the store", wiring.ModeEmbedded, map[string]string{"PROJECTIONS_SOURCE": "store", "PROJECTIONS_BATCH": "1000"}, false, 1},
		{"unknown projections source", wiring.ModeEmbedded, map[string]string{"PROJECTIONS_SOURCE": "kafka"}, true, 0},
		{"projections batch zero", wiring.ModeEmbedded, map[string]string{"PROJECTIONS_BATCH": "0"}, true, 0},
		{"catalog stock on mongo", wiring.ModeServer, map[string]string{"MAIL_LINK_KEY": "k", "CATALOG_STOCK": "mongo"}, false, 8},
		{"unknown catalog stock", wiring.ModeServer, map[string]string{"MAIL_LINK_KEY": "k", "CATALOG_STOCK": "redis"}, true, 0},
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

// TestPaymentMethods: server mode offers exactly the gateways it names; only
// the embedded shop falls back to the sandbox.
func TestPaymentMethods(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		mode    string
		env     map[string]string
		want    []string
		wantErr bool
	}{
		{"embedded default", wiring.ModeEmbedded, nil, []string{"sandbox"}, false},
		{"server names none", wiring.ModeServer, nil, nil, true},
		{"server list", wiring.ModeServer, map[string]string{"PAYMENT_GATEWAYS": " stripe, paypal ", "STRIPE_SECRET_KEY": "sk", "PAYPAL_CLIENT_ID": "id", "PAYPAL_SECRET": "s"}, []string{"stripe", "paypal"}, false},
		{"older single setting", wiring.ModeServer, map[string]string{"PAYMENT_GATEWAY": "stripe", "STRIPE_SECRET_KEY": "sk"}, []string{"stripe"}, false},
		{"the list wins over the single setting", wiring.ModeServer, map[string]string{"PAYMENT_GATEWAYS": "stripe", "PAYMENT_GATEWAY": "sandbox", "STRIPE_SECRET_KEY": "sk"}, []string{"stripe"}, false},
		{"sandbox only when named", wiring.ModeServer, map[string]string{"PAYMENT_GATEWAYS": "sandbox"}, []string{"sandbox"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"MAIL_LINK_KEY": "k"}
			for k, v := range c.env {
				env[k] = v
			}
			cfg := config.New("test").WithEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
			s := wiring.Declare(cfg, c.mode)
			if err := cfg.Parse(nil); err != nil {
				t.Fatal(err)
			}
			if err := s.Resolve(); err != nil {
				t.Fatal(err)
			}
			got, err := s.PaymentMethods()
			if (err != nil) != c.wantErr || !slices.Equal(got, c.want) {
				t.Fatalf("PaymentMethods = %v, %v; want %v, error %v", got, err, c.want, c.wantErr)
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

// TestModeDefaults: a server is reachable from the network and speaks HTTPS
// (Secure cookies, metrics on their own port for every interface); the
// embedded shop stays on this machine and speaks plain HTTP. Whatever is set
// explicitly wins, and an empty METRICS_ADDR turns the listener off.
func TestModeDefaults(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		mode        string
		env         map[string]string
		args        []string
		addr        string
		metricsAddr string
		secure      bool
		warns       string // the one warning expected, if any
	}{
		{name: "server", mode: wiring.ModeServer, addr: ":8080", metricsAddr: ":9090", secure: true},
		{name: "embedded", mode: wiring.ModeEmbedded, addr: "127.0.0.1:8080", metricsAddr: "127.0.0.1:9090", secure: false},
		{name: "shop switched to server", mode: wiring.ModeEmbedded, env: map[string]string{"SHOP_MODE": "server"},
			addr: ":8080", metricsAddr: ":9090", secure: true},
		{name: "server over plain HTTP warns", mode: wiring.ModeServer, env: map[string]string{"COOKIE_SECURE": "false"},
			addr: ":8080", metricsAddr: ":9090", secure: false, warns: "COOKIE_SECURE=false"},
		{name: "embedded set explicitly", mode: wiring.ModeEmbedded,
			env:  map[string]string{"ADDR": ":8080", "METRICS_ADDR": "", "COOKIE_SECURE": "true"},
			addr: ":8080", metricsAddr: "", secure: true, warns: "ADDR=:8080"},
		{name: "embedded flags", mode: wiring.ModeEmbedded, args: []string{"-addr", "127.0.0.1:80", "-metrics-addr", ":9999"},
			addr: "127.0.0.1:80", metricsAddr: ":9999", secure: false},
		{name: "server metrics off", mode: wiring.ModeServer, env: map[string]string{"METRICS_ADDR": ""},
			addr: ":8080", metricsAddr: "", secure: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"MAIL_LINK_KEY": "k"}
			for k, v := range c.env {
				env[k] = v
			}
			cfg := config.New("test").WithEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
			s := wiring.Declare(cfg, c.mode)
			if err := cfg.Parse(c.args); err != nil {
				t.Fatal(err)
			}
			if err := s.Resolve(); err != nil {
				t.Fatal(err)
			}
			if s.Addr != c.addr || s.MetricsAddr != c.metricsAddr || s.CookieSecure != c.secure {
				t.Fatalf("ADDR=%q METRICS_ADDR=%q COOKIE_SECURE=%v, want %q %q %v", s.Addr, s.MetricsAddr, s.CookieSecure, c.addr, c.metricsAddr, c.secure)
			}
			if s.CatalogStock != "postgres" {
				t.Fatalf("CATALOG_STOCK=%q, want postgres by default", s.CatalogStock)
			}
			w := s.Warnings()
			if (c.warns == "" && len(w) > 0) || (c.warns != "" && (len(w) != 1 || !strings.HasPrefix(w[0], c.warns))) {
				t.Fatalf("warnings = %q, want %q", w, c.warns)
			}
		})
	}
}

func TestMetricsAddrIsValidated(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"9090", "localhost", "127.0.0.1:"} {
		cfg := config.New("test").WithEnv(func(k string) (string, bool) {
			v, ok := map[string]string{"METRICS_ADDR": bad}[k]
			return v, ok
		})
		s := wiring.Declare(cfg, wiring.ModeEmbedded)
		if err := cfg.Parse(nil); err != nil {
			t.Fatal(err)
		}
		if err := s.Resolve(); err == nil || !strings.Contains(err.Error(), "METRICS_ADDR") {
			t.Errorf("METRICS_ADDR=%q: Resolve = %v, want an error naming it", bad, err)
		}
	}
}

func TestTrustedProxiesDefaultPerMode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		mode    string
		env     map[string]string
		want    string // the prefixes, comma-separated
		wantErr bool
	}{
		{"embedded: loopback", wiring.ModeEmbedded, nil, "127.0.0.0/8,::1/128", false},
		{"server: nobody", wiring.ModeServer, map[string]string{"MAIL_LINK_KEY": "k"}, "", false},
		{"server: the ingress and pod networks", wiring.ModeServer,
			map[string]string{"MAIL_LINK_KEY": "k", "TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7"}, "10.0.0.0/8,192.168.1.7/32", false},
		{"not a CIDR", wiring.ModeEmbedded, map[string]string{"TRUSTED_PROXIES": "10.0.0.0/33"}, "", true},
		{"not an address", wiring.ModeServer, map[string]string{"MAIL_LINK_KEY": "k", "TRUSTED_PROXIES": "gateway"}, "", true},
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
			if err != nil {
				return
			}
			var got []string
			for _, p := range s.TrustedProxies {
				got = append(got, p.String())
			}
			if strings.Join(got, ",") != c.want {
				t.Fatalf("TrustedProxies = %v, want %s", got, c.want)
			}
		})
	}
}
