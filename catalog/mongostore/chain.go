package mongostore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// A chain is a compare-and-swap register built on the one write FerretDB v1
// performs atomically: inserting a document whose _id must be unique. Its
// update and findAndModify commands read the matching documents and then
// replace them in a second step, so a filter such as {available: {$gte: n}}
// does NOT guard a concurrent $inc (our race test lost every unit that way).
//
// Each state of a key is an immutable document "<key>#<seq>". To change the
// state a writer reads the head (highest seq), computes the next state and
// inserts seq+1; of concurrent writers exactly one insert succeeds, the
// others get a duplicate-key error, re-read and decide again. This works
// unchanged on a real MongoDB.
type chain struct {
	coll *mongo.Collection
	// keep bounds pruning: entries more than keep behind the head and older
	// than pruneAge are deleted. Age matters, not only distance: a writer
	// that read an old head must never find its seq free again, and no
	// writer holds a head for anywhere near pruneAge.
	keep     int64
	pruneAge time.Duration
}

const maxCASAttempts = 500

// errGaveUp ends a CAS loop that lost maxCASAttempts races in a row.
var errGaveUp = errors.New("mongostore: too much contention")

func newChain(ctx context.Context, coll *mongo.Collection) (*chain, error) {
	_, err := coll.Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys: bson.D{{Key: "key", Value: 1}, {Key: "seq", Value: -1}}, Options: options.Index().SetName("key_seq"),
	})
	if err != nil {
		return nil, fmt.Errorf("mongostore: index on %s: %w", coll.Name(), err)
	}
	return &chain{coll: coll, keep: 32, pruneAge: 10 * time.Minute}, nil
}

func entryID(key string, seq int64) string { return fmt.Sprintf("%s#%012d", key, seq) }

// head decodes the newest state of key into v and returns its seq (0 and
// found=false when the key has no state yet).
func (c *chain) head(ctx context.Context, key string, v any) (int64, bool, error) {
	res := c.coll.FindOne(ctx, bson.D{{Key: "key", Value: key}}, options.FindOne().SetSort(bson.D{{Key: "seq", Value: -1}}))
	raw, err := res.Raw()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("mongostore: read %s head: %w", key, err)
	}
	if err := bson.Unmarshal(raw, v); err != nil {
		return 0, false, fmt.Errorf("mongostore: decode %s head: %w", key, err)
	}
	seq, ok := raw.Lookup("seq").AsInt64OK()
	if !ok {
		return 0, false, fmt.Errorf("mongostore: %s head has no seq", key)
	}
	return seq, true, nil
}

// put inserts state seq of key; won is false when another writer took it.
func (c *chain) put(ctx context.Context, key string, seq int64, fields bson.D) (bool, error) {
	doc := append(bson.D{{Key: "_id", Value: entryID(key, seq)}, {Key: "key", Value: key}, {Key: "seq", Value: seq},
		{Key: "at", Value: time.Now().UTC()}}, fields...)
	_, err := c.coll.InsertOne(ctx, doc)
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mongostore: write %s#%d: %w", key, seq, err)
	}
	if seq%c.keep == 0 {
		c.prune(ctx, key, seq)
	}
	return true, nil
}

func (c *chain) prune(ctx context.Context, key string, seq int64) {
	// Best effort: a failure only leaves history behind.
	c.coll.DeleteMany(ctx, bson.D{ //nolint:errcheck
		{Key: "key", Value: key},
		{Key: "seq", Value: bson.D{{Key: "$lte", Value: seq - c.keep}}},
		{Key: "at", Value: bson.D{{Key: "$lt", Value: time.Now().UTC().Add(-c.pruneAge)}}},
	})
}

// backoff sleeps a short, growing, jittered delay so losers of a race do not
// retry in lock-step.
func backoff(ctx context.Context, attempt int) error {
	d := time.Duration(min(attempt, 20)+1) * time.Duration(200+rand.IntN(800)) * time.Microsecond
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
