package gateway_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/evshop/shop/api/auth"
	"github.com/evshop/shop/api/gateway"
	ident "github.com/evshop/shop/commands/identity"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/platform/ratelimit"
	"github.com/evshop/shop/platform/service"
)

func TestBadTokensAre401(t *testing.T) {
	t.Parallel()
	s := newStack(t, options{})
	kid := s.keys.JWKS().Keys[0].Kid
	pub, _ := s.keys.VerificationKey(kid)
	now := time.Now()
	claims := jwt.MapClaims{"iss": issuer, "aud": audience, "sub": "u-1", "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "roles": []string{"admin"}}
	forge := func(m jwt.SigningMethod, key any) string {
		tk := jwt.NewWithClaims(m, claims)
		tk.Header["kid"] = kid
		out, err := tk.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	good, _, _ := s.signer.Sign(authn.Principal{UserID: "u-1", Roles: []authn.Role{authn.RoleCustomer}})
	parts := strings.Split(good, ".")
	sig := []byte(parts[2])
	sig[3] ^= 1
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	expired, _ := authn.NewSigner(authn.SignerConfig{Keys: s.keys, Issuer: issuer, Audience: audience, Now: func() time.Time { return now.Add(-time.Hour) }})
	wrongAud, _ := authn.NewSigner(authn.SignerConfig{Keys: s.keys, Issuer: issuer, Audience: "another-app"})
	p := authn.Principal{UserID: "u-1", Roles: []authn.Role{authn.RoleCustomer}}
	expiredTok, _, _ := expired.Sign(p)
	wrongAudTok, _, _ := wrongAud.Sign(p)

	tokens := map[string]string{
		"tampered signature":        parts[0] + "." + parts[1] + "." + string(sig),
		"alg none":                  forge(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType),
		"HS256 with the public key": forge(jwt.SigningMethodHS256, []byte(pub)),
		"RS256":                     forge(jwt.SigningMethodRS256, rsaKey),
		"expired":                   expiredTok,
		"wrong audience":            wrongAudTok,
		"missing":                   "",
	}
	for name, tok := range tokens {
		for _, path := range []string{"/api/auth/me", "/api/demo/private"} {
			t.Run(name+" "+path, func(t *testing.T) {
				t.Parallel()
				for _, how := range []string{"cookie", "bearer"} {
					b := s.browser(t)
					if tok != "" && how == "cookie" {
						b.cookies["access"] = &http.Cookie{Name: "access", Value: tok}
					}
					if tok != "" && how == "bearer" {
						b.headers["Authorization"] = "Bearer " + tok
					}
					wantProblem(t, b.do("GET", path, nil), 401)
				}
			})
		}
	}
	t.Run("the genuine token passes", func(t *testing.T) {
		t.Parallel()
		b := s.browser(t)
		b.headers["Authorization"] = "Bearer " + good
		wantStatus(t, b.do("GET", "/api/demo/private", nil), 200)
	})
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	s := newStack(t, options{})
	b := s.browser(t)
	b.fetchCSRF()
	good := b.csrf
	body := map[string]string{"email": "x@shop.test", "password": "whatever it is"}
	cases := []struct {
		name   string
		setup  func(b *browser)
		status int
	}{
		{"no header", func(b *browser) { b.csrf = "" }, 403},
		{"no cookie", func(b *browser) { delete(b.cookies, "csrf") }, 403},
		{"mismatch", func(b *browser) { b.csrf = strings.Replace(good, good[:4], "AAAA", 1) }, 403},
		{"forged pair", func(b *browser) {
			b.csrf = "abc.def"
			b.cookies["csrf"] = &http.Cookie{Name: "csrf", Value: "abc.def"}
		}, 403},
		{"cross-site fetch", func(b *browser) { b.headers["Sec-Fetch-Site"] = "cross-site" }, 403},
		{"foreign origin", func(b *browser) { b.headers["Origin"] = "https://evil.test" }, 403},
		{"null origin", func(b *browser) { b.headers["Origin"] = "null" }, 403},
		{"valid same-origin", func(b *browser) {
			b.headers["Sec-Fetch-Site"] = "same-origin"
			b.headers["Origin"] = "http://example.com"
		}, 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := s.browser(t)
			c.csrf = good
			c.cookies["csrf"] = &http.Cookie{Name: "csrf", Value: good}
			tc.setup(c)
			r := c.do("POST", "/api/auth/login", body)
			wantProblem(t, r, tc.status)
		})
	}
	t.Run("every unsafe method is guarded", func(t *testing.T) {
		t.Parallel()
		c := s.browser(t)
		for _, m := range []string{"POST", "PUT", "PATCH", "DELETE"} {
			wantProblem(t, c.do(m, "/api/demo/echo", `{}`), 403)
		}
	})
	t.Run("a second fetch keeps the token", func(t *testing.T) {
		t.Parallel()
		c := s.browser(t)
		c.fetchCSRF()
		first := c.csrf
		c.fetchCSRF()
		if c.csrf != first {
			t.Fatal("a second GET /csrf replaced a valid token")
		}
	})
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend+" gateway per IP", func(t *testing.T) {
			t.Parallel()
			s := newStack(t, options{backend: backend, gatewayRate: ratelimit.Limit{Events: 5, Window: 600 * time.Millisecond}})
			b := s.browser(t)
			for i := range 5 {
				if r := b.do("GET", "/api/openapi.json", nil); r.status != 200 {
					t.Fatalf("call %d: %d", i, r.status)
				}
			}
			r := b.do("GET", "/api/openapi.json", nil)
			wantProblem(t, r, 429)
			if r.header.Get("Retry-After") == "" {
				t.Fatal("no Retry-After")
			}
			time.Sleep(700 * time.Millisecond)
			wantStatus(t, b.do("GET", "/api/openapi.json", nil), 200)
		})
		t.Run(backend+" login per account", func(t *testing.T) {
			t.Parallel()
			lim := auth.DefaultLimits()
			lim.LoginPerAccount = ratelimit.Limit{Events: 2, Window: 3 * time.Second}
			s := newStack(t, options{backend: backend, authLimits: &lim})
			b := s.browser(t)
			b.signUp("limited@shop.test", password)
			wrong := map[string]string{"email": "limited@shop.test", "password": "not the password"}
			// signUp used one attempt; one more wrong try, then the account is locked for the window.
			wantProblem(t, b.do("POST", "/api/auth/login", wrong), 401)
			r := b.do("POST", "/api/auth/login", map[string]string{"email": "limited@shop.test", "password": password})
			wantProblem(t, r, 429)
			// Unknown accounts are limited the same way, so 429 reveals nothing.
			ghost := map[string]string{"email": "ghost@shop.test", "password": "not the password"}
			wantProblem(t, b.do("POST", "/api/auth/login", ghost), 401)
			wantProblem(t, b.do("POST", "/api/auth/login", ghost), 401)
			wantProblem(t, b.do("POST", "/api/auth/login", ghost), 429)
			time.Sleep(3100 * time.Millisecond)
			wantStatus(t, b.do("POST", "/api/auth/login", map[string]string{"email": "limited@shop.test", "password": password}), 200)
		})
	}
}

// verifications records the parameters of each password verification (the
// encoded hash up to its salt: algorithm, version, memory, time, threads).
type verifications struct {
	ident.PasswordHasher
	mu     sync.Mutex
	params []string
}

func (v *verifications) Verify(ctx context.Context, encoded, plain string) (bool, error) {
	p := encoded
	if i := strings.LastIndex(p, "$"); i > 0 {
		if j := strings.LastIndex(p[:i], "$"); j > 0 {
			p = p[:j]
		}
	}
	v.mu.Lock()
	v.params = append(v.params, p)
	v.mu.Unlock()
	return v.PasswordHasher.Verify(ctx, encoded, plain)
}

func (v *verifications) take() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := v.params
	v.params = nil
	return out
}

// TestLoginDoesNotRevealAccounts: a failed login answers the same for a
// known and an unknown address, and does the same work: exactly one
// password verification with the same argon2id parameters (the unknown
// address is checked against a decoy hash). Counting the work instead of
// timing it keeps the test exact on a loaded machine.
func TestLoginDoesNotRevealAccounts(t *testing.T) {
	t.Parallel()
	hashes := &verifications{}
	s := newStack(t, options{hashes: hashes})
	b := s.browser(t)
	b.signUp("known@shop.test", password)
	hashes.take()
	login := func(email string) (response, []string) {
		r := b.do("POST", "/api/auth/login", map[string]string{"email": email, "password": "wrong password here"})
		return r, hashes.take()
	}
	known, kp := login("known@shop.test")
	unknown, up := login("nobody@shop.test")
	malformed, mp := login("not an address")
	wantProblem(t, known, 401)
	for name, r := range map[string]response{"unknown": unknown, "malformed": malformed} {
		if r.status != known.status || string(r.body) != string(known.body) {
			t.Fatalf("%s address: answer differs: %d %s vs %d %s", name, r.status, r.body, known.status, known.body)
		}
	}
	if len(kp) != 1 || len(up) != 1 || len(mp) != 1 {
		t.Fatalf("password verifications: known %d, unknown %d, malformed %d; want one each", len(kp), len(up), len(mp))
	}
	if kp[0] != up[0] || kp[0] != mp[0] {
		t.Fatalf("verification parameters differ: known %q, unknown %q, malformed %q", kp[0], up[0], mp[0])
	}
}

func TestOwnership(t *testing.T) {
	t.Parallel()
	s := newStack(t, options{})
	alice, bob := s.browser(t), s.browser(t)
	aliceID := alice.signUp("alice@shop.test", password)
	bobID := bob.signUp("bob@shop.test", password)
	wantStatus(t, alice.do("GET", "/api/auth/users/"+aliceID, nil), 200)
	wantProblem(t, alice.do("GET", "/api/auth/users/"+bobID, nil), 404)
	wantProblem(t, alice.do("GET", "/api/auth/users/no-such-id", nil), 404)
	wantProblem(t, alice.do("GET", "/api/demo/admin", nil), 403)

	if _, err := s.svc.BootstrapAdmin(t.Context(), "root@shop.test", "an admin passphrase", "Root"); err != nil {
		t.Fatal(err)
	}
	admin := s.browser(t)
	admin.fetchCSRF()
	wantStatus(t, admin.do("POST", "/api/auth/login", map[string]string{"email": "root@shop.test", "password": "an admin passphrase"}), 200)
	wantStatus(t, admin.do("GET", "/api/auth/users/"+bobID, nil), 200)
	wantStatus(t, admin.do("GET", "/api/demo/admin", nil), 200)
	// Bootstrapping again is idempotent and the public API cannot create admins.
	if created, err := s.svc.BootstrapAdmin(t.Context(), "root@shop.test", "an admin passphrase", "Root"); err != nil || created {
		t.Fatalf("second bootstrap: %v %v", created, err)
	}
	r := alice.do("POST", "/api/auth/register", map[string]any{"email": "mallory@shop.test", "password": password, "name": "M", "roles": []string{"admin"}})
	wantProblem(t, r, 422)
}

func TestBadInputIsProblemJSON(t *testing.T) {
	t.Parallel()
	s := newStack(t, options{bodyLimit: 4096})
	b := s.browser(t)
	b.fetchCSRF()
	cases := []struct {
		name, method, path string
		body               any
		ctype              string
		status             int
	}{
		{"malformed JSON", "POST", "/api/auth/login", `{"email":`, "", 400},
		{"unknown field", "POST", "/api/auth/login", `{"email":"a@b.test","password":"x","extra":1}`, "", 422},
		{"wrong type", "POST", "/api/auth/register", `{"email":"a@b.test","password":5,"name":"x"}`, "", 422},
		{"empty body", "POST", "/api/auth/verify", ``, "", 400},
		{"too deep", "POST", "/api/demo/echo", strings.Repeat("[", 100) + strings.Repeat("]", 100), "", 400},
		{"not JSON content type", "POST", "/api/auth/login", `{"email":"a@b.test","password":"x"}`, "text/plain", 415},
		{"weak password", "POST", "/api/auth/register", `{"email":"w@b.test","password":"qwerty123","name":"W"}`, "", 422},
		{"bad email", "POST", "/api/auth/register", `{"email":"not-an-email","password":"a long and unusual one","name":"W"}`, "", 422},
		{"unknown path", "GET", "/api/nothing/here", nil, "", 404},
		{"wrong method", "GET", "/api/auth/login", nil, "", 405},
		{"wrong unsafe method", "DELETE", "/api/auth/me", nil, "", 405},
		{"forged verify token", "POST", "/api/auth/verify", `{"token":"eyJwIjoidmVyaWZ5In0.AAAA"}`, "", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := s.browser(t)
			c.csrf, c.cookies = b.csrf, b.cookies
			if tc.ctype != "" {
				c.headers["Content-Type"] = tc.ctype
			}
			r := c.do(tc.method, tc.path, tc.body)
			wantProblem(t, r, tc.status)
		})
	}
}

func TestHeadersAndRequestID(t *testing.T) {
	t.Parallel()
	s := newStack(t, options{})
	b := s.browser(t)
	r := b.do("GET", "/api/openapi.json", nil)
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"} {
		if r.header.Get(h) == "" {
			t.Errorf("missing %s", h)
		}
	}
	if !strings.Contains(r.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Error("CSP without frame-ancestors")
	}
	if id := r.header.Get("X-Request-ID"); len(id) < 16 {
		t.Errorf("no generated request id: %q", id)
	}
	b.headers["X-Request-ID"] = "req-12345"
	if id := b.do("GET", "/api/nothing", nil).header.Get("X-Request-ID"); id != "req-12345" {
		t.Errorf("request id not propagated: %q", id)
	}
}

func TestCORS(t *testing.T) {
	t.Parallel()
	s := newStack(t, options{})
	app, err := gateway.New(gateway.Config{Verifier: mustVerifier(t, s), CSRFKey: randomKey(t), Limiter: ratelimit.NewMemory(nil),
		AllowedOrigins: []string{"https://shop.example"}})
	if err != nil {
		t.Fatal(err)
	}
	pre := func(origin string) *http.Response {
		req := httptest.NewRequest("OPTIONS", "/api/auth/login", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		resp, err := app.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if r := pre("https://shop.example"); r.Header.Get("Access-Control-Allow-Origin") != "https://shop.example" || r.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Fatalf("allowed origin preflight: %v", r.Header)
	}
	if r := pre("https://evil.test"); r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("foreign origin allowed: %v", r.Header)
	}
	if _, err := gateway.New(gateway.Config{Verifier: mustVerifier(t, s), CSRFKey: randomKey(t), Limiter: ratelimit.NewMemory(nil),
		AllowedOrigins: []string{"*"}}); err == nil {
		t.Fatal("a wildcard origin with credentials was accepted")
	}
}

func mustVerifier(t *testing.T, s *stack) authn.Verifier {
	v, err := authn.NewVerifier(authn.VerifierConfig{Keys: s.keys, Issuer: issuer, Audience: audience})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOpenAPIAndDocs(t *testing.T) {
	t.Parallel()
	s := newStack(t, options{})
	b := s.browser(t)
	r := b.do("GET", "/api/openapi.json", nil)
	wantStatus(t, r, 200)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi: %v %q", err, doc.OpenAPI)
	}
	for _, want := range []string{
		"GET /api/auth/csrf", "POST /api/auth/register", "POST /api/auth/verify", "POST /api/auth/login", "POST /api/auth/logout",
		"POST /api/auth/refresh", "POST /api/auth/password/forgot", "POST /api/auth/password/reset", "POST /api/auth/password/change",
		"GET /api/auth/me", "GET /api/auth/.well-known/jwks.json", "GET /api/catalog/products", "GET /api/catalog/products/{sku}",
		"GET /api/catalog/categories", "GET /api/basket", "POST /api/basket/items", "PATCH /api/basket/items/{sku}",
		"DELETE /api/basket/items/{sku}", "POST /api/basket/checkout", "GET /api/orders", "GET /api/orders/{id}", "GET /api/payments",
		"GET /api/clients/me", "PUT /api/clients/me", "GET /api/clients/me/preferences", "PUT /api/clients/me/preferences",
		"GET /api/clients/me/export", "DELETE /api/clients/me",
	} {
		method, path, _ := strings.Cut(want, " ")
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("openapi.json lacks %s", want)
		}
	}
	r = b.do("GET", "/api/docs", nil)
	wantStatus(t, r, 200)
	if !strings.Contains(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "/api/auth/password/forgot") {
		t.Fatalf("docs page: %s", r.header.Get("Content-Type"))
	}
	jwks := b.do("GET", "/api/auth/.well-known/jwks.json", nil)
	wantStatus(t, jwks, 200)
	if !strings.Contains(string(jwks.body), `"EdDSA"`) || strings.Contains(string(jwks.body), `"d"`) {
		t.Fatalf("jwks = %s", jwks.body)
	}
}

func TestServerModeProxy(t *testing.T) {
	t.Parallel()
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/catalog/boom" {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(409)
			_, _ = io.WriteString(w, `{"type":"about:blank","title":"Conflict","status":409}`)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "upstream", Value: "1", Path: "/"})
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{
			"path": r.URL.RequestURI(), "requestId": r.Header.Get("X-Request-ID"), "cookie": r.Header.Get("Cookie"),
			"xff": r.Header.Get("X-Forwarded-For"), "method": r.Method,
		})
	}))
	defer upstream.Close()
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()

	s := newStack(t, options{routes: []gateway.Route{
		{Prefix: "/api/catalog", Target: upstream.URL},
		{Prefix: "/api/orders", Target: down.URL},
	}})
	b := s.browser(t)
	b.standIn = true
	b.fetchCSRF()
	b.headers["X-Request-ID"] = "trace-1"
	r := b.do("GET", "/api/catalog/products?q=tea&page=2", nil)
	wantStatus(t, r, 200)
	m := r.json(t)
	if m["path"] != "/api/catalog/products?q=tea&page=2" || m["requestId"] != "trace-1" || !strings.Contains(m["cookie"].(string), "csrf=") || m["xff"] == "" {
		t.Fatalf("upstream saw %v", m)
	}
	if r.cookie("upstream") == nil || r.header.Get("X-Request-ID") != "trace-1" || r.header.Get("Content-Security-Policy") == "" {
		t.Fatalf("response headers = %v", r.header)
	}
	wantProblem(t, b.do("GET", "/api/catalog/boom", nil), 409)
	r = b.do("POST", "/api/catalog/products", `{}`)
	wantStatus(t, r, 200)
	if r.json(t)["method"] != "POST" {
		t.Fatalf("upstream saw %s", r.body)
	}
	b.csrf = ""
	wantProblem(t, b.do("POST", "/api/catalog/products", `{}`), 403) // CSRF applies to proxied routes too
	wantProblem(t, b.do("GET", "/api/orders", nil), 502)
}

func TestStaticSPA(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html><title>shop</title>"), 0o600); err != nil {
		t.Fatal(err)
	}
	_ = os.MkdirAll(filepath.Join(dir, "assets"), 0o755)
	_ = os.WriteFile(filepath.Join(dir, "assets", "app.js"), []byte("console.log(1)"), 0o600)
	s := newStack(t, options{staticDir: dir})
	b := s.browser(t)
	for path, want := range map[string]string{"/": "<title>shop", "/products/tea-1": "<title>shop", "/assets/app.js": "console.log"} {
		r := b.do("GET", path, nil)
		wantStatus(t, r, 200)
		if !strings.Contains(string(r.body), want) {
			t.Fatalf("%s = %s", path, r.body)
		}
	}
	wantProblem(t, b.do("GET", "/api/unknown", nil), 404)
	// A traversal attempt is normalised inside the root: the SPA shell, never the file.
	r := b.do("GET", "/../../../../etc/passwd", nil)
	if strings.Contains(string(r.body), "root:") {
		t.Fatal("path traversal served a file outside the root")
	}
	wantStatus(t, b.do("HEAD", "/deep/link", nil), 200)
	wantProblem(t, b.do("POST", "/deep/link", `{}`), 404) // unsafe methods never get the SPA shell
}

// The storefront built into the binary (package web) is served the same
// way as a WEB_DIR directory.
func TestStaticSPAFromEmbeddedFiles(t *testing.T) {
	t.Parallel()
	files := fstest.MapFS{
		"index.html":    {Data: []byte("<!doctype html><title>embedded shop</title>")},
		"assets/app.js": {Data: []byte("console.log(2)")},
	}
	b := newStack(t, options{static: files}).browser(t)
	for path, want := range map[string]string{"/": "embedded shop", "/account/orders": "embedded shop", "/assets/app.js": "console.log(2)"} {
		r := b.do("GET", path, nil)
		wantStatus(t, r, 200)
		if !strings.Contains(string(r.body), want) {
			t.Fatalf("%s = %s", path, r.body)
		}
	}
	wantProblem(t, b.do("GET", "/api/unknown", nil), 404)
	// Without an index.html (a binary built before the web app) only the API is served.
	b = newStack(t, options{static: fstest.MapFS{".gitkeep": {}}}).browser(t)
	wantProblem(t, b.do("GET", "/", nil), 404)
}

// TestOversizedBody runs the gateway on a real listener: the body limit is
// enforced by the HTTP server before any handler, which app.Test bypasses.
func TestOversizedBody(t *testing.T) {
	t.Parallel()
	s := newStack(t, options{bodyLimit: 4096})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- service.Serve(ctx, s.app, ln, slog.New(slog.DiscardHandler)) }()
	t.Cleanup(func() { cancel(); <-done })
	body := `{"email":"` + strings.Repeat("a", 8000) + `"}`
	resp, err := http.Post("http://"+ln.Addr().String()+"/api/auth/register", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 413 || resp.Header.Get("Content-Type") != httpx.ContentTypeProblem {
		t.Fatalf("oversized body: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}
}
