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

	"github.com/evshop/shop/api/apitest"
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
		"admin":   {UserID: adminID, Roles: []authn.Role{authn.RoleAdmin}},
		"odd":     {UserID: "not-a-uuid", Roles: []authn.Role{authn.RoleCustomer}},
	}
	api, err := apiclient.New(apiclient.Deps{Clients: svc, Recommender: rec, Verifier: tokens})
	if err != nil {
		t.Fatal(err)
	}
	e.app = fiber.New(httpx.AppConfig(slog.New(slog.DiscardHandler)))
	api.Mount(e.app.Group("/api/clients"))
	api.MountAdmin(e.app.Group("/api/admin/customers"))
	return e
}

// adminID is the admin's user id in every env.
const adminID = "5f0c6a3e-2b1d-4c8e-9f3a-7d6e5c4b3a21"

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
	apitest.CheckJSON(t, method, target, body, res.StatusCode, res.Header, b)
	if res.StatusCode >= 400 && res.Header.Get("Content-Type") != httpx.ContentTypeProblem {
		t.Errorf("%s %s: %d without problem+json", method, target, res.StatusCode)
	}
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
		store, err := clientmongo.New(context.Background(), testenv.Mongo(t))
		if err != nil {
			t.Fatal(err)
		}
		return newEnv(t, store, kvcache.NewRedis(rdb, prefix))
	})
}

func run(t *testing.T, mk func(t *testing.T) env) {
	t.Run("OwnProfile", func(t *testing.T) { t.Parallel(); testOwn(t, mk(t)) })
	t.Run("Ownership", func(t *testing.T) { t.Parallel(); testOwnership(t, mk(t)) })
	t.Run("Injection", func(t *testing.T) { t.Parallel(); testInjection(t, mk(t)) })
	t.Run("AdminCustomers", func(t *testing.T) { t.Parallel(); testAdminCustomers(t, mk(t)) })
	t.Run("AdminErasure", func(t *testing.T) { t.Parallel(); testAdminErasure(t, mk(t)) })
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
	var cu apiclient.CustomerDTO
	if s := e.do(t, "GET", "/api/admin/customers/"+e.alice, "support", "", &cu); s != 200 || !cu.Erased || cu.Profile != nil ||
		cu.Email != "" || len(cu.Erasures) != 1 || !cu.Erasures[0].ByCustomer || cu.Erasures[0].By != e.alice {
		t.Fatalf("support reads an erased customer: %d %+v", s, cu)
	}
}

func testOwnership(t *testing.T, e env) {
	cases := []struct {
		token, target string
		status        int
	}{
		{"", "/api/clients/me", 401},
		{"bad", "/api/clients/me", 401},
		{"bob", "/api/admin/customers/" + e.alice, 403},
		{"alice", "/api/admin/customers/" + e.alice, 403}, // even one's own id: customers use /me
		{"support", "/api/admin/customers/" + e.alice, 200},
		{"support", "/api/admin/customers/" + uuid.NewString(), 404},
		{"support", "/api/admin/customers/not-a-uuid", 404},
		{"support", "/api/clients/" + e.alice, 404}, // retired: /api/admin/customers/{id}
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
	if s := e.do(t, "GET", "/api/admin/customers/%7B%22%24gt%22%3A%22%22%7D", "support", "", nil); s != 404 {
		t.Errorf("operator id: %d", s)
	}
	for _, q := range []struct {
		query string
		total int
	}{
		{"q=%7B%22%24gt%22%3A%22%22%7D", 0},
		{"q=.*", 0},
		{"q=%5E(a%2B)%2B%24", 0},
		{"q=a%25", 0},
		{"q=a_", 0},
		{"q=u%5C", 0},
		{"q[$ne]=x", 2}, // not q: no filter at all
	} {
		var page apiclient.CustomerPageDTO
		if s := e.do(t, "GET", "/api/admin/customers?"+q.query, "support", "", &page); s != 200 || page.Total != q.total {
			t.Errorf("operator-like query %s: %d %+v", q.query, s, page)
		}
	}
}

func testAdminCustomers(t *testing.T, e env) {
	// Alice fills her profile; Bob stays as registered ("User xxxx").
	if s := e.do(t, "PUT", "/api/clients/me", "alice", profile, nil); s != 200 {
		t.Fatalf("put: %d", s)
	}
	long := strings.Repeat("x", 101)
	cases := []struct {
		name, target, token string
		status              int
		want                []string // ids in order, for 200
		total               int
	}{
		{"anonymous", "/api/admin/customers", "", 401, nil, 0},
		{"a customer", "/api/admin/customers?q=alice", "alice", 403, nil, 0},
		{"support lists everyone", "/api/admin/customers", "support", 200, nil, 2},
		{"admin searches a name", "/api/admin/customers?q=ALI", "admin", 200, []string{e.alice}, 1},
		{"by email prefix", "/api/admin/customers?q=a%40example", "support", 200, []string{e.bob}, 1},
		{"a name or an email", "/api/admin/customers?q=A", "support", 200, nil, 2},
		{"two words", "/api/admin/customers?q=alice%20alice%40", "support", 200, []string{e.alice}, 1},
		{"a name and someone else's email", "/api/admin/customers?q=alice%20a%40", "support", 200, []string{}, 0},
		{"by id", "/api/admin/customers?q=" + strings.ToUpper(e.bob), "support", 200, []string{e.bob}, 1},
		{"no match", "/api/admin/customers?q=zed", "support", 200, []string{}, 0},
		{"paged", "/api/admin/customers?pageSize=1&page=2", "support", 200, nil, 2},
		{"q too long", "/api/admin/customers?q=" + long, "support", 422, nil, 0},
		{"too many words", "/api/admin/customers?q=a+b+c+d+e", "support", 422, nil, 0},
		{"a control character", "/api/admin/customers?q=a%00b", "support", 422, nil, 0},
		{"page 0", "/api/admin/customers?page=0", "support", 422, nil, 0},
		{"page not a number", "/api/admin/customers?page=x", "support", 422, nil, 0},
		{"page too far", "/api/admin/customers?page=10001", "support", 422, nil, 0},
		{"page size too big", "/api/admin/customers?pageSize=101", "support", 422, nil, 0},
	}
	for _, c := range cases {
		var page apiclient.CustomerPageDTO
		s := e.do(t, "GET", c.target, c.token, "", &page)
		if s != c.status {
			t.Errorf("%s: %d, want %d", c.name, s, c.status)
			continue
		}
		if s != 200 {
			continue
		}
		if page.Total != c.total || (c.want != nil && len(page.Items) != len(c.want)) {
			t.Errorf("%s: %+v, want %v (total %d)", c.name, page, c.want, c.total)
			continue
		}
		for i, id := range c.want {
			if page.Items[i].ID != id {
				t.Errorf("%s: item %d is %s, want %s", c.name, i, page.Items[i].ID, id)
			}
		}
	}
	var page apiclient.CustomerPageDTO
	e.do(t, "GET", "/api/admin/customers?q=alice", "support", "", &page)
	if len(page.Items) != 1 || page.Items[0].Name != "Alice" || page.Items[0].Email != "alice@example.com" || page.Items[0].CreatedAt.IsZero() ||
		page.Page != 1 || page.PageSize != 20 {
		t.Fatalf("a result: %+v", page)
	}

	var cu apiclient.CustomerDTO
	if s := e.do(t, "GET", "/api/admin/customers/"+strings.ToUpper(e.alice), "support", "", &cu); s != 200 || cu.ID != e.alice ||
		cu.Name != "Alice" || cu.Profile == nil || len(cu.Profile.Addresses) != 1 || cu.Profile.Addresses[0].City != "Berlin" ||
		cu.Preferences.Language != "en" || cu.Erased || len(cu.Erasures) != 0 || cu.CreatedAt == nil {
		t.Fatalf("detail: %d %+v", s, cu)
	}
	var ex map[string]any
	if s := e.do(t, "GET", "/api/admin/customers/"+e.alice+"/export", "support", "", &ex); s != 200 ||
		ex["userId"] != e.alice || ex["profile"].(map[string]any)["name"] != "Alice" {
		t.Fatalf("export: %d %+v", s, ex)
	}
	for _, c := range []struct {
		name, target, token string
		status              int
	}{
		{"a customer exports another", "/api/admin/customers/" + e.alice + "/export", "bob", 403},
		{"export of nobody", "/api/admin/customers/" + uuid.NewString() + "/export", "support", 404},
		{"export of a malformed id", "/api/admin/customers/x/export", "support", 404},
		{"anonymous export", "/api/admin/customers/" + e.alice + "/export", "", 401},
	} {
		if s := e.do(t, "GET", c.target, c.token, "", nil); s != c.status {
			t.Errorf("%s: %d, want %d", c.name, s, c.status)
		}
	}
}

func testAdminErasure(t *testing.T, e env) {
	target := "/api/admin/customers/" + e.bob
	for _, c := range []struct {
		name, target, token string
		status              int
	}{
		{"anonymous", target, "", 401},
		{"a customer", target, "alice", 403},
		{"the customer themselves", target, "bob", 403},
		{"support", target, "support", 403},
		{"an unknown customer", "/api/admin/customers/" + uuid.NewString(), "admin", 404},
		{"a malformed id", "/api/admin/customers/bob", "admin", 404},
	} {
		if s := e.do(t, "DELETE", c.target, c.token, "", nil); s != c.status {
			t.Errorf("%s: %d, want %d", c.name, s, c.status)
		}
	}
	var cu apiclient.CustomerDTO
	if e.do(t, "GET", target, "support", "", &cu); cu.Erased || cu.Profile == nil {
		t.Fatalf("refused erasures erased: %+v", cu)
	}
	if s := e.do(t, "DELETE", target, "admin", "", nil); s != 204 {
		t.Fatalf("admin erases: %d", s)
	}
	cu = apiclient.CustomerDTO{}
	if s := e.do(t, "GET", target, "support", "", &cu); s != 200 || !cu.Erased || cu.Profile != nil || cu.Name != "" ||
		len(cu.Erasures) != 1 || cu.Erasures[0].By != adminID || cu.Erasures[0].ByCustomer || cu.CreatedAt != nil {
		t.Fatalf("after erasure: %d %+v", s, cu)
	}
	var page apiclient.CustomerPageDTO
	if e.do(t, "GET", "/api/admin/customers", "support", "", &page); page.Total != 1 || page.Items[0].ID != e.alice {
		t.Fatalf("an erased customer is still listed: %+v", page)
	}
	var p apiclient.ProfileDTO
	if e.do(t, "GET", "/api/clients/me", "bob", "", &p); p.Name != "" {
		t.Fatalf("bob's profile after the admin's erasure: %+v", p)
	}
	var ex map[string]any
	if s := e.do(t, "GET", target+"/export", "support", "", &ex); s != 200 || ex["profile"] != nil {
		t.Fatalf("export after erasure: %d %+v", s, ex)
	}
}
