// Package catalogtest is the contract suite of catalog.Store: every adapter
// (memory, MongoDB) runs it, directly and through catalog.Service, so they
// behave alike — including the all-or-nothing, never-oversell reservation
// race.
package catalogtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/catalog"
	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/pricing"
)

// NewStore returns an empty store private to the test.
type NewStore func(t *testing.T) catalog.Store

// Legacy writes, the way a build before variants stored it, a product
// with no product id and no options (an old document or row), then
// returns the store as the next start opens it.
type Legacy func(t *testing.T, s catalog.Store, p domain.Product) catalog.Store

// Run runs the whole suite.
func Run(t *testing.T, newStore NewStore) { RunWith(t, newStore, nil) }

// RunWith runs the whole suite, with the old-shape cases when legacy is set.
func RunWith(t *testing.T, newStore NewStore, legacy Legacy) {
	t.Run("Variants", func(t *testing.T) { t.Parallel(); testVariants(t, newStore(t)) })
	t.Run("VariantListing", func(t *testing.T) { t.Parallel(); testVariantListing(t, newStore(t)) })
	t.Run("VariantRules", func(t *testing.T) { t.Parallel(); testVariantRules(t, newStore(t)) })
	if legacy != nil {
		t.Run("OldShapeIsASingleVariant", func(t *testing.T) { t.Parallel(); testLegacy(t, newStore(t), legacy) })
	}
	t.Run("CRUD", func(t *testing.T) { t.Parallel(); testCRUD(t, newStore(t)) })
	t.Run("ListFiltersAndSearch", func(t *testing.T) { t.Parallel(); testList(t, newStore(t)) })
	t.Run("Pagination", func(t *testing.T) { t.Parallel(); testPagination(t, newStore(t)) })
	t.Run("Categories", func(t *testing.T) { t.Parallel(); testCategories(t, newStore(t)) })
	t.Run("AdjustStock", func(t *testing.T) { t.Parallel(); testAdjust(t, newStore(t)) })
	t.Run("HoldPrimitives", func(t *testing.T) { t.Parallel(); testHold(t, newStore(t)) })
	t.Run("Reservations", func(t *testing.T) { t.Parallel(); testReservations(t, newStore(t)) })
	t.Run("ReservationRace", func(t *testing.T) { t.Parallel(); testRace(t, newStore(t)) })
	t.Run("DuplicateDeliveriesRace", func(t *testing.T) { t.Parallel(); testDuplicateRace(t, newStore(t)) })
	t.Run("MultiLineRace", func(t *testing.T) { t.Parallel(); testMultiLineRace(t, newStore(t)) })
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func eur(c int64) money.Money {
	m, err := money.New(c, "EUR")
	if err != nil {
		panic(err)
	}
	return m
}

// Product builds a valid product for tests.
func Product(t testing.TB, sku, name, category string, cents int64, onHand int, created time.Time) domain.Product {
	t.Helper()
	k, err := domain.NewSKU(sku)
	if err != nil {
		t.Fatal(err)
	}
	p, err := domain.NewProduct(k, domain.Details{Name: name, Description: "About " + name, Category: category,
		Attributes: map[string]any{"colour": "red", "weightKg": 1.5, "sizes": []any{"S", "M"}, "organic": true},
		Price:      eur(cents), Images: []string{domain.ImagePathPrefix + "x.svg"}}, onHand, created)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func sku(t testing.TB, s string) domain.SKU {
	t.Helper()
	k, err := domain.NewSKU(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func service(t testing.TB, s catalog.Store) *catalog.Service {
	t.Helper()
	svc, err := catalog.New(catalog.Config{Store: s})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func lines(t testing.TB, kv ...any) []domain.Line {
	t.Helper()
	var out []domain.Line
	for i := 0; i < len(kv); i += 2 {
		l, err := domain.NewLine(kv[i].(string), kv[i+1].(int))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

func mustGet(t testing.TB, s catalog.Store, k string) domain.Product {
	t.Helper()
	p, err := s.Get(context.Background(), sku(t, k))
	if err != nil {
		t.Fatalf("get %s: %v", k, err)
	}
	return p
}

func wantStock(t testing.TB, s catalog.Store, k string, onHand, reserved int) {
	t.Helper()
	p := mustGet(t, s, k)
	if p.OnHand() != onHand || p.Reserved() != reserved {
		t.Fatalf("%s: onHand=%d reserved=%d, want %d/%d", k, p.OnHand(), p.Reserved(), onHand, reserved)
	}
}

func testCRUD(t *testing.T, s catalog.Store) {
	ctx := context.Background()
	p := Product(t, "MUG-1", "Blue Mug", "Kitchen", 1299, 5, t0)
	if err := s.Insert(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := s.Insert(ctx, p); !errors.Is(err, domain.ErrDuplicate) {
		t.Fatalf("second insert: %v, want ErrDuplicate", err)
	}
	got := mustGet(t, s, "MUG-1")
	if got.Name() != "Blue Mug" || got.Price() != eur(1299) || got.Category().String() != "Kitchen" || got.OnHand() != 5 ||
		got.Version() != 1 || !got.CreatedAt().Equal(t0) || len(got.Images()) != 1 {
		t.Fatalf("round trip: %+v", got.State())
	}
	attrs := got.Attributes().Map()
	if attrs["colour"] != "red" || attrs["weightKg"] != 1.5 || attrs["organic"] != true || !slices.Equal(attrs["sizes"].([]string), []string{"S", "M"}) {
		t.Fatalf("attributes round trip: %#v", attrs)
	}
	if _, err := s.Get(ctx, sku(t, "NOPE-1")); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}

	if got.TaxClass() != pricing.TaxStandard || got.WeightGrams() != 0 {
		t.Fatalf("defaults round trip: %q %d", got.TaxClass(), got.WeightGrams())
	}

	d := got.Details()
	d.Name, d.Price, d.TaxClass, d.WeightGrams = "Big Blue Mug", eur(1499), "reduced", 420
	next, err := got.WithDetails(d, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, next, got.Version()); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, next, got.Version()); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("stale update: %v, want ErrConflict", err)
	}
	ghost := Product(t, "GHOST-1", "Ghost", "Kitchen", 100, 0, t0)
	if err := s.Update(ctx, ghost, 1); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("update missing: %v, want ErrNotFound", err)
	}
	got = mustGet(t, s, "MUG-1")
	if got.Name() != "Big Blue Mug" || got.Price() != eur(1499) || got.Version() != 2 || got.OnHand() != 5 ||
		got.TaxClass() != pricing.TaxReduced || got.WeightGrams() != 420 {
		t.Fatalf("after update: %+v", got.State())
	}
	// Update never writes stock: a stale in-memory copy cannot undo a
	// reservation made meanwhile.
	if out, err := s.Hold(ctx, uuid.NewString(), lines(t, "MUG-1", 2)[0]); err != nil || out != domain.HoldApplied {
		t.Fatalf("hold: %v %v", out, err)
	}
	arch := got.Archived(t0.Add(2 * time.Hour))
	if err := s.Update(ctx, arch, got.Version()); err != nil {
		t.Fatal(err)
	}
	got = mustGet(t, s, "MUG-1")
	if !got.IsArchived() || got.Reserved() != 2 || got.OnHand() != 5 {
		t.Fatalf("after archive: %+v", got.State())
	}
}

func seed(t *testing.T, s catalog.Store) {
	t.Helper()
	ctx := context.Background()
	items := []domain.Product{
		Product(t, "A-100", "Oak Chopping Board", "Kitchen", 2500, 3, t0.Add(1*time.Minute)),
		Product(t, "A-101", "steel whisk", "Kitchen", 900, 3, t0.Add(2*time.Minute)),
		Product(t, "A-102", "Cast Iron Pan", "Kitchen", 4500, 3, t0.Add(3*time.Minute)),
		Product(t, "B-200", "Trail Tent", "Outdoor", 19900, 3, t0.Add(4*time.Minute)),
		Product(t, "B-201", "Camping Mug", "Outdoor", 900, 3, t0.Add(5*time.Minute)),
		Product(t, "C-300", "Old Lamp", "Home", 3000, 3, t0.Add(6*time.Minute)),
	}
	for _, p := range items {
		if err := s.Insert(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	old := mustGet(t, s, "C-300")
	if err := s.Update(ctx, old.Archived(t0.Add(time.Hour)), old.Version()); err != nil {
		t.Fatal(err)
	}
}

func query(t testing.TB, in domain.QueryInput) domain.Query {
	t.Helper()
	q, err := domain.NewQuery(in)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func skus(p domain.Page) []string {
	out := []string{}
	for _, it := range p.Items {
		out = append(out, it.SKU().String())
	}
	return out
}

func ptr(v int64) *int64 { return &v }

func testList(t *testing.T, s catalog.Store) {
	seed(t, s)
	ctx := context.Background()
	cases := []struct {
		name  string
		in    domain.QueryInput
		want  []string
		total int
	}{
		{"default newest first, archived hidden", domain.QueryInput{}, []string{"B-201", "B-200", "A-102", "A-101", "A-100"}, 5},
		{"include archived", domain.QueryInput{IncludeArchived: true}, []string{"C-300", "B-201", "B-200", "A-102", "A-101", "A-100"}, 6},
		{"category", domain.QueryInput{Category: "Outdoor"}, []string{"B-201", "B-200"}, 2},
		{"unknown category", domain.QueryInput{Category: "Garden"}, []string{}, 0},
		{"price asc with sku tie-break", domain.QueryInput{Sort: "price_asc"}, []string{"A-101", "B-201", "A-100", "A-102", "B-200"}, 5},
		{"price desc", domain.QueryInput{Sort: "price_desc"}, []string{"B-200", "A-102", "A-100", "A-101", "B-201"}, 5},
		{"name is case-insensitive", domain.QueryInput{Sort: "name"}, []string{"B-201", "A-102", "A-100", "A-101", "B-200"}, 5},
		{"price range inclusive", domain.QueryInput{MinPrice: ptr(900), MaxPrice: ptr(2500), Sort: "price_asc"}, []string{"A-101", "B-201", "A-100"}, 3},
		{"min only", domain.QueryInput{MinPrice: ptr(4500), Sort: "price_asc"}, []string{"A-102", "B-200"}, 2},
		{"search one word, any case", domain.QueryInput{Text: "MUG"}, []string{"B-201"}, 1},
		{"search matches description", domain.QueryInput{Text: "about cast"}, []string{"A-102"}, 1},
		{"search all words must match", domain.QueryInput{Text: "camping pan"}, []string{}, 0},
		{"search category text", domain.QueryInput{Text: "outdoor", Sort: "name"}, []string{"B-201", "B-200"}, 2},
		{"regex metacharacters are literal", domain.QueryInput{Text: ".*"}, []string{}, 0},
		{"operator text is literal", domain.QueryInput{Text: `{"$gt": ""}`}, []string{}, 0},
		{"search plus filter", domain.QueryInput{Text: "mug", Category: "Kitchen"}, []string{}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pg, err := s.List(ctx, query(t, c.in))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(skus(pg), c.want) || pg.Total != c.total {
				t.Fatalf("got %v total %d, want %v total %d", skus(pg), pg.Total, c.want, c.total)
			}
		})
	}
}

func testPagination(t *testing.T, s catalog.Store) {
	ctx := context.Background()
	for i := range 25 {
		p := Product(t, fmt.Sprintf("P-%03d", i), fmt.Sprintf("Item %02d", i), "Misc", 100+int64(i%5), 1, t0.Add(time.Duration(i)*time.Second))
		if err := s.Insert(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	// Walk every page with a sort full of ties: pages must partition the set.
	seen := map[string]bool{}
	for page := 1; page <= 3; page++ {
		pg, err := s.List(ctx, query(t, domain.QueryInput{Sort: "price_asc", Page: page, PageSize: 10}))
		if err != nil {
			t.Fatal(err)
		}
		wantLen := map[int]int{1: 10, 2: 10, 3: 5}[page]
		if len(pg.Items) != wantLen || pg.Total != 25 || pg.Page != page || pg.PageSize != 10 {
			t.Fatalf("page %d: %d items, total %d", page, len(pg.Items), pg.Total)
		}
		for _, it := range pg.Items {
			if seen[it.SKU().String()] {
				t.Fatalf("%s on two pages", it.SKU())
			}
			seen[it.SKU().String()] = true
		}
	}
	if len(seen) != 25 {
		t.Fatalf("pages covered %d of 25", len(seen))
	}
	edges := []struct {
		name     string
		in       domain.QueryInput
		wantLen  int
		wantSKUs []string
	}{
		{"past the end is empty, total kept", domain.QueryInput{Page: 4, PageSize: 10}, 0, nil},
		{"far past the end", domain.QueryInput{Page: domain.MaxPage, PageSize: domain.MaxPageSize}, 0, nil},
		{"page size one", domain.QueryInput{Page: 25, PageSize: 1, Sort: "newest"}, 1, []string{"P-000"}},
		{"max page size", domain.QueryInput{PageSize: domain.MaxPageSize}, 25, nil},
		{"exact boundary", domain.QueryInput{Page: 5, PageSize: 5}, 5, nil},
	}
	for _, c := range edges {
		pg, err := s.List(ctx, query(t, c.in))
		if err != nil {
			t.Fatal(err)
		}
		if len(pg.Items) != c.wantLen || pg.Total != 25 || pg.Items == nil {
			t.Fatalf("%s: %d items (nil=%t), total %d", c.name, len(pg.Items), pg.Items == nil, pg.Total)
		}
		if c.wantSKUs != nil && !slices.Equal(skus(pg), c.wantSKUs) {
			t.Fatalf("%s: %v, want %v", c.name, skus(pg), c.wantSKUs)
		}
	}
}

func testCategories(t *testing.T, s catalog.Store) {
	ctx := context.Background()
	cats, err := s.Categories(ctx)
	if err != nil || len(cats) != 0 {
		t.Fatalf("empty store: %v %v", cats, err)
	}
	seed(t, s)
	cats, err = s.Categories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.CategoryCount{{Name: "Kitchen", Count: 3}, {Name: "Outdoor", Count: 2}}
	if !slices.Equal(cats, want) {
		t.Fatalf("categories %v, want %v (archived Home excluded)", cats, want)
	}
}

func testAdjust(t *testing.T, s catalog.Store) {
	ctx := context.Background()
	if err := s.Insert(ctx, Product(t, "ADJ-1", "Thing", "Misc", 100, 5, t0)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Hold(ctx, uuid.NewString(), lines(t, "ADJ-1", 3)[0]); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		delta   int
		wantErr error
		onHand  int
	}{
		{+10, nil, 15},
		{-12, nil, 3},
		{-1, domain.ErrInsufficientStock, 3}, // would drop below the 3 reserved
		{domain.MaxStock, domain.ErrInsufficientStock, 3},
		{+1, nil, 4},
	}
	for i, st := range steps {
		p, err := s.AdjustStock(ctx, sku(t, "ADJ-1"), st.delta)
		if !errors.Is(err, st.wantErr) {
			t.Fatalf("step %d: %v, want %v", i, err, st.wantErr)
		}
		if err == nil && (p.OnHand() != st.onHand || p.Reserved() != 3) {
			t.Fatalf("step %d: returned %d/%d", i, p.OnHand(), p.Reserved())
		}
		wantStock(t, s, "ADJ-1", st.onHand, 3)
	}
	if _, err := s.AdjustStock(ctx, sku(t, "NOPE-9"), 1); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
}

func testHold(t *testing.T, s catalog.Store) {
	ctx := context.Background()
	if err := s.Insert(ctx, Product(t, "H-1", "Thing", "Misc", 100, 5, t0)); err != nil {
		t.Fatal(err)
	}
	arch := Product(t, "H-2", "Old", "Misc", 100, 5, t0)
	if err := s.Insert(ctx, arch); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, arch.Archived(t0), arch.Version()); err != nil {
		t.Fatal(err)
	}
	o1, o2 := uuid.NewString(), uuid.NewString()
	steps := []struct {
		name  string
		order string
		sku   string
		qty   int
		want  domain.HoldOutcome
	}{
		{"applied", o1, "H-1", 3, domain.HoldApplied},
		{"retry is a no-op", o1, "H-1", 3, domain.HoldAlreadyHeld},
		{"not enough for another order", o2, "H-1", 3, domain.HoldInsufficient},
		{"exactly the rest", o2, "H-1", 2, domain.HoldApplied},
		{"unknown", o1, "H-404", 1, domain.HoldUnknown},
		{"archived", o1, "H-2", 1, domain.HoldArchived},
	}
	for _, st := range steps {
		got, err := s.Hold(ctx, st.order, lines(t, st.sku, st.qty)[0])
		if err != nil || got != st.want {
			t.Fatalf("%s: %v %v, want %v", st.name, got, err, st.want)
		}
	}
	wantStock(t, s, "H-1", 5, 5)
	for range 2 { // twice: idempotent
		if err := s.Unhold(ctx, o1, sku(t, "H-1")); err != nil {
			t.Fatal(err)
		}
		wantStock(t, s, "H-1", 5, 2)
	}
	for range 2 {
		if err := s.Consume(ctx, o2, sku(t, "H-1")); err != nil {
			t.Fatal(err)
		}
		wantStock(t, s, "H-1", 3, 0)
	}
	if err := s.Unhold(ctx, o2, sku(t, "H-404")); err != nil {
		t.Fatalf("unhold on a missing product: %v", err)
	}
}

func testReservations(t *testing.T, s catalog.Store) {
	ctx := context.Background()
	for _, p := range []domain.Product{
		Product(t, "R-1", "One", "Misc", 100, 10, t0),
		Product(t, "R-2", "Two", "Misc", 100, 1, t0),
		Product(t, "R-3", "Three", "Misc", 100, 10, t0),
	} {
		if err := s.Insert(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	svc := service(t, s)

	// All lines held; duplicate SKUs merge.
	ok := uuid.NewString()
	r, err := svc.Reserve(ctx, ok, lines(t, "R-1", 2, "R-3", 1, "R-1", 1))
	if err != nil || r.Status() != domain.StatusReserved {
		t.Fatalf("reserve: %v %v", r.Status(), err)
	}
	wantStock(t, s, "R-1", 10, 3)
	// A redelivered command does not hold twice.
	if r, err = svc.Reserve(ctx, ok, lines(t, "R-1", 2, "R-3", 1, "R-1", 1)); err != nil || r.Status() != domain.StatusReserved {
		t.Fatalf("repeat: %v %v", r.Status(), err)
	}
	wantStock(t, s, "R-1", 10, 3)

	// One line short: nothing held, every failing SKU named.
	bad := uuid.NewString()
	r, err = svc.Reserve(ctx, bad, lines(t, "R-1", 1, "R-2", 2, "R-404", 1, "R-3", 1))
	if err != nil || r.Status() != domain.StatusFailed {
		t.Fatalf("short reserve: %v %v", r.Status(), err)
	}
	if !slices.Equal(r.FailedSKUs(), []string{"R-2", "R-404"}) || r.Reason() != domain.ReasonOutOfStock {
		t.Fatalf("failure: %v %q", r.FailedSKUs(), r.Reason())
	}
	wantStock(t, s, "R-1", 10, 3)
	wantStock(t, s, "R-2", 1, 0)
	wantStock(t, s, "R-3", 10, 1)
	// The failure sticks, even if stock appears later.
	if _, err := s.AdjustStock(ctx, sku(t, "R-2"), 5); err != nil {
		t.Fatal(err)
	}
	if r, _ = svc.Reserve(ctx, bad, lines(t, "R-1", 1, "R-2", 2)); r.Status() != domain.StatusFailed {
		t.Fatalf("repeat of failed: %v", r.Status())
	}
	wantStock(t, s, "R-2", 6, 0)

	// Commit: sold units leave on hand; twice is a no-op; release after is refused.
	for range 2 {
		if r, err = svc.Commit(ctx, ok); err != nil || r.Status() != domain.StatusCommitted {
			t.Fatalf("commit: %v %v", r.Status(), err)
		}
		wantStock(t, s, "R-1", 7, 0)
		wantStock(t, s, "R-3", 9, 0)
	}
	if _, err := svc.Release(ctx, ok); !errors.Is(err, domain.ErrAlreadyCommitted) {
		t.Fatalf("release committed: %v", err)
	}
	if _, err := svc.Commit(ctx, bad); !errors.Is(err, domain.ErrNotReserved) {
		t.Fatalf("commit failed reservation: %v", err)
	}
	if _, err := svc.Commit(ctx, uuid.NewString()); !errors.Is(err, domain.ErrNotReserved) {
		t.Fatalf("commit unknown: %v", err)
	}

	// Release gives everything back, twice is a no-op, commit after is refused.
	rel := uuid.NewString()
	if r, err = svc.Reserve(ctx, rel, lines(t, "R-1", 4, "R-2", 6)); err != nil || r.Status() != domain.StatusReserved {
		t.Fatalf("reserve: %v %v", r.Status(), err)
	}
	wantStock(t, s, "R-2", 6, 6)
	for range 2 {
		if r, err = svc.Release(ctx, rel); err != nil || r.Status() != domain.StatusReleased {
			t.Fatalf("release: %v %v", r.Status(), err)
		}
		wantStock(t, s, "R-1", 7, 0)
		wantStock(t, s, "R-2", 6, 0)
	}
	if _, err := svc.Commit(ctx, rel); !errors.Is(err, domain.ErrNotReserved) {
		t.Fatalf("commit released: %v", err)
	}

	// Release before reserve (cancelled early): the late reserve holds nothing.
	early := uuid.NewString()
	if r, err = svc.Release(ctx, early); err != nil || r.Status() != domain.StatusReleased {
		t.Fatalf("early release: %v %v", r.Status(), err)
	}
	if r, err = svc.Reserve(ctx, early, lines(t, "R-1", 1)); err != nil || r.Status() != domain.StatusReleased {
		t.Fatalf("late reserve: %v %v", r.Status(), err)
	}
	wantStock(t, s, "R-1", 7, 0)

	// Invalid input never reaches the store.
	if _, err := svc.Reserve(ctx, "not-a-uuid", lines(t, "R-1", 1)); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("bad order id: %v", err)
	}
	if _, err := svc.Reserve(ctx, uuid.NewString(), nil); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("no lines: %v", err)
	}
}

// testRace: 50 orders race for the last 10 units; exactly 10 win.
func testRace(t *testing.T, s catalog.Store) {
	ctx := context.Background()
	if err := s.Insert(ctx, Product(t, "LAST-10", "Scarce", "Misc", 100, 10, t0)); err != nil {
		t.Fatal(err)
	}
	svc := service(t, s)
	var won, lost atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := svc.Reserve(ctx, uuid.NewString(), lines(t, "LAST-10", 1))
			switch {
			case err != nil:
				t.Error(err)
			case r.Status() == domain.StatusReserved:
				won.Add(1)
			case r.Status() == domain.StatusFailed:
				lost.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if won.Load() != 10 || lost.Load() != 40 {
		t.Fatalf("won %d lost %d, want 10/40", won.Load(), lost.Load())
	}
	wantStock(t, s, "LAST-10", 10, 10)
}

// testDuplicateRace: the same command delivered 10 times at once holds once.
func testDuplicateRace(t *testing.T, s catalog.Store) {
	ctx := context.Background()
	for _, p := range []domain.Product{Product(t, "D-1", "A", "Misc", 100, 5, t0), Product(t, "D-2", "B", "Misc", 100, 5, t0)} {
		if err := s.Insert(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	svc := service(t, s)
	order := uuid.NewString()
	var wg sync.WaitGroup
	statuses := make(chan domain.ReservationStatus, 10)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := svc.Reserve(ctx, order, lines(t, "D-1", 2, "D-2", 3))
			if err != nil {
				t.Error(err)
				return
			}
			statuses <- r.Status()
		}()
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != domain.StatusReserved {
			t.Fatalf("a duplicate saw %s", st)
		}
	}
	wantStock(t, s, "D-1", 5, 2)
	wantStock(t, s, "D-2", 5, 3)
}

// testMultiLineRace: two-line orders race over two products whose stock
// allows only some; no order may end partially held, stock never oversold.
func testMultiLineRace(t *testing.T, s catalog.Store) {
	ctx := context.Background()
	for _, p := range []domain.Product{Product(t, "M-1", "A", "Misc", 100, 7, t0), Product(t, "M-2", "B", "Misc", 100, 4, t0)} {
		if err := s.Insert(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	svc := service(t, s)
	var wg sync.WaitGroup
	var won atomic.Int32
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ls := lines(t, "M-1", 1, "M-2", 1)
			if i%2 == 1 { // opposite order: the service sorts, so no lock-step pattern matters
				ls = lines(t, "M-2", 1, "M-1", 1)
			}
			r, err := svc.Reserve(ctx, uuid.NewString(), ls)
			if err != nil {
				t.Error(err)
				return
			}
			if r.Status() == domain.StatusReserved {
				won.Add(1)
			}
		}()
	}
	wg.Wait()
	n := int(won.Load())
	if n < 1 || n > 4 {
		t.Fatalf("%d two-line orders reserved, want 1..4", n)
	}
	// Every product's reserved units equal exactly the winners' lines.
	wantStock(t, s, "M-1", 7, n)
	wantStock(t, s, "M-2", 4, n)
}
