package catalog_test

import (
	"errors"
	"testing"
	"time"

	"github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/pricing"
)

func TestValueTypes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
	}{
		{"sku ok", nilErr(catalog.NewSKU(" kit-001 "))},
		{"sku $", errOnly(catalog.NewSKU("$where"))},
		{"sku dot", errOnly(catalog.NewSKU("A.B.C"))},
		{"sku short", errOnly(catalog.NewSKU("AB"))},
		{"category ok", nilErr(catalog.NewCategory("Books & Media"))},
		{"category $", errOnly(catalog.NewCategory("$gt"))},
		{"category dot", errOnly(catalog.NewCategory("a.b"))},
		{"attrs ok", nilErr(catalog.NewAttributes(map[string]any{"a": "x", "b": 1.5, "c": true, "d": []any{"x"}}))},
		{"attrs $ key", errOnly(catalog.NewAttributes(map[string]any{"$set": "x"}))},
		{"attrs dotted key", errOnly(catalog.NewAttributes(map[string]any{"a.b": "x"}))},
		{"attrs object value", errOnly(catalog.NewAttributes(map[string]any{"a": map[string]any{"$gt": ""}}))},
		{"attrs mixed list", errOnly(catalog.NewAttributes(map[string]any{"a": []any{"x", 1.0}}))},
		{"line zero", errOnly(catalog.NewLine("KIT-001", 0))},
		{"line too many", errOnly(catalog.NewLine("KIT-001", catalog.MaxLineQuantity+1))},
		{"order id", errOnly(catalog.NewOrderID("123"))},
	}
	for _, c := range cases {
		wantErr := c.name != "sku ok" && c.name != "category ok" && c.name != "attrs ok"
		if (c.err != nil) != wantErr {
			t.Errorf("%s: err=%v", c.name, c.err)
		}
		if c.err != nil && !errors.Is(c.err, catalog.ErrInvalid) {
			t.Errorf("%s: %v does not wrap ErrInvalid", c.name, c.err)
		}
	}
}

func nilErr[T any](_ T, err error) error  { return err }
func errOnly[T any](_ T, err error) error { return err }

func TestProductRules(t *testing.T) {
	t.Parallel()
	sku, _ := catalog.NewSKU("KIT-001")
	eur, _ := money.New(1000, "EUR")
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ok := catalog.Details{Name: "Board", Category: "Kitchen", Price: eur, Images: []string{"https://cdn.example.com/a.png", "/api/catalog/images/kit-001.svg"}}
	p, err := catalog.NewProduct(sku, ok, 5, now)
	if err != nil || p.Available() != 5 || p.Version() != 1 {
		t.Fatalf("new: %v %+v", err, p.State())
	}
	bad := []func(d *catalog.Details){
		func(d *catalog.Details) { d.Name = "" },
		func(d *catalog.Details) { d.Name = "two\nlines" },
		func(d *catalog.Details) { d.Price = money.Zero("EUR") },
		func(d *catalog.Details) { d.Price = money.Money{} },
		func(d *catalog.Details) { d.Images = []string{"javascript:alert(1)"} },
		func(d *catalog.Details) { d.Images = []string{"http://insecure.example.com/a.png"} },
		func(d *catalog.Details) { d.Images = []string{"/api/catalog/images/../secret"} },
		func(d *catalog.Details) { d.TaxClass = "luxury" },
		func(d *catalog.Details) { d.WeightGrams = -1 },
		func(d *catalog.Details) { d.WeightGrams = 1_000_001 },
	}
	for i, mutate := range bad {
		d := ok
		mutate(&d)
		if _, err := catalog.NewProduct(sku, d, 1, now); !errors.Is(err, catalog.ErrInvalid) {
			t.Errorf("bad details %d accepted: %v", i, err)
		}
	}
	if _, err := catalog.NewProduct(sku, ok, -1, now); err == nil {
		t.Error("negative stock accepted")
	}
	d := p.Details()
	d.Name = "Big Board"
	next, err := p.WithDetails(d, now.Add(time.Hour))
	if err != nil || next.Version() != 2 || next.Name() != "Big Board" || next.OnHand() != 5 {
		t.Fatalf("with details: %v", err)
	}
	if a := next.Archived(now).Archived(now); a.Version() != 3 || !a.IsArchived() {
		t.Fatalf("archive twice bumps once: %d", a.Version())
	}
	if p.TaxClass() != pricing.TaxStandard || p.WeightGrams() != 0 {
		t.Errorf("defaults: tax class %q, weight %d", p.TaxClass(), p.WeightGrams())
	}
	d.TaxClass, d.WeightGrams = "reduced", 450
	if book, err := p.WithDetails(d, now); err != nil || book.TaxClass() != pricing.TaxReduced || book.WeightGrams() != 450 || book.Details().TaxClass != "reduced" {
		t.Errorf("reduced 450 g: %v %+v", err, book.State())
	}
	old := p.State()
	old.TaxClass, old.WeightGrams = "", 0 // stored before tax classes
	if r, err := catalog.RestoreProduct(old); err != nil || r.TaxClass() != pricing.TaxStandard {
		t.Errorf("old product: %v %q", err, r.TaxClass())
	}
	st := p.State()
	st.Reserved = 9
	if _, err := catalog.RestoreProduct(st); err == nil {
		t.Error("restored reserved > onHand")
	}
}

func TestReservationMergesAndSorts(t *testing.T) {
	t.Parallel()
	a, _ := catalog.NewLine("B-200", 2)
	b, _ := catalog.NewLine("A-100", 1)
	c, _ := catalog.NewLine("B-200", 3)
	r, err := catalog.NewReservation("6F1C7F4E-8D1E-4C1B-9A55-6A7D2F0E9B11", []catalog.Line{a, b, c})
	if err != nil {
		t.Fatal(err)
	}
	ls := r.Lines()
	if r.OrderID() != "6f1c7f4e-8d1e-4c1b-9a55-6a7d2f0e9b11" || len(ls) != 2 || ls[0].SKU().String() != "A-100" || ls[1].Quantity() != 5 || r.Status() != catalog.StatusPending {
		t.Fatalf("reservation: %+v", ls)
	}
	big, _ := catalog.NewLine("C-1", catalog.MaxLineQuantity)
	if _, err := catalog.NewReservation(r.OrderID(), []catalog.Line{big, big}); err == nil {
		t.Error("merged quantity above the bound accepted")
	}
}

func TestQuery(t *testing.T) {
	t.Parallel()
	n := func(v int64) *int64 { return &v }
	cases := []struct {
		name string
		in   catalog.QueryInput
		ok   bool
	}{
		{"defaults", catalog.QueryInput{}, true},
		{"all set", catalog.QueryInput{Text: "Blue MUG", Category: "Kitchen", MinPrice: n(1), MaxPrice: n(2), Sort: "price_desc", Page: 3, PageSize: 100}, true},
		{"min above max", catalog.QueryInput{MinPrice: n(3), MaxPrice: n(2)}, false},
		{"negative", catalog.QueryInput{MinPrice: n(-1)}, false},
		{"sort", catalog.QueryInput{Sort: "$natural"}, false},
		{"page 0 means default", catalog.QueryInput{Page: 0}, true},
		{"page too deep", catalog.QueryInput{Page: catalog.MaxPage + 1}, false},
		{"page size", catalog.QueryInput{PageSize: catalog.MaxPageSize + 1}, false},
		{"too many words", catalog.QueryInput{Text: "a b c d e f g"}, false},
		{"long text", catalog.QueryInput{Text: string(make([]byte, 101))}, false},
		{"category operator", catalog.QueryInput{Category: `{"$gt":""}`}, false},
	}
	for _, c := range cases {
		q, err := catalog.NewQuery(c.in)
		if (err == nil) != c.ok {
			t.Errorf("%s: %v", c.name, err)
		}
		if c.name == "defaults" && (q.Page() != 1 || q.PageSize() != catalog.DefaultPageSize || q.Sort() != catalog.SortNewest || q.MinPrice() != -1) {
			t.Errorf("defaults: %+v", q)
		}
		if c.name == "all set" && (q.Offset() != 200 || q.Terms()[1] != "mug") {
			t.Errorf("all set: offset %d terms %v", q.Offset(), q.Terms())
		}
	}
}
