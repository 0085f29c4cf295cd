package wiring

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestCatalogHTTPNamesTheVariant: server mode's basket takes a variant's
// display name ("Tee — M") as the line name, and a catalog older than
// variants (no displayName) still gives the plain name.
func TestCatalogHTTPNamesTheVariant(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, want string
	}{
		{"variant", `{"sku":"TEE-M","name":"Tee","displayName":"Tee — M","category":"Apparel","price":{"amount":2000,"currency":"EUR"}}`, "Tee — M"},
		{"older catalog", `{"sku":"TEE-M","name":"Tee","category":"Apparel","price":{"amount":2000,"currency":"EUR"}}`, "Tee"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/api/catalog/products/TEE-M" {
					http.NotFound(w, r)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(c.body))
			}))
			defer srv.Close()
			cat, err := newCatalogHTTP(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			p, err := cat.Lookup(context.Background(), "TEE-M")
			if err != nil || p.Name != c.want || p.SKU != "TEE-M" {
				t.Fatalf("lookup: %+v %v, want name %q", p, err, c.want)
			}
		})
	}
}
