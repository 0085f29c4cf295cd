package settings_test

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/config"
	"github.com/evshop/shop/wiring/settings"
)

const hexKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

func jwtKeys(t *testing.T) string {
	t.Helper()
	k, err := authn.GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	return k.MarshalSeed()
}

func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// Each binary validates only the settings of the services it runs.
func TestBinariesValidateOnlyTheirOwnSettings(t *testing.T) {
	t.Parallel()
	upstreams := map[string]string{"CSRF_KEY": hexKey, "PAYMENT_GATEWAYS": "sandbox"}
	for _, s := range []string{"AUTH", "CLIENTS", "CATALOG", "BASKET", "ORDERS", "PAYMENTS", "ADMIN", "NOTIFICATIONS"} {
		upstreams["UPSTREAM_"+s] = "http://" + strings.ToLower(s) + ":8080"
	}
	with := func(base map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	cases := []struct {
		binary  string
		env     map[string]string
		wantErr string // "" = valid
	}{
		{"notifier", map[string]string{"MAIL_LINK_KEY": hexKey, "PAYMENT_GATEWAYS": "stripe"}, ""},
		{"notifier", map[string]string{"MAIL_LINK_KEY": hexKey, "PAYMENT_GATEWAY": "stripe", "CSRF_KEY": "not hex"}, ""},
		{"notifier", nil, "MAIL_LINK_KEY is required in server mode"},
		{"notifier", map[string]string{"MAIL_LINK_KEY": "short"}, "MAIL_LINK_KEY must be 64 hex"},
		{"notifier", map[string]string{"MAIL_LINK_KEY": hexKey, "ALERT_READYZ_TARGETS": "auth=file:///etc/passwd"}, "not an http(s) URL"},
		{"notifier", map[string]string{"MAIL_LINK_KEY": hexKey, "ALERT_READYZ_TARGETS": "http://auth:8080/readyz"}, "ALERT_READYZ_TARGETS"},
		{"notifier", map[string]string{"MAIL_LINK_KEY": hexKey, "ALERT_ERROR_RATE_PERCENT": "101"}, "ALERT_ERROR_RATE_PERCENT"},
		{"notifier", map[string]string{"MAIL_LINK_KEY": hexKey, "ALERT_MIN_REQUESTS": "0"}, "ALERT_MIN_REQUESTS"},
		{"notifier", map[string]string{"MAIL_LINK_KEY": hexKey, "REMINDER_IDLE": "48h", "REMINDER_MAX_AGE": "24h"}, "REMINDER_MAX_AGE"},
		{"notifier", map[string]string{"MAIL_LINK_KEY": hexKey, "ALERT_INTERVAL": "0s"}, "ALERT_INTERVAL"},
		{"payment", map[string]string{"MAIL_LINK_KEY": hexKey, "PAYMENT_GATEWAYS": "stripe"}, "STRIPE_SECRET_KEY is required"},
		{"payment", map[string]string{"MAIL_LINK_KEY": hexKey, "PAYMENT_GATEWAYS": "stripe", "STRIPE_SECRET_KEY": "sk_test_x"}, ""},
		{"payment", map[string]string{"MAIL_LINK_KEY": hexKey, "PAYMENT_GATEWAYS": "paypal"}, "PAYPAL_CLIENT_ID"},
		{"payment", map[string]string{"MAIL_LINK_KEY": hexKey, "PAYMENT_GATEWAYS": "cash"}, "unknown gateway"},
		{"payment", nil, "PAYMENT_GATEWAYS is required in server mode"},
		{"payment", map[string]string{"PAYMENT_GATEWAYS": "sandbox"}, "MAIL_LINK_KEY is required in server mode"},
		{"gateway", upstreams, ""},
		{"gateway", with(upstreams, "STRIPE_SECRET_KEY", "", "MAIL_LINK_KEY", ""), ""},
		{"gateway", with(upstreams, "CSRF_KEY", ""), "CSRF_KEY is required"},
		{"gateway", with(upstreams, "UPSTREAM_ADMIN", ""), "UPSTREAM_ADMIN is required"},
		{"gateway", with(upstreams, "UPSTREAM_ADMIN", "admin:8080"), "UPSTREAM_ADMIN"},
		{"gateway", with(upstreams, "RATE_LIMIT", "0"), "RATE_LIMIT"},
		{"gateway", with(upstreams, "TRUSTED_PROXIES", "10.0.0.0/8,not-a-cidr"), "TRUSTED_PROXIES"},
		{"auth", map[string]string{"MAIL_LINK_KEY": hexKey}, "AUTH_JWT_KEYS is required"},
		{"auth", map[string]string{"MAIL_LINK_KEY": hexKey, "AUTH_JWT_KEYS": "k:x"}, "AUTH_JWT_KEYS"},
		{"auth", map[string]string{"MAIL_LINK_KEY": hexKey, "AUTH_JWT_KEYS": jwtKeys(t), "AUTH_ACCESS_TTL": "1h"}, "AUTH_ACCESS_TTL"},
		{"auth", map[string]string{"MAIL_LINK_KEY": hexKey, "AUTH_JWT_KEYS": jwtKeys(t)}, ""},
		{"relay", nil, ""},
		{"relay", map[string]string{"PROJECTIONS_SOURCE": "kafka"}, ""},
		{"ordering", map[string]string{"MAIL_LINK_KEY": hexKey, "PAYMENT_GATEWAYS": "sandbox", "PROJECTIONS_SOURCE": "kafka"}, "PROJECTIONS_SOURCE"},
		{"client", map[string]string{"PROJECTIONS_BATCH": "0"}, "PROJECTIONS_BATCH"},
		{"client", map[string]string{"PROJECTIONS_LINGER": "2s"}, "PROJECTIONS_LINGER"},
		{"client", map[string]string{"PROJECTIONS_LINGER": "-1ms"}, "PROJECTIONS_LINGER"},
		{"client", map[string]string{"PROJECTIONS_LINGER": "soon"}, "PROJECTIONS_LINGER"},
		{"client", map[string]string{"PROJECTIONS_LINGER": "0s"}, ""},
		{"payment", map[string]string{"MAIL_LINK_KEY": hexKey, "PAYMENT_GATEWAYS": "sandbox", "PROJECTIONS_SOURCE": "store", "PROJECTIONS_BATCH": "1000"}, ""},
		{"catalog", map[string]string{"CATALOG_STOCK": "mongo"}, ""},
		{"catalog", map[string]string{"CATALOG_STOCK": "redis"}, "CATALOG_STOCK"},
		{"client", map[string]string{"CATALOG_STOCK": "redis"}, "CATALOG_STOCK"},
		{"notifier", map[string]string{"MAIL_LINK_KEY": hexKey, "CATALOG_STOCK": "redis"}, ""},
		{"relay", map[string]string{"BUS_CONSUMERS": "3"}, ""},
		{"relay", map[string]string{"RELAY_PUBLISH": "all"}, ""},
		{"relay", map[string]string{"RELAY_PUBLISH": "everything"}, "RELAY_PUBLISH"},
		{"shop", map[string]string{"RELAY_PUBLISH": "Consumed"}, "RELAY_PUBLISH"},
		{"relay", map[string]string{"BUS_CONSUMERS": "65"}, "BUS_CONSUMERS"},
		{"relay", map[string]string{"BUS_CONSUMERS": "-1"}, "BUS_CONSUMERS"},
		{"relay", map[string]string{"SHOP_MODE": "cluster"}, "SHOP_MODE"},
		{"relay", map[string]string{"BUS": "kafka"}, "BUS"},
		{"relay", map[string]string{"PPROF_ADDR": "0.0.0.0:6060"}, "PPROF_ADDR"},
		{"checkout", map[string]string{"PAYMENT_DEADLINE": "0s"}, "PAYMENT_DEADLINE"},
		{"basket", map[string]string{"MAIL_LINK_KEY": hexKey, "CATALOG_URL": "catalog", "PAYMENT_GATEWAYS": "sandbox"}, "CATALOG_URL"},
		{"basket", map[string]string{"PAYMENT_GATEWAYS": "sandbox"}, "MAIL_LINK_KEY is required in server mode"},
		{"ordering", map[string]string{"PAYMENT_GATEWAYS": "sandbox"}, "MAIL_LINK_KEY is required in server mode"},
		{"basket", nil, "PAYMENT_GATEWAYS is required in server mode"},
		{"ordering", nil, "PAYMENT_GATEWAYS is required in server mode"},
		{"ordering", map[string]string{"MAIL_LINK_KEY": hexKey, "PAYMENT_GATEWAYS": "stripe"}, ""},
		{"ordering", map[string]string{"MAIL_LINK_KEY": hexKey, "PAYMENT_GATEWAYS": "sandbox", "SHOP_TIMEZONE": "Europe/Paris"}, ""},
		{"ordering", map[string]string{"MAIL_LINK_KEY": hexKey, "PAYMENT_GATEWAYS": "sandbox", "SHOP_TIMEZONE": "Mars/Olympus_Mons"}, "SHOP_TIMEZONE"},
		{"ordering", map[string]string{"MAIL_LINK_KEY": hexKey, "PAYMENT_GATEWAYS": "sandbox", "SHOP_TIMEZONE": "Local"}, "SHOP_TIMEZONE"},
		{"admin", map[string]string{"SHOP_TIMEZONE": "+02:00"}, "SHOP_TIMEZONE"},
		{"shop", map[string]string{"SHOP_TIMEZONE": "Asia/Kathmandu"}, ""},
		{"shop", nil, ""},
		{"shop", map[string]string{"BUS_CONSUMERS": "4"}, "BUS_CONSUMERS"},
		{"shop", map[string]string{"PAYMENT_GATEWAYS": "stripe"}, "STRIPE_SECRET_KEY is required"},
		{"shop", map[string]string{"SHOP_MODE": "server"}, "MAIL_LINK_KEY is required in server mode"},
	}
	for _, c := range cases {
		t.Run(c.binary+" "+c.wantErr, func(t *testing.T) {
			t.Parallel()
			b, err := settings.BinaryNamed(c.binary)
			if err != nil {
				t.Fatal(err)
			}
			_, err = b.Load(lookup(c.env), nil)
			if c.wantErr == "" && err != nil {
				t.Fatalf("%s with %v: %v", c.binary, c.env, err)
			}
			if c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("%s with %v: err = %v, want %q", c.binary, c.env, err, c.wantErr)
			}
		})
	}
}

// Defaults follow the mode: loopback listeners, the sandbox and plain-HTTP
// cookies for the embedded shop; public listeners, Secure cookies and no
// trusted proxies in server mode.
func TestModeDefaults(t *testing.T) {
	t.Parallel()
	s, err := settings.LoadShop(nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Common.Addr != "127.0.0.1:8080" || s.Common.MetricsAddr != "127.0.0.1:9090" || s.Common.EventStore != "sqlite" || !s.Common.Durable() ||
		s.Common.Bus != "memory" || s.Common.Consumers != 1 || s.Gateway.Cookies.Secure || !s.Catalog.SeedDemo ||
		strings.Join(s.Payment.Methods.Gateways, ",") != "sandbox" || len(s.Gateway.Proxies.Trusted) == 0 ||
		s.Notifier.ReminderIdle != time.Hour {
		t.Errorf("embedded defaults: %+v", s)
	}
	mem, err := settings.LoadShop(lookup(map[string]string{"STORAGE": "memory"}))
	if err != nil || mem.Common.EventStore != "memory" || mem.Common.Durable() {
		t.Errorf("STORAGE=memory: event store %q, durable %v, %v", mem.Common.EventStore, mem.Common.Durable(), err)
	}
	for _, bad := range []map[string]string{{"STORAGE": "disk"}, {"SHOP_MODE": "server", "EVENTSTORE": "sqlite", "MAIL_LINK_KEY": hexKey,
		"AUTH_JWT_KEYS": jwtKeys(t), "CSRF_KEY": hexKey, "PAYMENT_GATEWAYS": "sandbox"}} {
		if _, err := settings.LoadShop(lookup(bad)); err == nil || !strings.Contains(err.Error(), bad["EVENTSTORE"]+bad["STORAGE"]) {
			t.Errorf("%v: %v, want it refused for its store", bad, err)
		}
	}
	srv, err := settings.LoadShop(lookup(map[string]string{"SHOP_MODE": "server", "MAIL_LINK_KEY": hexKey, "AUTH_JWT_KEYS": jwtKeys(t),
		"CSRF_KEY": hexKey, "PAYMENT_GATEWAYS": "sandbox"}))
	if err != nil {
		t.Fatal(err)
	}
	if srv.Common.Addr != ":8080" || srv.Common.MetricsAddr != ":9090" || srv.Common.EventStore != "postgres" ||
		srv.Common.Bus != "amqp" || srv.Common.Consumers != 8 || !srv.Gateway.Cookies.Secure || !srv.Auth.Cookies.Secure ||
		srv.Catalog.SeedDemo || len(srv.Gateway.Proxies.Trusted) != 0 || srv.Notifier.ReminderIdle != 24*time.Hour ||
		srv.Catalog.Stock.Store != "postgres" || srv.Client.Stock.Store != "postgres" || srv.Ordering.Projections.Source != "store" {
		t.Errorf("server defaults: %+v", srv)
	}
}

// shopctl reads the stores under the names, and with the defaults, of the
// services that write them.
func TestShopctlUsesTheServicesNamesAndDefaults(t *testing.T) {
	t.Parallel()
	ctl, err := config.Describe(&settings.ShopctlSettings{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	shop, err := config.Describe(&settings.ShopSettings{}, map[string]string{"SHOP_MODE": settings.ModeServer})
	if err != nil {
		t.Fatal(err)
	}
	byEnv := map[string]config.Var{}
	for _, v := range shop {
		byEnv[v.Env] = v
	}
	shared := 0
	for _, v := range ctl {
		s, ok := byEnv[v.Env]
		if !ok || v.Env == "LOG_LEVEL" { // a CLI logs less by default
			continue
		}
		shared++
		if s.Default != v.Default || s.Flag != v.Flag {
			t.Errorf("%s: shopctl default %q flag %q, the services' %q %q", v.Env, v.Default, v.Flag, s.Default, s.Flag)
		}
	}
	if shared < 4 {
		t.Errorf("shopctl shares only %d settings with the shop", shared)
	}
}

// The registry says what each cmd/<name> really loads: its wiring.Main
// call names the binary, its default mode and its settings struct.
func TestBinariesMatchTheirMains(t *testing.T) {
	t.Parallel()
	call := regexp.MustCompile(`wiring\.Main\("(\w+)", wiring\.Mode(\w+), func\(ctx context\.Context, in \*wiring\.Infra, \w+ \*wiring\.(\w+)\)`)
	mains, err := filepath.Glob("../../cmd/*/main.go")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, f := range mains {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m := call.FindStringSubmatch(string(raw))
		if m == nil {
			if strings.Contains(string(raw), "wiring.Main(") {
				t.Errorf("%s calls wiring.Main in a shape this test does not read", f)
			}
			continue
		}
		found++
		b, err := settings.BinaryNamed(m[1])
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if filepath.Base(filepath.Dir(f)) != m[1] {
			t.Errorf("%s names its binary %q", f, m[1])
		}
		if want := strings.ToLower(m[2]); b.Mode != want {
			t.Errorf("%s: default mode %s, the registry says %s", f, want, b.Mode)
		}
		if got := reflect.TypeOf(b.New()).Elem().Name(); got != m[3] {
			t.Errorf("%s loads %s, the registry describes %s", f, m[3], got)
		}
	}
	if found != len(settings.Binaries()) {
		t.Errorf("%d mains call wiring.Main, the registry lists %d binaries", found, len(settings.Binaries()))
	}
}

// TestExposedEmbeddedShop: an embedded shop listening beyond loopback gets
// the server mode's safe defaults back: Secure cookies, and no payment
// gateway unless named; the sandbox and plain-HTTP cookies may still be
// named for a demo on a trusted network, each with a loud warning.
func TestExposedEmbeddedShop(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		env      map[string]string
		args     []string
		profile  string
		secure   bool
		gateways string
		wantErr  string
		warns    []string // prefixes of the warnings expected, in order
	}{
		{name: "loopback default", profile: "embedded", secure: false, gateways: "sandbox"},
		{name: "localhost", env: map[string]string{"ADDR": "localhost:8080"}, profile: "embedded", secure: false, gateways: "sandbox"},
		{name: "IPv6 loopback", env: map[string]string{"ADDR": "[::1]:8080"}, profile: "embedded", secure: false, gateways: "sandbox"},
		{name: "every interface, nothing named", env: map[string]string{"ADDR": "0.0.0.0:8080"},
			wantErr: "PAYMENT_GATEWAYS is required when the embedded shop listens beyond loopback (ADDR=0.0.0.0:8080)"},
		{name: "no host, nothing named", env: map[string]string{"ADDR": ":8080"}, wantErr: "PAYMENT_GATEWAYS is required when the embedded shop listens beyond loopback"},
		{name: "by flag", args: []string{"-addr", "192.168.1.20:80"}, wantErr: "PAYMENT_GATEWAYS is required when the embedded shop listens beyond loopback (ADDR=192.168.1.20:80)"},
		{name: "named empty", env: map[string]string{"ADDR": "0.0.0.0:8080", "PAYMENT_GATEWAYS": ""}, wantErr: "PAYMENT_GATEWAYS is required"},
		{name: "a real gateway: Secure cookies by default", env: map[string]string{"ADDR": "0.0.0.0:8080", "PAYMENT_GATEWAYS": "stripe", "STRIPE_SECRET_KEY": "sk_test",
			"PUBLIC_URL": "https://shop.example"},
			profile: "exposed", secure: true, gateways: "stripe", warns: []string{"ADDR=0.0.0.0:8080"}},
		{name: "PUBLIC_URL left at its localhost default", env: map[string]string{"ADDR": "0.0.0.0:8080", "PAYMENT_GATEWAYS": "stripe", "STRIPE_SECRET_KEY": "sk_test"},
			profile: "exposed", secure: true, gateways: "stripe", warns: []string{"ADDR=0.0.0.0:8080", "PUBLIC_URL=http://localhost:8080 names this machine's loopback"}},
		{name: "stripe still needs its key", env: map[string]string{"ADDR": "0.0.0.0:8080", "PAYMENT_GATEWAYS": "stripe"}, wantErr: "STRIPE_SECRET_KEY is required"},
		{name: "LAN demo: sandbox and plain HTTP named", env: map[string]string{"ADDR": "0.0.0.0:8080", "PAYMENT_GATEWAYS": "sandbox", "COOKIE_SECURE": "false"},
			profile: "exposed", secure: false, gateways: "sandbox",
			warns: []string{"ADDR=0.0.0.0:8080", "COOKIE_SECURE=false while the embedded shop listens beyond loopback", "PAYMENT_GATEWAYS names sandbox while the embedded shop listens beyond loopback",
				"PUBLIC_URL=http://localhost:8080 names this machine's loopback"}},
		{name: "sandbox named, Secure kept", env: map[string]string{"ADDR": ":8080", "PAYMENT_GATEWAYS": "sandbox,stripe", "STRIPE_SECRET_KEY": "sk_test",
			"PUBLIC_URL": "http://192.168.1.20:8080"},
			profile: "exposed", secure: true, gateways: "sandbox,stripe",
			warns: []string{"ADDR=:8080", "PAYMENT_GATEWAYS names sandbox while the embedded shop listens beyond loopback"}},
		{name: "server mode is not narrowed", env: map[string]string{"SHOP_MODE": "server", "MAIL_LINK_KEY": hexKey, "AUTH_JWT_KEYS": jwtKeys(t),
			"CSRF_KEY": hexKey, "PAYMENT_GATEWAYS": "sandbox"}, profile: "server", secure: true, gateways: "sandbox",
			warns: []string{"PAYMENT_GATEWAYS names sandbox: the sandbox payment gateway approves test cards"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, err := settings.LoadShop(lookup(c.env), c.args...)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("LoadShop = %v, want an error naming %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Common.Profile(); got != c.profile {
				t.Errorf("profile = %q, want %q", got, c.profile)
			}
			for _, secure := range []bool{s.Auth.Cookies.Secure, s.Basket.Cookies.Secure, s.Gateway.Cookies.Secure} {
				if secure != c.secure {
					t.Errorf("COOKIE_SECURE = %v, want %v", secure, c.secure)
				}
			}
			for _, m := range [][]string{s.Basket.Methods.Gateways, s.Ordering.Methods.Gateways, s.Payment.Methods.Gateways, s.Gateway.Methods.Gateways} {
				if got := strings.Join(m, ","); got != c.gateways {
					t.Errorf("PAYMENT_GATEWAYS = %q, want %q", got, c.gateways)
				}
			}
			w := settings.Warnings(s)
			if len(w) != len(c.warns) {
				t.Fatalf("warnings = %q, want %d starting %q", w, len(c.warns), c.warns)
			}
			for i, prefix := range c.warns {
				if !strings.HasPrefix(w[i], prefix) {
					t.Errorf("warning %d = %q, want it to start %q", i, w[i], prefix)
				}
			}
		})
	}
}

// TestPublicURLWarning: an embedded shop listening beyond loopback with a
// PUBLIC_URL on loopback sends links that lead customers to their own
// machine; it is warned about at start, and only then.
func TestPublicURLWarning(t *testing.T) {
	t.Parallel()
	cases := []struct {
		url, profile string
		warn         bool
	}{
		{"http://localhost:8080", settings.ModeExposed, true},
		{"http://LOCALHOST:8080/shop", settings.ModeExposed, true},
		{"http://shop.localhost", settings.ModeExposed, true},
		{"http://127.0.0.1:8080", settings.ModeExposed, true},
		{"http://127.8.9.10", settings.ModeExposed, true},
		{"http://[::1]:8080", settings.ModeExposed, true},
		{"https://shop.example", settings.ModeExposed, false},
		{"http://192.168.1.20:8080", settings.ModeExposed, false},
		{"http://localhost.example.com", settings.ModeExposed, false},
		{"http://localhost:8080", settings.ModeEmbedded, false},
		{"http://localhost:8080", settings.ModeServer, false},
	}
	for _, c := range cases {
		t.Run(c.profile+" "+c.url, func(t *testing.T) {
			w := (&settings.PublicSite{URL: c.url}).Warnings(c.profile)
			if got := len(w) == 1 && strings.HasPrefix(w[0], "PUBLIC_URL="+c.url+" "); got != c.warn || len(w) > 1 {
				t.Errorf("Warnings(%q) = %q, want a PUBLIC_URL warning: %v", c.profile, w, c.warn)
			}
		})
	}
}
