package mongostore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
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

	// hints remembers the newest seq this process saw per key, so that the
	// next head is found by _id lookups (hint, hint+1, … until one is
	// missing) instead of the sorted query: FerretDB v1 on SQLite pushes an
	// _id equality down but not a filter with a sort, and sorts the whole
	// collection in memory, which cost ~160 ms per head at ~700 entries and
	// capped stock reservations near 1/s. A hint is only a starting point:
	// a stale one walks forward, a lost one falls back to the sorted query.
	mu    sync.Mutex
	hints map[string]int64
}

// maxHints bounds the hint map (a reservation key is an order id); on
// overflow it starts afresh, which costs one sorted query per key.
const maxHints = 4096

// maxWalk bounds the _id walk from a stale hint (another process advanced
// the chain a lot) before the sorted query is cheaper.
const maxWalk = 32

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
	return &chain{coll: coll, keep: 32, pruneAge: 10 * time.Minute, hints: map[string]int64{}}, nil
}

func (c *chain) hint(key string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hints[key]
}

// remember records seq as seen for key; hints only move forward.
func (c *chain) remember(key string, seq int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if seq <= c.hints[key] {
		return
	}
	if len(c.hints) >= maxHints {
		clear(c.hints)
	}
	c.hints[key] = seq
}

func entryID(key string, seq int64) string { return fmt.Sprintf("%s#%012d", key, seq) }

// head decodes the newest state of key into v and returns its seq (0 and
// found=false when the key has no state yet). Like the sorted query, it
// returns a state that was the head while it read; a writer that acts on a
// head overtaken meanwhile loses its insert and reads again.
func (c *chain) head(ctx context.Context, key string, v any) (int64, bool, error) {
	if seq := c.hint(key); seq > 0 {
		raw, err := c.entry(ctx, key, seq)
		for walked := 0; err == nil && raw != nil && walked < maxWalk; walked++ {
			next, nerr := c.entry(ctx, key, seq+1)
			if nerr != nil {
				return 0, false, nerr
			}
			if next == nil {
				// The chain is dense (writers insert seq+1 only) and never
				// pruned at its head: seq is the head.
				c.remember(key, seq)
				return c.decode(key, raw, v)
			}
			seq, raw = seq+1, next
		}
		if err != nil {
			return 0, false, err
		}
		// The hinted entry was pruned or the walk was long: ask the index.
	}
	seq, found, err := c.sortedHead(ctx, key, v)
	if err == nil && found {
		c.remember(key, seq)
	}
	return seq, found, err
}

// entry is the raw entry seq of key, nil when there is none.
func (c *chain) entry(ctx context.Context, key string, seq int64) (bson.Raw, error) {
	raw, err := c.coll.FindOne(ctx, bson.D{{Key: "_id", Value: entryID(key, seq)}}).Raw()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("mongostore: read %s#%d: %w", key, seq, err)
	}
	return raw, nil
}

func (c *chain) decode(key string, raw bson.Raw, v any) (int64, bool, error) {
	if err := bson.Unmarshal(raw, v); err != nil {
		return 0, false, fmt.Errorf("mongostore: decode %s head: %w", key, err)
	}
	seq, ok := raw.Lookup("seq").AsInt64OK()
	if !ok {
		return 0, false, fmt.Errorf("mongostore: %s head has no seq", key)
	}
	return seq, true, nil
}

// sortedHead finds the head through the (key, seq) index.
func (c *chain) sortedHead(ctx context.Context, key string, v any) (int64, bool, error) {
	res := c.coll.FindOne(ctx, bson.D{{Key: "key", Value: key}}, options.FindOne().SetSort(bson.D{{Key: "seq", Value: -1}}))
	raw, err := res.Raw()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("mongostore: read %s head: %w", key, err)
	}
	return c.decode(key, raw, v)
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
	c.remember(key, seq)
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
