package testenv

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/mongo/readpref"
)

// Mongo returns a fresh database on the test MongoDB-compatible server
// (FerretDB here; start it with scripts/ferretdb.sh). The database is dropped
// and the client disconnected when the test ends.
func Mongo(t testing.TB) *mongo.Database {
	t.Helper()
	u := Require(t, MongoURLEnv)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(u).SetServerSelectionTimeout(5*time.Second))
	if err != nil {
		t.Fatalf("testenv: %s: %v", MongoURLEnv, err)
	}
	if err := client.Ping(ctx, readpref.Primary()); err != nil {
		client.Disconnect(context.Background()) //nolint:errcheck
		Unavailable(t, "mongo: "+err.Error())
	}
	db := client.Database(Name("t"))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		db.Drop(ctx)           //nolint:errcheck
		client.Disconnect(ctx) //nolint:errcheck
	})
	return db
}
