package catalog_test

import (
	"strings"
	"testing"

	"github.com/evshop/shop/catalog/images"
	"github.com/evshop/shop/platform/testenv"
)

var fuzzRoutes = []struct{ method, path string }{
	{"GET", "/api/catalog/products"},
	{"GET", "/api/catalog/products/{sku}"},
	{"GET", "/api/catalog/images/{sku}"},
	{"POST", "/api/catalog/products"},
	{"PUT", "/api/catalog/products/{sku}"},
	{"POST", "/api/catalog/products/{sku}/archive"},
	{"POST", "/api/catalog/products/{sku}/stock"},
	{"GET", "/api/catalog/categories"},
	{"GET", "/api/catalog/products/{sku}/stock/movements"},
	{"POST", "/api/catalog/products/{sku}/images"},
	{"PUT", "/api/catalog/products/{sku}/images"},
}

// FuzzCatalogRequests sends arbitrary SKUs, queries and bodies to the browse
// and admin routes of the seeded demo catalog, as an admin or (route byte's
// high bit) a customer: no panic, refusals are 4xx problems.
func FuzzCatalogRequests(f *testing.F) {
	product := `{"sku":"FUZZ-1","name":"Fuzz","description":"d","category":"mugs","price":{"amount":1200,"currency":"EUR"},"images":[],"attributes":{"colour":"red"},"stock":5}`
	seeds := []struct {
		route      uint8
		sku, query string
		body       string
	}{
		{0, "", "q=mug&category=kitchen&minPrice=100&maxPrice=5000&sort=price_desc&page=1&pageSize=10", ""},
		{0, "", "q[$ne]=x", ""},
		{0, "", "q=%27%20OR%201%3D1--&category=$where", ""},
		{0, "", "minPrice=-1&maxPrice=99999999999999999999", ""},
		{0, "", "q=" + strings.Repeat("(a+)+", 50), ""},
		{1, "MUG-001", "", ""},
		{1, "../../etc/passwd", "", ""},
		{2, "%2e%2e%2fpasswd", "", ""},
		{3, "", "", product},
		{3, "", "", `{"sku":"X","name":"x","category":"c","price":{"amount":-5,"currency":"EUR"}}`},
		{3, "", "", `{"sku":"X","name":"x","category":"c","price":{"amount":1,"currency":"EUR"},"attributes":{"$where":"1","a.b":{"$gt":""}}}`},
		{3, "", "", `{"sku":"X","name":"x","category":"c","price":{"amount":1,"currency":"EUR"},"stock":-9223372036854775808}`},
		{4, "MUG-001", "", `{"name":"x","category":"c","price":{"amount":1,"currency":"EUR"},"version":9223372036854775807}`},
		{5, "MUG-001", "", ""},
		{6, "MUG-001", "", `{"delta":-9223372036854775808,"reason":"x"}`},
		{6, "MUG-001", "", `{"delta":9223372036854775807}`},
		{131, "", "", product},
		{6, "MUG-001", "", `{"delta":3,"reason":"received","note":"\u0000"}`},
		{8, "MUG-001", "page=0&pageSize=1000000", ""},
		{8, "MUG-001", "page[$gt]=1", ""},
		{9, "MUG-001", "", `GIF89a\x01\x00\x01\x00`},
		{10, "MUG-001", "", `{"images":["/api/catalog/images/../../x.png"]}`},
		{10, "MUG-001", "", `{"images":null}`},
	}
	for _, s := range seeds {
		f.Add(s.route, s.sku, s.query, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, route uint8, sku, query string, body []byte) {
		// The in-memory shop's catalog with its movement log and image store.
		e := backOfficeEnv(t, backOfficeEnvs[0].mk, images.Limits{})
		r := fuzzRoutes[int(route&0x7f)%len(fuzzRoutes)]
		target := strings.Replace(r.path, "{sku}", sku, 1)
		if query != "" {
			target += "?" + query
		}
		token := "admin"
		if route&0x80 != 0 {
			token = "customer"
		}
		res := testenv.Serve(e.app, testenv.HTTPRequest{Method: r.method, Target: target, Body: body,
			Header: [][2]string{{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}}})
		if r.path == "/api/catalog/images/{sku}" && res.Status == 200 {
			return // an image, not JSON
		}
		testenv.CheckHostile(t, r.method+" "+target, res)
	})
}
