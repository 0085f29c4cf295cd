package admindeadletters

import (
	"context"
	"encoding/json"
	"github.com/evshop/shop/api/apitest"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
)

// roleHeader stands in for the gateway's token check: the test sets the
// caller's role directly.
func roleHeader(c *fiber.Ctx) error {
	if r := c.Get("X-Test-Role"); r != "" {
		authn.WithPrincipal(c, authn.Principal{UserID: "u1", Roles: []authn.Role{authn.Role(r)}})
	}
	return c.Next()
}

func TestDeadLetterAdmin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := messaging.NewMemoryDeadLetters()
	bus, err := messaging.New(messaging.Config{Transport: messaging.TransportGoChannel, Prefix: "t", DeadLetters: store,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	dl := messaging.DeadLetter{ID: "dl-1", MessageID: "m-1", Handler: "projections.orders", Topic: "t.events.projections.orders",
		RedriveTo: "t.redrive.projections.orders", Reason: "boom", Payload: []byte(`{"a":1}`),
		Metadata: map[string]string{messaging.MetaName: "ordering.OrderPlaced.v1"}, FailedAt: time.Now()}
	if err := store.Add(ctx, dl); err != nil {
		t.Fatal(err)
	}
	// A payment command and an identity event that failed: their tokens stay
	// in the store (a redrive needs them) but never reach the support view.
	for _, secret := range []messaging.DeadLetter{
		{ID: "dl-2", MessageID: "m-2", Handler: "payment.authorize-payment", Topic: "t.cmd.payment.AuthorizePayment.v1", Reason: "gateway down",
			Payload:  []byte(`{"paymentId":"p1","method":"sandbox","token":"tok_sandbox_SECRET","last4":"4242"}`),
			Metadata: map[string]string{messaging.MetaName: "payment.AuthorizePayment.v1", "x-upstream-token": "hdr_SECRET"}, FailedAt: time.Now()},
		{ID: "dl-3", MessageID: "m-3", Handler: "notifier.identity", Topic: "t.events.notifier", Reason: "boom",
			Payload:  []byte(`{"userId":"u1","email":"a@example.com","sealedToken":"SEALED_SECRET"}`),
			Metadata: map[string]string{messaging.MetaName: "identity.UserRegistered.v1"}, FailedAt: time.Now()},
		{ID: "dl-4", MessageID: "m-4", Handler: "notifier.identity", Topic: "t.events.notifier", Reason: "malformed",
			Payload: []byte(`{"sealedToken":"TRUNCATED_SECRET`), FailedAt: time.Now()},
	} {
		if err := store.Add(ctx, secret); err != nil {
			t.Fatal(err)
		}
	}
	api, err := New(Deps{Store: store, Redriver: bus})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(httpx.AppConfig(slog.Default()))
	app.Use(roleHeader)
	api.Mount(app.Group("/api/admin/deadletters"))

	tests := []struct {
		name, method, path, role string
		status                   int
		contains                 string
	}{
		{"anonymous", "GET", "/api/admin/deadletters", "", 401, ""},
		{"customer", "GET", "/api/admin/deadletters", "customer", 403, ""},
		{"list", "GET", "/api/admin/deadletters", "support", 200, `"handler":"projections.orders"`},
		{"list for a handler", "GET", "/api/admin/deadletters?handler=projections.orders", "support", 200, `"dl-1"`},
		{"hostile handler", "GET", "/api/admin/deadletters?handler=%24where", "support", 422, ""},
		{"bad limit", "GET", "/api/admin/deadletters?limit=-1", "support", 422, ""},
		{"show", "GET", "/api/admin/deadletters/dl-1", "admin", 200, `"payload":"{\"a\":1}"`},
		{"payment token hidden", "GET", "/api/admin/deadletters/dl-2", "support", 200, `\"last4\":\"4242\"`},
		{"sealed token hidden", "GET", "/api/admin/deadletters/dl-3", "support", 200, `\"sealedToken\":\"[redacted]\"`},
		{"unparsable payload withheld", "GET", "/api/admin/deadletters/dl-4", "support", 200, `withheld`},
		{"path traversal", "GET", "/api/admin/deadletters/..%2F..%2Fetc", "admin", 404, ""},
		{"unknown", "GET", "/api/admin/deadletters/nope", "admin", 404, ""},
		{"redrive", "POST", "/api/admin/deadletters/dl-1/redrive", "admin", 202, `"redriven":true`},
		{"gone after redrive", "GET", "/api/admin/deadletters/dl-1", "admin", 404, ""},
		{"redrive unknown", "POST", "/api/admin/deadletters/dl-1/redrive", "admin", 404, ""},
	}
	for _, tt := range tests { // in order: the redrive changes the store
		req := httptest.NewRequest(tt.method, tt.path, nil)
		if tt.role != "" {
			req.Header.Set("X-Test-Role", tt.role)
		}
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		// Every answer is one the API's document gives.
		apitest.CheckJSON(t, req.Method, req.URL.RequestURI(), "", resp.StatusCode, resp.Header, body)
		if resp.StatusCode != tt.status {
			t.Fatalf("%s: status %d, want %d: %s", tt.name, resp.StatusCode, tt.status, body)
		}
		if tt.status >= 400 && resp.Header.Get("Content-Type") != httpx.ContentTypeProblem {
			t.Fatalf("%s: error is not problem+json: %s", tt.name, body)
		}
		if tt.contains != "" && !strings.Contains(string(body), tt.contains) {
			t.Fatalf("%s: body lacks %s: %s", tt.name, tt.contains, body)
		}
		if tt.status == 200 && !json.Valid(body) {
			t.Fatalf("%s: invalid JSON", tt.name)
		}
		if strings.Contains(string(body), "SECRET") {
			t.Fatalf("%s: a token reached the support view: %s", tt.name, body)
		}
	}
}
