package catalogtest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/catalog"
	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/money"
)

func opts(kv ...string) []domain.Option {
	var out []domain.Option
	for i := 0; i < len(kv); i += 2 {
		out = append(out, domain.Option{Name: kv[i], Value: kv[i+1]})
	}
	return out
}

func labels(ps []domain.Product) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.SKU().String()+":"+p.Label())
	}
	return out
}

func price(c int64) *money.Money { m := eur(c); return &m }

// tee makes the family TEE-S (2000, 5 on hand) + TEE-M (2000, 0) + TEE-L
// (2400, 2) through the service, created a minute apart.
func tee(t *testing.T, s catalog.Store) *catalog.Service {
	t.Helper()
	ctx := context.Background()
	now := t0
	svc, err := catalog.New(catalog.Config{Store: s, Now: func() time.Time { now = now.Add(time.Minute); return now }})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Insert(ctx, Product(t, "TEE-S", "Tee", "Apparel", 2000, 5, t0)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateVariant(ctx, "TEE-S", catalog.NewVariantInput{SKU: "tee-m", ProductOptions: opts("Size", "S"),
		VariantInput: domain.VariantInput{Options: opts("Size", "M")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateVariant(ctx, "TEE-M", catalog.NewVariantInput{SKU: "TEE-L", Stock: 2,
		VariantInput: domain.VariantInput{Options: opts("Size", "L"), Price: price(2400)}}); err != nil {
		t.Fatal(err)
	}
	return svc
}

func testVariants(t *testing.T, s catalog.Store) {
	ctx := context.Background()
	svc := tee(t, s)
	fam, err := s.Family(ctx, sku(t, "TEE-S"))
	if err != nil {
		t.Fatal(err)
	}
	if got := labels(fam); !slices.Equal(got, []string{"TEE-S:S", "TEE-M:M", "TEE-L:L"}) {
		t.Fatalf("family %v", got)
	}
	m := fam[1]
	if m.ProductID().String() != "TEE-S" || m.IsPrimary() || !fam[0].IsPrimary() || m.Name() != "Tee" || m.Price() != eur(2000) ||
		m.OnHand() != 0 || m.DisplayName() != "Tee — M" || !slices.Equal(m.Options(), opts("Size", "M")) {
		t.Fatalf("variant M round trip: %+v", m.State())
	}
	if l := fam[2]; l.Price() != eur(2400) || l.OnHand() != 2 || l.Category().String() != "Apparel" {
		t.Fatalf("variant L round trip: %+v", l.State())
	}
	// A single product is its own family; an unknown one has none.
	if err := s.Insert(ctx, Product(t, "MUG-9", "Mug", "Kitchen", 900, 1, t0)); err != nil {
		t.Fatal(err)
	}
	if one, err := s.Family(ctx, sku(t, "MUG-9")); err != nil || !slices.Equal(labels(one), []string{"MUG-9:"}) {
		t.Fatalf("single family: %v %v", labels(one), err)
	}
	if _, err := s.Family(ctx, sku(t, "NOPE-1")); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown family: %v", err)
	}
	// Each variant is its own SKU for stock.
	if r, err := svc.Reserve(ctx, uuid.NewString(), lines(t, "TEE-L", 2, "TEE-S", 1)); err != nil || r.Status() != domain.StatusReserved {
		t.Fatalf("reserve variants: %v %v", r.Status(), err)
	}
	wantStock(t, s, "TEE-L", 2, 2)
	wantStock(t, s, "TEE-S", 5, 1)
	if r, err := svc.Reserve(ctx, uuid.NewString(), lines(t, "TEE-M", 1)); err != nil || r.Status() != domain.StatusFailed {
		t.Fatalf("reserve the empty variant: %v %v", r.Status(), err)
	}
	// Editing a variant's shared fields reaches its siblings; its price
	// stays its own; options change with the combination rule kept.
	cur := mustGet(t, s, "TEE-L")
	d := cur.Details()
	d.Name, d.Price = "Organic Tee", eur(2600)
	newOpts := opts("size", "XL")
	if _, err := svc.UpdateVariant(ctx, "TEE-L", d, &newOpts, cur.Version()); err != nil {
		t.Fatal(err)
	}
	fam, _ = s.Family(ctx, sku(t, "TEE-S"))
	for _, v := range fam {
		if v.Name() != "Organic Tee" {
			t.Fatalf("%s kept the name %q", v.SKU(), v.Name())
		}
	}
	if fam[0].Price() != eur(2000) || fam[2].Price() != eur(2600) || fam[2].Label() != "XL" || fam[2].OnHand() != 2 || fam[2].Reserved() != 2 {
		t.Fatalf("after the edit: %+v", fam[2].State())
	}
}

func testVariantRules(t *testing.T, s catalog.Store) {
	ctx := context.Background()
	svc := tee(t, s)
	if err := s.Insert(ctx, Product(t, "CAP-1", "Cap", "Apparel", 1500, 1, t0)); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		base string
		in   catalog.NewVariantInput
		want error
	}{
		{"same combination", "TEE-S", catalog.NewVariantInput{SKU: "TEE-M2", VariantInput: domain.VariantInput{Options: opts("Size", "m")}}, domain.ErrInvalid},
		{"other option names", "TEE-S", catalog.NewVariantInput{SKU: "TEE-RED", VariantInput: domain.VariantInput{Options: opts("Colour", "Red")}}, domain.ErrInvalid},
		{"an extra option", "TEE-S", catalog.NewVariantInput{SKU: "TEE-XS", VariantInput: domain.VariantInput{Options: opts("Size", "XS", "Colour", "Red")}}, domain.ErrInvalid},
		{"no options", "TEE-S", catalog.NewVariantInput{SKU: "TEE-XS"}, domain.ErrInvalid},
		{"two-line value", "TEE-S", catalog.NewVariantInput{SKU: "TEE-XS", VariantInput: domain.VariantInput{Options: opts("Size", "X\nS")}}, domain.ErrInvalid},
		{"long value", "TEE-S", catalog.NewVariantInput{SKU: "TEE-XS", VariantInput: domain.VariantInput{Options: opts("Size", "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX")}}, domain.ErrInvalid},
		{"operator-shaped name", "TEE-S", catalog.NewVariantInput{SKU: "TEE-XS", VariantInput: domain.VariantInput{Options: opts("$size", "XS")}}, domain.ErrInvalid},
		{"taken SKU", "TEE-S", catalog.NewVariantInput{SKU: "CAP-1", VariantInput: domain.VariantInput{Options: opts("Size", "XS")}}, domain.ErrDuplicate},
		{"bad price", "TEE-S", catalog.NewVariantInput{SKU: "TEE-XS", VariantInput: domain.VariantInput{Options: opts("Size", "XS"), Price: price(0)}}, domain.ErrInvalid},
		{"unknown product", "NOPE-1", catalog.NewVariantInput{SKU: "TEE-XS", VariantInput: domain.VariantInput{Options: opts("Size", "XS")}}, domain.ErrNotFound},
		{"first variant without the product's own values", "CAP-1", catalog.NewVariantInput{SKU: "CAP-2", VariantInput: domain.VariantInput{Options: opts("Colour", "Red")}}, domain.ErrInvalid},
		{"product values when it has some", "TEE-S", catalog.NewVariantInput{SKU: "TEE-XS", ProductOptions: opts("Size", "S"), VariantInput: domain.VariantInput{Options: opts("Size", "XS")}}, domain.ErrInvalid},
		{"first variant same as the product", "CAP-1", catalog.NewVariantInput{SKU: "CAP-2", ProductOptions: opts("Colour", "Red"), VariantInput: domain.VariantInput{Options: opts("Colour", "red")}}, domain.ErrInvalid},
	}
	for _, c := range cases {
		if _, err := svc.CreateVariant(ctx, c.base, c.in); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// Nothing refused was written: the families are as before.
	if fam, _ := s.Family(ctx, sku(t, "TEE-S")); !slices.Equal(labels(fam), []string{"TEE-S:S", "TEE-M:M", "TEE-L:L"}) {
		t.Fatalf("tee family after refusals: %v", labels(fam))
	}
	if fam, _ := s.Family(ctx, sku(t, "CAP-1")); !slices.Equal(labels(fam), []string{"CAP-1:"}) {
		t.Fatalf("cap family after refusals: %v", labels(fam))
	}
	// Changing a variant to a sibling's combination is refused; once that
	// sibling is archived the combination is free again.
	m := mustGet(t, s, "TEE-M")
	taken := opts("Size", "L")
	if _, err := svc.UpdateVariant(ctx, "TEE-M", m.Details(), &taken, 0); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("edit to a taken combination: %v", err)
	}
	if _, err := svc.Archive(ctx, "TEE-L"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateVariant(ctx, "TEE-S", catalog.NewVariantInput{SKU: "TEE-L2", VariantInput: domain.VariantInput{Options: opts("Size", "L")}}); err != nil {
		t.Fatalf("re-adding an archived combination: %v", err)
	}
}

type entry struct {
	sku             string
	from, to        int64
	variants, avail int
}

func entries(pg domain.Page) []entry {
	out := []entry{}
	for i, p := range pg.Items {
		f := pg.Families[i]
		out = append(out, entry{p.SKU().String(), f.FromPrice.Amount(), f.ToPrice.Amount(), f.Variants, f.Available})
	}
	return out
}

func testVariantListing(t *testing.T, s catalog.Store) {
	ctx := context.Background()
	svc := tee(t, s)
	for _, p := range []domain.Product{
		Product(t, "MUG-1", "Mug", "Kitchen", 900, 3, t0.Add(time.Hour)),
		Product(t, "HAT-1", "Hat", "Apparel", 2200, 1, t0.Add(2*time.Hour)),
	} {
		if err := s.Insert(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	list := func(in domain.QueryInput) []entry {
		t.Helper()
		pg, err := s.List(ctx, query(t, in))
		if err != nil {
			t.Fatal(err)
		}
		if len(pg.Families) != len(pg.Items) {
			t.Fatalf("%d items, %d family figures", len(pg.Items), len(pg.Families))
		}
		return entries(pg)
	}
	tee := entry{"TEE-S", 2000, 2400, 3, 7}
	hat, mug := entry{"HAT-1", 2200, 2200, 1, 1}, entry{"MUG-1", 900, 900, 1, 3}
	cases := []struct {
		name string
		in   domain.QueryInput
		want []entry
	}{
		{"one entry per family, newest first", domain.QueryInput{}, []entry{hat, mug, tee}},
		{"by from price", domain.QueryInput{Sort: "price_asc"}, []entry{mug, tee, hat}},
		{"by from price, descending", domain.QueryInput{Sort: "price_desc"}, []entry{hat, tee, mug}},
		{"price filter on the from price", domain.QueryInput{MinPrice: ptr(2100)}, []entry{hat}},
		{"max price takes a family from below", domain.QueryInput{MaxPrice: ptr(2000), Sort: "name"}, []entry{mug, tee}},
		{"category", domain.QueryInput{Category: "Apparel", Sort: "name"}, []entry{hat, tee}},
		{"search", domain.QueryInput{Text: "tee"}, []entry{tee}},
	}
	for _, c := range cases {
		if got := list(c.in); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if cats, err := s.Categories(ctx); err != nil || !slices.Equal(cats, []domain.CategoryCount{{Name: "Apparel", Count: 2}, {Name: "Kitchen", Count: 1}}) {
		t.Fatalf("categories count families: %v %v", cats, err)
	}
	// The primary archived: the family is shown by its first variant on
	// sale, priced over the rest.
	if _, err := svc.Archive(ctx, "TEE-S"); err != nil {
		t.Fatal(err)
	}
	if got := list(domain.QueryInput{Text: "tee"}); !slices.Equal(got, []entry{{"TEE-M", 2000, 2400, 2, 2}}) {
		t.Fatalf("primary archived: %v", got)
	}
	if got := list(domain.QueryInput{Text: "tee", IncludeArchived: true}); !slices.Equal(got, []entry{{"TEE-S", 2000, 2400, 3, 7}}) {
		t.Fatalf("primary archived, archived included: %v", got)
	}
	if _, err := svc.Archive(ctx, "TEE-M"); err != nil {
		t.Fatal(err)
	}
	if got := list(domain.QueryInput{Sort: "price_asc"}); !slices.Equal(got, []entry{mug, hat, {"TEE-L", 2400, 2400, 1, 2}}) {
		t.Fatalf("cheapest variant archived: %v", got)
	}
	if _, err := svc.Archive(ctx, "TEE-L"); err != nil {
		t.Fatal(err)
	}
	if got := list(domain.QueryInput{}); !slices.Equal(got, []entry{hat, mug}) {
		t.Fatalf("every variant archived: %v", got)
	}
	if cats, _ := s.Categories(ctx); !slices.Equal(cats, []domain.CategoryCount{{Name: "Apparel", Count: 1}, {Name: "Kitchen", Count: 1}}) {
		t.Fatalf("categories without the archived family: %v", cats)
	}
}

func testLegacy(t *testing.T, s catalog.Store, legacy Legacy) {
	ctx := context.Background()
	s = legacy(t, s, Product(t, "OLD-1", "Old Lamp", "Home", 3000, 4, t0))
	p := mustGet(t, s, "OLD-1")
	if p.ProductID().String() != "OLD-1" || !p.IsPrimary() || len(p.Options()) != 0 || p.DisplayName() != "Old Lamp" || p.OnHand() != 4 {
		t.Fatalf("old product: %+v", p.State())
	}
	if fam, err := s.Family(ctx, sku(t, "OLD-1")); err != nil || !slices.Equal(labels(fam), []string{"OLD-1:"}) {
		t.Fatalf("old product's family: %v %v", labels(fam), err)
	}
	pg, err := s.List(ctx, query(t, domain.QueryInput{MinPrice: ptr(3000), Sort: "price_asc"}))
	if err != nil || !slices.Equal(entries(pg), []entry{{"OLD-1", 3000, 3000, 1, 4}}) {
		t.Fatalf("old product listed: %v %v", entries(pg), err)
	}
	if cats, err := s.Categories(ctx); err != nil || !slices.Equal(cats, []domain.CategoryCount{{Name: "Home", Count: 1}}) {
		t.Fatalf("old product's category: %v %v", cats, err)
	}
	// It takes variants like any product.
	svc := service(t, s)
	if _, err := svc.CreateVariant(ctx, "OLD-1", catalog.NewVariantInput{SKU: "OLD-2", ProductOptions: opts("Finish", "Brass"),
		VariantInput: domain.VariantInput{Options: opts("Finish", "Chrome"), Price: price(2500)}, Stock: 1}); err != nil {
		t.Fatal(err)
	}
	pg, err = s.List(ctx, query(t, domain.QueryInput{}))
	if err != nil || !slices.Equal(entries(pg), []entry{{"OLD-1", 2500, 3000, 2, 5}}) {
		t.Fatalf("old product with a variant: %v %v", entries(pg), err)
	}
}
