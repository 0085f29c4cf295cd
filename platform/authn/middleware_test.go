package authn_test

import (
	"errors"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/platform/authn"
)

// countingVerifier accepts the token "good" and counts every call.
type countingVerifier struct{ calls atomic.Int32 }

func (v *countingVerifier) Verify(token string) (authn.Principal, error) {
	v.calls.Add(1)
	if token != "good" {
		return authn.Principal{}, authn.ErrInvalidToken
	}
	return authn.Principal{UserID: "u1", Roles: []authn.Role{authn.RoleCustomer}}, nil
}

// TestMiddlewareVerifiesOncePerRequest: the gateway and a service mounted in
// the same process both install the middleware; the token is verified once.
func TestMiddlewareVerifiesOncePerRequest(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		auth      string
		status    int
		wantCalls int32
	}{
		{"valid token", "Bearer good", 200, 1},
		{"invalid token", "Bearer forged", 401, 1},
		{"anonymous", "", 401, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			v := &countingVerifier{}
			app := fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error {
				var fe *fiber.Error
				if errors.As(err, &fe) {
					return c.SendStatus(fe.Code)
				}
				return c.SendStatus(401)
			}})
			app.Use(authn.Middleware(v)) // the gateway
			app.Use(authn.Middleware(v)) // the service's own mount
			app.Get("/me", authn.Required(), func(c *fiber.Ctx) error {
				p, _ := authn.FromCtx(c)
				return c.SendString(p.UserID)
			})
			r := httptest.NewRequest("GET", "/me", nil)
			if c.auth != "" {
				r.Header.Set("Authorization", c.auth)
			}
			res, err := app.Test(r, -1)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != c.status || v.calls.Load() != c.wantCalls {
				t.Fatalf("status %d after %d verifications, want %d after %d", res.StatusCode, v.calls.Load(), c.status, c.wantCalls)
			}
		})
	}
}
