package baskets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// Redis is the server-mode Store: one JSON document per basket at
// "<prefix>basket:<id>" and the checkpoint at "<prefix>checkpoint". Redis has
// no multi-key transactions with reads, so each update is an optimistic
// WATCH/MULTI on the basket key; the version inside the document is the
// duplicate guard. A rebuild writes under another prefix, then the reader
// switches prefix.
type Redis struct {
	c      redis.UniversalClient
	prefix string
}

// NewRedis returns a store under prefix (e.g. "shop:baskets:").
func NewRedis(c redis.UniversalClient, prefix string) (*Redis, error) {
	if c == nil {
		return nil, errors.New("baskets: redis client is required")
	}
	return &Redis{c: c, prefix: prefix}, nil
}

func (r *Redis) key(id string) string  { return r.prefix + "basket:" + id }
func (r *Redis) checkpointKey() string { return r.prefix + "checkpoint" }

// maxScript raises the checkpoint only forward.
var maxScript = redis.NewScript(`
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local new = tonumber(ARGV[1])
if new > cur then redis.call('SET', KEYS[1], ARGV[1]) end
return 0`)

func (r *Redis) get(ctx context.Context, c redis.Cmdable, id string) (View, error) {
	data, err := c.Get(ctx, r.key(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return View{}, ErrNotFound
	}
	if err != nil {
		return View{}, fmt.Errorf("baskets: redis get: %w", err)
	}
	var v View
	if err := json.Unmarshal(data, &v); err != nil {
		return View{}, fmt.Errorf("baskets: corrupt view %s: %w", id, err)
	}
	return v, nil
}

// Get implements Store.
func (r *Redis) Get(ctx context.Context, basketID string) (View, error) {
	return r.get(ctx, r.c, basketID)
}

// maxWatchRetries bounds optimistic retries; two projector instances racing on
// one basket resolve in a round or two.
const maxWatchRetries = 20

// Update implements Store.
func (r *Redis) Update(ctx context.Context, basketID string, rev, pos uint64, fn func(*View)) (bool, error) {
	key := r.key(basketID)
	var applied bool
	txf := func(tx *redis.Tx) error {
		applied = false
		v, err := r.get(ctx, tx, basketID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if ok, err := guard(v.Version, rev); !ok {
			return err
		}
		fn(&v)
		v.Version, v.Position = rev+1, pos
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, key, data, 0)
			maxScript.Eval(ctx, p, []string{r.checkpointKey()}, strconv.FormatUint(pos, 10))
			return nil
		})
		if err == nil {
			applied = true
		}
		return err
	}
	for range maxWatchRetries {
		err := r.c.Watch(ctx, txf, key)
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		if err != nil {
			return false, err
		}
		return applied, nil
	}
	return false, fmt.Errorf("baskets: update %s: too much contention", basketID)
}

// Checkpoint implements Store.
func (r *Redis) Checkpoint(ctx context.Context) (uint64, error) {
	n, err := r.c.Get(ctx, r.checkpointKey()).Uint64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	return n, err
}

// Reset implements Store: it deletes every key under the prefix.
func (r *Redis) Reset(ctx context.Context) error {
	it := r.c.Scan(ctx, 0, r.prefix+"*", 500).Iterator()
	var keys []string
	for it.Next(ctx) {
		keys = append(keys, it.Val())
		if len(keys) == 500 {
			if err := r.c.Del(ctx, keys...).Err(); err != nil {
				return err
			}
			keys = keys[:0]
		}
	}
	if err := it.Err(); err != nil {
		return err
	}
	if len(keys) > 0 {
		return r.c.Del(ctx, keys...).Err()
	}
	return nil
}

// UpdateBatch implements BatchStore.
func (r *Redis) UpdateBatch(ctx context.Context, ups []Update) error {
	return updateBatch(ctx, r.c, nil, func(context.Context, *redis.Tx) (*Redis, error) { return r, nil }, ups)
}

// updateBatch reads every view of ups with the keys watched (and the
// watch keys), folds them in memory and writes the changed ones and the
// checkpoint in one MULTI/EXEC, retried when a watched key changed. at
// names the generation to write (ActiveRedis resolves its pointer there).
func updateBatch(ctx context.Context, c redis.UniversalClient, watch []string, at func(context.Context, *redis.Tx) (*Redis, error), ups []Update) error {
	if len(ups) == 0 {
		return nil
	}
	var ids []string
	seen := map[string]bool{}
	for _, u := range ups {
		if !seen[u.BasketID] {
			seen[u.BasketID] = true
			ids = append(ids, u.BasketID)
		}
	}
	txf := func(tx *redis.Tx) error {
		r, err := at(ctx, tx)
		if err != nil {
			return err
		}
		keys := make([]string, len(ids))
		for i, id := range ids {
			keys[i] = r.key(id)
		}
		if err := tx.Watch(ctx, keys...).Err(); err != nil {
			return err
		}
		vals, err := tx.MGet(ctx, keys...).Result()
		if err != nil {
			return fmt.Errorf("baskets: redis mget: %w", err)
		}
		views := make(map[string]View, len(ids))
		for i, raw := range vals {
			s, ok := raw.(string)
			if !ok {
				continue // missing
			}
			var v View
			if err := json.Unmarshal([]byte(s), &v); err != nil {
				return fmt.Errorf("baskets: corrupt view %s: %w", ids[i], err)
			}
			views[ids[i]] = v
		}
		changed, top, err := foldBatch(views, ups)
		if err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			for id, v := range changed {
				data, err := json.Marshal(v)
				if err != nil {
					return err
				}
				p.Set(ctx, r.key(id), data, 0)
			}
			maxScript.Eval(ctx, p, []string{r.checkpointKey()}, strconv.FormatUint(top, 10))
			return nil
		})
		return err
	}
	for range maxWatchRetries {
		err := c.Watch(ctx, txf, watch...)
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		return err
	}
	return fmt.Errorf("baskets: batch of %d updates: too much contention", len(ups))
}
