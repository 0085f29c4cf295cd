// Package mongostore is the catalog store on MongoDB (FerretDB in this
// project). FerretDB v1 has neither transactions nor atomic conditional
// updates (see chain.go), so stock counters and reservations are kept as
// compare-and-swap chains of immutable documents, one chain per SKU and one
// per order, while the descriptive product document is edited in place.
// Holds are part of a SKU's stock state, keyed by order id, which makes
// applying or undoing a line idempotent.
package mongostore

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/money"
)

// Collection names.
const (
	ProductsCollection     = "products"
	StockCollection        = "stock_ledger"
	ReservationsCollection = "stock_reservations"
)

// Store implements catalog.Store on a MongoDB database.
type Store struct {
	products     *mongo.Collection
	stock        *chain
	reservations *chain
	// skuLocks serialises this process's writers of one SKU's stock: they
	// would only lose compare-and-swap races to each other, each loss a
	// wasted read, insert and backoff. Other processes are still kept out
	// by the chain itself.
	skuLocks sync.Map // SKU → *sync.Mutex
}

// New returns a store on db and creates its indexes (idempotent).
func New(ctx context.Context, db *mongo.Database) (*Store, error) {
	s := &Store{products: db.Collection(ProductsCollection)}
	// One index per command: FerretDB v1.24 crashes the connection when a
	// multi-index createIndexes names indexes that already exist, which is
	// every start after the first.
	for _, m := range []mongo.IndexModel{
		{Keys: bson.D{{Key: "archived", Value: 1}, {Key: "category", Value: 1}}, Options: options.Index().SetName("archived_category")},
		{Keys: bson.D{{Key: "price.amount", Value: 1}}, Options: options.Index().SetName("price")},
		{Keys: bson.D{{Key: "createdAt", Value: -1}}, Options: options.Index().SetName("created")},
		{Keys: bson.D{{Key: "nameKey", Value: 1}}, Options: options.Index().SetName("name")},
		{Keys: bson.D{{Key: "productId", Value: 1}}, Options: options.Index().SetName("family")},
		// The family listing filters on the primary's listing figures.
		{Keys: bson.D{{Key: "listing.onSale", Value: 1}, {Key: "category", Value: 1}}, Options: options.Index().SetName("listed_category")},
		{Keys: bson.D{{Key: "listing.fromPrice", Value: 1}}, Options: options.Index().SetName("from_price")},
	} {
		if _, err := s.products.Indexes().CreateOne(ctx, m); err != nil {
			return nil, fmt.Errorf("catalog mongostore: indexes: %w", err)
		}
	}
	if err := s.backfillFamilies(ctx); err != nil {
		return nil, err
	}
	var err error
	if s.stock, err = newChain(ctx, db.Collection(StockCollection)); err != nil {
		return nil, err
	}
	if s.reservations, err = newChain(ctx, db.Collection(ReservationsCollection)); err != nil {
		return nil, err
	}
	return s, nil
}

type priceDoc struct {
	Amount   int64  `bson:"amount"`
	Currency string `bson:"currency"`
}

type productDoc struct {
	SKU string `bson:"_id"`
	// ProductID is the family (absent before variants: the SKU itself);
	// Options the variant's values; Listing, on the family's primary
	// document only, what the listing filters and sorts families by.
	ProductID   string         `bson:"productId,omitempty"`
	Options     []optionDoc    `bson:"options,omitempty"`
	Listing     *listingDoc    `bson:"listing,omitempty"`
	Name        string         `bson:"name"`
	NameKey     string         `bson:"nameKey"`
	Description string         `bson:"description"`
	Category    string         `bson:"category"`
	Attributes  map[string]any `bson:"attributes"`
	Price       priceDoc       `bson:"price"`
	Images      []string       `bson:"images"`
	TaxClass    string         `bson:"taxClass,omitempty"`    // absent before tax classes: standard
	WeightGrams int            `bson:"weightGrams,omitempty"` // absent before shipping: 0
	Archived    bool           `bson:"archived"`
	CreatedAt   time.Time      `bson:"createdAt"`
	UpdatedAt   time.Time      `bson:"updatedAt"`
	Version     int64          `bson:"version"`
	Search      string         `bson:"search"`
}

// stockState is one state of a SKU's stock chain.
type stockState struct {
	OnHand   int            `bson:"onHand"`
	Reserved int            `bson:"reserved"`
	Holds    map[string]int `bson:"holds"` // order id → units held
}

func (st stockState) fields() bson.D {
	if st.Holds == nil {
		st.Holds = map[string]int{}
	}
	return bson.D{{Key: "onHand", Value: st.OnHand}, {Key: "reserved", Value: st.Reserved}, {Key: "holds", Value: st.Holds}}
}

func toDoc(p domain.Product) productDoc {
	st := p.State()
	var opts []optionDoc
	for _, o := range st.Options {
		opts = append(opts, optionDoc{Name: o.Name, Value: o.Value})
	}
	return productDoc{SKU: st.SKU, ProductID: st.ProductID, Options: opts, Name: st.Name, NameKey: domain.NameKey(st.Name), Description: st.Description,
		Category: st.Category, Attributes: st.Attributes, Price: priceDoc{st.Price.Amount(), st.Price.Currency()},
		Images: st.Images, TaxClass: st.TaxClass, WeightGrams: st.WeightGrams, Archived: st.Archived, CreatedAt: st.CreatedAt, UpdatedAt: st.UpdatedAt, Version: st.Version,
		Search: domain.SearchText(p)}
}

// plain turns the driver's BSON array type back into []any, which the
// domain's attribute validation understands.
func plain(m map[string]any) map[string]any {
	for k, v := range m {
		if a, ok := v.(primitive.A); ok {
			m[k] = []any(a)
		}
	}
	return m
}

func (d productDoc) product(st stockState) (domain.Product, error) {
	price, err := money.New(d.Price.Amount, d.Price.Currency)
	if err != nil {
		return domain.Product{}, fmt.Errorf("catalog mongostore: %s: %w", d.SKU, err)
	}
	if d.Images == nil {
		d.Images = []string{}
	}
	var opts []domain.Option
	for _, o := range d.Options {
		opts = append(opts, domain.Option{Name: o.Name, Value: o.Value})
	}
	return domain.RestoreProduct(domain.State{SKU: d.SKU, ProductID: d.ProductID, Options: opts, Name: d.Name, Description: d.Description, Category: d.Category,
		Attributes: plain(d.Attributes), Price: price, Images: d.Images, TaxClass: d.TaxClass, WeightGrams: d.WeightGrams,
		OnHand: st.OnHand, Reserved: st.Reserved,
		Archived: d.Archived, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, Version: d.Version})
}

// Insert implements catalog.Store.
func (s *Store) Insert(ctx context.Context, p domain.Product) error {
	if err := s.insertDoc(ctx, p); err != nil {
		return err
	}
	// Seq 1 of the stock chain. Lost only by a crash right here, after
	// which the product reads as 0 on hand until an admin adjusts it.
	if _, err := s.stock.put(ctx, p.SKU().String(), 1, stockState{OnHand: p.OnHand()}.fields()); err != nil {
		return err
	}
	return nil
}

func (s *Store) insertDoc(ctx context.Context, p domain.Product) error {
	d := toDoc(p)
	if p.IsPrimary() {
		d.Listing = listingOf([]productDoc{d})
	}
	if _, err := s.products.InsertOne(ctx, d); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("%w: %s", domain.ErrDuplicate, p.SKU())
		}
		return fmt.Errorf("catalog mongostore: insert: %w", err)
	}
	if !p.IsPrimary() {
		return s.refreshListing(ctx, d.ProductID)
	}
	return nil
}

func (s *Store) find(ctx context.Context, sku string) (productDoc, error) {
	var d productDoc
	err := s.products.FindOne(ctx, bson.D{{Key: "_id", Value: sku}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return d, fmt.Errorf("%w: %s", domain.ErrNotFound, sku)
	}
	if err != nil {
		return d, fmt.Errorf("catalog mongostore: get: %w", err)
	}
	return d, nil
}

func (s *Store) stockOf(ctx context.Context, sku string) (stockState, int64, error) {
	var st stockState
	seq, _, err := s.stock.head(ctx, sku, &st)
	return st, seq, err
}

// Get implements catalog.Store.
func (s *Store) Get(ctx context.Context, sku domain.SKU) (domain.Product, error) {
	d, err := s.find(ctx, sku.String())
	if err != nil {
		return domain.Product{}, err
	}
	st, _, err := s.stockOf(ctx, d.SKU)
	if err != nil {
		return domain.Product{}, err
	}
	return d.product(st)
}

// Update implements catalog.Store. The version check and the write are two
// steps on FerretDB, so two admins saving the same product at the same
// instant may both pass it (last write wins); stock is not in this document,
// so an edit can never undo a reservation.
func (s *Store) Update(ctx context.Context, p domain.Product, prevVersion int64) error {
	d := toDoc(p)
	res, err := s.products.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: d.SKU}, {Key: "version", Value: prevVersion}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "name", Value: d.Name}, {Key: "nameKey", Value: d.NameKey}, {Key: "description", Value: d.Description},
			{Key: "category", Value: d.Category}, {Key: "attributes", Value: d.Attributes}, {Key: "price", Value: d.Price},
			{Key: "images", Value: d.Images}, {Key: "archived", Value: d.Archived}, {Key: "updatedAt", Value: d.UpdatedAt},
			{Key: "version", Value: d.Version}, {Key: "search", Value: d.Search},
			{Key: "taxClass", Value: d.TaxClass}, {Key: "weightGrams", Value: d.WeightGrams},
			{Key: "options", Value: d.Options},
		}}})
	if err != nil {
		return fmt.Errorf("catalog mongostore: update: %w", err)
	}
	if res.MatchedCount == 0 {
		if _, err := s.find(ctx, d.SKU); err != nil {
			return err
		}
		return fmt.Errorf("%w: %s", domain.ErrConflict, d.SKU)
	}
	return s.refreshListing(ctx, p.ProductID().String())
}

// listFilter selects the primary documents of the families q lists.
func listFilter(q domain.Query) bson.D {
	f := bson.D{}
	if q.IncludeArchived() {
		f = append(f, bson.E{Key: "listing", Value: bson.D{{Key: "$exists", Value: true}}})
	} else {
		f = append(f, bson.E{Key: "listing.onSale", Value: true})
	}
	if c := q.Category(); c != "" {
		f = append(f, bson.E{Key: "category", Value: c})
	}
	price := bson.D{}
	if q.MinPrice() >= 0 {
		price = append(price, bson.E{Key: "$gte", Value: q.MinPrice()})
	}
	if q.MaxPrice() >= 0 {
		price = append(price, bson.E{Key: "$lte", Value: q.MaxPrice()})
	}
	if len(price) > 0 {
		f = append(f, bson.E{Key: fromPriceField(q), Value: price})
	}
	// FerretDB v1 has no $text; each word must occur in the lower-cased
	// search field. QuoteMeta turns shopper input into a literal, so no
	// regex syntax (and no catastrophic pattern) ever reaches the server.
	if terms := q.Terms(); len(terms) > 0 {
		and := bson.A{}
		for _, t := range terms {
			and = append(and, bson.D{{Key: "search", Value: bson.D{{Key: "$regex", Value: regexp.QuoteMeta(t)}}}})
		}
		f = append(f, bson.E{Key: "$and", Value: and})
	}
	return f
}

func listSort(q domain.Query) bson.D {
	switch q.Sort() {
	case domain.SortPriceAsc:
		return bson.D{{Key: fromPriceField(q), Value: 1}, {Key: "_id", Value: 1}}
	case domain.SortPriceDesc:
		return bson.D{{Key: fromPriceField(q), Value: -1}, {Key: "_id", Value: 1}}
	case domain.SortName:
		return bson.D{{Key: "nameKey", Value: 1}, {Key: "_id", Value: 1}}
	default:
		return bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: 1}}
	}
}

// List implements catalog.Store.
func (s *Store) List(ctx context.Context, q domain.Query) (domain.Page, error) {
	fp, err := s.ListFamilyProducts(ctx, q)
	if err != nil {
		return domain.Page{}, err
	}
	return fp.Summarize(q, func(p domain.Product) (domain.Product, error) {
		st, _, err := s.stockOf(ctx, p.SKU().String())
		if err != nil {
			return domain.Product{}, err
		}
		return withStock(p, st)
	})
}

func withStock(p domain.Product, st stockState) (domain.Product, error) {
	s := p.State()
	s.OnHand, s.Reserved = st.OnHand, st.Reserved
	return domain.RestoreProduct(s)
}

// Family implements catalog.Store.
func (s *Store) Family(ctx context.Context, productID domain.SKU) ([]domain.Product, error) {
	vs, err := s.FamilyProducts(ctx, productID)
	if err != nil {
		return nil, err
	}
	for i, v := range vs {
		st, _, err := s.stockOf(ctx, v.SKU().String())
		if err != nil {
			return nil, err
		}
		if vs[i], err = withStock(v, st); err != nil {
			return nil, err
		}
	}
	return vs, nil
}

// Categories implements catalog.Store: the primary documents of families
// on sale, by category. One $sum per $group: FerretDB v1
// computes a second accumulator wrongly.
func (s *Store) Categories(ctx context.Context) ([]domain.CategoryCount, error) {
	cur, err := s.products.Aggregate(ctx, mongo.Pipeline{
		{{Key: "$match", Value: bson.D{{Key: "listing.onSale", Value: true}}}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$category"}, {Key: "count", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
		{{Key: "$sort", Value: bson.D{{Key: "_id", Value: 1}}}},
	})
	if err != nil {
		return nil, fmt.Errorf("catalog mongostore: categories: %w", err)
	}
	var rows []struct {
		Name  string `bson:"_id"`
		Count int64  `bson:"count"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, fmt.Errorf("catalog mongostore: categories: %w", err)
	}
	out := make([]domain.CategoryCount, len(rows))
	for i, r := range rows {
		out[i] = domain.CategoryCount{Name: r.Name, Count: int(r.Count)}
	}
	return out, nil
}

// casStock applies decide to the SKU's stock state until its write wins.
// decide returns whether it changed the state; an unchanged state is not
// written.
func (s *Store) casStock(ctx context.Context, sku string, decide func(st *stockState) (bool, error)) (stockState, error) {
	mu, _ := s.skuLocks.LoadOrStore(sku, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	return update(ctx, s.stock, sku, func(st *stockState, _ bool) (bson.D, error) {
		if st.Holds == nil {
			st.Holds = map[string]int{}
		}
		changed, err := decide(st)
		if err != nil || !changed {
			return nil, err
		}
		return st.fields(), nil
	})
}

// AdjustStock implements catalog.Store.
func (s *Store) AdjustStock(ctx context.Context, sku domain.SKU, delta int) (domain.Product, error) {
	d, err := s.find(ctx, sku.String())
	if err != nil {
		return domain.Product{}, err
	}
	st, err := s.casStock(ctx, d.SKU, func(st *stockState) (bool, error) {
		next := st.OnHand + delta
		if next < st.Reserved || next > domain.MaxStock {
			return false, fmt.Errorf("%w: %s has %d on hand, %d reserved", domain.ErrInsufficientStock, sku, st.OnHand, st.Reserved)
		}
		st.OnHand = next
		return true, nil
	})
	if err != nil {
		return domain.Product{}, err
	}
	return d.product(st)
}

// Hold implements catalog.Store.
func (s *Store) Hold(ctx context.Context, orderID string, l domain.Line) (domain.HoldOutcome, error) {
	d, err := s.find(ctx, l.SKU().String())
	if errors.Is(err, domain.ErrNotFound) {
		return domain.HoldUnknown, nil
	}
	if err != nil {
		return 0, err
	}
	var out domain.HoldOutcome
	_, err = s.casStock(ctx, d.SKU, func(st *stockState) (bool, error) {
		switch {
		case st.Holds[orderID] > 0:
			out = domain.HoldAlreadyHeld
		case d.Archived:
			out = domain.HoldArchived
		case st.OnHand-st.Reserved < l.Quantity():
			out = domain.HoldInsufficient
		default:
			out = domain.HoldApplied
			st.Reserved += l.Quantity()
			st.Holds[orderID] = l.Quantity()
			return true, nil
		}
		return false, nil
	})
	return out, err
}

// Unhold implements catalog.Store.
func (s *Store) Unhold(ctx context.Context, orderID string, sku domain.SKU) error {
	return s.dropHold(ctx, orderID, sku, false)
}

// Consume implements catalog.Store.
func (s *Store) Consume(ctx context.Context, orderID string, sku domain.SKU) error {
	return s.dropHold(ctx, orderID, sku, true)
}

func (s *Store) dropHold(ctx context.Context, orderID string, sku domain.SKU, sold bool) error {
	_, err := s.casStock(ctx, sku.String(), func(st *stockState) (bool, error) {
		q, ok := st.Holds[orderID]
		if !ok {
			return false, nil
		}
		delete(st.Holds, orderID)
		st.Reserved -= q
		if sold {
			st.OnHand -= q
		}
		return true, nil
	})
	return err
}

type lineDoc struct {
	SKU      string `bson:"sku"`
	Quantity int    `bson:"quantity"`
}

type reservationDoc struct {
	Lines      []lineDoc `bson:"lines"`
	Status     string    `bson:"status"`
	Reason     string    `bson:"reason"`
	FailedSKUs []string  `bson:"failedSkus"`
}

func (d reservationDoc) fields() bson.D {
	if d.Lines == nil {
		d.Lines = []lineDoc{}
	}
	if d.FailedSKUs == nil {
		d.FailedSKUs = []string{}
	}
	return bson.D{{Key: "lines", Value: d.Lines}, {Key: "status", Value: d.Status}, {Key: "reason", Value: d.Reason}, {Key: "failedSkus", Value: d.FailedSKUs}}
}

func (d reservationDoc) reservation(orderID string) (domain.Reservation, error) {
	lines := make([]domain.Line, len(d.Lines))
	for i, l := range d.Lines {
		var err error
		if lines[i], err = domain.NewLine(l.SKU, l.Quantity); err != nil {
			return domain.Reservation{}, err
		}
	}
	return domain.RestoreReservation(orderID, lines, domain.ReservationStatus(d.Status), d.Reason, d.FailedSKUs)
}

func docOf(r domain.Reservation) reservationDoc {
	d := reservationDoc{Status: string(r.Status()), Reason: r.Reason(), FailedSKUs: r.FailedSKUs()}
	for _, l := range r.Lines() {
		d.Lines = append(d.Lines, lineDoc{SKU: l.SKU().String(), Quantity: l.Quantity()})
	}
	return d
}

// CreateReservation implements catalog.Store.
func (s *Store) CreateReservation(ctx context.Context, r domain.Reservation) (domain.Reservation, bool, error) {
	won, err := s.reservations.put(ctx, r.OrderID(), 1, docOf(r).fields())
	if err != nil {
		return domain.Reservation{}, false, err
	}
	if won {
		return r, true, nil
	}
	cur, err := s.GetReservation(ctx, r.OrderID())
	return cur, false, err
}

func (s *Store) reservationHead(ctx context.Context, orderID string) (reservationDoc, int64, error) {
	var d reservationDoc
	seq, found, err := s.reservations.head(ctx, orderID, &d)
	if err != nil {
		return d, 0, err
	}
	if !found {
		return d, 0, fmt.Errorf("%w: order %s", domain.ErrNotReserved, orderID)
	}
	return d, seq, nil
}

// GetReservation implements catalog.Store.
func (s *Store) GetReservation(ctx context.Context, orderID string) (domain.Reservation, error) {
	d, _, err := s.reservationHead(ctx, orderID)
	if err != nil {
		return domain.Reservation{}, err
	}
	return d.reservation(orderID)
}

// TransitionReservation implements catalog.Store.
func (s *Store) TransitionReservation(ctx context.Context, orderID string, from []domain.ReservationStatus, to domain.ReservationStatus, reason string, skus []string) (domain.Reservation, error) {
	d, err := update(ctx, s.reservations, orderID, func(d *reservationDoc, found bool) (bson.D, error) {
		switch {
		case !found:
			return nil, fmt.Errorf("%w: order %s", domain.ErrNotReserved, orderID)
		case !slices.Contains(from, domain.ReservationStatus(d.Status)):
			return nil, nil // already past this transition: report where it stands
		}
		d.Status, d.Reason, d.FailedSKUs = string(to), reason, skus
		return d.fields(), nil
	})
	if err != nil {
		return domain.Reservation{}, err
	}
	return d.reservation(orderID)
}
