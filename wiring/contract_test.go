package wiring_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/evshop/shop/wiring"
	"github.com/evshop/shop/wiring/providers/shopproviders"
)

// gatewayOwn are the gateway's own routes, outside every service's prefix.
var gatewayOwn = []string{"/api/config", "/api/docs", "/api/openapi.json"}

var fiberParam = regexp.MustCompile(`:([A-Za-z]+)`)

// servedOperations builds the embedded one-process shop and lists every
// operation it serves under /api as "METHOD /path/{param}".
func servedOperations(t *testing.T) []string {
	t.Helper()
	s, err := wiring.LoadShop(nil, "-web-dir", t.TempDir(), "-data-dir", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	in := wiring.NewInfra(&s.Common, slog.New(slog.DiscardHandler))
	shopproviders.Set(&in.Providers) // as cmd/shop
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); in.Close() })
	app, err := in.Shop(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, r := range app.GetRoutes(true) {
		if r.Method == "HEAD" || !strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		p := strings.TrimSuffix(r.Path, "/")
		p = fiberParam.ReplaceAllString(p, "{$1}")
		ops = append(ops, r.Method+" "+p)
	}
	slices.Sort(ops)
	return slices.Compact(ops)
}

// documentedOperations lists the operations of the gateway's OpenAPI document.
func documentedOperations(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("../api/gateway/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var ops []string
	for p, item := range doc.Paths {
		for m := range item {
			switch m {
			case "get", "post", "put", "patch", "delete":
				ops = append(ops, strings.ToUpper(m)+" "+p)
			}
		}
	}
	slices.Sort(ops)
	return ops
}

// TestEveryServedOperationIsDocumented: the OpenAPI document is the API's
// contract; an operation served but not documented, or documented but not
// served, fails here.
func TestEveryServedOperationIsDocumented(t *testing.T) {
	served := servedOperations(t)
	documented := documentedOperations(t)
	for _, op := range served {
		if path := strings.SplitN(op, " ", 2)[1]; path == "/api/openapi.json" || path == "/api/docs" {
			continue // the document and its reader
		}
		if !slices.Contains(documented, op) {
			t.Errorf("served but not in api/gateway/openapi.json: %s", op)
		}
	}
	for _, op := range documented {
		if !slices.Contains(served, op) {
			t.Errorf("documented but not served: %s", op)
		}
	}
}

// TestRouteTableMatchesServices: every /api path the shop serves is under a
// prefix of wiring.PublicAPI (so the server-mode gateway proxies it) or the
// gateway's own, and every PublicAPI prefix is served by some service.
func TestRouteTableMatchesServices(t *testing.T) {
	served := servedOperations(t)
	under := func(path, prefix string) bool { return path == prefix || strings.HasPrefix(path, prefix+"/") }
	for _, op := range served {
		path := strings.SplitN(op, " ", 2)[1]
		ok := slices.ContainsFunc(gatewayOwn, func(p string) bool { return under(path, p) })
		for _, r := range wiring.PublicAPI {
			ok = ok || under(path, r.Prefix)
		}
		if !ok {
			t.Errorf("%s is served in process but no PublicAPI prefix routes it in server mode", op)
		}
	}
	for _, r := range wiring.PublicAPI {
		if !slices.ContainsFunc(served, func(op string) bool { return under(strings.SplitN(op, " ", 2)[1], r.Prefix) }) {
			t.Errorf("PublicAPI routes %s to %s, but no service serves it", r.Prefix, r.Service)
		}
	}
}

// TestUpstreamsNameEveryPublicAPIService: the server-mode gateway reads one
// UPSTREAM_<Service> per service of PublicAPI, no more and no fewer, and
// proxies every PublicAPI prefix to its service's URL.
func TestUpstreamsNameEveryPublicAPIService(t *testing.T) {
	t.Parallel()
	var u wiring.Upstreams
	keys := map[string]bool{}
	for _, up := range u.ByService() {
		keys[up.Service] = true
	}
	services := map[string]bool{}
	for _, r := range wiring.PublicAPI {
		services[r.Service] = true
		if !keys[r.Service] {
			t.Errorf("PublicAPI names service %s, but there is no UPSTREAM_%s", r.Service, r.Service)
		}
	}
	for k := range keys {
		if !services[k] {
			t.Errorf("UPSTREAM_%s names no service of PublicAPI", k)
		}
	}
	if _, err := wiring.UpstreamRoutes(u); err == nil || !strings.Contains(err.Error(), "UPSTREAM_") {
		t.Errorf("UpstreamRoutes without URLs = %v, want an error naming the missing UPSTREAM_", err)
	}
	u = wiring.Upstreams{Auth: "http://auth", Clients: "http://clients", Catalog: "http://catalog", Basket: "http://basket",
		Orders: "http://orders", Payments: "http://payments", Admin: "http://admin", Notifications: "http://notifications"}
	routes, err := wiring.UpstreamRoutes(u)
	if err != nil {
		t.Fatal(err)
	}
	if len(routes) != len(wiring.PublicAPI) {
		t.Fatalf("%d routes for %d PublicAPI prefixes", len(routes), len(wiring.PublicAPI))
	}
	for i, r := range wiring.PublicAPI {
		if routes[i].Prefix != r.Prefix || routes[i].Target != "http://"+strings.ToLower(r.Service) {
			t.Errorf("route %d = %s → %s, want %s → the %s URL", i, routes[i].Prefix, routes[i].Target, r.Prefix, r.Service)
		}
	}
}
