package adminwebhooks

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/api/apitest"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/webhooks"
	"github.com/evshop/shop/webhooks/memstore"
)

// roleHeader stands in for the gateway's token check.
func roleHeader(c *fiber.Ctx) error {
	if r := c.Get("X-Test-Role"); r != "" {
		authn.WithPrincipal(c, authn.Principal{UserID: "u1", Roles: []authn.Role{authn.Role(r)}})
	}
	return c.Next()
}

// noDNS keeps the tests off the network: only IP literals resolve.
type noDNS struct{}

func (noDNS) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return nil, errors.New("no DNS in this test")
}

// newApp serves the API on a memory store, as an admin sees it behind the
// gateway (the caller's role comes from X-Test-Role).
func newApp(t testing.TB) (*fiber.App, *memstore.Store) {
	t.Helper()
	store := memstore.New()
	svc, err := webhooks.New(webhooks.Config{Source: memory.New(), Store: store, Guard: webhooks.NewGuard(nil, true, noDNS{})})
	if err != nil {
		t.Fatal(err)
	}
	api, err := New(Config{Service: svc})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(httpx.AppConfig(slog.New(slog.DiscardHandler)))
	app.Use(roleHeader)
	api.Mount(app.Group("/api/admin/webhooks"))
	return app, store
}

func TestWebhookAdmin(t *testing.T) {
	t.Parallel()
	app, store := newApp(t)

	const valid = `{"url":"https://93.184.215.14/hooks","description":"ERP","eventTypes":["order.paid.v1","refund.completed.v1"]}`
	var id, deliveryID string // filled as the steps run
	tests := []struct {
		name, method, path, role, body string
		status                         int
		contains                       string
	}{
		{"anonymous", "GET", "/", "", "", 401, ""},
		{"customer", "GET", "/", "customer", "", 403, ""},
		{"support may not", "GET", "/", "support", "", 403, ""},
		{"empty list", "GET", "/", "admin", "", 200, `{"items":[]}`},
		{"register", "POST", "/", "admin", valid, 201, `"secret":"whsec_`},
		{"register with own secret", "POST", "/", "admin",
			`{"url":"https://93.184.215.14/b","eventTypes":["order.shipped.v1"],"secret":"my-own-secret-of-24-chars!","enabled":false}`, 201, `"secret":"my-own-secret-of-24-chars!"`},
		{"short secret", "POST", "/", "admin", `{"url":"https://93.184.215.14/b","eventTypes":["order.shipped.v1"],"secret":"short"}`, 422, `"field":"secret"`},
		{"loopback refused", "POST", "/", "admin", `{"url":"https://127.0.0.1/x","eventTypes":["order.paid.v1"]}`, 422, "loopback"},
		{"metadata refused", "POST", "/", "admin", `{"url":"https://169.254.169.254/latest","eventTypes":["order.paid.v1"]}`, 422, "metadata"},
		{"plain http refused", "POST", "/", "admin", `{"url":"http://93.184.215.14/x","eventTypes":["order.paid.v1"]}`, 422, "https"},
		{"unknown type", "POST", "/", "admin", `{"url":"https://93.184.215.14/x","eventTypes":["ordering.OrderPaid.v1"]}`, 422, `"field":"eventTypes"`},
		{"unknown field", "POST", "/", "admin", `{"url":"https://93.184.215.14/x","eventTypes":["order.paid.v1"],"admin":true}`, 422, `"field":"admin"`},
		{"wrong type", "POST", "/", "admin", `{"url":42,"eventTypes":["order.paid.v1"]}`, 422, ""},
		{"not JSON", "POST", "/", "admin", `url=x`, 415, ""},
		{"malformed JSON", "POST", "/", "admin", `{"url":`, 400, ""},
		{"list hides secrets", "GET", "/", "admin", "", 200, `"description":"ERP"`},
		{"read", "GET", "/{id}", "admin", "", 200, `"eventTypes":["order.paid.v1","refund.completed.v1"]`},
		{"not an id", "GET", "/..%2F..%2Fetc", "admin", "", 404, ""},
		{"unknown id", "GET", "/00000000-0000-4000-8000-000000000000", "admin", "", 404, ""},
		{"disable", "PUT", "/{id}", "admin", `{"url":"https://93.184.215.14/v2","eventTypes":["order.paid.v1"],"enabled":false}`, 200, `"enabled":false`},
		{"change keeps the state when not given", "PUT", "/{id}", "admin", `{"url":"https://93.184.215.14/v3","eventTypes":["order.paid.v1"]}`, 200, `"enabled":false`},
		{"secret cannot change", "PUT", "/{id}", "admin", `{"url":"https://93.184.215.14/v3","eventTypes":["order.paid.v1"],"secret":"my-own-secret-of-24-chars!"}`, 422, `"field":"secret"`},
		{"change to a private address", "PUT", "/{id}", "admin", `{"url":"https://10.0.0.1/","eventTypes":["order.paid.v1"]}`, 422, "private"},
		{"change unknown", "PUT", "/00000000-0000-4000-8000-000000000000", "admin", valid, 404, ""},
		{"delivery log", "GET", "/{id}/deliveries", "admin", "", 200, `"status":"failed"`},
		{"delivery log limit", "GET", "/{id}/deliveries?limit=0", "admin", "", 422, `"field":"limit"`},
		{"delivery log of unknown endpoint", "GET", "/00000000-0000-4000-8000-000000000000/deliveries", "admin", "", 404, ""},
		{"redeliver", "POST", "/{id}/deliveries/{delivery}/redeliver", "admin", "", 202, `"status":"pending"`},
		{"redeliver unknown", "POST", "/{id}/deliveries/00000000-0000-4000-8000-000000000000/redeliver", "admin", "", 404, ""},
		{"redeliver bad id", "POST", "/{id}/deliveries/x/redeliver", "admin", "", 404, ""},
		{"delete", "DELETE", "/{id}", "admin", "", 204, ""},
		{"deleted", "GET", "/{id}", "admin", "", 404, ""},
		{"delete again", "DELETE", "/{id}", "admin", "", 404, ""},
	}
	for _, tt := range tests { // in order: each builds on the last
		if tt.name == "delivery log" { // a delivery that failed for good, to redeliver
			deliveryID = "11111111-2222-4333-8444-555555555555"
			now := time.Now()
			if err := store.Enqueue(context.Background(), 1, []webhooks.Delivery{{ID: deliveryID, EndpointID: id, EventID: "ev1",
				EventType: webhooks.TypeOrderPaid, Payload: []byte(`{"id":"ev1"}`), Status: webhooks.StatusPending,
				NextAttemptAt: now, Deadline: now, CreatedAt: now}}); err != nil {
				t.Fatal(err)
			}
			if err := store.Record(context.Background(), deliveryID, webhooks.Attempt{At: now, StatusCode: 500, Error: "endpoint answered 500", Status: webhooks.StatusFailed}); err != nil {
				t.Fatal(err)
			}
		}
		path := strings.NewReplacer("{id}", id, "{delivery}", deliveryID).Replace("/api/admin/webhooks" + tt.path)
		req := httptest.NewRequest(tt.method, path, strings.NewReader(tt.body))
		if tt.body != "" && tt.name != "not JSON" {
			req.Header.Set("Content-Type", "application/json")
		}
		if tt.role != "" {
			req.Header.Set("X-Test-Role", tt.role)
		}
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		apitest.CheckJSON(t, tt.method, path, tt.body, res.StatusCode, res.Header, body)
		if res.StatusCode != tt.status || !strings.Contains(string(body), tt.contains) {
			t.Fatalf("%s: %d %s, want %d containing %q", tt.name, res.StatusCode, body, tt.status, tt.contains)
		}
		if res.StatusCode >= 400 {
			testenv.CheckProblem(t, tt.name, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		if tt.name == "register" {
			var e endpointDTO
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatal(err)
			}
			id = e.ID
		}
		if strings.HasPrefix(tt.name, "list") || tt.name == "read" {
			if strings.Contains(string(body), "whsec_") || strings.Contains(string(body), "my-own-secret") {
				t.Fatalf("%s shows a secret: %s", tt.name, body)
			}
		}
	}
}
