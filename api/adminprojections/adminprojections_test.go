package adminprojections_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/api/adminprojections"
	"github.com/evshop/shop/api/apitest"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/authn/authntest"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/projections/orders"
	"github.com/evshop/shop/projections/projectionstest"
	"github.com/evshop/shop/projections/rebuild"
)

type verifier = authntest.Verifier

type env struct {
	app    *fiber.App
	runner *rebuild.Runner
	state  *rebuild.MemoryState
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	es := memory.New()
	if _, err := projectionstest.Seed(ctx, es, 11, 20, 0); err != nil {
		t.Fatal(err)
	}
	om, _ := orders.NewSwappable(orders.NewMemory())
	op, _ := orders.NewProjector(om)
	for ev, err := range es.ReadAll(ctx, 0, eventstore.Filter{}) {
		if err == nil {
			err = op.Handle(ctx, ev)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	target, _ := om.RebuildTarget()
	reg, _ := rebuild.NewRegistry(target)
	state := rebuild.NewMemoryState()
	runner, err := rebuild.NewRunner(rebuild.Config{Events: es, Registry: reg, State: state})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(runner.Close)
	log := slog.New(slog.DiscardHandler)
	api, err := adminprojections.New(adminprojections.Deps{Runner: runner, Log: log, Verifier: verifier{
		"admin":    {UserID: "u1", Roles: []authn.Role{authn.RoleAdmin}},
		"support":  {UserID: "u2", Roles: []authn.Role{authn.RoleSupport}},
		"customer": {UserID: "u3", Roles: []authn.Role{authn.RoleCustomer}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(httpx.AppConfig(log))
	api.Mount(app.Group("/api/admin/projections"))
	return &env{app: app, runner: runner, state: state}
}

func (e *env) do(t *testing.T, method, path, token, body string) (int, string, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	// Every answer is one the API's document gives.
	apitest.CheckJSON(t, method, path, body, resp.StatusCode, resp.Header, raw)
	var m map[string]any
	json.Unmarshal(raw, &m) //nolint:errcheck // some bodies are not objects
	return resp.StatusCode, resp.Header.Get("Content-Type"), m
}

func TestAccessIsStaffOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tc := range []struct {
		token string
		want  int
	}{{"", 401}, {"bogus", 401}, {"customer", 403}, {"support", 200}, {"admin", 200}} {
		for _, path := range []string{"/api/admin/projections", "/api/admin/projections/orders"} {
			if code, _, _ := e.do(t, "GET", path, tc.token, ""); code != tc.want {
				t.Errorf("GET %s as %q: %d, want %d", path, tc.token, code, tc.want)
			}
		}
		if tc.want != 200 {
			if code, _, _ := e.do(t, "POST", "/api/admin/projections/orders/rebuild", tc.token, ""); code != tc.want {
				t.Errorf("POST as %q: %d", tc.token, code)
			}
		}
	}
}

func TestBadInputIsProblemJSON(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tc := range []struct {
		method, path, body string
		want               int
	}{
		{"GET", "/api/admin/projections/Nope!", "", 422},
		{"GET", "/api/admin/projections/unknown", "", 404},
		{"POST", "/api/admin/projections/unknown/rebuild", "", 404},
		{"POST", "/api/admin/projections/orders/rebuild?restart=maybe", "", 422},
		{"POST", "/api/admin/projections/orders/rebuild", `{"x":1}`, 400},
	} {
		code, ct, _ := e.do(t, tc.method, tc.path, "admin", tc.body)
		if code != tc.want && !(tc.want == 422 && code == 400) {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, code, tc.want)
		}
		if !strings.HasPrefix(ct, httpx.ContentTypeProblem) {
			t.Errorf("%s %s: content type %q", tc.method, tc.path, ct)
		}
	}
}

func TestRebuildRunsInBackgroundAndRefusesASecond(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// Hold the lock as another process would.
	release, err := e.state.Lock(context.Background(), "orders")
	if err != nil {
		t.Fatal(err)
	}
	if code, _, _ := e.do(t, "POST", "/api/admin/projections/orders/rebuild", "support", ""); code != 409 {
		t.Fatalf("busy: %d", code)
	}
	release()
	code, _, body := e.do(t, "POST", "/api/admin/projections/orders/rebuild?restart=true", "support", "")
	if code != 202 || body["status"] != "/api/admin/projections/orders" || body["restart"] != true {
		t.Fatalf("start: %d %v", code, body)
	}
	e.runner.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, _, st := e.do(t, "GET", "/api/admin/projections/orders", "support", "")
		if st["state"] == "done" {
			rb, _ := st["rebuild"].(map[string]any)
			if rb == nil || rb["applied"].(float64) == 0 || st["lagEvents"].(float64) != 0 {
				t.Fatalf("status %v", st)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("rebuild never finished: %v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	_, _, list := e.do(t, "GET", "/api/admin/projections", "admin", "")
	items, _ := list["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["name"] != "orders" {
		t.Fatalf("list %v", list)
	}
}
