package wiring

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/wiring/providers/shopproviders"
)

// embeddedShop builds the one-process shop with env on top of the defaults.
func embeddedShop(t *testing.T, env map[string]string) (*fiber.App, *Infra, *ShopSettings) {
	t.Helper()
	all := map[string]string{"SEED_DEMO": "false", "WEB_DIR": t.TempDir(), "LOG_LEVEL": "error", "DATA_DIR": t.TempDir()}
	for k, v := range env {
		all[k] = v
	}
	s, err := LoadShop(func(k string) (string, bool) { v, ok := all[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	in := NewInfra(&s.Common, slog.New(slog.DiscardHandler))
	shopproviders.Set(&in.Providers) // as cmd/shop
	t.Cleanup(in.Close)
	app, err := in.Shop(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return app, in, s
}

// TestDevMailOnlyOnThisMachine: the embedded shop's outbox holds every
// sign-up and reset link. Listening on loopback (the default) it is the
// developer's; listening beyond, only admins may read it.
func TestDevMailOnlyOnThisMachine(t *testing.T) {
	t.Parallel()
	type want struct{ anonymous, customer, admin int }
	cases := []struct {
		name string
		addr string // "" keeps the embedded default
		want want
	}{
		{"default address", "", want{200, 200, 200}},
		{"localhost", "localhost:8080", want{200, 200, 200}},
		{"IPv6 loopback", "[::1]:8080", want{200, 200, 200}},
		{"every interface", ":8080", want{401, 403, 200}},
		{"every IPv4 interface", "0.0.0.0:8080", want{401, 403, 200}},
		{"a LAN address", "192.168.1.20:8080", want{401, 403, 200}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{}
			if c.addr != "" {
				env["ADDR"] = c.addr
			}
			if c.addr != "" && !LoopbackOnly(c.addr) { // beyond loopback the sandbox is only there when named
				env["PAYMENT_GATEWAYS"] = "sandbox"
			}
			app, in, s := embeddedShop(t, env)
			keys, err := in.KeySet(s.Auth.JWTKeys)
			if err != nil {
				t.Fatal(err)
			}
			signer, err := authn.NewSigner(authn.SignerConfig{Keys: keys, Issuer: s.Auth.Tokens.Issuer, Audience: s.Auth.Tokens.Audience})
			if err != nil {
				t.Fatal(err)
			}
			token := func(role authn.Role) string {
				tok, _, err := signer.Sign(authn.Principal{UserID: "u-" + string(role), Email: string(role) + "@shop.test", Roles: []authn.Role{role}})
				if err != nil {
					t.Fatal(err)
				}
				return tok
			}
			for who, status := range map[string]int{"": c.want.anonymous, "customer": c.want.customer, "admin": c.want.admin} {
				for _, path := range []string{"/dev/mail", "/dev/mail.json"} {
					req := httptest.NewRequest(http.MethodGet, path, nil)
					if who != "" {
						req.Header.Set("Authorization", "Bearer "+token(authn.Role(who)))
					}
					resp, err := app.Test(req, -1)
					if err != nil {
						t.Fatal(err)
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != status {
						t.Errorf("GET %s as %q = %d, want %d: %.300s", path, who, resp.StatusCode, status, body)
					}
					if status >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" {
						t.Errorf("GET %s as %q: content type %q, want problem+json", path, who, resp.Header.Get("Content-Type"))
					}
				}
			}
		})
	}
}

// TestDevMailNeverInServerMode: a server-mode notifier sends through SES and
// has no outbox, so the gateway has no /dev/mail.
func TestDevMailNeverInServerMode(t *testing.T) {
	t.Parallel()
	amqpURL, prefix := testenv.AMQP(t)
	redisClient, _ := testenv.Redis(t)
	key, err := authn.GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"SHOP_MODE": "server", "AUTH_JWT_KEYS": key.MarshalSeed(), "POSTGRES_URL": testenv.PostgresURL(t), "AMQP_URL": amqpURL, "BUS_PREFIX": prefix,
		"REDIS_URL": "redis://" + redisClient.Options().Addr + "/0", "AWS_ENDPOINT_URL_SES": testenv.SES(t),
		"MAIL_LINK_KEY": strings.Repeat("ab", 32), "CSRF_KEY": strings.Repeat("cd", 32), "WEB_DIR": t.TempDir(), "PAYMENT_GATEWAYS": "sandbox",
	}
	s, err := LoadShop(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	in := NewInfra(&s.Common, slog.New(slog.DiscardHandler))
	shopproviders.Set(&in.Providers) // as cmd/shop
	t.Cleanup(in.Close)
	ctx := context.Background()
	ntf, err := in.Notifier(ctx, s.Notifier, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ntf.DevMail != nil || ntf.Outbox != nil {
		t.Fatal("server mode built the dev outbox")
	}
	app, err := in.Gateway(ctx, s.Gateway, InProcess(ntf.Routes), ntf.DevMail)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/dev/mail", "/dev/mail.json", "/dev/mail/m1"} {
		resp, err := app.Test(httptest.NewRequest(http.MethodGet, path, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestLoopbackOnly(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "127.0.0.2:80": true, "[::1]:8080": true, "localhost:8080": true, "LOCALHOST:1": true,
		":8080": false, "0.0.0.0:8080": false, "[::]:8080": false, "10.0.0.5:8080": false, "shop.example:8080": false,
		"127.0.0.1": false, "": false,
	} {
		if got := LoopbackOnly(addr); got != want {
			t.Errorf("LoopbackOnly(%q) = %v, want %v", addr, got, want)
		}
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func get(ctx context.Context, url string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// TestMetricsOnTheInternalListener runs the whole embedded shop as its
// main does: the public port answers 404 for /metrics, METRICS_ADDR serves
// the gateway's counters.
func TestMetricsOnTheInternalListener(t *testing.T) {
	t.Parallel()
	public, internal := freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, "shop", ModeEmbedded,
			func(ctx context.Context, in *Infra, s *ShopSettings) (*fiber.App, error) {
				shopproviders.Set(&in.Providers) // as cmd/shop
				return in.Shop(ctx, s)
			},
			[]string{"-addr", public, "-metrics-addr", internal, "-seed-demo=false", "-web-dir", t.TempDir(), "-data-dir", t.TempDir(), "-log-level", "error"})
	}()
	for {
		if status, _, err := get(ctx, "http://"+public+"/healthz"); err == nil && status == 200 {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("shop stopped: %v", err)
		case <-ctx.Done():
			t.Fatal("shop never became healthy")
		case <-time.After(50 * time.Millisecond):
		}
	}
	status, body, err := get(ctx, "http://"+public+"/metrics")
	if err != nil || status != http.StatusNotFound || strings.Contains(body, "http_requests_total") {
		t.Fatalf("public /metrics = %d %v: %.300s", status, err, body)
	}
	status, body, err = get(ctx, "http://"+internal+"/metrics")
	if err != nil || status != http.StatusOK || !strings.Contains(body, `route="/healthz",service="gateway"`) {
		t.Fatalf("internal /metrics = %d %v: %.2000s", status, err, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run = %v", err)
	}
}

// TestMetricsAddrInUse: a server must not run unobserved, so a taken
// METRICS_ADDR stops it; the embedded demo starts anyway.
func TestMetricsAddrInUse(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	for mode, wantErr := range map[string]bool{ModeServer: true, ModeEmbedded: false} {
		in := NewInfra(&Common{Mode: mode, MetricsAddr: taken.Addr().String()}, slog.New(slog.DiscardHandler))
		err := in.Run(context.Background(), nil)
		if (err != nil) != wantErr || (wantErr && !strings.Contains(err.Error(), "METRICS_ADDR")) {
			t.Errorf("%s: Run = %v, want error %v", mode, err, wantErr)
		}
	}
}
