package client_test

import (
	"strings"
	"testing"

	"github.com/evshop/shop/catalog/kvcache"
	clientmemory "github.com/evshop/shop/client/memory"
	"github.com/evshop/shop/platform/testenv"
)

var fuzzRoutes = []struct{ method, path string }{
	{"PUT", "/api/clients/me"},
	{"PUT", "/api/clients/me/preferences"},
	{"GET", "/api/clients/me/recommendations"},
	{"GET", "/api/clients/{id}"},
	{"GET", "/api/clients/me"},
	{"GET", "/api/clients/me/export"},
	{"DELETE", "/api/clients/me"},
}

// FuzzClientRequests sends arbitrary profile and preference bodies, ids and
// queries to the client routes as a customer (or support, with the route
// byte's high bit): no panic, refusals are 4xx problems.
func FuzzClientRequests(f *testing.F) {
	seeds := []struct {
		route     uint8
		id, query string
		body      string
	}{
		{0, "", "", `{"name":"Alice","phone":"+33 1 23 45 67 89","addresses":[{"label":"home","name":"Alice","line1":"1 Main","city":"Paris","postalCode":"75001","country":"FR"}]}`},
		{0, "", "", `{"name":{"$gt":""}}`},
		{0, "", "", `{"name":"' OR 1=1--","addresses":[` + strings.Repeat(`{"line1":"x"},`, 50) + `{}]}`},
		{1, "", "", `{"newsletter":true,"favouriteCategories":["mugs","$where"],"language":"en"}`},
		{1, "", "", `{"favouriteCategories":[{"$ne":null}]}`},
		{2, "", "limit=24", ""},
		{2, "", "limit=-1", ""},
		{131, "../../etc/passwd", "", ""},
		{131, "%2e%2e%2f", "", ""},
		{0, "", "", "{\"name\":\"\xff\"}"},
	}
	for _, s := range seeds {
		f.Add(s.route, s.id, s.query, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, route uint8, id, query string, body []byte) {
		e := newEnv(t, clientmemory.New(), kvcache.NewMemory(0))
		r := fuzzRoutes[int(route&0x7f)%len(fuzzRoutes)]
		target := strings.Replace(r.path, "{id}", id, 1)
		if query != "" {
			target += "?" + query
		}
		token := "alice"
		if route&0x80 != 0 {
			token = "support"
		}
		res := testenv.Serve(e.app, testenv.HTTPRequest{Method: r.method, Target: target, Body: body,
			Header: [][2]string{{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}}})
		testenv.CheckHostile(t, r.method+" "+target, res)
	})
}
