// Package mongostore is the client-profile store on MongoDB (FerretDB).
// Profiles and preferences are separate collections so that saving one
// never rewrites the other (FerretDB v1 replaces whole documents on update).
// Creation uses a plain insert, whose unique _id is the one write FerretDB
// makes atomically, so a redelivered UserRegistered creates nothing twice.
//
// The customer search is by prefix (client.CustomerQuery): each profile
// document carries searchKeys, every prefix (up to MaxKeyPrefix runes) of
// each of its client.SearchTerms, so a query word is one equality match on
// a multikey index on MongoDB. FerretDB v1.24 (the local server) uses no
// index for any filter, but it pushes equality down to PostgreSQL, which
// filters the rows itself; an anchored $regex or a range ($gte/$lt) is not
// pushed down, so every document would travel to FerretDB to be filtered
// there (its explain says filterPushdown false). A substring search could
// use no index on either server.
package mongostore

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/evshop/shop/client"
	domain "github.com/evshop/shop/domain/client"
)

// Collection names.
const (
	ProfilesCollection    = "client_profiles"
	PreferencesCollection = "client_preferences"
	ErasuresCollection    = "client_erasures"
)

// MaxKeyPrefix bounds the prefixes stored in searchKeys: a longer query
// word matches its first MaxKeyPrefix runes by key and the rest by an
// anchored regex on the terms of those few documents.
const MaxKeyPrefix = 24

// Store implements client.Store.
type Store struct {
	profiles *mongo.Collection
	prefs    *mongo.Collection
	erasures *mongo.Collection
}

// New returns a store on db, creates its indexes (idempotent) and gives
// the profiles stored before the search existed their search keys.
func New(ctx context.Context, db *mongo.Database) (*Store, error) {
	s := &Store{profiles: db.Collection(ProfilesCollection), prefs: db.Collection(PreferencesCollection),
		erasures: db.Collection(ErasuresCollection)}
	// One index per command (FerretDB v1.24 crashes the connection when a
	// multi-index createIndexes names indexes that already exist).
	for _, ix := range []struct {
		coll  *mongo.Collection
		model mongo.IndexModel
	}{
		{s.profiles, mongo.IndexModel{Keys: bson.D{{Key: "searchKeys", Value: 1}}, Options: options.Index().SetName("search")}},
		{s.profiles, mongo.IndexModel{Keys: bson.D{{Key: "erased", Value: 1}, {Key: "createdAt", Value: -1}, {Key: "_id", Value: 1}},
			Options: options.Index().SetName("newest")}},
		{s.erasures, mongo.IndexModel{Keys: bson.D{{Key: "userId", Value: 1}, {Key: "at", Value: 1}}, Options: options.Index().SetName("user")}},
	} {
		if _, err := ix.coll.Indexes().CreateOne(ctx, ix.model); err != nil {
			return nil, fmt.Errorf("client mongostore: indexes: %w", err)
		}
	}
	if err := s.indexKeys(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// indexKeys sets the search keys of documents written before they existed.
// The filter on their absence keeps it from overwriting the keys a
// concurrent save has just written.
func (s *Store) indexKeys(ctx context.Context) error {
	cur, err := s.profiles.Find(ctx, bson.D{{Key: "searchKeys", Value: bson.D{{Key: "$exists", Value: false}}}})
	if err != nil {
		return fmt.Errorf("client mongostore: index search keys: %w", err)
	}
	var docs []profileDoc
	if err := cur.All(ctx, &docs); err != nil {
		return fmt.Errorf("client mongostore: index search keys: %w", err)
	}
	for _, d := range docs {
		p, err := d.profile()
		if err != nil {
			return err
		}
		keyed := toProfileDoc(p)
		if _, err := s.profiles.UpdateOne(ctx,
			bson.D{{Key: "_id", Value: d.UserID}, {Key: "searchKeys", Value: bson.D{{Key: "$exists", Value: false}}}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "terms", Value: keyed.Terms}, {Key: "searchKeys", Value: keyed.SearchKeys}}}}); err != nil {
			return fmt.Errorf("client mongostore: index search keys of %s: %w", d.UserID, err)
		}
	}
	return nil
}

// searchKeys are the prefixes of terms, each at most MaxKeyPrefix runes.
func searchKeys(terms []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, t := range terms {
		r := []rune(t)
		for n := 1; n <= min(len(r), MaxKeyPrefix); n++ {
			if k := string(r[:n]); !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

type addressDoc struct {
	ID         string `bson:"id"`
	Label      string `bson:"label"`
	Default    bool   `bson:"default"`
	Name       string `bson:"name"`
	Line1      string `bson:"line1"`
	Line2      string `bson:"line2"`
	City       string `bson:"city"`
	PostalCode string `bson:"postalCode"`
	Country    string `bson:"country"`
}

type profileDoc struct {
	UserID    string       `bson:"_id"`
	Email     string       `bson:"email"`
	Name      string       `bson:"name"`
	Phone     string       `bson:"phone"`
	Addresses []addressDoc `bson:"addresses"`
	Erased    bool         `bson:"erased"`
	CreatedAt time.Time    `bson:"createdAt"`
	UpdatedAt time.Time    `bson:"updatedAt"`
	// Terms and SearchKeys serve Search; absent from documents written
	// before it (New fills them in).
	Terms      []string `bson:"terms"`
	SearchKeys []string `bson:"searchKeys"`
}

func toProfileDoc(p client.Profile) profileDoc {
	d := p.Profile.Data()
	doc := profileDoc{UserID: p.UserID, Email: p.Email, Name: d.Name, Phone: d.Phone, Addresses: []addressDoc{},
		Erased: p.Erased, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	for _, a := range d.Addresses {
		doc.Addresses = append(doc.Addresses, addressDoc(a))
	}
	doc.Terms = client.SearchTerms(p)
	if doc.Terms == nil {
		doc.Terms = []string{}
	}
	doc.SearchKeys = searchKeys(doc.Terms)
	return doc
}

func (d profileDoc) profile() (client.Profile, error) {
	out := client.Profile{UserID: d.UserID, Email: d.Email, Erased: d.Erased, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
	if d.Erased {
		return out, nil
	}
	data := domain.ProfileData{Name: d.Name, Phone: d.Phone}
	for _, a := range d.Addresses {
		data.Addresses = append(data.Addresses, domain.AddressData(a))
	}
	p, err := domain.NewProfile(data, func() string { return "" })
	if err != nil {
		return client.Profile{}, fmt.Errorf("client mongostore: stored profile %s: %w", d.UserID, err)
	}
	out.Profile = p
	return out, nil
}

// CreateProfile implements client.Store.
func (s *Store) CreateProfile(ctx context.Context, p client.Profile) (bool, error) {
	_, err := s.profiles.InsertOne(ctx, toProfileDoc(p))
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("client mongostore: create: %w", err)
	}
	return true, nil
}

// GetProfile implements client.Store.
func (s *Store) GetProfile(ctx context.Context, userID string) (client.Profile, error) {
	var d profileDoc
	err := s.profiles.FindOne(ctx, bson.D{{Key: "_id", Value: userID}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return client.Profile{}, fmt.Errorf("%w: %s", domain.ErrNotFound, userID)
	}
	if err != nil {
		return client.Profile{}, fmt.Errorf("client mongostore: get: %w", err)
	}
	return d.profile()
}

// PutProfile implements client.Store.
func (s *Store) PutProfile(ctx context.Context, p client.Profile) error {
	p.Erased = false
	d := toProfileDoc(p)
	_, err := s.profiles.ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.UserID}}, d, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("client mongostore: put: %w", err)
	}
	return nil
}

type prefsDoc struct {
	UserID              string            `bson:"_id"`
	Language            string            `bson:"language"`
	Currency            string            `bson:"currency"`
	MarketingOptIn      bool              `bson:"marketingOptIn"`
	FavouriteCategories []string          `bson:"favouriteCategories"`
	Extra               map[string]string `bson:"extra"`
}

// GetPreferences implements client.Store.
func (s *Store) GetPreferences(ctx context.Context, userID string) (domain.Preferences, error) {
	var d prefsDoc
	err := s.prefs.FindOne(ctx, bson.D{{Key: "_id", Value: userID}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return domain.Preferences{}, fmt.Errorf("%w: %s", domain.ErrNotFound, userID)
	}
	if err != nil {
		return domain.Preferences{}, fmt.Errorf("client mongostore: get preferences: %w", err)
	}
	return domain.NewPreferences(domain.PreferencesData{Language: d.Language, Currency: d.Currency, MarketingOptIn: d.MarketingOptIn,
		FavouriteCategories: d.FavouriteCategories, Extra: d.Extra})
}

// PutPreferences implements client.Store.
func (s *Store) PutPreferences(ctx context.Context, userID string, p domain.Preferences) error {
	v := p.Data()
	d := prefsDoc{UserID: userID, Language: v.Language, Currency: v.Currency, MarketingOptIn: v.MarketingOptIn,
		FavouriteCategories: v.FavouriteCategories, Extra: v.Extra}
	_, err := s.prefs.ReplaceOne(ctx, bson.D{{Key: "_id", Value: userID}}, d, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("client mongostore: put preferences: %w", err)
	}
	return nil
}

type erasureDoc struct {
	ID     string    `bson:"_id"`
	UserID string    `bson:"userId"`
	By     string    `bson:"by"`
	At     time.Time `bson:"at"`
}

// Erase implements client.Store. FerretDB has no transactions: the record
// is written first, so an erasure that fails half-way is logged and done
// again by a retry, never done and unlogged. Its id is the user's and the
// time's, so a retry of the same erasure writes it once.
func (s *Store) Erase(ctx context.Context, userID string, e client.Erasure) error {
	rec := erasureDoc{ID: userID + "/" + strconv.FormatInt(e.At.UnixNano(), 10), UserID: userID, By: e.By, At: e.At}
	if _, err := s.erasures.InsertOne(ctx, rec); err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("client mongostore: record erasure: %w", err)
	}
	tomb := profileDoc{UserID: userID, Erased: true, Addresses: []addressDoc{}, CreatedAt: e.At, UpdatedAt: e.At,
		Terms: []string{}, SearchKeys: []string{}}
	if _, err := s.profiles.ReplaceOne(ctx, bson.D{{Key: "_id", Value: userID}}, tomb, options.Replace().SetUpsert(true)); err != nil {
		return fmt.Errorf("client mongostore: erase: %w", err)
	}
	if _, err := s.prefs.DeleteOne(ctx, bson.D{{Key: "_id", Value: userID}}); err != nil {
		return fmt.Errorf("client mongostore: erase preferences: %w", err)
	}
	return nil
}

// Erasures implements client.Store.
func (s *Store) Erasures(ctx context.Context, userID string) ([]client.Erasure, error) {
	cur, err := s.erasures.Find(ctx, bson.D{{Key: "userId", Value: userID}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("client mongostore: erasures: %w", err)
	}
	var docs []erasureDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("client mongostore: erasures: %w", err)
	}
	out := make([]client.Erasure, 0, len(docs))
	for _, d := range docs {
		out = append(out, client.Erasure{By: d.By, At: d.At.UTC()})
	}
	return out, nil
}

// searchFilter is q as a filter. FerretDB pushes down only the top-level
// equalities (an $and, an $all or a $regex anywhere turns the pushdown of
// that part off), so the longest word's key is a top-level equality, which
// PostgreSQL filters by; the other words' keys and the regex on terms for
// the rest of a word longer than MaxKeyPrefix are checked, on those few
// documents, by FerretDB. MongoDB takes the same top-level key to the
// searchKeys index.
func searchFilter(q client.CustomerQuery) bson.D {
	f := bson.D{{Key: "erased", Value: false}}
	if q.ID != "" {
		f = append(f, bson.E{Key: "_id", Value: q.ID})
	}
	words := slices.Clone(q.Words)
	slices.SortStableFunc(words, func(a, b string) int { return utf8.RuneCountInString(b) - utf8.RuneCountInString(a) })
	var rest bson.A
	for i, w := range words {
		r := []rune(w)
		key := string(r[:min(len(r), MaxKeyPrefix)])
		if i == 0 {
			f = append(f, bson.E{Key: "searchKeys", Value: key})
		} else {
			rest = append(rest, bson.D{{Key: "searchKeys", Value: key}})
		}
		if len(r) > MaxKeyPrefix {
			rest = append(rest, bson.D{{Key: "terms", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(w)}}}})
		}
	}
	if len(rest) > 0 {
		f = append(f, bson.E{Key: "$and", Value: rest})
	}
	return f
}

// Search implements client.Store.
func (s *Store) Search(ctx context.Context, q client.CustomerQuery) (client.CustomerPage, error) {
	filter := searchFilter(q)
	total, err := s.profiles.CountDocuments(ctx, filter)
	if err != nil {
		return client.CustomerPage{}, fmt.Errorf("client mongostore: search: %w", err)
	}
	out := client.CustomerPage{Items: []client.Profile{}, Total: int(total)}
	if out.Total <= (q.Page-1)*q.PageSize {
		return out, nil
	}
	cur, err := s.profiles.Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: 1}}).
		SetSkip(int64((q.Page-1)*q.PageSize)).SetLimit(int64(q.PageSize)).
		SetProjection(bson.D{{Key: "terms", Value: 0}, {Key: "searchKeys", Value: 0}}))
	if err != nil {
		return client.CustomerPage{}, fmt.Errorf("client mongostore: search: %w", err)
	}
	var docs []profileDoc
	if err := cur.All(ctx, &docs); err != nil {
		return client.CustomerPage{}, fmt.Errorf("client mongostore: search: %w", err)
	}
	for _, d := range docs {
		p, err := d.profile()
		if err != nil {
			return client.CustomerPage{}, err
		}
		out.Items = append(out.Items, p)
	}
	return out, nil
}
