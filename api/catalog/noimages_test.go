package catalog_test

import (
	"testing"
)

// A product or variant without images is answered with "images": [] (the
// schema's array), never null: the back office's product page read
// images.length and went blank on a new product without images.
func TestNoImagesIsAnEmptyArray(t *testing.T) {
	t.Parallel()
	e := memoryEnv(t)
	for _, body := range []string{
		`{"sku":"BARE-1","name":"Bare Tee","category":"Apparel","price":{"amount":1990,"currency":"EUR"},"stock":0,"images":[]}`,
		`{"sku":"BARE-2","name":"Bare Mug","category":"Kitchen","price":{"amount":990,"currency":"EUR"}}`,
	} {
		if res := e.do(t, "POST", "/api/catalog/products", "admin", body, nil); res.StatusCode != 201 {
			t.Fatalf("create %s: %d", body, res.StatusCode)
		}
	}
	variant := `{"sku":"BARE-1-M","options":[{"name":"Size","value":"M"}],"productOptions":[{"name":"Size","value":"S"}],"stock":0}`
	if res := e.do(t, "POST", "/api/catalog/products/BARE-1/variants", "admin", variant, nil); res.StatusCode != 201 && res.StatusCode != 200 {
		t.Fatalf("add variant: %d", res.StatusCode)
	}
	for _, c := range []struct {
		name, target, token string
		variants            int // the family's variants in the answer
	}{
		{"single product", "/api/catalog/products/BARE-2", "", 1},
		{"family, as a shopper", "/api/catalog/products/BARE-1", "", 2},
		{"variant, as an admin", "/api/catalog/products/BARE-1-M", "admin", 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got map[string]any
			if res := e.do(t, "GET", c.target, c.token, "", &got); res.StatusCode != 200 {
				t.Fatalf("GET %s: %d", c.target, res.StatusCode)
			}
			if imgs, ok := got["images"].([]any); !ok || len(imgs) != 0 {
				t.Errorf("images = %#v, want []", got["images"])
			}
			vs, _ := got["variants"].([]any)
			if len(vs) != c.variants {
				t.Fatalf("variants = %#v, want %d", got["variants"], c.variants)
			}
			for _, v := range vs {
				if imgs, ok := v.(map[string]any)["images"].([]any); !ok || len(imgs) != 0 {
					t.Errorf("variant %v: images = %#v, want []", v.(map[string]any)["sku"], v.(map[string]any)["images"])
				}
			}
		})
	}
	var page struct {
		Items []map[string]any `json:"items"`
	}
	e.do(t, "GET", "/api/catalog/products?q=bare", "", "", &page)
	if len(page.Items) != 2 {
		t.Fatalf("listing: %d items, want 2", len(page.Items))
	}
	for _, it := range page.Items {
		if imgs, ok := it["images"].([]any); !ok || len(imgs) != 0 {
			t.Errorf("listed %v: images = %#v, want []", it["sku"], it["images"])
		}
	}
}
