package auth_test

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/api/auth"
	ident "github.com/evshop/shop/commands/identity"
	"github.com/evshop/shop/commands/identity/memstore"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/platform/ratelimit"
	"github.com/evshop/shop/platform/sealed"
)

const (
	cookieEmail    = "cookie@shop.test"
	cookiePassword = "correct horse battery staple"
)

func cookieApp(t *testing.T, secure bool) *fiber.App {
	t.Helper()
	ctx := context.Background()
	key := func() []byte {
		k := make([]byte, 32)
		if _, err := rand.Read(k); err != nil {
			t.Fatal(err)
		}
		return k
	}
	log := slog.New(slog.DiscardHandler)
	store := memstore.New()
	hasher, err := ident.NewArgon2id(ident.DefaultArgon2Params, 1)
	if err != nil {
		t.Fatal(err)
	}
	box, _ := sealed.New(key())
	svc, err := ident.NewService(ctx, ident.Config{Log: log, Store: store, Sessions: memstore.NewSessions(nil), Hasher: hasher, Sealer: box, TokenKey: key()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.BootstrapAdmin(ctx, cookieEmail, cookiePassword, "Cookie Tester"); err != nil {
		t.Fatal(err)
	}
	keys, _ := authn.GenerateKeySet()
	signer, _ := authn.NewSigner(authn.SignerConfig{Keys: keys, Issuer: "evshop-auth", Audience: "evshop"})
	verifier, _ := authn.NewVerifier(authn.VerifierConfig{Keys: keys, Issuer: "evshop-auth", Audience: "evshop"})
	api, err := auth.New(auth.Deps{Log: log, Service: svc, Signer: signer, Keys: keys, Verifier: verifier,
		Limiter: ratelimit.NewMemory(nil), CookieSecure: secure})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(httpx.AppConfig(log))
	api.Mount(app.Group("/api/auth"))
	return app
}

func call(t *testing.T, app *fiber.App, method, path, body string, cookies ...*http.Cookie) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func cookieNamed(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// TestSessionCookies: an HTTPS shop sets __Host-access (Secure, Path=/, no
// Domain: what the prefix requires) and __Secure-refresh (Secure, scoped to
// /api/auth, which __Host- would not allow); a plain-HTTP shop
// (COOKIE_SECURE=false) sets the unprefixed names without Secure. Each mode
// refreshes and clears only its own names, so a refresh cookie planted under
// the other name does nothing.
func TestSessionCookies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name                     string
		secure                   bool
		access, refresh, planted string
	}{
		{"https", true, authn.AccessCookieSecure, auth.RefreshCookieSecure, auth.RefreshCookieInsecure},
		{"plain http", false, authn.AccessCookieInsecure, auth.RefreshCookieInsecure, auth.RefreshCookieSecure},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			app := cookieApp(t, c.secure)
			login := call(t, app, "POST", "/api/auth/login", `{"email":"`+cookieEmail+`","password":"`+cookiePassword+`"}`)
			if login.StatusCode != 200 {
				t.Fatalf("login = %d", login.StatusCode)
			}
			a, r := cookieNamed(login, c.access), cookieNamed(login, c.refresh)
			if a == nil || a.Secure != c.secure || !a.HttpOnly || a.Path != "/" || a.Domain != "" || a.SameSite != http.SameSiteLaxMode {
				t.Fatalf("access cookie = %+v", a)
			}
			if r == nil || r.Secure != c.secure || !r.HttpOnly || r.Path != "/api/auth" || r.Domain != "" || r.SameSite != http.SameSiteStrictMode {
				t.Fatalf("refresh cookie = %+v", r)
			}
			if cookieNamed(login, c.planted) != nil || len(login.Cookies()) != 2 {
				t.Fatalf("login set %v", login.Cookies())
			}
			if got := call(t, app, "GET", "/api/auth/me", "", a).StatusCode; got != 200 {
				t.Fatalf("me with the access cookie = %d", got)
			}
			if got := call(t, app, "POST", "/api/auth/refresh", "", &http.Cookie{Name: c.planted, Value: r.Value}).StatusCode; got != 401 {
				t.Fatalf("refresh with the other mode's cookie name = %d, want 401", got)
			}
			refreshed := call(t, app, "POST", "/api/auth/refresh", "", r)
			if refreshed.StatusCode != 200 || cookieNamed(refreshed, c.access) == nil || cookieNamed(refreshed, c.refresh) == nil {
				t.Fatalf("refresh = %d, cookies %v", refreshed.StatusCode, refreshed.Cookies())
			}
			out := call(t, app, "POST", "/api/auth/logout", "", cookieNamed(refreshed, c.refresh))
			for _, name := range []string{c.access, c.refresh} {
				ck := cookieNamed(out, name)
				if ck == nil || ck.Value != "" || !(ck.MaxAge < 0 || (!ck.Expires.IsZero() && ck.Expires.Before(time.Now()))) || ck.Secure != c.secure {
					t.Errorf("logout did not clear %s: %+v", name, ck)
				}
			}
		})
	}
}
