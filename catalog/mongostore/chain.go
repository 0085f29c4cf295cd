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

	// known remembers the newest entry this process saw per key: its seq
	// and raw document, and when it was seen.
	//
	// The seq is a hint: the next head is found by _id lookups (hint,
	// hint+1, … until one is missing) instead of the sorted query, which
	// FerretDB v1 on SQLite answers by sorting the whole collection (~160 ms
	// per head at ~700 entries). A stale hint walks forward, a lost one
	// falls back to the sorted query.
	//
	// The document lets a writer skip even those reads (cachedHead): it
	// computes the next state from what it last saw and inserts seq+1. If
	// another process moved the chain meanwhile, that insert hits a
	// duplicate key and the writer reads again, so a stale entry costs one
	// failed insert, never a wrong state. It is trusted for trustFor only,
	// far below pruneAge, so the seq after it cannot have been pruned.
	mu    sync.Mutex
	known map[string]knownHead
}

type knownHead struct {
	seq int64
	raw bson.Raw
	at  time.Time
}

// trustFor bounds how long a remembered head may stand in for a read.
const trustFor = 30 * time.Second

// maxHints bounds the map (a reservation key is an order id); on overflow
// it starts afresh, which costs one sorted query per key.
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
	return &chain{coll: coll, keep: 32, pruneAge: 10 * time.Minute, known: map[string]knownHead{}}, nil
}

func (c *chain) hint(key string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.known[key].seq
}

// remember records entry seq of key as seen; it only moves forward.
func (c *chain) remember(key string, seq int64, raw bson.Raw) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if seq < c.known[key].seq {
		return
	}
	if len(c.known) >= maxHints {
		clear(c.known)
	}
	c.known[key] = knownHead{seq: seq, raw: raw, at: time.Now()}
}

// distrust drops what is remembered of key's head (a write lost a race).
func (c *chain) distrust(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.known[key]; ok {
		c.known[key] = knownHead{seq: k.seq}
	}
}

// cachedHead is head, answered from memory when this process saw the head
// within trustFor; cached tells which. Only a writer may use it, and only
// to compute a state it then inserts at seq+1: a decision not to write must
// be made on a fresh head.
func (c *chain) cachedHead(ctx context.Context, key string, v any) (seq int64, found, cached bool, err error) {
	c.mu.Lock()
	k, ok := c.known[key]
	c.mu.Unlock()
	if ok && k.raw != nil && time.Since(k.at) < trustFor {
		seq, found, err := c.decode(key, k.raw, v)
		return seq, found, true, err
	}
	seq, found, err = c.head(ctx, key, v)
	return seq, found, false, err
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
				c.remember(key, seq, raw)
				return c.decode(key, raw, v)
			}
			seq, raw = seq+1, next
		}
		if err != nil {
			return 0, false, err
		}
		// The hinted entry was pruned or the walk was long: ask the index.
	}
	return c.sortedHead(ctx, key, v)
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
	seq, found, err := c.decode(key, raw, v)
	if err == nil {
		c.remember(key, seq, raw)
	}
	return seq, found, err
}

// put inserts state seq of key; won is false when another writer took it.
func (c *chain) put(ctx context.Context, key string, seq int64, fields bson.D) (bool, error) {
	doc := append(bson.D{{Key: "_id", Value: entryID(key, seq)}, {Key: "key", Value: key}, {Key: "seq", Value: seq},
		{Key: "at", Value: time.Now().UTC()}}, fields...)
	raw, err := bson.Marshal(doc)
	if err != nil {
		return false, fmt.Errorf("mongostore: encode %s#%d: %w", key, seq, err)
	}
	_, err = c.coll.InsertOne(ctx, raw)
	if mongo.IsDuplicateKeyError(err) {
		c.distrust(key)
		return false, nil
	}
	if err != nil {
		// The insert may or may not have happened.
		c.distrust(key)
		return false, fmt.Errorf("mongostore: write %s#%d: %w", key, seq, err)
	}
	c.remember(key, seq, raw)
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

// update is the compare-and-swap loop over key's chain: decide reads the
// head into v (found false when the key has no state) and returns the fields
// of the next state, or nil to leave the chain as it is. It starts from the
// head this process remembers; a write from a stale head loses its insert
// and is decided again, and a decision not to write is only taken on a fresh
// head, since the remembered one may hide what another process did.
func update[T any](ctx context.Context, c *chain, key string, decide func(v *T, found bool) (bson.D, error)) (T, error) {
	var zero T
	for attempt := 0; attempt < maxCASAttempts; attempt++ {
		var v T
		seq, found, cached, err := c.cachedHead(ctx, key, &v)
		if err != nil {
			return zero, err
		}
		next, err := decide(&v, found)
		if next == nil || err != nil {
			if cached {
				c.distrust(key)
				attempt--
				continue
			}
			return v, err
		}
		won, err := c.put(ctx, key, seq+1, next)
		if err != nil {
			return zero, err
		}
		if won {
			return v, nil
		}
		if err := backoff(ctx, attempt); err != nil {
			return zero, err
		}
	}
	return zero, fmt.Errorf("%w: %s %s", errGaveUp, c.coll.Name(), key)
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
