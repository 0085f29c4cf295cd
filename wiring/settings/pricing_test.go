package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPricingRules: the built-in tables by default; files replace them;
// a bad country, a missing or malformed file, or a method serving a country
// without tax rates is refused at start.
func TestPricingRules(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	taxes := write("taxes.json", `{"countries":{"AT":{"standard":2000,"reduced":1000},"DE":{"standard":1900,"reduced":700}}}`)
	methods := write("methods.json", `{"currency":"EUR","methods":[{"id":"pickup","name":"Pick up","zones":["@home"]}]}`)
	abroad := write("abroad.json", `{"currency":"EUR","methods":[{"id":"ship","name":"Ship","zones":["JP"],"flat":900}]}`)
	bad := write("bad.json", `{"countries":{"DE":{"standard":"19%"}}}`)

	p := Pricing{PricesIncludeTax: true, ShopCountry: "DE"}
	r, err := p.Rules()
	if err != nil || !r.PricesIncludeTax || !r.Taxes.Has("FR") {
		t.Fatalf("defaults: %v", err)
	}
	if m, ok := r.Shipping.Find("pickup"); !ok || !m.Serves("DE") {
		t.Fatalf("pickup at home: %+v", m)
	}
	p = Pricing{ShopCountry: "AT", TaxRatesFile: taxes, ShippingMethodsFile: methods}
	if r, err = p.Rules(); err != nil || r.PricesIncludeTax || r.Taxes.Has("FR") || len(r.Shipping.All()) != 1 || !r.Shipping.All()[0].Serves("AT") {
		t.Fatalf("files: %+v %v", r, err)
	}
	for name, p := range map[string]Pricing{
		"bad country":           {ShopCountry: "Germany"},
		"missing file":          {ShopCountry: "DE", TaxRatesFile: filepath.Join(dir, "nope.json")},
		"malformed file":        {ShopCountry: "DE", TaxRatesFile: bad},
		"zone without rates":    {ShopCountry: "DE", ShippingMethodsFile: abroad},
		"methods file is taxes": {ShopCountry: "DE", ShippingMethodsFile: taxes},
	} {
		if err := p.Validate(ModeEmbedded); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.Contains(err.Error(), "SHOP_COUNTRY") && !strings.Contains(err.Error(), "FILE") && !strings.Contains(err.Error(), "no tax rates") {
			t.Errorf("%s: %v does not name the setting", name, err)
		}
	}
}
