package wiring_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/wiring"
	"github.com/evshop/shop/wiring/settings"
)

const testHexKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

func envLookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// serverEnv is what a server-mode shop needs besides env.
func serverEnv(t *testing.T, env map[string]string) map[string]string {
	t.Helper()
	out := map[string]string{"SHOP_MODE": "server", "MAIL_LINK_KEY": testHexKey, "CSRF_KEY": testHexKey, "AUTH_JWT_KEYS": jwtSeed(t),
		"PAYMENT_GATEWAYS": "stripe", "STRIPE_SECRET_KEY": "sk_test"} // a named sandbox would warn
	for k, v := range env {
		out[k] = v
	}
	return out
}

func TestResolveValidatesSettings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		server        bool
		env           map[string]string
		wantErr       string
		wantConsumers int
	}{
		{"embedded defaults", false, nil, "", 1},
		{"server defaults", true, nil, "", 8},
		{"server consumers set", true, map[string]string{"BUS_CONSUMERS": "3"}, "", 3},
		{"consumers above 64", true, map[string]string{"BUS_CONSUMERS": "65"}, "BUS_CONSUMERS", 0},
		{"consumers negative", true, map[string]string{"BUS_CONSUMERS": "-1"}, "BUS_CONSUMERS", 0},
		{"consumers with go channels", false, map[string]string{"BUS_CONSUMERS": "4"}, "BUS_CONSUMERS", 0},
		{"unknown mode", false, map[string]string{"SHOP_MODE": "cluster"}, "SHOP_MODE", 0},
		{"unknown bus", false, map[string]string{"BUS": "kafka"}, "BUS", 0},
		{"server without mail key", true, map[string]string{"MAIL_LINK_KEY": ""}, "MAIL_LINK_KEY", 0},
		{"stripe without key", false, map[string]string{"PAYMENT_GATEWAYS": "stripe"}, "STRIPE_SECRET_KEY", 0},
		{"stripe in the list without key", true, map[string]string{"PAYMENT_GATEWAYS": "paypal,stripe", "PAYPAL_CLIENT_ID": "id", "PAYPAL_SECRET": "s", "STRIPE_SECRET_KEY": ""}, "STRIPE_SECRET_KEY", 0},
		{"unknown gateway in the list", true, map[string]string{"PAYMENT_GATEWAYS": "stripe,cash", "STRIPE_SECRET_KEY": "sk"}, "cash", 0},
		{"zero rate limit", false, map[string]string{"RATE_LIMIT": "0"}, "RATE_LIMIT", 0},
		{"public pprof", false, map[string]string{"PPROF_ADDR": "0.0.0.0:6060"}, "PPROF_ADDR", 0},
		{"absolute sign-in lifetime below the sliding one", false, map[string]string{"AUTH_REFRESH_TTL": "48h", "AUTH_REFRESH_ABSOLUTE_TTL": "24h"}, "AUTH_REFRESH_ABSOLUTE_TTL", 0},
		// The notifier's reminder and alert settings.
		{"alert targets", false, map[string]string{"ALERT_READYZ_TARGETS": "auth=http://auth:8080/readyz", "ALERT_METRICS_TARGETS": "gw=https://gw/metrics"}, "", 1},
		{"alert target not http", false, map[string]string{"ALERT_READYZ_TARGETS": "auth=file:///etc/passwd"}, "not an http(s) URL", 0},
		{"alert target without a name", false, map[string]string{"ALERT_READYZ_TARGETS": "http://auth:8080/readyz"}, "ALERT_READYZ_TARGETS", 0},
		{"alert rate above 100", false, map[string]string{"ALERT_ERROR_RATE_PERCENT": "101"}, "ALERT_ERROR_RATE_PERCENT", 0},
		{"alert rate zero", false, map[string]string{"ALERT_ERROR_RATE_PERCENT": "0"}, "ALERT_ERROR_RATE_PERCENT", 0},
		{"no requests needed", false, map[string]string{"ALERT_MIN_REQUESTS": "0"}, "ALERT_MIN_REQUESTS", 0},
		{"negative reminder idle", false, map[string]string{"REMINDER_IDLE": "-1h"}, "REMINDER_IDLE", 0},
		{"reminder max age below idle", false, map[string]string{"REMINDER_IDLE": "48h", "REMINDER_MAX_AGE": "24h"}, "REMINDER_MAX_AGE", 0},
		{"zero alert interval", false, map[string]string{"ALERT_INTERVAL": "0s"}, "ALERT_INTERVAL", 0},
		// Where read-model projectors read from (basket, client, ordering, payment).
		{"projections from the store", false, map[string]string{"PROJECTIONS_SOURCE": "store", "PROJECTIONS_BATCH": "1000"}, "", 1},
		{"unknown projections source", false, map[string]string{"PROJECTIONS_SOURCE": "kafka"}, "PROJECTIONS_SOURCE", 0},
		{"projections batch zero", false, map[string]string{"PROJECTIONS_BATCH": "0"}, "PROJECTIONS_BATCH", 0},
		{"projections batch too big", false, map[string]string{"PROJECTIONS_BATCH": "10001"}, "PROJECTIONS_BATCH", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := c.env
			if c.server {
				env = serverEnv(t, c.env)
			}
			s, err := wiring.LoadShop(envLookup(env))
			if c.wantErr == "" && err != nil {
				t.Fatalf("LoadShop = %v, want no error", err)
			}
			if c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("LoadShop = %v, want an error naming %s", err, c.wantErr)
			}
			if err == nil && s.Common.Consumers != c.wantConsumers {
				t.Fatalf("Consumers = %d, want %d", s.Common.Consumers, c.wantConsumers)
			}
		})
	}
}

// TestPaymentMethods: server mode offers exactly the gateways it names (every
// binary that takes or makes payments requires the list); only the embedded
// shop falls back to the sandbox. The older single PAYMENT_GATEWAY is no
// longer read.
func TestPaymentMethods(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		binary  string
		env     map[string]string
		want    []string
		wantErr string
	}{
		{"embedded default", "shop", nil, []string{"sandbox"}, ""},
		{"embedded, older single setting not read", "shop", map[string]string{"PAYMENT_GATEWAY": "stripe"}, []string{"sandbox"}, ""},
		{"embedded, named empty", "shop", map[string]string{"PAYMENT_GATEWAYS": " , "}, nil, "PAYMENT_GATEWAYS must name at least one"},
		{"server names none", "payment", nil, nil, "PAYMENT_GATEWAYS is required in server mode"},
		{"basket needs the list", "basket", nil, nil, "PAYMENT_GATEWAYS is required in server mode"},
		{"ordering needs the list", "ordering", nil, nil, "PAYMENT_GATEWAYS is required in server mode"},
		{"gateway needs the list", "gateway", nil, nil, "PAYMENT_GATEWAYS is required in server mode"},
		{"older single setting not read", "payment", map[string]string{"PAYMENT_GATEWAY": "stripe", "STRIPE_SECRET_KEY": "sk"}, nil, "PAYMENT_GATEWAYS is required"},
		{"server list", "payment", map[string]string{"PAYMENT_GATEWAYS": " stripe, paypal ", "STRIPE_SECRET_KEY": "sk", "PAYPAL_CLIENT_ID": "id", "PAYPAL_SECRET": "s"}, []string{"stripe", "paypal"}, ""},
		{"sandbox only when named", "payment", map[string]string{"PAYMENT_GATEWAYS": "sandbox"}, []string{"sandbox"}, ""},
		{"stripe credentials only where payments are made", "basket", map[string]string{"PAYMENT_GATEWAYS": "stripe"}, []string{"stripe"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b, err := settings.BinaryNamed(c.binary)
			if err != nil {
				t.Fatal(err)
			}
			env := map[string]string{"MAIL_LINK_KEY": testHexKey, "CSRF_KEY": testHexKey}
			for _, s := range []string{"AUTH", "CLIENTS", "CATALOG", "BASKET", "ORDERS", "PAYMENTS", "ADMIN", "NOTIFICATIONS"} {
				env["UPSTREAM_"+s] = "http://" + strings.ToLower(s)
			}
			for k, v := range c.env {
				env[k] = v
			}
			loaded, err := b.Load(envLookup(env), nil)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("%s: Load = %v, want an error naming %q", c.binary, err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			switch s := loaded.(type) {
			case *settings.ShopSettings:
				got = s.Payment.Methods.Gateways
				for _, m := range [][]string{s.Basket.Methods.Gateways, s.Ordering.Methods.Gateways, s.Gateway.Methods.Gateways} {
					if !slices.Equal(m, got) {
						t.Fatalf("the shop's services disagree on the methods: %v and %v", m, got)
					}
				}
			case *settings.PaymentSettings:
				got = s.Payment.Methods.Gateways
			case *settings.BasketSettings:
				got = s.Basket.Methods.Gateways
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("methods = %v, want %v", got, c.want)
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
		server      bool
		env         map[string]string
		args        []string
		addr        string
		metricsAddr string
		secure      bool
		warns       string // the one warning expected, if any
	}{
		{name: "server", server: true, addr: ":8080", metricsAddr: ":9090", secure: true},
		{name: "embedded", addr: "127.0.0.1:8080", metricsAddr: "127.0.0.1:9090", secure: false},
		{name: "server over plain HTTP warns", server: true, env: map[string]string{"COOKIE_SECURE": "false"},
			addr: ":8080", metricsAddr: ":9090", secure: false, warns: "COOKIE_SECURE=false"},
		{name: "embedded set explicitly", env: map[string]string{"ADDR": ":8080", "METRICS_ADDR": "", "COOKIE_SECURE": "true",
			"PAYMENT_GATEWAYS": "stripe", "STRIPE_SECRET_KEY": "sk_test", "PUBLIC_URL": "https://shop.example"},
			addr: ":8080", metricsAddr: "", secure: true, warns: "ADDR=:8080"},
		{name: "embedded flags", args: []string{"-addr", "127.0.0.1:80", "-metrics-addr", ":9999"},
			addr: "127.0.0.1:80", metricsAddr: ":9999", secure: false},
		{name: "server metrics off", server: true, env: map[string]string{"METRICS_ADDR": ""},
			addr: ":8080", metricsAddr: "", secure: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := c.env
			if c.server { // the shop switched to server mode
				env = serverEnv(t, c.env)
			}
			s, err := wiring.LoadShop(envLookup(env), c.args...)
			if err != nil {
				t.Fatal(err)
			}
			secure := []bool{s.Auth.Cookies.Secure, s.Basket.Cookies.Secure, s.Gateway.Cookies.Secure}
			if s.Common.Addr != c.addr || s.Common.MetricsAddr != c.metricsAddr || slices.Contains(secure, !c.secure) {
				t.Fatalf("ADDR=%q METRICS_ADDR=%q COOKIE_SECURE=%v, want %q %q %v", s.Common.Addr, s.Common.MetricsAddr, secure, c.addr, c.metricsAddr, c.secure)
			}
			w := settings.Warnings(s)
			if (c.warns == "" && len(w) > 0) || (c.warns != "" && (len(w) != 1 || !strings.HasPrefix(w[0], c.warns))) {
				t.Fatalf("warnings = %q, want %q", w, c.warns)
			}
		})
	}
}

func TestMetricsAddrIsValidated(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"9090", "localhost", "127.0.0.1:"} {
		if _, err := wiring.LoadShop(envLookup(map[string]string{"METRICS_ADDR": bad})); err == nil || !strings.Contains(err.Error(), "METRICS_ADDR") {
			t.Errorf("METRICS_ADDR=%q: LoadShop = %v, want an error naming it", bad, err)
		}
	}
}

// TestTrustedProxiesDefaultPerMode: the gateway and the auth service read
// the same TRUSTED_PROXIES: loopback when embedded, nobody in server mode.
func TestTrustedProxiesDefaultPerMode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		server  bool
		env     map[string]string
		want    string // the prefixes, comma-separated
		wantErr bool
	}{
		{"embedded: loopback", false, nil, "127.0.0.0/8,::1/128", false},
		{"server: nobody", true, nil, "", false},
		{"server: the ingress and pod networks", true, map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7"}, "10.0.0.0/8,192.168.1.7/32", false},
		{"not a CIDR", false, map[string]string{"TRUSTED_PROXIES": "10.0.0.0/33"}, "", true},
		{"not an address", true, map[string]string{"TRUSTED_PROXIES": "gateway"}, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := c.env
			if c.server {
				env = serverEnv(t, c.env)
			}
			s, err := wiring.LoadShop(envLookup(env))
			if (err != nil) != c.wantErr || (err != nil && !strings.Contains(err.Error(), "TRUSTED_PROXIES")) {
				t.Fatalf("LoadShop = %v, want error %v", err, c.wantErr)
			}
			if err != nil {
				return
			}
			for service, p := range map[string]wiring.Proxies{"gateway": s.Gateway.Proxies, "auth": s.Auth.Proxies} {
				prefixes, err := p.Prefixes()
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, p := range prefixes {
					got = append(got, p.String())
				}
				if strings.Join(got, ",") != c.want {
					t.Fatalf("%s trusts %v, want %s", service, got, c.want)
				}
			}
		})
	}
}

func jwtSeed(t *testing.T) string {
	t.Helper()
	k, err := authn.GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	return k.MarshalSeed()
}
