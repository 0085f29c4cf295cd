// Package authn owns who the caller is: the Principal carried by a verified
// access token, the roles, and the Fiber middleware every service (not only the
// gateway) uses to check the token itself.
package authn

import (
	"errors"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/platform/httpx"
)

// Role is what a principal may do.
type Role string

// The three roles of the shop.
const (
	RoleCustomer Role = "customer"
	RoleSupport  Role = "support"
	RoleAdmin    Role = "admin"
)

// Cookie names. Over HTTPS the access cookie uses the __Host- prefix; plain
// HTTP local runs use the unprefixed fallback (browsers refuse __Host- without
// Secure).
const (
	AccessCookieSecure   = "__Host-access"
	AccessCookieInsecure = "access"
)

// ErrInvalidToken is returned by a Verifier for any bad token.
var ErrInvalidToken = errors.New("authn: invalid token")

// Principal is the verified caller.
type Principal struct {
	UserID string
	Email  string
	Roles  []Role
}

// Has reports whether p holds any of roles.
func (p Principal) Has(roles ...Role) bool {
	for _, r := range roles {
		if slices.Contains(p.Roles, r) {
			return true
		}
	}
	return false
}

// IsStaff reports whether p is support or admin.
func (p Principal) IsStaff() bool { return p.Has(RoleSupport, RoleAdmin) }

// Verifier checks an access token and returns its principal.
type Verifier interface {
	Verify(token string) (Principal, error)
}

const localsKey = "authn.principal"

// Middleware verifies the access token from the cookie or an
// "Authorization: Bearer" header when present and stores the principal. It
// does not refuse anonymous calls; Required does. A request that already
// carries a principal was verified by this middleware earlier on its way (the
// gateway, when the services are mounted in the same process): the token is
// not verified twice.
func Middleware(v Verifier) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if _, verified := FromCtx(c); verified {
			return c.Next()
		}
		token := c.Cookies(AccessCookieSecure)
		if token == "" {
			token = c.Cookies(AccessCookieInsecure)
		}
		if h := c.Get(fiber.HeaderAuthorization); token == "" && strings.HasPrefix(h, "Bearer ") {
			token = strings.TrimPrefix(h, "Bearer ")
		}
		if token == "" {
			return c.Next()
		}
		p, err := v.Verify(token)
		if err != nil {
			return httpx.Unauthorized("the access token is invalid or expired")
		}
		c.Locals(localsKey, p)
		return c.Next()
	}
}

// FromCtx returns the principal stored by Middleware.
func FromCtx(c *fiber.Ctx) (Principal, bool) {
	p, ok := c.Locals(localsKey).(Principal)
	return p, ok
}

// WithPrincipal stores p (for in-process calls and tests).
func WithPrincipal(c *fiber.Ctx, p Principal) { c.Locals(localsKey, p) }

// Required refuses anonymous callers with 401 and, when roles are given,
// callers holding none of them with 403.
func Required(roles ...Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, ok := FromCtx(c)
		if !ok {
			return httpx.Unauthorized("sign in first")
		}
		if len(roles) > 0 && !p.Has(roles...) {
			return httpx.Forbidden("your role may not do this")
		}
		return c.Next()
	}
}
