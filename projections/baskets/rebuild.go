package baskets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	domain "github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/projections/rebuild"
)

// RebuildName is the name operators use for this projection.
const RebuildName = "baskets"

// Key layout under a base prefix B (e.g. "shop:baskets:"):
//
//	B + "active"  the prefix the read model lives under now; absent means B
//	              itself (the layout written before rebuilds existed)
//	B + "shadow"  the prefix a rebuild is filling, while one is unfinished
//	B + "gen:<unix-nanos>:"  prefix of each rebuilt generation
//
// A rebuild fills a new generation, then switches B+"active" to it with one
// SET, which is atomic for every reader and writer using ActiveRedis.
func pointerKey(base string) string { return base + "active" }
func shadowKey(base string) string  { return base + "shadow" }

// ActiveRedis is the server-mode Store that follows the active-prefix
// pointer, so a rebuild's swap takes effect for the API and the live
// projector at once. Wire it instead of NewRedis wherever the basket read
// model is read or written, with the same base prefix.
type ActiveRedis struct {
	c    redis.UniversalClient
	base string
}

var _ Store = (*ActiveRedis)(nil)

// NewActiveRedis returns the store under base.
func NewActiveRedis(c redis.UniversalClient, base string) (*ActiveRedis, error) {
	if c == nil {
		return nil, errors.New("baskets: redis client is required")
	}
	return &ActiveRedis{c: c, base: base}, nil
}

func resolve(ctx context.Context, c redis.Cmdable, base string) (string, error) {
	p, err := c.Get(ctx, pointerKey(base)).Result()
	if errors.Is(err, redis.Nil) {
		return base, nil
	}
	if err != nil {
		return "", fmt.Errorf("baskets: active prefix: %w", err)
	}
	return p, nil
}

func (a *ActiveRedis) current(ctx context.Context) (*Redis, error) {
	p, err := resolve(ctx, a.c, a.base)
	if err != nil {
		return nil, err
	}
	return &Redis{c: a.c, prefix: p}, nil
}

// Get implements Store.
func (a *ActiveRedis) Get(ctx context.Context, basketID string) (View, error) {
	r, err := a.current(ctx)
	if err != nil {
		return View{}, err
	}
	return r.Get(ctx, basketID)
}

// Checkpoint implements Store.
func (a *ActiveRedis) Checkpoint(ctx context.Context) (uint64, error) {
	r, err := a.current(ctx)
	if err != nil {
		return 0, err
	}
	return r.Checkpoint(ctx)
}

// Reset implements Store: it empties the active generation.
func (a *ActiveRedis) Reset(ctx context.Context) error {
	p, err := resolve(ctx, a.c, a.base)
	if err != nil {
		return err
	}
	return deleteGeneration(ctx, a.c, a.base, p)
}

// Update implements Store. Besides the basket key it watches the pointer:
// an update that raced with a swap is retried on the new generation, so no
// live write lands on a generation that is no longer active.
func (a *ActiveRedis) Update(ctx context.Context, basketID string, rev, pos uint64, fn func(*View)) (bool, error) {
	var applied bool
	txf := func(tx *redis.Tx) error {
		applied = false
		p, err := resolve(ctx, tx, a.base)
		if err != nil {
			return err
		}
		r := &Redis{c: a.c, prefix: p}
		if err := tx.Watch(ctx, r.key(basketID)).Err(); err != nil {
			return err
		}
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
		_, err = tx.TxPipelined(ctx, func(pl redis.Pipeliner) error {
			pl.Set(ctx, r.key(basketID), data, 0)
			maxScript.Eval(ctx, pl, []string{r.checkpointKey()}, strconv.FormatUint(pos, 10))
			return nil
		})
		if err == nil {
			applied = true
		}
		return err
	}
	for range maxWatchRetries {
		err := a.c.Watch(ctx, txf, pointerKey(a.base))
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

// UpdateBatch implements BatchStore on the active generation; like Update
// it watches the pointer, so a batch that raced with a swap is retried on
// the new generation.
func (a *ActiveRedis) UpdateBatch(ctx context.Context, ups []Update) error {
	return updateBatch(ctx, a.c, []string{pointerKey(a.base)}, func(ctx context.Context, tx *redis.Tx) (*Redis, error) {
		p, err := resolve(ctx, tx, a.base)
		if err != nil {
			return nil, err
		}
		return &Redis{c: a.c, prefix: p}, nil
	}, ups)
}

// deleteGeneration deletes the read model under prefix p. The legacy
// generation (p == base) shares its prefix with the pointer keys and the
// other generations, so only its own keys are matched.
func deleteGeneration(ctx context.Context, c redis.UniversalClient, base, p string) error {
	patterns := []string{p + "*"}
	if p == base {
		patterns = []string{base + "basket:*", base + "checkpoint"}
	}
	for _, pat := range patterns {
		it := c.Scan(ctx, 0, pat, 500).Iterator()
		var keys []string
		for it.Next(ctx) {
			keys = append(keys, it.Val())
			if len(keys) == 500 {
				if err := c.Unlink(ctx, keys...).Err(); err != nil {
					return err
				}
				keys = keys[:0]
			}
		}
		if err := it.Err(); err != nil {
			return err
		}
		if len(keys) > 0 {
			if err := c.Unlink(ctx, keys...).Err(); err != nil {
				return err
			}
		}
	}
	return nil
}

// RebuildTarget is the rebuild.Projection of the Redis read model: it fills
// a new generation prefix, then switches the active pointer to it.
type RebuildTarget struct {
	c      redis.UniversalClient
	base   string
	shadow string // prefix being filled, set by CreateShadow
	now    func() time.Time
}

var _ rebuild.Projection = (*RebuildTarget)(nil)

// NewRebuildTarget returns the rebuild target for the read model under base
// (the same base given to NewActiveRedis).
func NewRebuildTarget(c redis.UniversalClient, base string) (*RebuildTarget, error) {
	if c == nil {
		return nil, errors.New("baskets: redis client is required")
	}
	return &RebuildTarget{c: c, base: base, now: time.Now}, nil
}

// Name implements rebuild.Projection.
func (t *RebuildTarget) Name() string { return RebuildName }

// Filter implements rebuild.Projection.
func (t *RebuildTarget) Filter() eventstore.Filter {
	return eventstore.Filter{StreamPrefixes: []string{domain.StreamPrefix}}
}

// LiveCheckpoint implements rebuild.Projection.
func (t *RebuildTarget) LiveCheckpoint(ctx context.Context) (uint64, error) {
	a := &ActiveRedis{c: t.c, base: t.base}
	return a.Checkpoint(ctx)
}

// CreateShadow implements rebuild.Projection: it reuses the generation an
// interrupted rebuild left, or names a new one (SET NX, so two racing
// runners agree on one).
func (t *RebuildTarget) CreateShadow(ctx context.Context) error {
	gen := t.base + "gen:" + strconv.FormatInt(t.now().UnixNano(), 10) + ":"
	if err := t.c.SetNX(ctx, shadowKey(t.base), gen, 0).Err(); err != nil {
		return fmt.Errorf("baskets: shadow pointer: %w", err)
	}
	p, err := t.c.Get(ctx, shadowKey(t.base)).Result()
	if err != nil {
		return fmt.Errorf("baskets: shadow pointer: %w", err)
	}
	t.shadow = p
	return nil
}

func (t *RebuildTarget) shadowStore() (*Redis, error) {
	if t.shadow == "" {
		return nil, errors.New("baskets: no shadow (CreateShadow first)")
	}
	return &Redis{c: t.c, prefix: t.shadow}, nil
}

// ShadowCheckpoint implements rebuild.Projection.
func (t *RebuildTarget) ShadowCheckpoint(ctx context.Context) (uint64, error) {
	s, err := t.shadowStore()
	if err != nil {
		return 0, err
	}
	return s.Checkpoint(ctx)
}

// ApplyShadow implements rebuild.Projection.
func (t *RebuildTarget) ApplyShadow(ctx context.Context, evs []eventstore.RecordedEvent) error {
	s, err := t.shadowStore()
	if err != nil {
		return err
	}
	p, err := NewProjector(s)
	if err != nil {
		return err
	}
	for _, ev := range evs {
		if err := p.Handle(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}

// Swap implements rebuild.Projection. Redis cannot hold the live projector
// off, so the tail is applied twice around the switch: before it (so the
// new generation is current) and after it (events the live projector wrote
// to the old generation in between). ActiveRedis retries a write that
// raced with the switch; an event it sees before its predecessor reached
// the new generation is refused as out of order and redelivered.
func (t *RebuildTarget) Swap(ctx context.Context, catchUp func(context.Context) error) error {
	if _, err := t.shadowStore(); err != nil {
		return err
	}
	if err := catchUp(ctx); err != nil {
		return err
	}
	old, err := resolve(ctx, t.c, t.base)
	if err != nil {
		return err
	}
	if _, err := t.c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, pointerKey(t.base), t.shadow, 0)
		p.Del(ctx, shadowKey(t.base))
		return nil
	}); err != nil {
		return fmt.Errorf("baskets: switch generation: %w", err)
	}
	if err := catchUp(ctx); err != nil {
		return err
	}
	if old != t.shadow {
		if err := deleteGeneration(ctx, t.c, t.base, old); err != nil {
			return fmt.Errorf("baskets: delete old generation %s: %w", old, err)
		}
	}
	return nil
}

// DropShadow implements rebuild.Projection.
func (t *RebuildTarget) DropShadow(ctx context.Context) error {
	p, err := t.c.Get(ctx, shadowKey(t.base)).Result()
	if errors.Is(err, redis.Nil) {
		t.shadow = ""
		return nil
	}
	if err != nil {
		return err
	}
	active, err := resolve(ctx, t.c, t.base)
	if err != nil {
		return err
	}
	if p != active && p != t.base {
		if err := deleteGeneration(ctx, t.c, t.base, p); err != nil {
			return err
		}
	}
	t.shadow = ""
	return t.c.Del(ctx, shadowKey(t.base)).Err()
}

// Swappable is the embedded-mode Store whose memory model a rebuild can
// replace: wire it where a *Memory was wired.
type Swappable struct{ live *rebuild.Live[*Memory] }

var _ Store = (*Swappable)(nil)

// NewSwappable wraps m.
func NewSwappable(m *Memory) (*Swappable, error) {
	if m == nil {
		return nil, errors.New("baskets: memory store is required")
	}
	return &Swappable{live: rebuild.NewLive(m)}, nil
}

// Get implements Store.
func (s *Swappable) Get(ctx context.Context, id string) (View, error) {
	return s.live.Current().Get(ctx, id)
}

// Update implements Store.
func (s *Swappable) Update(ctx context.Context, id string, rev, pos uint64, fn func(*View)) (applied bool, err error) {
	err = s.live.Write(func(m *Memory) error {
		applied, err = m.Update(ctx, id, rev, pos, fn)
		return err
	})
	return applied, err
}

// UpdateBatch implements BatchStore.
func (s *Swappable) UpdateBatch(ctx context.Context, ups []Update) error {
	return s.live.Write(func(m *Memory) error { return m.UpdateBatch(ctx, ups) })
}

// Checkpoint implements Store.
func (s *Swappable) Checkpoint(ctx context.Context) (uint64, error) {
	return s.live.Current().Checkpoint(ctx)
}

// Reset implements Store.
func (s *Swappable) Reset(ctx context.Context) error {
	return s.live.Write(func(m *Memory) error { return m.Reset(ctx) })
}

// RebuildTarget returns the rebuild.Projection that rebuilds s in memory.
func (s *Swappable) RebuildTarget() (rebuild.Projection, error) {
	return rebuild.NewMemoryProjection(rebuild.MemoryConfig[*Memory]{
		Name:   RebuildName,
		Filter: eventstore.Filter{StreamPrefixes: []string{domain.StreamPrefix}},
		Live:   s.live,
		New:    NewMemory,
		Apply: func(ctx context.Context, m *Memory, ev eventstore.RecordedEvent) error {
			p, err := NewProjector(m)
			if err != nil {
				return err
			}
			return p.Handle(ctx, ev)
		},
		Checkpoint: func(ctx context.Context, m *Memory) (uint64, error) { return m.Checkpoint(ctx) },
	})
}
