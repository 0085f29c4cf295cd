package gateway_test

import (
	"net/http"
	"strings"
	"testing"

	domain "github.com/evshop/shop/domain/identity"
)

var backends = []string{"memory", "real"}

const password = "a long and unusual passphrase"

// TestJourney walks registration → verification → login → refresh → logout
// (and reset) through the gateway, on the memory adapters and on real
// PostgreSQL and Redis.
func TestJourney(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			s := newStack(t, options{backend: backend})
			b := s.browser(t)
			b.fetchCSRF()
			email := "journey@shop.test"

			// Someone else signs up with Joy's address first.
			r := b.do("POST", "/api/auth/register", map[string]string{"email": email, "password": "another fine passphrase", "name": "Eve"})
			wantStatus(t, r, 201)
			registered := string(r.body)
			id, verifyToken := s.sealedToken(t, domain.TypeUserRegistered, email)

			// Signing up again with the same address answers the same.
			r = b.do("POST", "/api/auth/register", map[string]string{"email": email, "password": password, "name": "Joy"})
			wantStatus(t, r, 201)
			if string(r.body) != registered {
				t.Fatalf("a repeated sign-up answers differently: %s vs %s", r.body, registered)
			}
			// ...and the newest link replaced the first one.
			_, verifyToken2 := s.sealedToken(t, domain.TypeVerificationRequested, email)
			wantProblem(t, b.do("POST", "/api/auth/verify", map[string]string{"token": verifyToken}), 400)

			wantProblem(t, b.do("POST", "/api/auth/login", map[string]string{"email": email, "password": password}), 403)
			wantStatus(t, b.do("POST", "/api/auth/verify", map[string]string{"token": verifyToken2}), 200)
			wantProblem(t, b.do("POST", "/api/auth/verify", map[string]string{"token": verifyToken2}), 400)

			r = b.do("POST", "/api/auth/login", map[string]string{"email": "JOURNEY@shop.test ", "password": password})
			wantStatus(t, r, 200)
			access, refresh := r.cookie("access"), r.cookie("refresh")
			if access == nil || !access.HttpOnly || access.Path != "/" || access.SameSite != http.SameSiteLaxMode || refresh == nil || !refresh.HttpOnly || refresh.Path != "/api/auth" {
				t.Fatalf("session cookies = %+v / %+v", access, refresh)
			}
			if r.header.Get("Cache-Control") != "no-store" {
				t.Fatal("a session response may be cached")
			}
			me := b.do("GET", "/api/auth/me", nil)
			wantStatus(t, me, 200)
			if m := me.json(t); m["id"] != id || m["email"] != email || m["emailVerified"] != true {
				t.Fatalf("me = %v", m)
			}
			wantStatus(t, b.do("GET", "/api/demo/private", nil), 200)

			// Refresh rotates; presenting the old token again revokes the family.
			old := refresh.Value
			r = b.do("POST", "/api/auth/refresh", nil)
			wantStatus(t, r, 200)
			if nr := r.cookie("refresh"); nr == nil || nr.Value == old {
				t.Fatal("refresh did not rotate the token")
			}
			rotated := b.cookies["refresh"].Value
			thief := s.browser(t)
			thief.fetchCSRF()
			thief.cookies["refresh"] = refresh
			wantProblem(t, thief.do("POST", "/api/auth/refresh", nil), 401)
			wantProblem(t, b.do("POST", "/api/auth/refresh", nil), 401) // the family is gone for everyone
			if _, ok := b.cookies["refresh"]; ok {
				t.Fatalf("a failed refresh left the cookie (%s)", rotated)
			}

			// Log in again, then log out: the refresh token no longer works.
			wantStatus(t, b.do("POST", "/api/auth/login", map[string]string{"email": email, "password": password}), 200)
			loggedOut := b.cookies["refresh"]
			wantStatus(t, b.do("POST", "/api/auth/logout", nil), 204)
			if _, ok := b.cookies["access"]; ok {
				t.Fatal("logout left the access cookie")
			}
			b.cookies["refresh"] = loggedOut
			wantProblem(t, b.do("POST", "/api/auth/refresh", nil), 401)
			wantProblem(t, b.do("GET", "/api/auth/me", nil), 401)

			// Forgot/reset: same answer for unknown addresses; reset revokes sessions.
			other := s.browser(t)
			other.signUp("other@shop.test", password)
			wantStatus(t, b.do("POST", "/api/auth/login", map[string]string{"email": email, "password": password}), 200)
			sessionBeforeReset := b.cookies["refresh"]
			known := b.do("POST", "/api/auth/password/forgot", map[string]string{"email": email})
			unknown := b.do("POST", "/api/auth/password/forgot", map[string]string{"email": "ghost@shop.test"})
			wantStatus(t, known, 202)
			if unknown.status != known.status || string(unknown.body) != string(known.body) {
				t.Fatalf("forgot reveals accounts: %d %s vs %d %s", known.status, known.body, unknown.status, unknown.body)
			}
			_, resetToken := s.sealedToken(t, domain.TypePasswordResetRequested, email)
			wantProblem(t, b.do("POST", "/api/auth/password/reset", map[string]string{"token": resetToken, "password": "password123"}), 422)
			wantStatus(t, b.do("POST", "/api/auth/password/reset", map[string]string{"token": resetToken, "password": "a brand new passphrase"}), 200)
			wantProblem(t, b.do("POST", "/api/auth/password/reset", map[string]string{"token": resetToken, "password": "yet another passphrase"}), 400)
			b.cookies["refresh"] = sessionBeforeReset
			wantProblem(t, b.do("POST", "/api/auth/refresh", nil), 401)
			wantProblem(t, b.do("POST", "/api/auth/login", map[string]string{"email": email, "password": password}), 401)
			wantStatus(t, b.do("POST", "/api/auth/login", map[string]string{"email": email, "password": "a brand new passphrase"}), 200)
			wantStatus(t, other.do("GET", "/api/auth/me", nil), 200) // other users keep their sessions

			// Change password: wrong current → 422; right → new session, old ones revoked.
			wantProblem(t, b.do("POST", "/api/auth/password/change", map[string]string{"currentPassword": "nope nope nope", "newPassword": "the next passphrase"}), 422)
			before := b.cookies["refresh"]
			wantStatus(t, b.do("POST", "/api/auth/password/change", map[string]string{"currentPassword": "a brand new passphrase", "newPassword": "the next passphrase"}), 200)
			wantStatus(t, b.do("GET", "/api/auth/me", nil), 200)
			stale := s.browser(t)
			stale.fetchCSRF()
			stale.cookies["refresh"] = before
			wantProblem(t, stale.do("POST", "/api/auth/refresh", nil), 401)

			// The outbox told the rest of the system everything, in order.
			var types []string
			for e, err := range s.outbox.ReadAll(t.Context(), 0, eventFilter(id)) {
				if err != nil {
					t.Fatal(err)
				}
				types = append(types, strings.TrimSuffix(strings.TrimPrefix(e.Type, "identity."), ".v1"))
			}
			want := "UserRegistered VerificationRequested EmailVerified PasswordResetRequested PasswordChanged PasswordChanged"
			if strings.Join(types, " ") != want {
				t.Fatalf("outbox events = %v, want %s", types, want)
			}
		})
	}
}

func TestSecureCookies(t *testing.T) {
	t.Parallel()
	s := newStack(t, options{secure: true})
	b := s.browser(t)
	r := b.do("GET", "/api/auth/csrf", nil)
	if c := r.cookie("__Host-csrf"); c == nil || !c.Secure || c.Path != "/" || !c.HttpOnly {
		t.Fatalf("csrf cookie = %+v", c)
	}
	b.csrf = r.json(t)["token"].(string)
	b.signUp("secure@shop.test", password)
	r = b.do("POST", "/api/auth/login", map[string]string{"email": "secure@shop.test", "password": password})
	wantStatus(t, r, 200)
	a, rf := r.cookie("__Host-access"), r.cookie("__Secure-refresh")
	if a == nil || !a.Secure || !a.HttpOnly || a.Path != "/" || a.Domain != "" || a.SameSite != http.SameSiteLaxMode {
		t.Fatalf("access cookie = %+v", a)
	}
	if a.MaxAge <= 0 || a.MaxAge > 15*60 {
		t.Fatalf("access cookie max-age = %d", a.MaxAge)
	}
	if rf == nil || !rf.Secure || !rf.HttpOnly || rf.Path != "/api/auth" {
		t.Fatalf("refresh cookie = %+v", rf)
	}
	if r.header.Get("Strict-Transport-Security") == "" {
		t.Fatal("no HSTS over HTTPS")
	}
	wantStatus(t, b.do("GET", "/api/auth/me", nil), 200)
}
