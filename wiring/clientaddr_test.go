package wiring_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/api/gateway"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/service"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/wiring"
	"github.com/evshop/shop/wiring/providers/shopproviders"
)

// serverShop is the auth service and the gateway as two server-mode
// processes would run them (each its own Infra, talking over HTTP), with the
// callers standing behind an ingress on loopback.
type serverShop struct {
	gatewayURL string
}

const (
	clientAdmin    = "admin@clientaddr.test"
	clientPassword = "client-address admin passphrase"
)

func startServerShop(t *testing.T, env map[string]string) serverShop {
	t.Helper()
	if testing.Short() {
		t.Skip("starts the auth service and the gateway on PostgreSQL and Redis")
	}
	key, err := authn.GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	_, prefix := testenv.Redis(t) // deletes the rate-limit keys at cleanup
	base := map[string]string{
		"SHOP_MODE": "server", "BUS": "memory", "POSTGRES_URL": testenv.PostgresURL(t),
		"REDIS_URL": testenv.URL(testenv.RedisURLEnv), "BUS_PREFIX": strings.TrimSuffix(prefix, ":"),
		"MAIL_LINK_KEY":    strings.Repeat("4d", 32),
		"CSRF_KEY":         strings.Repeat("c5", 32),
		"PAYMENT_GATEWAYS": "sandbox",
		"AUTH_JWT_KEYS":    key.MarshalSeed(), "AUTH_HASH_CONCURRENCY": "2", "RATE_LIMIT": "100000",
		"AUTH_BOOTSTRAP_ADMIN_EMAIL": clientAdmin, "AUTH_BOOTSTRAP_ADMIN_PASSWORD": clientPassword,
	}
	for k, v := range env {
		base[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	log := slog.New(slog.DiscardHandler)
	infra := func() (*wiring.Infra, *wiring.ShopSettings) {
		// The shop's settings in server mode hold both services' groups.
		s, err := wiring.LoadShop(func(k string) (string, bool) { v, ok := base[k]; return v, ok })
		if err != nil {
			t.Fatal(err)
		}
		in := wiring.NewInfra(&s.Common, log)
		shopproviders.Set(&in.Providers) // as cmd/shop
		t.Cleanup(in.Close)
		return in, s
	}
	serve := func(app *fiber.App) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { defer close(done); _ = service.Serve(ctx, app, ln, log) }()
		t.Cleanup(func() { cancel(); <-done })
		return "http://" + ln.Addr().String()
	}

	authIn, s := infra()
	a, err := authIn.Auth(ctx, s.Auth)
	if err != nil {
		t.Fatal(err)
	}
	authApp := authIn.NewApp("auth")
	wiring.MountAll(authApp, a.Routes)
	authURL := serve(authApp)

	gwIn, s := infra()
	gw, err := gwIn.Gateway(ctx, s.Gateway, []gateway.Route{{Prefix: "/api/auth", Target: authURL}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return serverShop{gatewayURL: serve(gw)}
}

// caller is one browser behind the ingress: the ingress (this test, on
// loopback) writes the caller's address into X-Forwarded-For.
type caller struct {
	t      *testing.T
	base   string
	client *http.Client
	csrf   string
	xff    string
}

func (s serverShop) caller(t *testing.T, xff string) *caller {
	jar, _ := cookiejar.New(nil)
	c := &caller{t: t, base: s.gatewayURL, client: &http.Client{Jar: jar, Timeout: 30 * time.Second}, xff: xff}
	var tok struct{ Token string }
	if status := c.do(http.MethodGet, "/api/auth/csrf", nil, &tok); status != http.StatusOK {
		t.Fatalf("csrf: %d", status)
	}
	c.csrf = tok.Token
	return c
}

func (c *caller) do(method, path string, body, out any) int {
	c.t.Helper()
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(raw))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.csrf != "" {
		req.Header.Set(gateway.CSRFHeader, c.csrf)
	}
	if c.xff != "" {
		req.Header.Set("X-Forwarded-For", c.xff)
	}
	res, err := c.client.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	if out != nil && res.StatusCode < 300 {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			c.t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return res.StatusCode
}

func (c *caller) login(email, password string) int {
	return c.do(http.MethodPost, "/api/auth/login", map[string]string{"email": email, "password": password}, nil)
}

// TestLoginFloodBehindProxyLimitsOnlyTheFlooder: behind a trusted ingress
// each client has its own auth limit, so one client's login flood does not
// lock another client out, and the flooder cannot escape its limit by
// making up an address the gateway does not get from a trusted proxy.
func TestLoginFloodBehindProxyLimitsOnlyTheFlooder(t *testing.T) {
	t.Parallel()
	shop := startServerShop(t, map[string]string{"TRUSTED_PROXIES": "127.0.0.0/8,::1/128"})
	flooder := shop.caller(t, "203.0.113.10")
	limited := false
	// The login limit is 30 per minute per address; distinct accounts keep
	// the per-account limit out of the way.
	for i := range 40 {
		status := flooder.login(fmt.Sprintf("nobody%d@clientaddr.test", i), "wrong password here")
		if status == http.StatusTooManyRequests {
			limited = true
			break
		}
		if status != http.StatusUnauthorized {
			t.Fatalf("login %d: %d, want 401", i, status)
		}
	}
	if !limited {
		t.Fatal("40 failed logins from one client were never limited")
	}
	// A forged left-most hop is the client's own writing: same client.
	forged := shop.caller(t, "198.51.100.99, 203.0.113.10")
	if status := forged.login("someone@clientaddr.test", "wrong password here"); status != http.StatusTooManyRequests {
		t.Fatalf("flooder with a forged hop: %d, want 429", status)
	}
	other := shop.caller(t, "203.0.113.20")
	if status := other.login(clientAdmin, clientPassword); status != http.StatusOK {
		t.Fatalf("another client's login after the flood: %d, want 200", status)
	}
}

// TestGatewayLimitPerClient: the gateway's own per-address limit counts each
// client behind a trusted proxy separately, and believes no X-Forwarded-For
// from a peer that is not a trusted proxy.
func TestGatewayLimitPerClient(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		trusted   string
		wantOther int // status of a second client after the first used the limit up
	}{
		{"trusted ingress: separate buckets", "127.0.0.0/8", http.StatusOK},
		{"untrusted peer: the header is ignored", "192.0.2.0/24", http.StatusTooManyRequests},
		{"server default trusts nobody", "", http.StatusTooManyRequests},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			shop := startServerShop(t, map[string]string{"TRUSTED_PROXIES": tc.trusted, "RATE_LIMIT": "5"})
			first := shop.caller(t, "203.0.113.30") // the csrf fetch counts too
			status := 0
			for range 10 {
				if status = first.do(http.MethodGet, "/api/auth/csrf", nil, nil); status == http.StatusTooManyRequests {
					break
				}
			}
			if status != http.StatusTooManyRequests {
				t.Fatalf("first client never limited: last status %d", status)
			}
			other := &caller{t: t, base: shop.gatewayURL, client: &http.Client{Timeout: 30 * time.Second}, xff: "203.0.113.31"}
			if got := other.do(http.MethodGet, "/api/auth/csrf", nil, nil); got != tc.wantOther {
				t.Fatalf("second client: %d, want %d", got, tc.wantOther)
			}
		})
	}
}
