package mongostore_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/evshop/shop/catalog/kvcache"
	"github.com/evshop/shop/client"
	"github.com/evshop/shop/client/clienttest"
	"github.com/evshop/shop/client/mongostore"
	"github.com/evshop/shop/platform/testenv"
)

func TestContract(t *testing.T) {
	t.Parallel()
	clienttest.Run(t, func(t *testing.T) (client.Store, client.Cache) {
		rdb, prefix := testenv.Redis(t)
		s, err := mongostore.New(context.Background(), testenv.Mongo(t))
		if err != nil {
			t.Fatal(err)
		}
		return s, kvcache.NewRedis(rdb, prefix)
	})
}

// TestOlderProfilesAreIndexedOnOpen: a profile stored before the search
// existed (no search keys) is found once the store opens again.
func TestOlderProfilesAreIndexedOnOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.Mongo(t)
	id := "0b7e4a55-8f7c-4e0a-9a49-6f1f7f0f6b11"
	if _, err := db.Collection(mongostore.ProfilesCollection).InsertOne(ctx, bson.D{{Key: "_id", Value: id},
		{Key: "email", Value: "old@example.com"}, {Key: "name", Value: "Old Timer"}, {Key: "phone", Value: ""},
		{Key: "addresses", Value: bson.A{}}, {Key: "erased", Value: false},
		{Key: "createdAt", Value: time.Unix(1, 0)}, {Key: "updatedAt", Value: time.Unix(1, 0)}}); err != nil {
		t.Fatal(err)
	}
	s, err := mongostore.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"timer", "old@"} {
		page, err := s.Search(ctx, client.CustomerQuery{Words: []string{w}, Page: 1, PageSize: 20})
		if err != nil || page.Total != 1 || page.Items[0].UserID != id || page.Items[0].Profile.Data().Name != "Old Timer" {
			t.Fatalf("%q: %+v %v", w, page, err)
		}
	}
	// Every document has its keys now, and every write keeps them (a
	// tombstone's and a nameless profile's are empty), so a later start has
	// nothing to do.
	if err := s.Erase(ctx, id, client.Erasure{By: id, At: time.Unix(2, 0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateProfile(ctx, client.Profile{UserID: "1b7e4a55-8f7c-4e0a-9a49-6f1f7f0f6b11"}); err != nil {
		t.Fatal(err)
	}
	missing, err := db.Collection(mongostore.ProfilesCollection).CountDocuments(ctx,
		bson.D{{Key: "searchKeys", Value: bson.D{{Key: "$exists", Value: false}}}})
	if err != nil || missing != 0 {
		t.Fatalf("documents without search keys: %d %v", missing, err)
	}
}
