package notifier

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/mail"
	"github.com/evshop/shop/mail/memory"
	core "github.com/evshop/shop/notifier"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/authn/authntest"
	"github.com/evshop/shop/platform/httpx"
)

const goodToken = "0b8f4c1e-8d2a-4a8e-9a57-3c6f1f1b2a10.sig"

type fakeUnsub struct{ done []string }

func (f *fakeUnsub) CheckUnsubscribeToken(token string) error {
	if token != goodToken {
		return core.ErrBadToken
	}
	return nil
}

func (f *fakeUnsub) Unsubscribe(_ context.Context, token string) error {
	if err := f.CheckUnsubscribeToken(token); err != nil {
		return err
	}
	f.done = append(f.done, token)
	return nil
}

type fakeFailed []core.Delivery

func (f fakeFailed) FailedDeliveries(context.Context, int) ([]core.Delivery, error) { return f, nil }

type verifier = authntest.Verifier

func newApp(t *testing.T) (*fiber.App, *fakeUnsub, *memory.Outbox) {
	t.Helper()
	outbox := memory.New()
	if _, err := outbox.Send(context.Background(), mail.Message{To: "ann@example.com", Subject: "Welcome <Ann>",
		Text: "hello", HTML: `<p>hi</p><script>alert(1)</script>`}); err != nil {
		t.Fatal(err)
	}
	unsub := &fakeUnsub{}
	h, err := New(Config{Unsubscriber: unsub, Outbox: outbox,
		Failed:   fakeFailed{{Key: "e1", Kind: "order_confirmation", To: "x@example.com", Status: core.StatusFailed, LastError: "MessageRejected"}},
		Verifier: verifier{"support": {UserID: "s", Roles: []authn.Role{authn.RoleSupport}}, "cust": {UserID: "c", Roles: []authn.Role{authn.RoleCustomer}}}})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(httpx.AppConfig(slog.New(slog.DiscardHandler)))
	h.Mount(app)
	return app, unsub, outbox
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	q := "?token=" + url.QueryEscape(goodToken)
	tests := []struct {
		name, method, target, ctype, body, auth, accept string
		status                                          int
		contains                                        []string
		unsubscribed                                    bool
	}{
		{name: "unsubscribe page", method: "GET", target: PathUnsubscribe + q, status: 200, contains: []string{`name="token" value="` + goodToken + `"`, "<form"}},
		{name: "unsubscribe page, bad token", method: "GET", target: PathUnsubscribe + "?token=nope", status: 400, contains: []string{"invalid"}},
		{name: "unsubscribe page, no token", method: "GET", target: PathUnsubscribe, status: 400},
		{name: "one-click POST", method: "POST", target: PathUnsubscribe + q, ctype: "application/x-www-form-urlencoded", body: "List-Unsubscribe=One-Click", status: 200, unsubscribed: true},
		{name: "form POST", method: "POST", target: PathUnsubscribe, ctype: "application/x-www-form-urlencoded", body: "token=" + url.QueryEscape(goodToken), accept: "text/html", status: 200, contains: []string{"You are unsubscribed"}, unsubscribed: true},
		{name: "JSON POST", method: "POST", target: PathUnsubscribe, ctype: "application/json", body: `{"token":"` + goodToken + `"}`, accept: "application/json", status: 200, contains: []string{`"unsubscribed":true`}, unsubscribed: true},
		{name: "JSON POST unknown field", method: "POST", target: PathUnsubscribe, ctype: "application/json", body: `{"token":"x","x":1}`, status: 422},
		{name: "POST bad token", method: "POST", target: PathUnsubscribe, ctype: "application/json", body: `{"token":"forged"}`, status: 400},
		{name: "POST no token", method: "POST", target: PathUnsubscribe, ctype: "text/plain", body: "x", status: 422},
		{name: "POST huge token", method: "POST", target: PathUnsubscribe + "?token=" + strings.Repeat("a", 300), status: 422},
		{name: "failed list anonymous", method: "GET", target: PathFailed, status: 401},
		{name: "failed list customer", method: "GET", target: PathFailed, auth: "cust", status: 403},
		{name: "failed list support", method: "GET", target: PathFailed, auth: "support", status: 200, contains: []string{`"key":"e1"`, "MessageRejected"}},
		{name: "failed list bad limit", method: "GET", target: PathFailed + "?limit=0", auth: "support", status: 422},
		{name: "dev mail list", method: "GET", target: "/dev/mail", status: 200, contains: []string{"Welcome &lt;Ann&gt;", "/dev/mail/m1"}},
		{name: "dev mail json", method: "GET", target: "/dev/mail.json", status: 200, contains: []string{`"id":"m1"`, `"to":"ann@example.com"`, `"sentAt"`, `"html"`, `"text":"hello"`}},
		{name: "dev mail view", method: "GET", target: "/dev/mail/m1", status: 200, contains: []string{"<iframe sandbox", "hello"}},
		{name: "dev mail html is sandboxed", method: "GET", target: "/dev/mail/m1/html", status: 200, contains: []string{"<script>"}},
		{name: "dev mail unknown", method: "GET", target: "/dev/mail/zz", status: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app, unsub, _ := newApp(t)
			req := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			if tt.accept != "" {
				req.Header.Set("Accept", tt.accept)
			}
			if tt.auth != "" {
				req.Header.Set("Authorization", "Bearer "+tt.auth)
			}
			resp, err := app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if resp.StatusCode >= 400 && strings.HasPrefix(tt.target, "/api") && tt.method == "POST" && resp.Header.Get("Content-Type") != httpx.ContentTypeProblem {
				t.Fatalf("error content type %q", resp.Header.Get("Content-Type"))
			}
			for _, s := range tt.contains {
				if !strings.Contains(string(body), s) {
					t.Fatalf("body lacks %q:\n%s", s, body)
				}
			}
			if got := len(unsub.done) == 1; got != tt.unsubscribed {
				t.Fatalf("unsubscribed = %v, want %v", got, tt.unsubscribed)
			}
			if strings.HasSuffix(tt.target, "/html") && !strings.Contains(resp.Header.Get("Content-Security-Policy"), "sandbox") {
				t.Fatal("email HTML served without a sandbox CSP")
			}
		})
	}
}

func TestDevMailJSONShape(t *testing.T) {
	t.Parallel()
	app, _, _ := newApp(t)
	resp, err := app.Test(httptest.NewRequest(http.MethodGet, "/dev/mail.json", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d mails", len(got))
	}
	for _, k := range []string{"id", "to", "subject", "text", "html", "sentAt"} {
		if _, ok := got[0][k]; !ok {
			t.Errorf("field %q missing", k)
		}
	}
	if len(got[0]) != 6 {
		t.Errorf("unexpected fields: %v", got[0])
	}
}

func TestUnavailableOptOut(t *testing.T) {
	t.Parallel()
	h, err := New(Config{Unsubscriber: unavailable{}})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(httpx.AppConfig(slog.New(slog.DiscardHandler)))
	h.Mount(app)
	req := httptest.NewRequest("POST", PathUnsubscribe+"?token=x", nil)
	resp, err := app.Test(req, -1)
	if err != nil || resp.StatusCode != 503 {
		t.Fatalf("status %v, %v", resp.StatusCode, err)
	}
}

type unavailable struct{}

func (unavailable) CheckUnsubscribeToken(string) error { return nil }
func (unavailable) Unsubscribe(context.Context, string) error {
	return errors.Join(core.ErrOptOutUnavailable)
}

// waitlist is an in-memory BackInStock keyed like the real one.
type waitlist map[string]bool

func (w waitlist) SubscribeBackInStock(_ context.Context, sku, customerID string) error {
	w[sku+"/"+customerID] = true
	return nil
}

func (w waitlist) UnsubscribeBackInStock(_ context.Context, sku, customerID string) error {
	delete(w, sku+"/"+customerID)
	return nil
}

func (w waitlist) BackInStockSubscribed(_ context.Context, sku, customerID string) (bool, error) {
	return w[sku+"/"+customerID], nil
}

// TestBackInStockRequests walks one customer's requests in order: each
// answer is the state after it, repeated requests answer the same, and
// another customer's state is their own.
func TestBackInStockRequests(t *testing.T) {
	t.Parallel()
	list := waitlist{}
	h, err := New(Config{BackInStock: list, Verifier: verifier{
		"ann": {UserID: "ann", Roles: []authn.Role{authn.RoleCustomer}}, "bob": {UserID: "bob", Roles: []authn.Role{authn.RoleCustomer}}}})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(httpx.AppConfig(slog.New(slog.DiscardHandler)))
	h.Mount(app)
	path := "/api/notifications/back-in-stock/"
	steps := []struct {
		method, sku, auth string
		status            int
		subscribed        bool
	}{
		{"GET", "OUT-001", "ann", 200, false},
		{"POST", "out-001", "ann", 200, true}, // SKUs are case-insensitive
		{"POST", "OUT-001", "ann", 200, true}, // idempotent
		{"GET", "OUT-001", "bob", 200, false},
		{"GET", "OUT-001-RED", "ann", 200, false}, // a variant is its own SKU
		{"DELETE", "OUT-001", "ann", 200, false},
		{"DELETE", "OUT-001", "ann", 200, false},
		{"POST", "OUT-001", "", 401, false},
		{"POST", "x", "ann", 422, false},
		{"POST", "%24gt", "ann", 422, false},
		{"POST", strings.Repeat("A", 40), "ann", 422, false},
	}
	for i, st := range steps {
		req := httptest.NewRequest(st.method, path+st.sku, nil)
		if st.auth != "" {
			req.Header.Set("Authorization", "Bearer "+st.auth)
		}
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != st.status {
			t.Fatalf("step %d %s %s: status %d, want %d: %s", i, st.method, st.sku, resp.StatusCode, st.status, body)
		}
		if st.status >= 400 {
			if resp.Header.Get("Content-Type") != httpx.ContentTypeProblem {
				t.Fatalf("step %d: error content type %q", i, resp.Header.Get("Content-Type"))
			}
			continue
		}
		var got struct {
			SKU        string `json:"sku"`
			Subscribed bool   `json:"subscribed"`
		}
		if err := json.Unmarshal(body, &got); err != nil || got.Subscribed != st.subscribed || got.SKU != strings.ToUpper(st.sku) {
			t.Fatalf("step %d %s %s: %s, want subscribed=%v", i, st.method, st.sku, body, st.subscribed)
		}
	}
}
