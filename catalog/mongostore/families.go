package mongostore

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	domain "github.com/evshop/shop/domain/catalog"
)

// Product families. FerretDB v1 has no $lookup and computes a $group's
// second accumulator wrongly, so a listing cannot group the variants at
// read time. Instead the family's primary document carries what the
// listing filters and sorts by (listing: on sale, lowest price), rewritten
// from the family's documents after each write of one of them. Those two
// writes are not atomic: a crash between them leaves the figures behind
// until the family's next write; the prices and stock a page shows are
// computed from the variants themselves when it is read.

type optionDoc struct {
	Name  string `bson:"name"`
	Value string `bson:"value"`
}

type listingDoc struct {
	// OnSale: some variant is not archived.
	OnSale bool `bson:"onSale"`
	// FromPrice is the lowest price among the variants on sale (among all
	// when none is); FromPriceAll among all, for listings of archived too.
	FromPrice    int64 `bson:"fromPrice"`
	FromPriceAll int64 `bson:"fromPriceAll"`
}

func fromPriceField(q domain.Query) string {
	if q.IncludeArchived() {
		return "listing.fromPriceAll"
	}
	return "listing.fromPrice"
}

func listingOf(docs []productDoc) *listingDoc {
	l := &listingDoc{}
	first, firstOnSale := true, true
	for _, d := range docs {
		if first || d.Price.Amount < l.FromPriceAll {
			l.FromPriceAll = d.Price.Amount
		}
		first = false
		if !d.Archived && (firstOnSale || d.Price.Amount < l.FromPrice) {
			l.FromPrice, l.OnSale, firstOnSale = d.Price.Amount, true, false
		}
	}
	if !l.OnSale {
		l.FromPrice = l.FromPriceAll
	}
	return l
}

// familyFilter matches every document of a family, the primary one even
// when it was stored before product ids.
func familyFilter(ids []string) bson.D {
	in := bson.D{{Key: "$in", Value: ids}}
	return bson.D{{Key: "$or", Value: bson.A{bson.D{{Key: "productId", Value: in}}, bson.D{{Key: "_id", Value: in}}}}}
}

// familyDocs reads the documents of the families ids, by family.
func (s *Store) familyDocs(ctx context.Context, ids []string) (map[string][]productDoc, error) {
	cur, err := s.products.Find(ctx, familyFilter(ids))
	if err != nil {
		return nil, fmt.Errorf("catalog mongostore: family: %w", err)
	}
	var docs []productDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("catalog mongostore: family: %w", err)
	}
	out := map[string][]productDoc{}
	for _, d := range docs {
		id := d.ProductID
		if id == "" {
			id = d.SKU
		}
		out[id] = append(out[id], d)
	}
	return out, nil
}

// refreshListing rewrites the listing figures of a family's primary.
func (s *Store) refreshListing(ctx context.Context, productID string) error {
	fams, err := s.familyDocs(ctx, []string{productID})
	if err != nil {
		return err
	}
	docs := fams[productID]
	if len(docs) == 0 {
		return nil
	}
	if _, err := s.products.UpdateOne(ctx, bson.D{{Key: "_id", Value: productID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "listing", Value: listingOf(docs)}}}}); err != nil {
		return fmt.Errorf("catalog mongostore: listing of %s: %w", productID, err)
	}
	return nil
}

// backfillFamilies gives documents stored before variants their product id
// (themselves) and listing figures. It runs at every start and finds
// nothing to do once they have them.
func (s *Store) backfillFamilies(ctx context.Context) error {
	cur, err := s.products.Find(ctx, bson.D{{Key: "productId", Value: bson.D{{Key: "$exists", Value: false}}}})
	if err != nil {
		return fmt.Errorf("catalog mongostore: old products: %w", err)
	}
	var docs []productDoc
	if err := cur.All(ctx, &docs); err != nil {
		return fmt.Errorf("catalog mongostore: old products: %w", err)
	}
	for _, d := range docs {
		if _, err := s.products.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.SKU}, {Key: "productId", Value: bson.D{{Key: "$exists", Value: false}}}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "productId", Value: d.SKU}, {Key: "listing", Value: listingOf([]productDoc{d})}}}}); err != nil {
			return fmt.Errorf("catalog mongostore: old product %s: %w", d.SKU, err)
		}
	}
	return nil
}

// FamilyProducts returns every SKU of a family with zero stock figures, in
// domain.SortFamily order; domain.ErrNotFound when it has none.
func (s *Store) FamilyProducts(ctx context.Context, productID domain.SKU) ([]domain.Product, error) {
	fams, err := s.familyDocs(ctx, []string{productID.String()})
	if err != nil {
		return nil, err
	}
	docs := fams[productID.String()]
	if len(docs) == 0 {
		return nil, fmt.Errorf("%w: %s", domain.ErrNotFound, productID)
	}
	out := make([]domain.Product, len(docs))
	for i, d := range docs {
		if out[i], err = d.product(stockState{}); err != nil {
			return nil, err
		}
	}
	domain.SortFamily(out)
	return out, nil
}

// FamilyPage is a listing page before stock figures: the families in page
// order and every SKU of each (zero stock).
type FamilyPage struct {
	Page, PageSize, Total int
	IDs                   []string
	Families              map[string][]domain.Product
}

// ListFamilyProducts selects the families of one page of q's listing.
func (s *Store) ListFamilyProducts(ctx context.Context, q domain.Query) (FamilyPage, error) {
	f := listFilter(q)
	total, err := s.products.CountDocuments(ctx, f)
	if err != nil {
		return FamilyPage{}, fmt.Errorf("catalog mongostore: count: %w", err)
	}
	fp := FamilyPage{Page: q.Page(), PageSize: q.PageSize(), Total: int(total), Families: map[string][]domain.Product{}}
	if int64(q.Offset()) >= total {
		return fp, nil
	}
	cur, err := s.products.Find(ctx, f, options.Find().SetSort(listSort(q)).SetSkip(int64(q.Offset())).SetLimit(int64(q.PageSize())).
		SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return FamilyPage{}, fmt.Errorf("catalog mongostore: find: %w", err)
	}
	var heads []struct {
		SKU string `bson:"_id"`
	}
	if err := cur.All(ctx, &heads); err != nil {
		return FamilyPage{}, fmt.Errorf("catalog mongostore: find: %w", err)
	}
	for _, h := range heads {
		fp.IDs = append(fp.IDs, h.SKU)
	}
	if len(fp.IDs) == 0 {
		return fp, nil
	}
	fams, err := s.familyDocs(ctx, fp.IDs)
	if err != nil {
		return FamilyPage{}, err
	}
	for id, docs := range fams {
		for _, d := range docs {
			p, err := d.product(stockState{})
			if err != nil {
				return FamilyPage{}, err
			}
			fp.Families[id] = append(fp.Families[id], p)
		}
	}
	return fp, nil
}

// Summarize makes the page: each family's SKUs get their stock from
// withStock, then domain.Summarize picks how it is shown.
func (fp FamilyPage) Summarize(q domain.Query, withStock func(domain.Product) (domain.Product, error)) (domain.Page, error) {
	page := domain.Page{Page: fp.Page, PageSize: fp.PageSize, Total: fp.Total, Items: []domain.Product{}, Families: []domain.FamilySummary{}}
	for _, id := range fp.IDs {
		vs := make([]domain.Product, 0, len(fp.Families[id]))
		for _, v := range fp.Families[id] {
			sv, err := withStock(v)
			if err != nil {
				return domain.Page{}, err
			}
			vs = append(vs, sv)
		}
		shown, sum, ok := domain.Summarize(vs, q.IncludeArchived())
		if !ok {
			// Its listing figures were behind (a crash between a write and
			// their refresh): the family has nothing to show now.
			continue
		}
		page.Items, page.Families = append(page.Items, shown), append(page.Families, sum)
	}
	return page, nil
}
