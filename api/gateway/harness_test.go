package gateway_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/api/apitest"
	"github.com/evshop/shop/api/auth"
	"github.com/evshop/shop/api/gateway"
	ident "github.com/evshop/shop/commands/identity"
	"github.com/evshop/shop/commands/identity/identitytest"
	"github.com/evshop/shop/commands/identity/memstore"
	"github.com/evshop/shop/commands/identity/pgstore"
	"github.com/evshop/shop/commands/identity/redisstore"
	domain "github.com/evshop/shop/domain/identity"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/platform/ratelimit"
	"github.com/evshop/shop/platform/sealed"
	"github.com/evshop/shop/platform/testenv"
)

const (
	issuer   = "https://shop.test/api/auth"
	audience = "evshop"
)

// stack is the embedded shop's auth part behind the gateway.
type stack struct {
	app     *fiber.App
	svc     *ident.Service
	outbox  identitytest.OutboxReader
	box     *sealed.Box
	keys    *authn.KeySet
	signer  *authn.Signer
	limiter ratelimit.Limiter
}

type options struct {
	backend     string // "memory" or "real"
	gatewayRate ratelimit.Limit
	authLimits  *auth.Limits
	bodyLimit   int
	staticDir   string
	static      fs.FS
	routes      []gateway.Route
	secure      bool
	stripeJS    bool
	root        func(fiber.Router)
	// hashes, when set, records every password verification the auth
	// service runs.
	hashes *verifications
}

func randomKey(t testing.TB) []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func newStack(t *testing.T, o options) *stack {
	t.Helper()
	ctx := context.Background()
	var (
		store    ident.Store
		outbox   identitytest.OutboxReader
		sessions ident.Sessions
		limiter  ratelimit.Limiter
	)
	switch o.backend {
	case "real":
		pgs, err := pgstore.New(ctx, testenv.Postgres(t))
		if err != nil {
			t.Fatal(err)
		}
		client, prefix := testenv.Redis(t)
		store, outbox, sessions, limiter = pgs, pgs.Outbox(), redisstore.New(client, prefix+"auth:"), ratelimit.NewRedis(client, prefix+"rl:")
	default:
		ms := memstore.New()
		store, outbox, sessions, limiter = ms, ms.Outbox(), memstore.NewSessions(nil), ratelimit.NewMemory(nil)
	}
	argon, err := ident.NewArgon2id(ident.DefaultArgon2Params, 2)
	if err != nil {
		t.Fatal(err)
	}
	var hasher ident.PasswordHasher = argon
	if o.hashes != nil {
		o.hashes.PasswordHasher = argon
		hasher = o.hashes
	}
	box, _ := sealed.New(randomKey(t))
	log := slog.New(slog.DiscardHandler)
	svc, err := ident.NewService(ctx, ident.Config{Log: log, Store: store, Sessions: sessions, Hasher: hasher, Sealer: box, TokenKey: randomKey(t)})
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := authn.GenerateKeySet()
	signer, _ := authn.NewSigner(authn.SignerConfig{Keys: keys, Issuer: issuer, Audience: audience})
	verifier, _ := authn.NewVerifier(authn.VerifierConfig{Keys: keys, Issuer: issuer, Audience: audience})
	api, err := auth.New(auth.Deps{Log: log, Service: svc, Signer: signer, Keys: keys, Verifier: verifier, Limiter: limiter, Limits: o.authLimits, CookieSecure: o.secure})
	if err != nil {
		t.Fatal(err)
	}
	routes := append([]gateway.Route{{Prefix: "/api/auth", Mount: api.Mount}, {Prefix: auth.StaffPrefix, Mount: api.MountStaff}}, o.routes...)
	routes = append(routes, gateway.Route{Prefix: "/api/demo", Mount: func(r fiber.Router) {
		// A stand-in service: it checks the token and the role itself, as
		// every service must.
		r.Use(authn.Middleware(verifier))
		r.Get("/private", authn.Required(), func(c *fiber.Ctx) error {
			p, _ := authn.FromCtx(c)
			return c.JSON(fiber.Map{"userId": p.UserID})
		})
		r.Get("/admin", authn.Required(authn.RoleAdmin), func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"ok": true}) })
		r.Post("/echo", func(c *fiber.Ctx) error {
			var v map[string]any
			if err := httpx.DecodeJSON(c, &v); err != nil {
				return err
			}
			return c.JSON(v)
		})
	}})
	app, err := gateway.New(gateway.Config{Log: log, Verifier: verifier, Routes: routes, CSRFKey: randomKey(t), Limiter: limiter,
		RateLimit: o.gatewayRate, BodyLimit: o.bodyLimit, StaticDir: o.staticDir, Static: o.static, CookieSecure: o.secure, StripeJS: o.stripeJS, Root: o.root})
	if err != nil {
		t.Fatal(err)
	}
	return &stack{app: app, svc: svc, outbox: outbox, box: box, keys: keys, signer: signer, limiter: limiter}
}

// browser keeps cookies and the CSRF token like the storefront does.
type browser struct {
	t       *testing.T
	s       *stack
	cookies map[string]*http.Cookie
	csrf    string
	headers map[string]string
	// standIn says the routes are served by a stand-in upstream, whose
	// answers are not the API's and are not checked against the contract.
	standIn bool
}

func (s *stack) browser(t *testing.T) *browser {
	return &browser{t: t, s: s, cookies: map[string]*http.Cookie{}, headers: map[string]string{}}
}

type response struct {
	status  int
	header  http.Header
	body    []byte
	cookies []*http.Cookie
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	return m
}

func (r response) cookie(name string) *http.Cookie {
	for _, c := range r.cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (b *browser) do(method, path string, body any) response {
	b.t.Helper()
	var sent []byte
	switch v := body.(type) {
	case nil:
	case string:
		sent = []byte(v)
	case []byte:
		sent = v
	default:
		sent, _ = json.Marshal(v)
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(sent)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if b.csrf != "" {
		req.Header.Set(gateway.CSRFHeader, b.csrf)
	}
	for k, v := range b.headers {
		req.Header.Set(k, v)
	}
	for _, c := range b.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := b.s.app.Test(req, 10000)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if !b.standIn {
		apitest.Check(b.t, req, sent, resp.StatusCode, resp.Header, raw)
	}
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(time.Now())) {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return response{status: resp.StatusCode, header: resp.Header, body: raw, cookies: resp.Cookies()}
}

// fetchCSRF does what the SPA does on start-up.
func (b *browser) fetchCSRF() {
	b.t.Helper()
	r := b.do("GET", "/api/auth/csrf", nil)
	if r.status != 200 {
		b.t.Fatalf("csrf: %d %s", r.status, r.body)
	}
	m := r.json(b.t)
	if m["headerName"] != gateway.CSRFHeader {
		b.t.Fatalf("csrf body = %v", m)
	}
	b.csrf = m["token"].(string)
}

func wantStatus(t *testing.T, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
}

func wantProblem(t *testing.T, r response, status int) {
	t.Helper()
	wantStatus(t, r, status)
	if ct := r.header.Get("Content-Type"); ct != httpx.ContentTypeProblem {
		t.Fatalf("content type = %q, want problem+json; body %s", ct, r.body)
	}
	var p httpx.Problem
	if err := json.Unmarshal(r.body, &p); err != nil || p.Status != status || p.Title == "" {
		t.Fatalf("problem body = %s (%v)", r.body, err)
	}
}

// sealedToken finds the newest event of typ for email in the outbox and opens
// its sealed token, as the notifier would.
func (s *stack) sealedToken(t *testing.T, typ, email string) (userID, token string) {
	t.Helper()
	for e, err := range s.outbox.ReadAll(context.Background(), 0, eventstore.Filter{EventTypes: []string{typ}}) {
		if err != nil {
			t.Fatal(err)
		}
		var ev struct {
			UserID      string `json:"userId"`
			Email       string `json:"email"`
			SealedToken string `json:"sealedToken"`
		}
		if err := json.Unmarshal(e.Data, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Email != email {
			continue
		}
		if e.Stream != domain.Stream(ev.UserID) {
			t.Fatalf("event stream = %q, user %q", e.Stream, ev.UserID)
		}
		plain, err := s.box.Open(ev.SealedToken, ev.UserID)
		if err != nil {
			t.Fatalf("open sealed token: %v", err)
		}
		if strings.Contains(string(e.Data), plain) {
			t.Fatal("the plain token is in the outbox event")
		}
		userID, token = ev.UserID, plain
	}
	if token == "" {
		t.Fatalf("no %s event for %s", typ, email)
	}
	return userID, token
}

// signUp registers and verifies a customer and signs the browser in.
func (b *browser) signUp(email, password string) string {
	b.t.Helper()
	if b.csrf == "" {
		b.fetchCSRF()
	}
	wantStatus(b.t, b.do("POST", "/api/auth/register", map[string]string{"email": email, "password": password, "name": "Test"}), 201)
	id, tok := b.s.sealedToken(b.t, domain.TypeUserRegistered, email)
	wantStatus(b.t, b.do("POST", "/api/auth/verify", map[string]string{"token": tok}), 200)
	wantStatus(b.t, b.do("POST", "/api/auth/login", map[string]string{"email": email, "password": password}), 200)
	return id
}

func eventFilter(userID string) eventstore.Filter {
	return eventstore.Filter{StreamPrefixes: []string{domain.Stream(userID)}}
}
