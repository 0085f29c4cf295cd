package catalog_test

import (
	"testing"

	apicatalog "github.com/evshop/shop/api/catalog"
)

// TestKeptViewsStayPublicAndFresh: shoppers' product and list bodies are
// kept per catalog generation; an admin's read (with the stock counters) is
// never served from them nor stored in them, and a stock change shows in
// the next shopper's read.
func TestKeptViewsStayPublicAndFresh(t *testing.T) {
	t.Parallel()
	e := memoryEnv(t)
	steps := []struct {
		name, method, path, token, body string
		wantCounters                    bool
		wantStock                       int // -1: not checked
	}{
		{"shopper reads (kept)", "GET", "/api/catalog/products/KIT-001", "", "", false, 40},
		{"admin reads with counters", "GET", "/api/catalog/products/KIT-001", "admin", "", true, 40},
		{"shopper again: no counters", "GET", "/api/catalog/products/KIT-001", "customer", "", false, 40},
		{"admin restocks", "POST", "/api/catalog/products/KIT-001/stock", "admin", `{"delta":7,"reason":"received"}`, true, 47},
		{"shopper sees the new stock", "GET", "/api/catalog/products/KIT-001", "", "", false, 47},
	}
	for _, s := range steps {
		var p apicatalog.ProductDTO
		res := e.do(t, s.method, s.path, s.token, s.body, &p)
		if res.StatusCode != 200 || (p.OnHand != nil) != s.wantCounters || (s.wantStock >= 0 && p.Stock != s.wantStock) {
			t.Fatalf("%s: %d stock %d onHand %v; want counters=%v stock %d", s.name, res.StatusCode, p.Stock, p.OnHand, s.wantCounters, s.wantStock)
		}
	}
	for _, tok := range []string{"", "admin"} {
		var pg apicatalog.PageDTO
		if res := e.do(t, "GET", "/api/catalog/products?category=Kitchen", tok, "", &pg); res.StatusCode != 200 || len(pg.Items) == 0 ||
			(pg.Items[0].OnHand != nil) != (tok == "admin") {
			t.Fatalf("list as %q: %d %+v", tok, res.StatusCode, pg)
		}
	}
}
