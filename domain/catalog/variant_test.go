package catalog_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/money"
)

func TestOptionsValidation(t *testing.T) {
	t.Parallel()
	o := func(kv ...string) []catalog.Option {
		var out []catalog.Option
		for i := 0; i < len(kv); i += 2 {
			out = append(out, catalog.Option{Name: kv[i], Value: kv[i+1]})
		}
		return out
	}
	cases := []struct {
		name string
		in   []catalog.Option
		ok   bool
	}{
		{"one", o("Size", "M"), true},
		{"three, spaces trimmed", o(" Size ", " M ", "Colour", "Dark Red", "Fit", "Slim"), true},
		{"unicode", o("Größe", "Très grand"), true},
		{"none", nil, true},
		{"four", o("A", "1", "B", "1", "C", "1", "D", "1"), false},
		{"same name twice", o("Size", "M", "size", "L"), false},
		{"empty value", o("Size", " "), false},
		{"empty name", o("", "M"), false},
		{"dollar name", o("$set", "M"), false},
		{"dotted name", o("a.b", "M"), false},
		{"newline value", o("Size", "M\nL"), false},
		{"tab value", o("Size", "M\tL"), false},
		{"control value", o("Size", "M\x00"), false},
		{"long value", o("Size", strings.Repeat("x", catalog.MaxOptionLen+1)), false},
		{"long name", o(strings.Repeat("x", catalog.MaxOptionLen+1), "M"), false},
	}
	for _, c := range cases {
		_, err := catalog.NewOptions(c.in)
		if (err == nil) != c.ok {
			t.Errorf("%s: %v", c.name, err)
		}
		var fe *catalog.InvalidField
		if err != nil && (!errors.Is(err, catalog.ErrInvalid) || !errors.As(err, &fe) || fe.Field != "options") {
			t.Errorf("%s: %v is not an options field error", c.name, err)
		}
	}
}

func TestVariantNamesAndFamily(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	eur, _ := money.New(2000, "EUR")
	sku := func(s string) catalog.SKU { k, _ := catalog.NewSKU(s); return k }
	base, err := catalog.NewProduct(sku("TEE-S"), catalog.Details{Name: "Tee", Category: "Apparel", Price: eur}, 3, now)
	if err != nil {
		t.Fatal(err)
	}
	if base.ProductID() != base.SKU() || !base.IsPrimary() || base.DisplayName() != "Tee" || base.Label() != "" {
		t.Fatalf("single product: %q %q", base.ProductID(), base.DisplayName())
	}
	own := []catalog.Option{{Name: "Size", Value: "S"}, {Name: "Colour", Value: "Red"}}
	base, err = base.Edit(base.Details(), &own, []catalog.Product{base}, now)
	if err != nil {
		t.Fatal(err)
	}
	fam := []catalog.Product{base}
	add := func(s string, size, colour string, at time.Duration) {
		t.Helper()
		v, err := catalog.NewVariant(base, fam, catalog.VariantInput{SKU: sku(s), Options: []catalog.Option{{Name: "size", Value: size}, {Name: "colour", Value: colour}}}, 1, now.Add(at))
		if err != nil {
			t.Fatal(err)
		}
		fam = append(fam, v)
	}
	add("TEE-M-BLUE", "M", "Blue", 2*time.Minute)
	add("TEE-M-RED", "M", "Red", time.Minute)
	if got := fam[2].DisplayName(); got != "Tee — M / Red" {
		t.Fatalf("display name %q", got)
	}
	opts := catalog.FamilyOptions(fam)
	if len(opts) != 2 || opts[0].Name != "Size" || strings.Join(opts[0].Values, ",") != "S,M" || strings.Join(opts[1].Values, ",") != "Red,Blue" {
		t.Fatalf("family options %+v", opts)
	}
	// A long name is cut so the display name fits a basket line; the label stays whole.
	long := base.Details()
	long.Name = strings.Repeat("é", catalog.MaxNameLen)
	lp, err := base.WithDetails(long, now)
	if err != nil {
		t.Fatal(err)
	}
	if dn := lp.DisplayName(); len(dn) > catalog.MaxDisplayNameBytes || !strings.HasSuffix(dn, "… — S / Red") || !strings.HasPrefix(dn, "éé") {
		t.Fatalf("long display name %d bytes: %q", len(dn), dn)
	}
	huge := []catalog.Option{{Name: "A", Value: strings.Repeat("é", 30)}, {Name: "B", Value: strings.Repeat("é", 30)}, {Name: "C", Value: strings.Repeat("é", 30)}}
	hp, err := lp.Edit(lp.Details(), &huge, []catalog.Product{lp}, now)
	if err != nil {
		t.Fatal(err)
	}
	if dn := hp.DisplayName(); len(dn) > catalog.MaxDisplayNameBytes || !strings.Contains(dn, "…") || !utf8.ValidString(dn) {
		t.Fatalf("huge label display name %d bytes: %q", len(dn), dn)
	}
	// Summaries: primary shown while on sale; prices over visible variants.
	if shown, sum, ok := catalog.Summarize(fam, false); !ok || shown.SKU() != base.SKU() || sum.Variants != 3 || sum.Available != 5 {
		t.Fatalf("summary: %v %+v", shown.SKU(), sum)
	}
}
