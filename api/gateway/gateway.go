// Package gateway is the single entry of the storefront: it routes
// /api/<service>/… to each service (mounted in-process in the embedded shop,
// reverse-proxied over HTTP in server mode) behind one set of edge controls —
// request ids, per-IP rate limit, body size limit, CORS, CSRF, JWT
// verification, security headers, problem+json errors — and serves the
// OpenAPI document, its reference page and the built storefront.
package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/proxy"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"

	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/platform/ratelimit"
	"github.com/evshop/shop/platform/service"
)

// Route sends one path prefix to a service: Mount for an in-process router
// (embedded mode) or Target for an HTTP upstream (server mode).
type Route struct {
	Prefix string             // e.g. "/api/catalog"
	Mount  func(fiber.Router) // embedded: registers the service's routes relative to Prefix
	Target string             // server mode: base URL, e.g. "http://catalog:8080"; the full path is kept
}

// Config configures New.
type Config struct {
	Log      *slog.Logger
	Verifier authn.Verifier
	Routes   []Route
	// CSRFKey signs CSRF tokens; at least 32 bytes.
	CSRFKey []byte
	// CookieSecure: HTTPS deployment (__Host- cookies, HSTS; the unprefixed
	// plain-HTTP cookie names are dropped from requests). False only for
	// plain-HTTP runs (COOKIE_SECURE=false, the embedded default).
	CookieSecure bool
	// StripeJS lets the storefront load Stripe.js and its frames: set it
	// exactly when Stripe is a configured payment gateway.
	StripeJS bool
	// AllowedOrigins may call the API cross-origin with credentials (CORS);
	// empty means same-origin only.
	AllowedOrigins []string
	Limiter        ratelimit.Limiter
	RateLimit      ratelimit.Limit // per IP on /api; default 600 per minute
	BodyLimit      int             // bytes; default 1 MiB
	StaticDir      string          // a built storefront directory (WEB_DIR); wins over Static
	Static         fs.FS           // the built storefront (package web); served when it holds index.html
	TrustedProxies []netip.Prefix  // may set X-Forwarded-For
	ProxyTimeout   time.Duration   // server mode upstream timeout; default 30s
	Registry       *prometheus.Registry
	Ready          []service.Check
	// CSRFExempt are exact paths whose unsafe methods carry their own proof
	// (signed webhooks, signed unsubscribe links) instead of a CSRF token.
	CSRFExempt []string
	// Root, when set, registers routes outside /api before the storefront's
	// SPA fallback (the embedded shop's /dev/mail).
	Root func(fiber.Router)
}

// New builds the gateway app.
func New(cfg Config) (*fiber.App, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	doc, err := loadDocs()
	if err != nil {
		return nil, err
	}
	app := service.NewApp(service.AppConfig{Name: "gateway", Log: cfg.Log, Ready: cfg.Ready, BodyLimit: cfg.BodyLimit, Registry: cfg.Registry})
	x := csrf{key: cfg.CSRFKey, secure: cfg.CookieSecure, origins: cfg.AllowedOrigins, exempt: cfg.CSRFExempt}

	app.Use(securityHeaders(cfg.CookieSecure, cfg.StripeJS))
	if cfg.CookieSecure {
		app.Use(dropPlainCookies)
	}
	app.Use("/api", cors(cfg.AllowedOrigins))
	app.Use("/api", rateLimit(cfg))
	app.Use("/api", x.check)
	app.Use("/api", verifyToken(cfg.Verifier))

	app.Get("/api/auth/csrf", x.issue)
	app.Get("/api/openapi.json", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "application/json")
		return c.Send(doc.raw)
	})
	app.Get("/api/docs", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		c.Set(headerCSP, docsCSP)
		return c.Send(doc.html)
	})
	// Metrics are served on the internal listener (METRICS_ADDR) only; the
	// public port answers 404 rather than the storefront's index.html.
	app.All(service.MetricsPath, func(*fiber.Ctx) error { return httpx.NotFound("not found") })

	client := &fasthttp.Client{ReadTimeout: cfg.ProxyTimeout, WriteTimeout: cfg.ProxyTimeout, NoDefaultUserAgentHeader: true,
		MaxResponseBodySize: 16 << 20, DisablePathNormalizing: true}
	for _, r := range cfg.Routes {
		if r.Mount != nil {
			r.Mount(app.Group(r.Prefix))
			continue
		}
		h := forward(strings.TrimRight(r.Target, "/"), client, cfg.TrustedProxies)
		app.All(r.Prefix, h)
		app.All(r.Prefix+"/*", h)
	}
	if cfg.Root != nil {
		cfg.Root(app)
	}
	static := cfg.Static
	if cfg.StaticDir != "" {
		static = os.DirFS(cfg.StaticDir)
	}
	if static != nil {
		if err := mountStatic(app, static); err != nil {
			return nil, err
		}
	}
	refuseUnknownMethods(app)
	return app, nil
}

// refuseUnknownMethods answers a method Fiber does not know (BREW, PROPFIND,
// a lower-case "post") with a problem+json 400. Fiber itself answers those
// with a text/plain 400 before any middleware or error handler runs, so the
// check has to wrap the server's handler.
func refuseUnknownMethods(app *fiber.App) {
	srv := app.Server()
	next, known := srv.Handler, app.Config().RequestMethods
	srv.Handler = func(rc *fasthttp.RequestCtx) {
		m := rc.Method()
		for _, k := range known {
			if string(m) == k { // compared without a copy of m
				next(rc)
				return
			}
		}
		p := httpx.BadRequest("unknown HTTP method")
		p.Instance = string(rc.Path())
		body, _ := json.Marshal(p) //nolint:errchkjson // a Problem always marshals
		rc.Response.Header.Set(fiber.HeaderXContentTypeOptions, "nosniff")
		rc.SetStatusCode(p.Status)
		rc.SetContentType(httpx.ContentTypeProblem)
		rc.SetBody(body)
	}
}

func (cfg *Config) validate() error {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Verifier == nil || cfg.Limiter == nil {
		return errors.New("gateway: verifier and limiter are required")
	}
	if len(cfg.CSRFKey) < 32 {
		return errors.New("gateway: the CSRF key needs at least 32 bytes")
	}
	if cfg.RateLimit == (ratelimit.Limit{}) {
		cfg.RateLimit = ratelimit.Limit{Events: 600, Window: time.Minute}
	}
	if err := cfg.RateLimit.Validate(); err != nil {
		return err
	}
	if cfg.ProxyTimeout <= 0 {
		cfg.ProxyTimeout = 30 * time.Second
	}
	for _, o := range cfg.AllowedOrigins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" || o == "*" {
			return fmt.Errorf("gateway: allowed origin %q must be scheme://host[:port]", o)
		}
	}
	seen := map[string]bool{}
	for _, r := range cfg.Routes {
		if !strings.HasPrefix(r.Prefix, "/api/") || strings.HasSuffix(r.Prefix, "/") || seen[r.Prefix] {
			return fmt.Errorf("gateway: route prefix %q must be a unique /api/<service>", r.Prefix)
		}
		seen[r.Prefix] = true
		if (r.Mount == nil) == (r.Target == "") {
			return fmt.Errorf("gateway: route %s needs exactly one of Mount and Target", r.Prefix)
		}
		if r.Target != "" {
			if u, err := url.Parse(r.Target); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return fmt.Errorf("gateway: route %s target %q is not an http(s) URL", r.Prefix, r.Target)
			}
		}
	}
	return nil
}

const headerCSP = "Content-Security-Policy"

// siteCSP is the storefront's policy, for every response whose route sets
// none of its own.
const siteCSP = "default-src 'self'; script-src 'self'%s; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; " +
	"font-src 'self'; connect-src 'self'%s; frame-src %s; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// The Stripe sources are what Stripe.js needs: its script, its API, and the
// frames of its card fields and 3-D Secure pages.
const (
	stripeScript  = " https://js.stripe.com https://*.js.stripe.com"
	stripeConnect = " https://api.stripe.com"
	stripeFrames  = "https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com"
)

// docsCSP is the API reference's: a page rendered on the server needs no
// script, no fetch and no frames.
const docsCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// securityHeaders are set after the handler so that proxied responses,
// whose headers replace ours, get them too. A route that sets its own
// Content-Security-Policy or X-Frame-Options (the API reference, the
// embedded outbox viewer and its framed mails) keeps it: it knows what it
// serves, and overwriting it would loosen a stricter policy or break the
// framing it allows itself.
func securityHeaders(https, stripeJS bool) fiber.Handler {
	csp := fmt.Sprintf(siteCSP, "", "", "'none'")
	if stripeJS {
		csp = fmt.Sprintf(siteCSP, stripeScript, stripeConnect, stripeFrames)
	}
	return func(c *fiber.Ctx) error {
		err := c.Next()
		h := &c.Response().Header
		if len(h.Peek(headerCSP)) == 0 {
			h.Set(headerCSP, csp)
		}
		if len(h.Peek(fiber.HeaderXFrameOptions)) == 0 {
			h.Set(fiber.HeaderXFrameOptions, "DENY")
		}
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		// Browsers ignore HSTS received over plain HTTP; behind a TLS
		// ingress the gateway itself sees HTTP, so an HTTPS deployment
		// (COOKIE_SECURE) sends it always.
		if https || c.Context().IsTLS() {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		h.Del(fiber.HeaderServer)
		return err
	}
}

// plainCookies are the cookie names of plain-HTTP runs. An HTTPS shop uses
// the __Host-/__Secure- names, which only a secure response from this host
// can set; an unprefixed one can be planted by a sibling subdomain or over
// plain HTTP (cookie tossing). They are removed before anything reads them,
// so a planted access token cannot sign the visitor in as the attacker, a
// planted CSRF cookie cannot pair with a token the attacker knows, and a
// planted guest basket cannot watch the visitor's basket or merge into it.
// ("refresh" and "basket_id" are auth.RefreshCookieInsecure and
// basket.GuestCookie; the test checks they stay in step.)
var plainCookies = []string{authn.AccessCookieInsecure, "refresh", CSRFCookieInsecure, "basket_id"}

func dropPlainCookies(c *fiber.Ctx) error {
	for _, name := range plainCookies {
		c.Request().Header.DelCookie(name)
	}
	return c.Next()
}

// cors answers preflights and marks responses for the allowed origins. It is
// written here rather than taken from middleware/cors because proxied
// responses replace the headers a before-handler middleware would set.
func cors(origins []string) fiber.Handler {
	const allowHeaders = "Content-Type, X-CSRF-Token, X-Request-ID, If-Match, If-None-Match, Idempotency-Key, Authorization"
	return func(c *fiber.Ctx) error {
		origin := c.Get(fiber.HeaderOrigin)
		allowed := origin != "" && slices.Contains(origins, origin)
		if c.Method() == fiber.MethodOptions && c.Get(fiber.HeaderAccessControlRequestMethod) != "" {
			c.Vary(fiber.HeaderOrigin)
			if !allowed {
				return c.SendStatus(fiber.StatusNoContent) // no CORS headers: the browser refuses
			}
			c.Set(fiber.HeaderAccessControlAllowOrigin, origin)
			c.Set(fiber.HeaderAccessControlAllowCredentials, "true")
			c.Set(fiber.HeaderAccessControlAllowMethods, "GET, HEAD, POST, PUT, PATCH, DELETE")
			c.Set(fiber.HeaderAccessControlAllowHeaders, allowHeaders)
			c.Set(fiber.HeaderAccessControlMaxAge, "600")
			return c.SendStatus(fiber.StatusNoContent)
		}
		err := c.Next()
		c.Vary(fiber.HeaderOrigin)
		if allowed {
			c.Set(fiber.HeaderAccessControlAllowOrigin, origin)
			c.Set(fiber.HeaderAccessControlAllowCredentials, "true")
			c.Set(fiber.HeaderAccessControlExposeHeaders, "ETag, X-Request-ID, Retry-After, Location")
		}
		return err
	}
}

func rateLimit(cfg Config) fiber.Handler {
	return func(c *fiber.Ctx) error {
		res, err := cfg.Limiter.Allow(c.UserContext(), "gw:ip:"+ratelimit.ClientIP(c, cfg.TrustedProxies), cfg.RateLimit)
		if err != nil {
			// The edge limit protects capacity, not accounts (the auth
			// service limits those itself), so a Redis hiccup lets traffic through.
			cfg.Log.WarnContext(c.UserContext(), "gateway rate limiter failed; allowing", "err", err)
			return c.Next()
		}
		if !res.Allowed {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(1, int((res.RetryAfter+time.Second-1)/time.Second))))
			return httpx.NewProblem(fiber.StatusTooManyRequests, "too many requests; slow down")
		}
		return c.Next()
	}
}

// verifyToken checks the access token of every /api call. Auth routes are
// left to the auth service so that a stale cookie cannot block login,
// refresh or logout.
func verifyToken(v authn.Verifier) fiber.Handler {
	mw := authn.Middleware(v)
	return func(c *fiber.Ctx) error {
		if strings.HasPrefix(c.Path(), "/api/auth/") {
			return c.Next()
		}
		return mw(c)
	}
}

// forward proxies to target, keeping the path and query, the cookies and the
// request id, and telling the upstream who the client is.
func forward(target string, client *fasthttp.Client, trusted []netip.Prefix) fiber.Handler {
	return func(c *fiber.Ctx) error {
		req := &c.Request().Header
		req.Set(fiber.HeaderXForwardedFor, ratelimit.ClientIP(c, trusted))
		req.Set(fiber.HeaderXForwardedProto, c.Protocol())
		req.Set(fiber.HeaderXForwardedHost, c.Hostname())
		reqID := c.GetRespHeader(service.HeaderRequestID)
		if err := proxy.Do(c, target+c.OriginalURL(), client); err != nil {
			return httpx.NewProblem(fiber.StatusBadGateway, "the service is unavailable")
		}
		// The upstream's headers replaced ours; the caller still gets its id.
		c.Set(service.HeaderRequestID, reqID)
		return nil
	}
}

// mountStatic serves the built storefront with SPA fallback to index.html for
// non-/api GETs, when files hold an index.html.
func mountStatic(app *fiber.App, files fs.FS) error {
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // not built: the API alone is served
		}
		return err
	}
	app.Use("/", filesystem.New(filesystem.Config{Root: http.FS(files), MaxAge: 3600, Next: func(c *fiber.Ctx) bool {
		return c.Path() == "/" || c.Path() == "/index.html" || c.Path() == "/api" || strings.HasPrefix(c.Path(), "/api/")
	}}))
	// A Use handler, not a route, so /api paths still get Fiber's 404/405.
	app.Use(func(c *fiber.Ctx) error {
		if (c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead) || c.Path() == "/api" || strings.HasPrefix(c.Path(), "/api/") {
			return c.Next()
		}
		c.Set(fiber.HeaderCacheControl, "no-cache")
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return c.Status(fiber.StatusOK).Send(index) // the file server may have set 404
	})
	return nil
}
