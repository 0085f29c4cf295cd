package catalog_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	apicatalog "github.com/evshop/shop/api/catalog"
	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/kvcache"
	"github.com/evshop/shop/catalog/memory"
	"github.com/evshop/shop/catalog/mongostore"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/authn/authntest"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/platform/testenv"
)

type verifier = authntest.Verifier

var tokens = verifier{
	"admin":    {UserID: "00000000-0000-4000-8000-000000000001", Roles: []authn.Role{authn.RoleAdmin}},
	"support":  {UserID: "00000000-0000-4000-8000-000000000002", Roles: []authn.Role{authn.RoleSupport}},
	"customer": {UserID: "00000000-0000-4000-8000-000000000003", Roles: []authn.Role{authn.RoleCustomer}},
}

type env struct {
	app *fiber.App
	svc *catalog.Service
}

func newEnv(t *testing.T, store catalog.Store, cache catalog.Cache) env {
	t.Helper()
	svc, err := catalog.New(catalog.Config{Store: store, Cache: cache})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := svc.SeedDemo(context.Background()); err != nil || n < 40 {
		t.Fatalf("seed: %d %v", n, err)
	}
	api, err := apicatalog.New(apicatalog.Deps{Catalog: svc, Verifier: tokens})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(httpx.AppConfig(discard()))
	api.Mount(app.Group("/api/catalog"))
	return env{app: app, svc: svc}
}

func memoryEnv(t *testing.T) env { return newEnv(t, memory.New(), kvcache.NewMemory(0)) }

func realEnv(t *testing.T) env {
	store, err := mongostore.New(context.Background(), testenv.Mongo(t))
	if err != nil {
		t.Fatal(err)
	}
	rdb, prefix := testenv.Redis(t)
	return newEnv(t, store, kvcache.NewRedis(rdb, prefix))
}

// do sends a request and decodes a JSON answer into out (when not nil).
func (e env) do(t *testing.T, method, target, token, body string, out any) *http.Response {
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
	if out != nil {
		b, _ := io.ReadAll(res.Body)
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, target, res.StatusCode, b, err)
		}
	}
	return res
}

func TestAPIMemory(t *testing.T) {
	t.Parallel()
	runAPI(t, memoryEnv)
}

func TestAPIMongoRedis(t *testing.T) {
	t.Parallel()
	runAPI(t, realEnv)
}

func runAPI(t *testing.T, mk func(t *testing.T) env) {
	t.Run("Browse", func(t *testing.T) { t.Parallel(); testBrowse(t, mk(t)) })
	t.Run("Admin", func(t *testing.T) { t.Parallel(); testAdmin(t, mk(t)) })
	t.Run("Injection", func(t *testing.T) { t.Parallel(); testInjection(t, mk(t)) })
	t.Run("CacheInvalidation", func(t *testing.T) { t.Parallel(); testCache(t, mk(t)) })
}

func testBrowse(t *testing.T, e env) {
	var pg apicatalog.PageDTO
	if res := e.do(t, "GET", "/api/catalog/products", "", "", &pg); res.StatusCode != 200 {
		t.Fatalf("list: %d", res.StatusCode)
	}
	if pg.Total != 42 || len(pg.Items) != 12 || pg.Page != 1 || pg.PageSize != 12 || pg.Items[0].OnHand != nil {
		t.Fatalf("default page: total %d, %d items, page %d/%d", pg.Total, len(pg.Items), pg.Page, pg.PageSize)
	}
	e.do(t, "GET", "/api/catalog/products?category=Books&sort=price_asc&pageSize=3&page=2", "", "", &pg)
	if pg.Total != 7 || len(pg.Items) != 3 || pg.Items[0].Price.Amount > pg.Items[2].Price.Amount {
		t.Fatalf("books page 2: %+v", pg)
	}
	e.do(t, "GET", "/api/catalog/products?q=wool&minPrice=2000&maxPrice=10000&sort=name", "", "", &pg)
	names := []string{}
	for _, it := range pg.Items {
		names = append(names, it.Name)
	}
	if strings.Join(names, ",") != "Merino Crew Sweater,Wool Beanie,Wool Throw Blanket" {
		t.Fatalf("search: %v", names)
	}
	var p apicatalog.ProductDTO
	if res := e.do(t, "GET", "/api/catalog/products/kit-002", "", "", &p); res.StatusCode != 200 || p.SKU != "KIT-002" || p.Stock != 25 || p.Images[0] != "/api/catalog/images/kit-002.svg" {
		t.Fatalf("detail: %d %+v", res.StatusCode, p)
	}
	if res := e.do(t, "GET", "/api/catalog/products/NOPE-404", "", "", nil); res.StatusCode != 404 {
		t.Fatalf("missing: %d", res.StatusCode)
	}
	var cats []apicatalog.CategoryDTO
	e.do(t, "GET", "/api/catalog/categories", "", "", &cats)
	if len(cats) != 6 || cats[0].Name != "Apparel" || cats[0].Count != 7 {
		t.Fatalf("categories: %+v", cats)
	}
	res := e.do(t, "GET", "/api/catalog/images/kit-002.svg", "", "", nil)
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(string(body), "<svg") {
		t.Fatalf("image: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, bad := range []string{"../demo.go", "%2e%2e%2fdemo.go", "KIT-002.svg", "nope.svg"} {
		if res := e.do(t, "GET", "/api/catalog/images/"+bad, "", "", nil); res.StatusCode != 404 {
			t.Fatalf("image %q: %d", bad, res.StatusCode)
		}
	}
	edges := []struct {
		target string
		status int
	}{
		{"/api/catalog/products?page=0", 422},
		{"/api/catalog/products?page=-1", 422},
		{"/api/catalog/products?page=1001", 422},
		{"/api/catalog/products?pageSize=101", 422},
		{"/api/catalog/products?page=abc", 422},
		{"/api/catalog/products?page=1000&pageSize=100", 200},
		{"/api/catalog/products?sort=cheapest", 422},
		{"/api/catalog/products?minPrice=500&maxPrice=100", 422},
		{"/api/catalog/products?minPrice=1.5", 422},
		{"/api/catalog/products?includeArchived=true", 403},
		{"/api/catalog/products?color=red", 422},
	}
	for _, c := range edges {
		if res := e.do(t, "GET", c.target, "", "", nil); res.StatusCode != c.status {
			t.Errorf("%s: %d, want %d", c.target, res.StatusCode, c.status)
		}
	}
}

const newProduct = `{"sku":"NEW-1","name":"Test Kettle","description":"Boils water.","category":"Kitchen",
"price":{"amount":3900,"currency":"EUR"},"images":["/api/catalog/images/kit-001.svg"],"attributes":{"volumeL":1.7,"cordless":true},"stock":5}`

func testAdmin(t *testing.T, e env) {
	for _, c := range []struct {
		token  string
		status int
	}{{"", 401}, {"customer", 403}, {"support", 403}, {"bad-token", 401}} {
		if res := e.do(t, "POST", "/api/catalog/products", c.token, newProduct, nil); res.StatusCode != c.status {
			t.Fatalf("create as %q: %d, want %d", c.token, res.StatusCode, c.status)
		}
	}
	var p apicatalog.ProductDTO
	if res := e.do(t, "POST", "/api/catalog/products", "admin", newProduct, &p); res.StatusCode != 201 || p.Version != 1 || *p.OnHand != 5 ||
		p.TaxClass != "standard" || p.WeightGrams != 0 {
		t.Fatalf("create: %d %+v", res.StatusCode, p)
	}
	if res := e.do(t, "POST", "/api/catalog/products", "admin", newProduct, nil); res.StatusCode != 409 {
		t.Fatalf("duplicate: %d", res.StatusCode)
	}
	for _, bad := range []string{`"taxClass":"luxury"`, `"weightGrams":-1`, `"weightGrams":1000001`, `"taxClass":7`} {
		body := `{"name":"Steel Kettle","category":"Kitchen","price":{"amount":4200,"currency":"EUR"},"version":1,` + bad + `}`
		if res := e.do(t, "PUT", "/api/catalog/products/NEW-1", "admin", body, nil); res.StatusCode != 422 && res.StatusCode != 400 {
			t.Fatalf("update with %s: %d, want 4xx", bad, res.StatusCode)
		}
	}
	upd := `{"name":"Steel Kettle","description":"Boils water fast.","category":"Kitchen","price":{"amount":4200,"currency":"EUR"},"version":1,"taxClass":"reduced","weightGrams":1250}`
	if res := e.do(t, "PUT", "/api/catalog/products/NEW-1", "admin", upd, &p); res.StatusCode != 200 || p.Name != "Steel Kettle" || p.Version != 2 ||
		p.TaxClass != "reduced" || p.WeightGrams != 1250 {
		t.Fatalf("update: %d %+v", res.StatusCode, p)
	}
	if res := e.do(t, "PUT", "/api/catalog/products/NEW-1", "admin", upd, nil); res.StatusCode != 409 {
		t.Fatalf("stale version: %d", res.StatusCode)
	}
	if res := e.do(t, "POST", "/api/catalog/products/NEW-1/stock", "admin", `{"delta":-6,"reason":"correction"}`, nil); res.StatusCode != 409 {
		t.Fatalf("stock below zero: %d", res.StatusCode)
	}
	if res := e.do(t, "POST", "/api/catalog/products/NEW-1/stock", "admin", `{"delta":10,"reason":"received"}`, &p); res.StatusCode != 200 || p.Stock != 15 {
		t.Fatalf("stock: %d %+v", res.StatusCode, p)
	}
	if res := e.do(t, "POST", "/api/catalog/products/NEW-1/archive", "admin", "", &p); res.StatusCode != 200 || !p.Archived {
		t.Fatalf("archive: %d", res.StatusCode)
	}
	if res := e.do(t, "GET", "/api/catalog/products/NEW-1", "", "", nil); res.StatusCode != 404 {
		t.Fatalf("archived is hidden from shoppers: %d", res.StatusCode)
	}
	if res := e.do(t, "GET", "/api/catalog/products/NEW-1", "admin", "", &p); res.StatusCode != 200 || !p.Archived {
		t.Fatalf("admin sees archived: %d", res.StatusCode)
	}
	var pg apicatalog.PageDTO
	e.do(t, "GET", "/api/catalog/products?includeArchived=true&pageSize=100", "admin", "", &pg)
	if pg.Total != 43 {
		t.Fatalf("admin list with archived: %d", pg.Total)
	}
}

func testInjection(t *testing.T, e env) {
	bodies := []struct{ name, body string }{
		{"operator as name", `{"sku":"INJ-1","name":{"$gt":""},"category":"Kitchen","price":{"amount":1,"currency":"EUR"}}`},
		{"operator as sku", `{"sku":{"$gt":""},"name":"x","category":"Kitchen","price":{"amount":1,"currency":"EUR"}}`},
		{"operator as category", `{"sku":"INJ-1","name":"x","category":{"$ne":null},"price":{"amount":1,"currency":"EUR"}}`},
		{"operator as price", `{"sku":"INJ-1","name":"x","category":"Kitchen","price":{"$gt":0}}`},
		{"operator as amount", `{"sku":"INJ-1","name":"x","category":"Kitchen","price":{"amount":{"$gt":0},"currency":"EUR"}}`},
		{"operator as stock", `{"sku":"INJ-1","name":"x","category":"Kitchen","price":{"amount":1,"currency":"EUR"},"stock":{"$inc":5}}`},
		{"$where field", `{"sku":"INJ-1","name":"x","category":"Kitchen","price":{"amount":1,"currency":"EUR"},"$where":"sleep(1000)"}`},
		{"$-key attribute", `{"sku":"INJ-1","name":"x","category":"Kitchen","price":{"amount":1,"currency":"EUR"},"attributes":{"$set":"x"}}`},
		{"dotted attribute", `{"sku":"INJ-1","name":"x","category":"Kitchen","price":{"amount":1,"currency":"EUR"},"attributes":{"a.b":"x"}}`},
		{"object attribute", `{"sku":"INJ-1","name":"x","category":"Kitchen","price":{"amount":1,"currency":"EUR"},"attributes":{"a":{"$gt":""}}}`},
		{"sku with $", `{"sku":"$where","name":"x","category":"Kitchen","price":{"amount":1,"currency":"EUR"}}`},
		{"category with dot", `{"sku":"INJ-1","name":"x","category":"a.b","price":{"amount":1,"currency":"EUR"}}`},
		{"image javascript", `{"sku":"INJ-1","name":"x","category":"Kitchen","price":{"amount":1,"currency":"EUR"},"images":["javascript:alert(1)"]}`},
		{"array body", `[{"sku":"INJ-1"}]`},
	}
	for _, b := range bodies {
		res := e.do(t, "POST", "/api/catalog/products", "admin", b.body, nil)
		if res.StatusCode < 400 || res.StatusCode >= 500 {
			t.Errorf("%s: %d, want 4xx", b.name, res.StatusCode)
		}
	}
	if res := e.do(t, "POST", "/api/catalog/products/KIT-001/stock", "admin", `{"delta":{"$gt":0}}`, nil); res.StatusCode != 422 {
		t.Errorf("stock operator: %d", res.StatusCode)
	}
	queries := []string{
		`/api/catalog/products?category[$ne]=x`,
		`/api/catalog/products?q[$regex]=.*`,
		`/api/catalog/products?category=%7B%22%24gt%22%3A%22%22%7D`, // {"$gt":""}
		`/api/catalog/products?category=%24where`,
		`/api/catalog/products?minPrice=%7B%22%24gt%22%3A0%7D`,
		`/api/catalog/products?sort=%7B%22%24natural%22%3A1%7D`,
		`/api/catalog/products/%7B%22%24gt%22%3A%22%22%7D`,
		`/api/catalog/products/$where`,
	}
	for _, q := range queries {
		res := e.do(t, "GET", q, "", "", nil)
		if res.StatusCode < 400 || res.StatusCode >= 500 {
			t.Errorf("%s: %d, want 4xx", q, res.StatusCode)
		}
	}
	// Search text is a literal: an operator-looking or regex query matches nothing.
	var pg apicatalog.PageDTO
	for _, q := range []string{`%7B%22%24gt%22%3A%22%22%7D`, `.*`, `%5E`, `(a%2B)%2B%24`} {
		if res := e.do(t, "GET", "/api/catalog/products?q="+q, "", "", &pg); res.StatusCode != 200 || pg.Total != 0 {
			t.Errorf("q=%s: %d total %d", q, res.StatusCode, pg.Total)
		}
	}
}

func testCache(t *testing.T, e env) {
	var p apicatalog.ProductDTO
	e.do(t, "GET", "/api/catalog/products/KIT-003", "", "", &p)
	h0, _ := e.svc.CacheStats()
	e.do(t, "GET", "/api/catalog/products/KIT-003", "", "", &p)
	if h1, _ := e.svc.CacheStats(); h1 != h0+1 {
		t.Fatalf("second read was not a cache hit (%d → %d)", h0, h1)
	}
	var cats []apicatalog.CategoryDTO
	e.do(t, "GET", "/api/catalog/categories", "", "", &cats)
	e.do(t, "GET", "/api/catalog/products?category=Kitchen", "", "", nil)

	// A write through the service must be visible at once.
	upd := `{"name":"Gyuto Knife","description":"Sharper.","category":"Kitchen","price":{"amount":8900,"currency":"EUR"}}`
	if res := e.do(t, "PUT", "/api/catalog/products/KIT-003", "admin", upd, nil); res.StatusCode != 200 {
		t.Fatalf("update: %d", res.StatusCode)
	}
	e.do(t, "GET", "/api/catalog/products/KIT-003", "", "", &p)
	if p.Name != "Gyuto Knife" || p.Price.Amount != 8900 {
		t.Fatalf("stale detail after update: %+v", p)
	}
	var pg apicatalog.PageDTO
	e.do(t, "GET", "/api/catalog/products?q=gyuto", "", "", &pg)
	if pg.Total != 1 {
		t.Fatalf("stale list after update: %d", pg.Total)
	}
	e.do(t, "POST", "/api/catalog/products/KIT-003/archive", "admin", "", nil)
	e.do(t, "GET", "/api/catalog/categories", "", "", &cats)
	for _, c := range cats {
		if c.Name == "Kitchen" && c.Count != 6 {
			t.Fatalf("stale categories after archive: %+v", c)
		}
	}
	// Stock reserved by the saga shows in the cached detail too.
	before := 0
	e.do(t, "GET", "/api/catalog/products/KIT-004", "", "", &p)
	before = p.Stock
	line, _ := domainLine("KIT-004", 2)
	if r, err := e.svc.Reserve(context.Background(), "6f1c7f4e-8d1e-4c1b-9a55-6a7d2f0e9b11", line); err != nil || r.Status() != "reserved" {
		t.Fatalf("reserve: %v %v", r.Status(), err)
	}
	e.do(t, "GET", "/api/catalog/products/KIT-004", "", "", &p)
	if p.Stock != before-2 {
		t.Fatalf("stale stock after reservation: %d, want %d", p.Stock, before-2)
	}
}
