// Package auth is the HTTP edge of the identity service: sign-up, email
// verification, login/logout/refresh with cookies, password reset and change,
// the signed-in user, and the JWKS other services verify access tokens with.
// Mount it under /api/auth (the gateway does, or cmd/auth on its own), and
// MountStaff (staff invitations, roles and their audit; admins only) under
// StaffPrefix.
package auth

import (
	"errors"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	ident "github.com/evshop/shop/commands/identity"
	domain "github.com/evshop/shop/domain/identity"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/platform/ratelimit"
)

// Limits are the rate limits of the sensitive endpoints. Per-IP limits slow
// down spraying from one host; per-account limits (keyed by the submitted
// address, whether or not it has an account) slow down guessing one
// account's password from many hosts.
type Limits struct {
	LoginPerIP       ratelimit.Limit
	LoginPerAccount  ratelimit.Limit
	RegisterPerIP    ratelimit.Limit
	ForgotPerIP      ratelimit.Limit
	ForgotPerAccount ratelimit.Limit
	ResetPerIP       ratelimit.Limit
	VerifyPerIP      ratelimit.Limit
	// InvitePerAdmin and InvitePerAddress bound staff invitations per
	// inviting admin and per invited address (zero: the defaults).
	InvitePerAdmin   ratelimit.Limit
	InvitePerAddress ratelimit.Limit
}

// DefaultLimits are the production limits.
func DefaultLimits() Limits {
	return Limits{
		LoginPerIP:       ratelimit.Limit{Events: 30, Window: time.Minute},
		LoginPerAccount:  ratelimit.Limit{Events: 10, Window: 15 * time.Minute},
		RegisterPerIP:    ratelimit.Limit{Events: 10, Window: 10 * time.Minute},
		ForgotPerIP:      ratelimit.Limit{Events: 10, Window: 10 * time.Minute},
		ForgotPerAccount: ratelimit.Limit{Events: 3, Window: 15 * time.Minute},
		ResetPerIP:       ratelimit.Limit{Events: 10, Window: 10 * time.Minute},
		VerifyPerIP:      ratelimit.Limit{Events: 20, Window: 10 * time.Minute},
		InvitePerAdmin:   defaultInvitePerAdmin,
		InvitePerAddress: defaultInvitePerAddress,
	}
}

// Deps are what the API needs.
type Deps struct {
	Service  *ident.Service
	Signer   *authn.Signer
	Keys     *authn.KeySet  // served as JWKS
	Verifier authn.Verifier // checks access tokens on the routes that need a user
	Limiter  ratelimit.Limiter
	Limits   *Limits // nil: DefaultLimits
	Log      *slog.Logger
	// CookieSecure selects "__Host-access"/"__Secure-refresh" with Secure
	// (HTTPS); false selects the documented plain-HTTP fallback names
	// "access"/"refresh" without Secure (COOKIE_SECURE=false, local runs).
	CookieSecure bool
	// RefreshPath scopes the refresh cookie; default "/api/auth" (where the
	// gateway mounts these routes).
	RefreshPath string
	// TrustedProxies may set X-Forwarded-For (the gateway, a load balancer).
	TrustedProxies []netip.Prefix
}

// API serves the auth routes.
type API struct {
	d Deps
}

// New validates deps and returns the API.
func New(d Deps) (*API, error) {
	if d.Service == nil || d.Signer == nil || d.Keys == nil || d.Verifier == nil || d.Limiter == nil {
		return nil, errors.New("auth: service, signer, keys, verifier and limiter are required")
	}
	if d.Limits == nil {
		l := DefaultLimits()
		d.Limits = &l
	} else {
		l := *d.Limits
		if l.InvitePerAdmin == (ratelimit.Limit{}) {
			l.InvitePerAdmin = defaultInvitePerAdmin
		}
		if l.InvitePerAddress == (ratelimit.Limit{}) {
			l.InvitePerAddress = defaultInvitePerAddress
		}
		d.Limits = &l
	}
	for _, l := range []ratelimit.Limit{d.Limits.LoginPerIP, d.Limits.LoginPerAccount, d.Limits.RegisterPerIP,
		d.Limits.ForgotPerIP, d.Limits.ForgotPerAccount, d.Limits.ResetPerIP, d.Limits.VerifyPerIP,
		d.Limits.InvitePerAdmin, d.Limits.InvitePerAddress} {
		if err := l.Validate(); err != nil {
			return nil, err
		}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.RefreshPath == "" {
		d.RefreshPath = "/api/auth"
	}
	return &API{d: d}, nil
}

// Cookie names of the refresh token.
const (
	RefreshCookieSecure   = "__Secure-refresh"
	RefreshCookieInsecure = "refresh"
)

// Paths of the routes, relative to the mount point.
const (
	PathRegister       = "/register"
	PathVerify         = "/verify"
	PathLogin          = "/login"
	PathLogout         = "/logout"
	PathRefresh        = "/refresh"
	PathForgot         = "/password/forgot"
	PathReset          = "/password/reset"
	PathChangePassword = "/password/change"
	PathMe             = "/me"
	PathUser           = "/users/:id"
	PathJWKS           = "/.well-known/jwks.json"
)

// Mount registers the routes on r (relative paths). The access token is
// checked here too (not only at the gateway), but only on the routes that
// need a user, so a stale cookie never blocks login, refresh or logout.
func (a *API) Mount(r fiber.Router) {
	user := authn.Middleware(a.d.Verifier)
	r.Get(PathJWKS, a.jwks)
	r.Post(PathRegister, a.register)
	r.Post(PathVerify, a.verify)
	r.Post(PathLogin, a.login)
	r.Post(PathLogout, a.logout)
	r.Post(PathRefresh, a.refresh)
	r.Post(PathForgot, a.forgot)
	r.Post(PathReset, a.reset)
	r.Post(PathAcceptInvitation, a.acceptInvitation)
	r.Post(PathChangePassword, user, authn.Required(), a.changePassword)
	r.Get(PathMe, user, authn.Required(), a.me)
	r.Get(PathUser, user, authn.Required(), a.user)
}

// userDTO is the public view of a user.
type userDTO struct {
	ID            string   `json:"id"`
	Email         string   `json:"email"`
	Name          string   `json:"name"`
	Roles         []string `json:"roles"`
	EmailVerified bool     `json:"emailVerified"`
	CreatedAt     string   `json:"createdAt"`
}

func toDTO(u *domain.User) userDTO {
	roles := make([]string, 0, len(u.Roles()))
	for _, r := range u.Roles() {
		roles = append(roles, string(r))
	}
	return userDTO{ID: u.ID(), Email: u.Email().String(), Name: u.Name().String(), Roles: roles,
		EmailVerified: u.EmailVerified(), CreatedAt: u.CreatedAt().UTC().Format(time.RFC3339)}
}

type sessionResponse struct {
	User                 userDTO `json:"user"`
	AccessTokenExpiresAt string  `json:"accessTokenExpiresAt"`
}

type statusResponse struct {
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
}

func (a *API) jwks(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.JSON(a.d.Keys.JWKS())
}

func (a *API) register(c *fiber.Ctx) error {
	req, err := decode(c, decodeRegister)
	if err != nil {
		return err
	}
	if err := a.limit(c, "register:ip:"+a.ip(c), a.d.Limits.RegisterPerIP); err != nil {
		return err
	}
	if err := a.d.Service.Register(c.UserContext(), ident.RegisterInput{Email: req.Email, Password: req.Password, Name: req.Name}); err != nil {
		return a.problem(err)
	}
	// The same answer whether or not the address already had an account.
	return c.Status(fiber.StatusCreated).JSON(statusResponse{Status: "verification_sent",
		Detail: "Check your inbox for a link to verify your email address."})
}

func (a *API) verify(c *fiber.Ctx) error {
	req, err := decode(c, decodeToken)
	if err != nil {
		return err
	}
	if err := a.limit(c, "verify:ip:"+a.ip(c), a.d.Limits.VerifyPerIP); err != nil {
		return err
	}
	if err := a.d.Service.VerifyEmail(c.UserContext(), req.Token); err != nil {
		return a.problem(err)
	}
	return c.JSON(statusResponse{Status: "verified"})
}

func (a *API) login(c *fiber.Ctx) error {
	req, err := decode(c, decodeLogin)
	if err != nil {
		return err
	}
	if err := a.limit(c, "login:ip:"+a.ip(c), a.d.Limits.LoginPerIP); err != nil {
		return err
	}
	if err := a.limit(c, "login:acct:"+strings.ToLower(strings.TrimSpace(req.Email)), a.d.Limits.LoginPerAccount); err != nil {
		return err
	}
	u, refresh, err := a.d.Service.Login(c.UserContext(), req.Email, req.Password)
	if err != nil {
		return a.problem(err)
	}
	return a.startSession(c, u, refresh)
}

func (a *API) refresh(c *fiber.Ctx) error {
	u, next, err := a.d.Service.Refresh(c.UserContext(), a.refreshCookie(c))
	if err != nil {
		a.clearCookies(c)
		return a.problem(err)
	}
	return a.startSession(c, u, next)
}

func (a *API) logout(c *fiber.Ctx) error {
	if err := a.d.Service.Logout(c.UserContext(), a.refreshCookie(c)); err != nil {
		return err
	}
	a.clearCookies(c)
	return c.SendStatus(fiber.StatusNoContent)
}

func (a *API) forgot(c *fiber.Ctx) error {
	req, err := decode(c, decodeForgot)
	if err != nil {
		return err
	}
	if err := a.limit(c, "forgot:ip:"+a.ip(c), a.d.Limits.ForgotPerIP); err != nil {
		return err
	}
	if err := a.limit(c, "forgot:acct:"+strings.ToLower(strings.TrimSpace(req.Email)), a.d.Limits.ForgotPerAccount); err != nil {
		return err
	}
	if err := a.d.Service.ForgotPassword(c.UserContext(), req.Email); err != nil {
		return a.problem(err)
	}
	return c.Status(fiber.StatusAccepted).JSON(statusResponse{Status: "reset_requested",
		Detail: "If an account uses this address, a reset link valid for 30 minutes is on its way."})
}

func (a *API) reset(c *fiber.Ctx) error {
	req, err := decode(c, decodeReset)
	if err != nil {
		return err
	}
	if err := a.limit(c, "reset:ip:"+a.ip(c), a.d.Limits.ResetPerIP); err != nil {
		return err
	}
	if err := a.d.Service.ResetPassword(c.UserContext(), req.Token, req.Password); err != nil {
		return a.problem(err)
	}
	a.clearCookies(c)
	return c.JSON(statusResponse{Status: "password_reset", Detail: "Sign in with the new password; every session was signed out."})
}

func (a *API) changePassword(c *fiber.Ctx) error {
	req, err := decode(c, decodeChangePassword)
	if err != nil {
		return err
	}
	p, _ := authn.FromCtx(c)
	if err := a.limit(c, "login:acct:"+strings.ToLower(p.Email), a.d.Limits.LoginPerAccount); err != nil {
		return err
	}
	refresh, err := a.d.Service.ChangePassword(c.UserContext(), p.UserID, req.CurrentPassword, req.NewPassword)
	if errors.Is(err, ident.ErrBadCredentials) {
		return httpx.Invalid(httpx.FieldError{Field: "currentPassword", Reason: "is wrong"})
	}
	if err != nil {
		return a.problem(err)
	}
	u, err := a.d.Service.User(c.UserContext(), p.UserID)
	if err != nil {
		return a.problem(err)
	}
	return a.startSession(c, u, refresh)
}

func (a *API) me(c *fiber.Ctx) error {
	p, _ := authn.FromCtx(c)
	u, err := a.d.Service.User(c.UserContext(), p.UserID)
	if err != nil {
		return a.problem(err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(toDTO(u))
}

// user shows one account to its owner or to staff. Anyone else gets the same
// 404 as for a missing id, so ids cannot be probed.
func (a *API) user(c *fiber.Ctx) error {
	p, _ := authn.FromCtx(c)
	id := c.Params("id")
	if id != p.UserID && !p.IsStaff() {
		return httpx.NotFound("no such user")
	}
	u, err := a.d.Service.User(c.UserContext(), id)
	if errors.Is(err, ident.ErrUserNotFound) {
		return httpx.NotFound("no such user")
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(toDTO(u))
}

// startSession signs an access token for u and sets both cookies.
func (a *API) startSession(c *fiber.Ctx, u *domain.User, refresh string) error {
	roles := make([]authn.Role, 0, len(u.Roles()))
	for _, r := range u.Roles() {
		roles = append(roles, authn.Role(r))
	}
	access, exp, err := a.d.Signer.Sign(authn.Principal{UserID: u.ID(), Email: u.Email().String(), Roles: roles})
	if err != nil {
		return err
	}
	accessName, refreshName := authn.AccessCookieInsecure, RefreshCookieInsecure
	if a.d.CookieSecure {
		accessName, refreshName = authn.AccessCookieSecure, RefreshCookieSecure
	}
	c.Cookie(&fiber.Cookie{Name: accessName, Value: access, Path: "/", MaxAge: int(a.d.Signer.TTL().Seconds()),
		Secure: a.d.CookieSecure, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode})
	c.Cookie(&fiber.Cookie{Name: refreshName, Value: refresh, Path: a.d.RefreshPath, MaxAge: int(a.d.Service.RefreshTTL().Seconds()),
		Secure: a.d.CookieSecure, HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode})
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(sessionResponse{User: toDTO(u), AccessTokenExpiresAt: exp.UTC().Format(time.RFC3339)})
}

func (a *API) clearCookies(c *fiber.Ctx) {
	accessName, refreshName := authn.AccessCookieInsecure, RefreshCookieInsecure
	if a.d.CookieSecure {
		accessName, refreshName = authn.AccessCookieSecure, RefreshCookieSecure
	}
	for _, ck := range []*fiber.Cookie{{Name: accessName, Path: "/"}, {Name: refreshName, Path: a.d.RefreshPath}} {
		ck.MaxAge, ck.Expires, ck.HTTPOnly, ck.Secure = -1, time.Unix(0, 0), true, a.d.CookieSecure
		ck.SameSite = fiber.CookieSameSiteLaxMode
		c.Cookie(ck)
	}
}

func (a *API) refreshCookie(c *fiber.Ctx) string {
	if a.d.CookieSecure {
		return c.Cookies(RefreshCookieSecure)
	}
	return c.Cookies(RefreshCookieInsecure)
}

func (a *API) ip(c *fiber.Ctx) string { return ratelimit.ClientIP(c, a.d.TrustedProxies) }

// limit answers 429 with Retry-After when key is over l.
func (a *API) limit(c *fiber.Ctx, key string, l ratelimit.Limit) error {
	res, err := a.d.Limiter.Allow(c.UserContext(), key, l)
	if err != nil {
		return err
	}
	if !res.Allowed {
		secs := int((res.RetryAfter + time.Second - 1) / time.Second)
		c.Set(fiber.HeaderRetryAfter, itoa(secs))
		return httpx.NewProblem(fiber.StatusTooManyRequests, "too many attempts; try again later")
	}
	return nil
}

// problem maps use-case errors to problems; anything else stays an internal
// error (logged by the error handler, never shown).
func (a *API) problem(err error) error {
	var verrs ident.ValidationErrors
	switch {
	case errors.As(err, &verrs):
		fields := make([]httpx.FieldError, 0, len(verrs))
		for _, fe := range verrs {
			fields = append(fields, httpx.FieldError{Field: fe.Field, Reason: strings.TrimPrefix(fe.Err.Error(), "identity: ")})
		}
		return httpx.Invalid(fields...)
	case errors.Is(err, ident.ErrBadCredentials):
		return httpx.Unauthorized("the email or password is wrong")
	case errors.Is(err, ident.ErrEmailNotVerified):
		return httpx.Forbidden("verify your email address first; a new link is sent when you sign up again")
	case errors.Is(err, ident.ErrTokenInvalid):
		return httpx.BadRequest("the link is invalid, was already used or has expired")
	case errors.Is(err, domain.ErrAlreadyVerified):
		return httpx.Conflict("the email address is already verified")
	case errors.Is(err, domain.ErrInvitationPending):
		return httpx.Conflict("this address was invited to the staff: use the invitation's link, or reset the password")
	case errors.Is(err, domain.ErrLastAdmin):
		return httpx.Conflict("the last administrator cannot lose the admin role; make someone else an admin first")
	case errors.Is(err, ident.ErrSessionInvalid), errors.Is(err, ident.ErrSessionReused):
		return httpx.Unauthorized("the session ended; sign in again")
	case errors.Is(err, ident.ErrUserNotFound):
		return httpx.NotFound("no such user")
	}
	return err
}

// decode checks the content type, then runs the endpoint's decoder on the body.
func decode[T any](c *fiber.Ctx, fn func([]byte) (T, error)) (T, error) {
	ct := strings.ToLower(strings.TrimSpace(strings.SplitN(c.Get(fiber.HeaderContentType), ";", 2)[0]))
	if ct != fiber.MIMEApplicationJSON {
		var zero T
		return zero, httpx.NewProblem(fiber.StatusUnsupportedMediaType, "the body must be application/json")
	}
	return fn(c.Body())
}

func itoa(n int) string { return strconv.Itoa(max(n, 1)) }
