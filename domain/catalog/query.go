package catalog

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// Sort orders a product listing.
type Sort string

// The sorts the storefront offers.
const (
	SortNewest    Sort = "newest"
	SortPriceAsc  Sort = "price_asc"
	SortPriceDesc Sort = "price_desc"
	SortName      Sort = "name"
)

// Listing bounds. A deep page is refused rather than served slowly.
const (
	DefaultPageSize = 12
	MaxPageSize     = 100
	MaxPage         = 1000
	MaxQueryLen     = 100
	MaxQueryTerms   = 6
)

// QueryInput is an unvalidated listing request; nil prices mean unbounded.
type QueryInput struct {
	Text            string
	Category        string
	MinPrice        *int64
	MaxPrice        *int64
	Sort            string
	Page            int
	PageSize        int
	IncludeArchived bool
}

// Query is a validated listing request.
type Query struct {
	terms           []string
	category        string
	minPrice        int64
	maxPrice        int64
	sort            Sort
	page            int
	pageSize        int
	includeArchived bool
}

// NewQuery validates in, applying defaults (page 1, 12 per page, newest first).
func NewQuery(in QueryInput) (Query, error) {
	q := Query{minPrice: -1, maxPrice: -1, sort: SortNewest, page: 1, pageSize: DefaultPageSize, includeArchived: in.IncludeArchived}
	text := strings.TrimSpace(in.Text)
	if !utf8.ValidString(text) || utf8.RuneCountInString(text) > MaxQueryLen {
		return Query{}, fmt.Errorf("%w: q must be at most %d characters of text", ErrInvalid, MaxQueryLen)
	}
	for _, t := range strings.Fields(strings.ToLower(text)) {
		if len(q.terms) == MaxQueryTerms {
			return Query{}, fmt.Errorf("%w: q may hold at most %d words", ErrInvalid, MaxQueryTerms)
		}
		q.terms = append(q.terms, t)
	}
	if in.Category != "" {
		c, err := NewCategory(in.Category)
		if err != nil {
			return Query{}, err
		}
		q.category = c.String()
	}
	if in.MinPrice != nil {
		if *in.MinPrice < 0 {
			return Query{}, fmt.Errorf("%w: minPrice must not be negative", ErrInvalid)
		}
		q.minPrice = *in.MinPrice
	}
	if in.MaxPrice != nil {
		if *in.MaxPrice < 0 {
			return Query{}, fmt.Errorf("%w: maxPrice must not be negative", ErrInvalid)
		}
		q.maxPrice = *in.MaxPrice
	}
	if q.minPrice >= 0 && q.maxPrice >= 0 && q.minPrice > q.maxPrice {
		return Query{}, fmt.Errorf("%w: minPrice is above maxPrice", ErrInvalid)
	}
	switch s := Sort(in.Sort); s {
	case "":
	case SortNewest, SortPriceAsc, SortPriceDesc, SortName:
		q.sort = s
	default:
		return Query{}, fmt.Errorf("%w: sort must be newest, price_asc, price_desc or name", ErrInvalid)
	}
	if in.Page != 0 {
		if in.Page < 1 || in.Page > MaxPage {
			return Query{}, fmt.Errorf("%w: page must be 1..%d", ErrInvalid, MaxPage)
		}
		q.page = in.Page
	}
	if in.PageSize != 0 {
		if in.PageSize < 1 || in.PageSize > MaxPageSize {
			return Query{}, fmt.Errorf("%w: pageSize must be 1..%d", ErrInvalid, MaxPageSize)
		}
		q.pageSize = in.PageSize
	}
	return q, nil
}

// Accessors. Prices are -1 when unbounded; Terms are lower-case words.
func (q Query) Terms() []string       { return append([]string(nil), q.terms...) }
func (q Query) Category() string      { return q.category }
func (q Query) MinPrice() int64       { return q.minPrice }
func (q Query) MaxPrice() int64       { return q.maxPrice }
func (q Query) Sort() Sort            { return q.sort }
func (q Query) Page() int             { return q.page }
func (q Query) PageSize() int         { return q.pageSize }
func (q Query) Offset() int           { return (q.page - 1) * q.pageSize }
func (q Query) IncludeArchived() bool { return q.includeArchived }

// Key is a canonical string of the query, used as a cache key component.
func (q Query) Key() string {
	return fmt.Sprintf("t=%s|c=%s|min=%d|max=%d|s=%s|p=%d|n=%d|a=%t",
		strings.Join(q.terms, " "), q.category, q.minPrice, q.maxPrice, q.sort, q.page, q.pageSize, q.includeArchived)
}

// SearchText is the lower-case text a query's terms are matched in: every
// term must occur in it as a substring. Adapters store it beside the product
// (Mongo matches it with anchored-free, escaped regexes) so all agree.
func SearchText(p Product) string {
	return strings.ToLower(p.name + "\n" + p.description + "\n" + p.category.String())
}

// Matches reports whether p passes the filters (not the paging).
func (q Query) Matches(p Product) bool {
	if p.archived && !q.includeArchived {
		return false
	}
	return q.passes(p, p.price.Amount())
}

// passes applies the category, price range and search terms to p, priced
// at price (its own, or its family's "from" price).
func (q Query) passes(p Product, price int64) bool {
	if q.category != "" && p.category.String() != q.category {
		return false
	}
	if q.minPrice >= 0 && price < q.minPrice {
		return false
	}
	if q.maxPrice >= 0 && price > q.maxPrice {
		return false
	}
	text := SearchText(p)
	for _, t := range q.terms {
		if !strings.Contains(text, t) {
			return false
		}
	}
	return true
}

// Compare orders two products by the query's sort; the SKU breaks ties so
// pages never overlap or skip.
func (q Query) Compare(a, b Product) int {
	return q.compare(a, b, a.price.Amount(), b.price.Amount())
}

// compare orders a and b by the query's sort, priced at ap and bp (their own
// price, or their family's "from" price); the SKU breaks ties.
func (q Query) compare(a, b Product, ap, bp int64) int {
	var c int
	switch q.sort {
	case SortPriceAsc:
		c = cmp.Compare(ap, bp)
	case SortPriceDesc:
		c = cmp.Compare(bp, ap)
	case SortName:
		c = cmp.Compare(NameKey(a.name), NameKey(b.name))
	default:
		c = b.createdAt.Compare(a.createdAt)
	}
	if c != 0 {
		return c
	}
	return cmp.Compare(a.sku.value, b.sku.value)
}

// NameKey is the case-insensitive sort key of a name.
func NameKey(name string) string { return strings.ToLower(name) }

// Page is one page of a listing: one item per product family, shown by one
// of its variants (Summarize), with the family's figures at the same index
// of Families.
type Page struct {
	Items    []Product
	Families []FamilySummary
	Page     int
	PageSize int
	Total    int
}

// CategoryCount is a category with its number of products on sale.
type CategoryCount struct {
	Name  string
	Count int
}

// MatchesFamily reports whether a family passes the filters: text and
// category are the family's (its primary's), the price is its "from" price.
// Which variants are visible (archived ones or not) Summarize decided.
func (q Query) MatchesFamily(primary Product, sum FamilySummary) bool {
	return q.passes(primary, sum.FromPrice.Amount())
}

// CompareFamilies orders two families by the query's sort: their "from"
// price, their primary's name or creation; the primary SKU breaks ties.
func (q Query) CompareFamilies(a, b Product, as, bs FamilySummary) int {
	return q.compare(a, b, as.FromPrice.Amount(), bs.FromPrice.Amount())
}

// ListFamilies is the listing q selects from every product of a store, for
// adapters that hold them all in reach (memory): one entry per family.
func ListFamilies(all []Product, q Query) Page {
	families := map[SKU][]Product{}
	for _, p := range all {
		families[p.ProductID()] = append(families[p.ProductID()], p)
	}
	type entry struct {
		primary, shown Product
		sum            FamilySummary
	}
	var hits []entry
	for id, vs := range families {
		shown, sum, ok := Summarize(vs, q.includeArchived)
		if !ok {
			continue
		}
		primary := shown
		for _, v := range vs {
			if v.sku == id {
				primary = v
			}
		}
		if q.MatchesFamily(primary, sum) {
			hits = append(hits, entry{primary, shown, sum})
		}
	}
	slices.SortFunc(hits, func(a, b entry) int { return q.CompareFamilies(a.primary, b.primary, a.sum, b.sum) })
	page := Page{Page: q.page, PageSize: q.pageSize, Total: len(hits), Items: []Product{}, Families: []FamilySummary{}}
	if off := q.Offset(); off < len(hits) {
		for _, e := range hits[off:min(off+q.pageSize, len(hits))] {
			page.Items = append(page.Items, e.shown)
			page.Families = append(page.Families, e.sum)
		}
	}
	return page
}

// FamilyCategories counts the families on sale per category (a family
// counts once, in its primary's category), sorted by name.
func FamilyCategories(all []Product) []CategoryCount {
	families := map[SKU][]Product{}
	for _, p := range all {
		families[p.ProductID()] = append(families[p.ProductID()], p)
	}
	counts := map[string]int{}
	for id, vs := range families {
		if _, _, ok := Summarize(vs, false); !ok {
			continue
		}
		cat := vs[0].category.String()
		for _, v := range vs {
			if v.sku == id {
				cat = v.category.String()
			}
		}
		counts[cat]++
	}
	out := make([]CategoryCount, 0, len(counts))
	for _, name := range slices.Sorted(maps.Keys(counts)) {
		out = append(out, CategoryCount{Name: name, Count: counts[name]})
	}
	return out
}
