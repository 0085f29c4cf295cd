package client_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	apicatalog "github.com/evshop/shop/api/catalog"
	apiclient "github.com/evshop/shop/api/client"
	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/kvcache"
	catalogmemory "github.com/evshop/shop/catalog/memory"
	"github.com/evshop/shop/client"
	"github.com/evshop/shop/client/clienttest"
	clientmemory "github.com/evshop/shop/client/memory"
	clientmongo "github.com/evshop/shop/client/mongostore"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/authn/authntest"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/recommendations"
)

type verifier = authntest.Verifier

type env struct {
	app        *fiber.App
	svc        *client.Service
	alice, bob string
}

func newEnv(t *testing.T, store client.Store, cache client.Cache) env {
	t.Helper()
	ctx := context.Background()
	cat, err := catalog.New(catalog.Config{Store: catalogmemory.New()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cat.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	history := recommendations.NewMemoryStore()
	svc, err := client.New(client.Config{Store: store, Cache: cache, History: recommendations.History{Store: history}})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := recommendations.NewRecommender(history, cat)
	if err != nil {
		t.Fatal(err)
	}
	e := env{svc: svc, alice: uuid.NewString(), bob: uuid.NewString()}
	for _, id := range []string{e.alice, e.bob} {
		if err := svc.OnUserRegistered(ctx, clienttest.Registered(t, id, "User "+id[:4])); err != nil {
			t.Fatal(err)
		}
	}
	tokens := verifier{
		"alice":   {UserID: e.alice, Email: "alice@example.com", Roles: []authn.Role{authn.RoleCustomer}},
		"bob":     {UserID: e.bob, Roles: []authn.Role{authn.RoleCustomer}},
		"support": {UserID: uuid.NewString(), Roles: []authn.Role{authn.RoleSupport}},
		"odd":     {UserID: "not-a-uuid", Roles: []authn.Role{authn.RoleCustomer}},
	}
	api, err := apiclient.New(apiclient.Deps{Clients: svc, Recommender: rec, Verifier: tokens})
	if err != nil {
		t.Fatal(err)
	}
	e.app = fiber.New(fiber.Config{ErrorHandler: httpx.ErrorHandler(slog.New(slog.DiscardHandler))})
	api.Mount(e.app.Group("/api/clients"))
	return e
}

func (e env) do(t *testing.T, method, target, token, body string, out any) int {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := e.app.Test(req, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, target, res.StatusCode, b, err)
		}
	}
	if res.StatusCode >= 500 {
		t.Errorf("%s %s: %d %s", method, target, res.StatusCode, b)
	}
	return res.StatusCode
}

func TestAPIMemory(t *testing.T) {
	t.Parallel()
	run(t, func(t *testing.T) env { return newEnv(t, clientmemory.New(), kvcache.NewMemory(0)) })
}

func TestAPIMongoRedis(t *testing.T) {
	t.Parallel()
	run(t, func(t *testing.T) env {
		rdb, prefix := testenv.Redis(t)
		return newEnv(t, clientmongo.New(testenv.Mongo(t)), kvcache.NewRedis(rdb, prefix))
	})
}

func run(t *testing.T, mk func(t *testing.T) env) {
	t.Run("OwnProfile", func(t *testing.T) { t.Parallel(); testOwn(t, mk(t)) })
	t.Run("Ownership", func(t *testing.T) { t.Parallel(); testOwnership(t, mk(t)) })
	t.Run("Injection", func(t *testing.T) { t.Parallel(); testInjection(t, mk(t)) })
}

const profile = `{"name":"Alice","phone":"+49 30 1234567","addresses":[{"id":"","label":"Home","default":true,"name":"Alice A","line1":"Hauptstr. 1","line2":"","city":"Berlin","postalCode":"10115","country":"DE"}]}`

func testOwn(t *testing.T, e env) {
	var p apiclient.ProfileDTO
	if s := e.do(t, "GET", "/api/clients/me", "alice", "", &p); s != 200 || !strings.HasPrefix(p.Name, "User ") {
		t.Fatalf("created on registration: %d %+v", s, p)
	}
	if s := e.do(t, "PUT", "/api/clients/me", "alice", profile, &p); s != 200 || p.Addresses[0].ID == "" {
		t.Fatalf("put: %d %+v", s, p)
	}
	if e.do(t, "GET", "/api/clients/me", "alice", "", &p); p.Name != "Alice" || p.Addresses[0].City != "Berlin" {
		t.Fatalf("read back: %+v", p)
	}
	var prefs map[string]any
	if s := e.do(t, "PUT", "/api/clients/me/preferences", "alice",
		`{"language":"de","currency":"EUR","marketingOptIn":false,"favouriteCategories":["Books"],"extra":{"theme":"dark"}}`, &prefs); s != 200 {
		t.Fatalf("put preferences: %d", s)
	}
	var recs []apicatalog.ProductDTO
	if s := e.do(t, "GET", "/api/clients/me/recommendations?limit=3", "alice", "", &recs); s != 200 || len(recs) != 3 || recs[0].Category != "Books" {
		t.Fatalf("recommendations: %d %+v", s, recs)
	}
	var ex map[string]any
	if s := e.do(t, "GET", "/api/clients/me/export", "alice", "", &ex); s != 200 || ex["profile"].(map[string]any)["name"] != "Alice" {
		t.Fatalf("export: %d %+v", s, ex)
	}
	if s := e.do(t, "DELETE", "/api/clients/me", "alice", "", nil); s != 204 {
		t.Fatalf("erase: %d", s)
	}
	if e.do(t, "GET", "/api/clients/me", "alice", "", &p); p.Name != "" || len(p.Addresses) != 0 {
		t.Fatalf("after erase: %+v", p)
	}
	if s := e.do(t, "GET", "/api/clients/"+e.alice, "support", "", nil); s != 404 {
		t.Fatalf("support reads erased profile: %d", s)
	}
}

func testOwnership(t *testing.T, e env) {
	cases := []struct {
		token, target string
		status        int
	}{
		{"", "/api/clients/me", 401},
		{"bad", "/api/clients/me", 401},
		{"bob", "/api/clients/" + e.alice, 403},
		{"alice", "/api/clients/" + e.alice, 403}, // even one's own id: customers use /me
		{"support", "/api/clients/" + e.alice, 200},
		{"support", "/api/clients/" + uuid.NewString(), 404},
		{"support", "/api/clients/not-a-uuid", 404},
		{"odd", "/api/clients/me", 403},
	}
	for _, c := range cases {
		if s := e.do(t, "GET", c.target, c.token, "", nil); s != c.status {
			t.Errorf("%s as %q: %d, want %d", c.target, c.token, s, c.status)
		}
	}
	// Bob's writes never touch Alice.
	e.do(t, "PUT", "/api/clients/me", "bob", `{"name":"Bob","phone":"","addresses":[]}`, nil)
	var p apiclient.ProfileDTO
	if e.do(t, "GET", "/api/clients/me", "alice", "", &p); p.Name == "Bob" {
		t.Fatal("bob's write reached alice")
	}
	if s := e.do(t, "PUT", "/api/clients/"+e.alice, "bob", `{"name":"x"}`, nil); s != 404 && s != 405 {
		t.Fatalf("PUT another id: %d", s)
	}
}

func testInjection(t *testing.T, e env) {
	bodies := []struct{ target, body string }{
		{"/api/clients/me", `{"name":{"$gt":""},"phone":"","addresses":[]}`},
		{"/api/clients/me", `{"name":"x","phone":{"$ne":null},"addresses":[]}`},
		{"/api/clients/me", `{"name":"x","addresses":[{"$where":"1"}]}`},
		{"/api/clients/me", `{"name":"x","addresses":[{"name":"a","line1":"b","city":{"$gt":""},"postalCode":"12345","country":"DE"}]}`},
		{"/api/clients/me", `{"name":"x","$where":"sleep(100)"}`},
		{"/api/clients/me", `{"name":"x","addresses":[{"id":"a.b","name":"a","line1":"b","city":"c","postalCode":"12345","country":"DE"}]}`},
		{"/api/clients/me/preferences", `{"language":{"$gt":""},"currency":"EUR"}`},
		{"/api/clients/me/preferences", `{"language":"en","currency":"EUR","extra":{"$set":"x"}}`},
		{"/api/clients/me/preferences", `{"language":"en","currency":"EUR","extra":{"a.b":"x"}}`},
		{"/api/clients/me/preferences", `{"language":"en","currency":"EUR","extra":{"k":{"$gt":""}}}`},
		{"/api/clients/me/preferences", `{"language":"en","currency":"EUR","favouriteCategories":[{"$gt":""}]}`},
		{"/api/clients/me/preferences", `{"language":"en","currency":"EUR","favouriteCategories":["$where"]}`},
		{"/api/clients/me/preferences", `{"language":"en","currency":"EUR","marketingOptIn":{"$ne":false}}`},
	}
	for _, b := range bodies {
		s := e.do(t, "PUT", b.target, "alice", b.body, nil)
		if s < 400 || s >= 500 {
			t.Errorf("%s %s: %d, want 4xx", b.target, b.body, s)
		}
	}
	big := `{"language":"en","currency":"EUR","extra":{` + strings.Repeat(`"k`, 1) + `0":"` + strings.Repeat("x", 300) + `"}}`
	if s := e.do(t, "PUT", "/api/clients/me/preferences", "alice", big, nil); s != 422 {
		t.Errorf("oversized extra value: %d", s)
	}
	if s := e.do(t, "GET", "/api/clients/me/recommendations?limit=%7B%22%24gt%22%3A0%7D", "alice", "", nil); s != 422 {
		t.Errorf("operator limit: %d", s)
	}
	if s := e.do(t, "GET", "/api/clients/%7B%22%24gt%22%3A%22%22%7D", "support", "", nil); s != 404 {
		t.Errorf("operator id: %d", s)
	}
}
