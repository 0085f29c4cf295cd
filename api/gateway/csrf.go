package gateway

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/platform/httpx"
)

// CSRF header and cookie names.
const (
	CSRFHeader         = "X-CSRF-Token"
	CSRFCookieSecure   = "__Host-csrf"
	CSRFCookieInsecure = "csrf"
)

// csrf implements the signed double-submit pattern: the token is random bytes
// plus their HMAC under a server key, set in a cookie and echoed by the SPA in
// a header. A cross-site page can make the browser send the cookie but can
// neither read it nor mint a valid token of its own, and the __Host- prefix
// stops a sibling subdomain from planting one. Fetch-Metadata and Origin
// checks refuse cross-site requests before the token is even looked at.
type csrf struct {
	key     []byte
	secure  bool
	origins []string // allowed cross-origin callers (the CORS list)
	exempt  []string // exact paths that prove themselves (webhook signatures)
}

func (x csrf) cookieName() string {
	if x.secure {
		return CSRFCookieSecure
	}
	return CSRFCookieInsecure
}

func (x csrf) mint() string {
	r := make([]byte, 32)
	rand.Read(r) //nolint:errcheck // crypto/rand never fails on Linux
	raw := base64.RawURLEncoding.EncodeToString(r)
	return raw + "." + base64.RawURLEncoding.EncodeToString(x.mac(raw))
}

func (x csrf) valid(token string) bool {
	raw, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 200 {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	return err == nil && hmac.Equal(got, x.mac(raw))
}

func (x csrf) mac(raw string) []byte {
	m := hmac.New(sha256.New, x.key)
	m.Write([]byte("evshop-csrf:v1:"))
	m.Write([]byte(raw))
	return m.Sum(nil)
}

// issue answers GET /api/auth/csrf, keeping a still-valid cookie so that two
// tabs do not invalidate each other's token.
func (x csrf) issue(c *fiber.Ctx) error {
	token := c.Cookies(x.cookieName())
	if !x.valid(token) {
		token = x.mint()
	}
	c.Cookie(&fiber.Cookie{Name: x.cookieName(), Value: token, Path: "/", Secure: x.secure, HTTPOnly: true,
		SameSite: fiber.CookieSameSiteStrictMode, MaxAge: 12 * 3600})
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"token": token, "headerName": CSRFHeader})
}

func safeMethod(m string) bool {
	return m == fiber.MethodGet || m == fiber.MethodHead || m == fiber.MethodOptions || m == fiber.MethodTrace
}

// check guards every unsafe method.
func (x csrf) check(c *fiber.Ctx) error {
	if safeMethod(c.Method()) || slices.Contains(x.exempt, c.Path()) {
		return c.Next()
	}
	origin := c.Get(fiber.HeaderOrigin)
	allowedOrigin := origin != "" && slices.Contains(x.origins, origin)
	switch c.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default: // same-site, cross-site
		if !allowedOrigin {
			return httpx.Forbidden("cross-site request refused")
		}
	}
	if origin != "" && origin != "null" && !allowedOrigin && !sameOrigin(origin, c) {
		return httpx.Forbidden("cross-origin request refused")
	}
	if origin == "null" {
		return httpx.Forbidden("cross-origin request refused")
	}
	cookie, header := c.Cookies(x.cookieName()), c.Get(CSRFHeader)
	if cookie == "" || header == "" || subtle.ConstantTimeCompare([]byte(cookie), []byte(header)) != 1 || !x.valid(header) {
		return httpx.Forbidden("missing or wrong CSRF token; fetch one from GET /api/auth/csrf and send it in " + CSRFHeader)
	}
	return c.Next()
}

// sameOrigin compares the Origin's host with the Host the request was sent to.
func sameOrigin(origin string, c *fiber.Ctx) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	return strings.EqualFold(u.Host, string(c.Request().Host()))
}
