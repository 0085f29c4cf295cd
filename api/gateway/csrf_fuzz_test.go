package gateway

import (
	"crypto/rand"
	"log/slog"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/platform/testenv"
)

// FuzzCSRFAndCookies drives the gateway's CSRF check and token verification
// with arbitrary Cookie, X-CSRF-Token, Origin, Sec-Fetch-Site and
// Authorization headers: no panic, refusals are 4xx problems, and an unsafe
// request gets through only with a cookie and header holding the same token
// this gateway signed.
func FuzzCSRFAndCookies(f *testing.F) {
	key := make([]byte, 32)
	rand.Read(key) //nolint:errcheck
	x := csrf{key: key, origins: []string{"https://app.shop.test"}, exempt: []string{"/api/payments/webhooks/stripe"}}
	good := x.mint()
	keys, err := authn.GenerateKeySet()
	if err != nil {
		f.Fatal(err)
	}
	verifier, err := authn.NewVerifier(authn.VerifierConfig{Keys: keys, Issuer: "i", Audience: "a"})
	if err != nil {
		f.Fatal(err)
	}
	app := fiber.New(httpx.AppConfig(slog.New(slog.DiscardHandler)))
	app.Use("/api", x.check)
	app.Use("/api", verifyToken(verifier))
	app.Get("/api/auth/csrf", x.issue)
	ok := func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"ok": true}) }
	app.All("/api/auth/login", ok)
	app.All("/api/demo", ok)
	app.All("/api/payments/webhooks/stripe", ok)

	methods := []string{"POST", "GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
	paths := []string{"/api/auth/login", "/api/demo", "/api/payments/webhooks/stripe", "/api/auth/csrf"}
	seeds := []struct {
		sel                                 uint8
		cookie, header, origin, site, authz string
	}{
		{0, "csrf=" + good, good, "", "", ""},
		{0, "csrf=" + good, good, "https://evil.test", "cross-site", ""},
		{0, "csrf=" + good, good, "null", "", ""},
		{0, "csrf=" + good, good, "https://app.shop.test", "same-site", ""},
		{0, "csrf=" + good + "x", good + "x", "", "", ""},
		{0, "csrf=a.b; csrf=" + good, good, "", "", ""},
		{0, "csrf=" + good[:10], good[:10], "http://shop.test", "same-origin", ""},
		{0, "csrf=.", ".", "", "", ""},
		{4, "csrf=" + good + "; access=eyJhbGciOiJub25lIn0.e30.", good, "", "", "Bearer x.y.z"},
		{4, "__Host-access=" + strings.Repeat("a", 5000), good, "", "", "Bearer"},
		{3, "csrf=%zz", "", "", "none", ""},
		{2, "", "", "", "", ""},
	}
	for _, s := range seeds {
		f.Add(s.sel, s.cookie, s.header, s.origin, s.site, s.authz)
	}
	f.Fuzz(func(t *testing.T, sel uint8, cookie, header, origin, site, authz string) {
		method, path := methods[int(sel)%len(methods)], paths[int(sel/8)%len(paths)]
		hr := testenv.HTTPRequest{Method: method, Target: path}
		for _, h := range [][2]string{{"Cookie", cookie}, {CSRFHeader, header}, {"Origin", origin}, {"Sec-Fetch-Site", site}, {"Authorization", authz}} {
			if v := strings.Map(func(r rune) rune {
				if r == '\r' || r == '\n' || r == 0 {
					return -1
				}
				return r
			}, h[1]); v != "" {
				hr.Header = append(hr.Header, [2]string{h[0], v})
			}
		}
		res := testenv.Serve(app, hr)
		testenv.CheckHostile(t, method+" "+path, res)
		if res.Status < 300 && !safeMethod(method) && path != "/api/payments/webhooks/stripe" {
			// Only a token we signed, in both places, opens an unsafe method.
			tok := csrfHeaderValue(hr.Header)
			if tok == "" || !x.valid(tok) || !strings.Contains(cookie, "csrf="+tok) {
				t.Fatalf("%s %s accepted without a matching signed token (cookie %q, header %q)", method, path, cookie, tok)
			}
		}
	})
}

func csrfHeaderValue(h [][2]string) string {
	for _, kv := range h {
		if kv[0] == CSRFHeader {
			return kv[1]
		}
	}
	return ""
}
