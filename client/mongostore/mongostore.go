// Package mongostore is the client-profile store on MongoDB (FerretDB).
// Profiles and preferences are separate collections so that saving one
// never rewrites the other (FerretDB v1 replaces whole documents on update).
// Creation uses a plain insert, whose unique _id is the one write FerretDB
// makes atomically, so a redelivered UserRegistered creates nothing twice.
package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

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
)

// Store implements client.Store.
type Store struct {
	profiles *mongo.Collection
	prefs    *mongo.Collection
}

// New returns a store on db.
func New(db *mongo.Database) *Store {
	return &Store{profiles: db.Collection(ProfilesCollection), prefs: db.Collection(PreferencesCollection)}
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
}

func toProfileDoc(p client.Profile) profileDoc {
	d := p.Profile.Data()
	doc := profileDoc{UserID: p.UserID, Email: p.Email, Name: d.Name, Phone: d.Phone, Addresses: []addressDoc{},
		Erased: p.Erased, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	for _, a := range d.Addresses {
		doc.Addresses = append(doc.Addresses, addressDoc(a))
	}
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

// Erase implements client.Store.
func (s *Store) Erase(ctx context.Context, userID string, at time.Time) error {
	tomb := profileDoc{UserID: userID, Erased: true, Addresses: []addressDoc{}, CreatedAt: at, UpdatedAt: at}
	if _, err := s.profiles.ReplaceOne(ctx, bson.D{{Key: "_id", Value: userID}}, tomb, options.Replace().SetUpsert(true)); err != nil {
		return fmt.Errorf("client mongostore: erase: %w", err)
	}
	if _, err := s.prefs.DeleteOne(ctx, bson.D{{Key: "_id", Value: userID}}); err != nil {
		return fmt.Errorf("client mongostore: erase preferences: %w", err)
	}
	return nil
}
