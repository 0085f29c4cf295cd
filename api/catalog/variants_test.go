package catalog_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	apicatalog "github.com/evshop/shop/api/catalog"
	"github.com/evshop/shop/platform/httpx"
)

func TestVariantsAPI(t *testing.T) {
	t.Parallel()
	t.Run("memory", func(t *testing.T) { t.Parallel(); testVariantsAPI(t, memoryEnv(t)) })
	t.Run("mongo+redis", func(t *testing.T) { t.Parallel(); testVariantsAPI(t, realEnv(t)) })
}

func optionLabels(vs []apicatalog.VariantDTO) []string {
	out := []string{}
	for _, v := range vs {
		var vals []string
		for _, o := range v.Options {
			vals = append(vals, o.Value)
		}
		out = append(out, v.SKU+":"+strings.Join(vals, "/"))
	}
	return out
}

func testVariantsAPI(t *testing.T, e env) {
	// The demo T-shirt is one entry, priced from its cheapest size, with
	// what is available across its sizes.
	var pg apicatalog.PageDTO
	e.do(t, "GET", "/api/catalog/products?q=t-shirt", "", "", &pg)
	if len(pg.Items) != 1 || pg.Total != 1 {
		t.Fatalf("t-shirt listing: %+v", pg)
	}
	if it := pg.Items[0]; it.SKU != "APP-002" || it.FromPrice.Amount != 2900 || it.ToPrice.Amount != 3100 || it.VariantCount != 3 || it.Stock != 75 {
		t.Fatalf("t-shirt entry: %+v", it)
	}
	// The detail of any size carries the family.
	var p apicatalog.ProductDTO
	if res := e.do(t, "GET", "/api/catalog/products/app-002-m", "", "", &p); res.StatusCode != 200 {
		t.Fatalf("detail: %d", res.StatusCode)
	}
	if p.SKU != "APP-002-M" || p.ProductID != "APP-002" || p.DisplayName != "Organic Cotton T-Shirt — M" || len(p.SelectedOptions) != 1 ||
		p.SelectedOptions[0] != (apicatalog.OptionDTO{Name: "Size", Value: "M"}) {
		t.Fatalf("variant detail: %+v", p)
	}
	if len(p.Options) != 1 || p.Options[0].Name != "Size" || !slices.Equal(p.Options[0].Values, []string{"S", "M", "L"}) {
		t.Fatalf("family options: %+v", p.Options)
	}
	if got := optionLabels(p.Variants); !slices.Equal(got, []string{"APP-002:S", "APP-002-M:M", "APP-002-L:L"}) || p.Variants[2].Stock != 0 ||
		p.Variants[2].Price.Amount != 3100 || p.Variants[0].OnHand != nil {
		t.Fatalf("family variants: %v %+v", got, p.Variants)
	}
	// A single product has no options and one implicit variant.
	p = apicatalog.ProductDTO{}
	e.do(t, "GET", "/api/catalog/products/KIT-002", "", "", &p)
	if p.ProductID != "KIT-002" || len(p.SelectedOptions) != 0 || len(p.Options) != 0 || len(p.Variants) != 1 || p.DisplayName != p.Name {
		t.Fatalf("single product: %+v", p)
	}

	// Adding variants: who may, and what is refused with which field.
	const xl = `{"sku":"APP-002-XL","options":[{"name":"Size","value":"XL"}],"price":{"amount":3300,"currency":"EUR"},"stock":4}`
	for _, c := range []struct {
		token  string
		status int
	}{{"", 401}, {"customer", 403}, {"support", 403}} {
		if res := e.do(t, "POST", "/api/catalog/products/APP-002/variants", c.token, xl, nil); res.StatusCode != c.status {
			t.Fatalf("add as %q: %d, want %d", c.token, res.StatusCode, c.status)
		}
	}
	refusals := []struct {
		name, target, body string
		status             int
		field              string
	}{
		{"no sku", "APP-002", `{"options":[{"name":"Size","value":"XL"}]}`, 422, "sku"},
		{"bad sku", "APP-002", `{"sku":"x.y","options":[{"name":"Size","value":"XL"}]}`, 422, "sku"},
		{"no options", "APP-002", `{"sku":"APP-002-XL"}`, 422, "options"},
		{"taken combination", "APP-002", `{"sku":"APP-002-XL","options":[{"name":"size","value":"m"}]}`, 422, "options"},
		{"other option name", "APP-002", `{"sku":"APP-002-XL","options":[{"name":"Colour","value":"Red"}]}`, 422, "options"},
		{"operator-shaped option", "APP-002", `{"sku":"APP-002-XL","options":[{"name":"$where","value":"1"}]}`, 422, "options"},
		{"two-line value", "APP-002", `{"sku":"APP-002-XL","options":[{"name":"Size","value":"X\nL"}]}`, 422, "options"},
		{"product values not wanted", "APP-002", `{"sku":"APP-002-XL","options":[{"name":"Size","value":"XL"}],"productOptions":[{"name":"Size","value":"S"}]}`, 422, "productOptions"},
		{"product values needed", "KIT-002", `{"sku":"KIT-002-B","options":[{"name":"Size","value":"30 cm"}]}`, 422, "productOptions"},
		{"bad price", "APP-002", `{"sku":"APP-002-XL","options":[{"name":"Size","value":"XL"}],"price":{"amount":0,"currency":"EUR"}}`, 422, "price"},
		{"negative stock", "APP-002", `{"sku":"APP-002-XL","options":[{"name":"Size","value":"XL"}],"stock":-1}`, 422, "stock"},
		{"unknown field", "APP-002", `{"sku":"APP-002-XL","options":[{"name":"Size","value":"XL"}],"colour":"red"}`, 422, ""},
		{"taken SKU", "APP-002", `{"sku":"KIT-001","options":[{"name":"Size","value":"XL"}]}`, 409, ""},
		{"unknown product", "NOPE-1", xl, 404, ""},
	}
	for _, c := range refusals {
		var prob httpx.Problem
		res := e.do(t, "POST", "/api/catalog/products/"+c.target+"/variants", "admin", c.body, &prob)
		if res.StatusCode != c.status && !(c.field == "" && c.status == 422 && res.StatusCode == 400) {
			t.Errorf("%s: %d, want %d", c.name, res.StatusCode, c.status)
			continue
		}
		if c.field != "" && !slices.ContainsFunc(prob.Errors, func(f httpx.FieldError) bool { return f.Field == c.field }) {
			t.Errorf("%s: field errors %+v, want one on %s", c.name, prob.Errors, c.field)
		}
	}
	var v apicatalog.ProductDTO
	if res := e.do(t, "POST", "/api/catalog/products/APP-002-M/variants", "admin", xl, &v); res.StatusCode != 201 ||
		v.ProductID != "APP-002" || v.Price.Amount != 3300 || *v.OnHand != 4 || v.WeightGrams != 250 || v.Name != "Organic Cotton T-Shirt" {
		t.Fatalf("add XL: %d %+v", res.StatusCode, v)
	}
	// A single product gets its first variant with its own values.
	if res := e.do(t, "POST", "/api/catalog/products/KIT-002/variants", "admin",
		`{"sku":"KIT-002-30","productOptions":[{"name":"Size","value":"26 cm"}],"options":[{"name":"Size","value":"30 cm"}],"stock":3}`, &v); res.StatusCode != 201 {
		t.Fatalf("first variant: %d", res.StatusCode)
	}
	p = apicatalog.ProductDTO{}
	e.do(t, "GET", "/api/catalog/products/KIT-002", "", "", &p)
	if p.DisplayName != "Cast Iron Skillet — 26 cm" || !slices.Equal(optionLabels(p.Variants), []string{"KIT-002:26 cm", "KIT-002-30:30 cm"}) {
		t.Fatalf("skillet family: %s %v", p.DisplayName, optionLabels(p.Variants))
	}

	// Editing options through PUT keeps the rules; archiving takes a
	// variant out of the shoppers' choice (staff still see it).
	e.do(t, "GET", "/api/catalog/products/APP-002-XL", "admin", "", &v)
	body := `{"name":"Organic Cotton T-Shirt","category":"Apparel","price":{"amount":3300,"currency":"EUR"},"weightGrams":250,"version":` +
		itoa(v.Version) + `,"options":[{"name":"Size","value":"L"}]}`
	var prob httpx.Problem
	if res := e.do(t, "PUT", "/api/catalog/products/APP-002-XL", "admin", body, &prob); res.StatusCode != 422 || len(prob.Errors) != 1 || prob.Errors[0].Field != "options" {
		t.Fatalf("edit to a taken combination: %d %+v", res.StatusCode, prob)
	}
	body = strings.Replace(body, `"value":"L"`, `"value":"XXL"`, 1)
	if res := e.do(t, "PUT", "/api/catalog/products/APP-002-XL", "admin", body, &v); res.StatusCode != 200 || len(v.SelectedOptions) != 1 || v.SelectedOptions[0].Value != "XXL" {
		t.Fatalf("edit options: %d %+v", res.StatusCode, v)
	}
	if res := e.do(t, "POST", "/api/catalog/products/APP-002-L/archive", "admin", "", nil); res.StatusCode != 200 {
		t.Fatalf("archive L: %d", res.StatusCode)
	}
	p = apicatalog.ProductDTO{}
	e.do(t, "GET", "/api/catalog/products/APP-002", "", "", &p)
	if got := optionLabels(p.Variants); !slices.Equal(got, []string{"APP-002:S", "APP-002-M:M", "APP-002-XL:XXL"}) ||
		!slices.Equal(p.Options[0].Values, []string{"S", "M", "XXL"}) {
		t.Fatalf("shopper's family after archiving L: %v %v", got, p.Options)
	}
	p = apicatalog.ProductDTO{}
	e.do(t, "GET", "/api/catalog/products/APP-002", "admin", "", &p)
	if got := optionLabels(p.Variants); len(got) != 4 || !p.Variants[2].Archived || p.Variants[2].OnHand == nil {
		t.Fatalf("staff's family after archiving L: %v", got)
	}
	if res := e.do(t, "GET", "/api/catalog/products/APP-002-L", "", "", nil); res.StatusCode != 404 {
		t.Fatalf("archived variant for shoppers: %d", res.StatusCode)
	}
	e.do(t, "GET", "/api/catalog/products?q=t-shirt", "", "", &pg)
	if len(pg.Items) != 1 || pg.Items[0].FromPrice.Amount != 2900 || pg.Items[0].ToPrice.Amount != 3300 || pg.Items[0].VariantCount != 3 {
		t.Fatalf("listing after the changes: %+v", pg.Items)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
