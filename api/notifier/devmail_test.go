package notifier

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/mail"
	"github.com/evshop/shop/mail/memory"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
)

// TestDevMailAdminsOnly: an embedded shop reachable beyond loopback shows its
// outbox (verification and reset links) to admins only; every page of it
// refuses anyone else with problem+json.
func TestDevMailAdminsOnly(t *testing.T) {
	t.Parallel()
	outbox := memory.New()
	if _, err := outbox.Send(context.Background(), mail.Message{To: "ann@example.com", Subject: "Reset", Text: "link", HTML: "<p>link</p>"}); err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{Outbox: outbox, DevMailAdminsOnly: true, Verifier: verifier{
		"admin":   {UserID: "a", Roles: []authn.Role{authn.RoleAdmin}},
		"support": {UserID: "s", Roles: []authn.Role{authn.RoleSupport}},
		"cust":    {UserID: "c", Roles: []authn.Role{authn.RoleCustomer}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(httpx.AppConfig(slog.New(slog.DiscardHandler)))
	h.MountDevMail(app)
	for _, path := range []string{"/dev/mail", "/dev/mail.json", "/dev/mail/m1", "/dev/mail/m1/html"} {
		for _, tt := range []struct {
			auth   string
			status int
		}{
			{"", 401}, {"forged", 401}, {"cust", 403}, {"support", 403}, {"admin", 200},
		} {
			req := httptest.NewRequest("GET", path, nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", "Bearer "+tt.auth)
			}
			resp, err := app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("GET %s as %q = %d, want %d: %s", path, tt.auth, resp.StatusCode, tt.status, body)
				continue
			}
			if tt.status >= 400 {
				var p httpx.Problem
				if ct := resp.Header.Get("Content-Type"); ct != httpx.ContentTypeProblem || json.Unmarshal(body, &p) != nil || p.Status != tt.status {
					t.Errorf("GET %s as %q: %s %s, want problem+json", path, tt.auth, ct, body)
				}
			}
		}
	}
	if _, err := New(Config{Outbox: outbox, DevMailAdminsOnly: true}); err == nil {
		t.Fatal("admins-only dev mail without a verifier accepted")
	}
}
