package gateway_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/api/auth"
	"github.com/evshop/shop/api/basket"
	"github.com/evshop/shop/api/gateway"
	"github.com/evshop/shop/platform/authn"
)

// cspDirective returns the sources of one directive of a policy ("" when absent).
func cspDirective(policy, name string) string {
	for _, d := range strings.Split(policy, ";") {
		d = strings.TrimSpace(d)
		if d == name || strings.HasPrefix(d, name+" ") {
			return strings.TrimSpace(strings.TrimPrefix(d, name))
		}
	}
	return ""
}

// TestRouteKeepsItsOwnCSP: the gateway's policy applies where a route sets
// none; a route's own (stricter, or framing itself) policy and frame options
// survive, in-process, at the root and through the proxy.
func TestRouteKeepsItsOwnCSP(t *testing.T) {
	t.Parallel()
	const strict = "default-src 'none'; frame-ancestors 'none'"
	const framed = "sandbox; default-src 'none'; frame-ancestors 'self'"
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Security-Policy", strict)
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<p>upstream"))
	}))
	defer upstream.Close()
	s := newStack(t, options{
		routes: []gateway.Route{
			{Prefix: "/api/own", Mount: func(r fiber.Router) {
				r.Get("/page", func(c *fiber.Ctx) error {
					c.Set("Content-Security-Policy", strict)
					return c.SendString("own")
				})
				r.Get("/plain", func(c *fiber.Ctx) error { return c.SendString("plain") })
			}},
			{Prefix: "/api/proxied", Target: upstream.URL},
		},
		root: func(r fiber.Router) {
			r.Get("/dev/mail/m1/html", func(c *fiber.Ctx) error {
				c.Set("Content-Security-Policy", framed)
				c.Set(fiber.HeaderXFrameOptions, "SAMEORIGIN")
				return c.SendString("<p>mail")
			})
		},
	})
	b := s.browser(t)
	site := b.do("GET", "/api/own/plain", nil).header.Get("Content-Security-Policy")
	if cspDirective(site, "frame-ancestors") != "'none'" || cspDirective(site, "script-src") != "'self'" {
		t.Fatalf("site policy = %q", site)
	}
	tests := []struct {
		path, csp, frameOptions string
	}{
		{"/api/own/page", strict, "DENY"},
		{"/api/proxied/page", strict, "DENY"},
		{"/dev/mail/m1/html", framed, "SAMEORIGIN"},
		{"/api/own/plain", site, "DENY"},
	}
	for _, tt := range tests {
		r := b.do("GET", tt.path, nil)
		wantStatus(t, r, 200)
		if got := r.header.Values("Content-Security-Policy"); len(got) != 1 || got[0] != tt.csp {
			t.Errorf("%s: CSP = %q, want %q", tt.path, got, tt.csp)
		}
		if got := r.header.Get("X-Frame-Options"); got != tt.frameOptions {
			t.Errorf("%s: X-Frame-Options = %q, want %q", tt.path, got, tt.frameOptions)
		}
	}
	// The API reference is rendered on the server: no script, no fetch, no frames.
	docs := b.do("GET", "/api/docs", nil)
	wantStatus(t, docs, 200)
	policy := docs.header.Get("Content-Security-Policy")
	for directive, want := range map[string]string{"default-src": "'none'", "frame-ancestors": "'none'", "form-action": "'none'"} {
		if got := cspDirective(policy, directive); got != want {
			t.Errorf("docs %s = %q, want %q (policy %q)", directive, got, want, policy)
		}
	}
	if strings.Contains(policy, "script-src") {
		t.Errorf("docs policy allows script: %q", policy)
	}
}

// TestStripeJSOnlyWhenStripeIsConfigured: the storefront may load Stripe.js,
// call Stripe's API and frame its fields exactly when Stripe is a gateway.
func TestStripeJSOnlyWhenStripeIsConfigured(t *testing.T) {
	t.Parallel()
	for _, stripe := range []bool{false, true} {
		s := newStack(t, options{stripeJS: stripe})
		policy := s.browser(t).do("GET", "/api/openapi.json", nil).header.Get("Content-Security-Policy")
		want := map[string][]string{
			"script-src":  {"https://js.stripe.com"},
			"connect-src": {"https://api.stripe.com"},
			"frame-src":   {"https://js.stripe.com", "https://hooks.stripe.com"},
		}
		for directive, sources := range want {
			got := cspDirective(policy, directive)
			for _, src := range sources {
				if strings.Contains(got, src) != stripe {
					t.Errorf("stripe=%v: %s = %q; has %s: %v", stripe, directive, got, src, !stripe)
				}
			}
		}
		if !stripe && (strings.Contains(policy, "stripe") || cspDirective(policy, "frame-src") != "'none'") {
			t.Errorf("without Stripe: %q", policy)
		}
		if cspDirective(policy, "script-src") == "" || !strings.Contains(cspDirective(policy, "script-src"), "'self'") ||
			strings.Contains(policy, "unsafe-eval") || strings.Contains(cspDirective(policy, "script-src"), "unsafe-inline") {
			t.Errorf("stripe=%v: script-src loosened: %q", stripe, policy)
		}
	}
}

// TestNoMetricsOnThePublicPort: /metrics is served on the internal listener
// only; the gateway answers 404 problem+json, not the storefront's shell.
func TestNoMetricsOnThePublicPort(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html><title>shop</title>"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, static := range []string{"", dir} {
		b := newStack(t, options{staticDir: static}).browser(t)
		for _, method := range []string{"GET", "HEAD"} {
			r := b.do(method, "/metrics", nil)
			if method == "HEAD" {
				wantStatus(t, r, 404)
				continue
			}
			wantProblem(t, r, 404)
			if strings.Contains(string(r.body), "http_requests_total") || strings.Contains(string(r.body), "<title>shop") {
				t.Fatalf("static=%q: /metrics body %s", static, r.body)
			}
		}
	}
}

// TestPlantedPlainCookiesAreIgnored: over HTTPS only the __Host-/__Secure-
// cookies count. An unprefixed cookie can be planted by a sibling subdomain
// or over plain HTTP: an attacker's access token planted as "access" must not
// sign the visitor in as the attacker, in-process or through the proxy.
// Plain-HTTP shops keep using the unprefixed names.
func TestPlantedPlainCookiesAreIgnored(t *testing.T) {
	t.Parallel()
	var upstreamCookies string
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		upstreamCookies = r.Header.Get("Cookie")
		w.WriteHeader(204)
	}))
	defer upstream.Close()
	for _, secure := range []bool{true, false} {
		s := newStack(t, options{secure: secure, routes: []gateway.Route{{Prefix: "/api/proxied", Target: upstream.URL}}})
		token, _, err := s.signer.Sign(authn.Principal{UserID: "attacker", Email: "mallory@shop.test", Roles: []authn.Role{authn.RoleCustomer}})
		if err != nil {
			t.Fatal(err)
		}
		b := s.browser(t)
		b.cookies[authn.AccessCookieInsecure] = &http.Cookie{Name: authn.AccessCookieInsecure, Value: token}
		b.cookies[auth.RefreshCookieInsecure] = &http.Cookie{Name: auth.RefreshCookieInsecure, Value: "planted"}
		b.cookies[basket.GuestCookie] = &http.Cookie{Name: basket.GuestCookie, Value: "7f9c2a8e-5b1d-4c3e-9a7f-2d4b6e8f0a1c"}
		b.cookies["unrelated"] = &http.Cookie{Name: "unrelated", Value: "1"}
		r := b.do("GET", "/api/demo/private", nil)
		if secure {
			wantProblem(t, r, 401)
		} else {
			wantStatus(t, r, 200)
		}
		wantStatus(t, b.do("GET", "/api/proxied/x", nil), 204)
		for _, name := range []string{authn.AccessCookieInsecure, auth.RefreshCookieInsecure, basket.GuestCookie} {
			if got := strings.Contains(upstreamCookies, name+"="); got == secure {
				t.Errorf("secure=%v: upstream got cookies %q (%s passed: %v)", secure, upstreamCookies, name, got)
			}
		}
		if !strings.Contains(upstreamCookies, "unrelated=1") {
			t.Errorf("secure=%v: upstream lost an unrelated cookie: %q", secure, upstreamCookies)
		}
		// A planted plain CSRF cookie with its own token pair does not
		// pass the double-submit check of an HTTPS shop.
		if secure {
			plain := s.browser(t)
			r := plain.do("GET", "/api/auth/csrf", nil)
			token := r.json(t)["token"].(string)
			plain.cookies = map[string]*http.Cookie{gateway.CSRFCookieInsecure: {Name: gateway.CSRFCookieInsecure, Value: token}}
			plain.csrf = token
			wantProblem(t, plain.do("POST", "/api/demo/echo", `{}`), 403)
		}
	}
}

// TestHSTSOnlyOverHTTPS: an HTTPS shop (COOKIE_SECURE) sends HSTS on every
// response; a plain-HTTP one never does.
func TestHSTSOnlyOverHTTPS(t *testing.T) {
	t.Parallel()
	for _, secure := range []bool{true, false} {
		b := newStack(t, options{secure: secure}).browser(t)
		for _, path := range []string{"/api/openapi.json", "/api/nothing", "/api/auth/csrf"} {
			hsts := b.do("GET", path, nil).header.Get("Strict-Transport-Security")
			if (hsts != "") != secure || (secure && !strings.Contains(hsts, "max-age=63072000")) {
				t.Errorf("secure=%v %s: HSTS %q", secure, path, hsts)
			}
		}
	}
}
