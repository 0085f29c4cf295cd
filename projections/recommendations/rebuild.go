package recommendations

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/projections/rebuild"
)

// RebuildName is the name operators use for this projection.
const RebuildName = "recommendations"

// RebuildTarget is the rebuild.Projection of the MongoDB store: it fills a
// new generation of collections, then moves the active-generation pointer
// to it (see MongoStore).
type RebuildTarget struct {
	live   *MongoStore
	shadow *MongoStore // pinned to the generation being filled; set by CreateShadow
	now    func() time.Time
}

var _ rebuild.Projection = (*RebuildTarget)(nil)

// NewRebuildTarget returns the rebuild target of the store in db.
func NewRebuildTarget(ctx context.Context, db *mongo.Database) (*RebuildTarget, error) {
	live, err := NewMongoStore(ctx, db)
	if err != nil {
		return nil, err
	}
	return &RebuildTarget{live: live, now: time.Now}, nil
}

// Name implements rebuild.Projection.
func (t *RebuildTarget) Name() string { return RebuildName }

// Filter implements rebuild.Projection.
func (t *RebuildTarget) Filter() eventstore.Filter { return (&Projector{}).Filter() }

// LiveCheckpoint implements rebuild.Projection.
func (t *RebuildTarget) LiveCheckpoint(ctx context.Context) (uint64, error) {
	return t.live.Checkpoint(ctx)
}

// CreateShadow implements rebuild.Projection: it reuses the generation an
// interrupted rebuild left, or names a new one (an upsert that only sets
// on insert, so two racing runners agree on one).
func (t *RebuildTarget) CreateShadow(ctx context.Context) error {
	suffix := "_g" + strconv.FormatInt(t.now().UnixNano(), 36)
	if _, err := t.live.checkpoints.UpdateOne(ctx, bson.D{{Key: "_id", Value: shadowDoc}},
		bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "suffix", Value: suffix}}}}, options.Update().SetUpsert(true)); err != nil {
		return fmt.Errorf("recommendations: shadow pointer: %w", err)
	}
	suffix, _, err := t.live.pointer(ctx, shadowDoc)
	if err != nil {
		return err
	}
	g := t.live.generation(suffix)
	if err := g.index(ctx); err != nil {
		return err
	}
	t.shadow = &MongoStore{db: t.live.db, checkpoints: t.live.checkpoints, forgotten: t.live.forgotten, fixed: &g}
	return nil
}

func (t *RebuildTarget) shadowStore() (*MongoStore, error) {
	if t.shadow == nil {
		return nil, errors.New("recommendations: no shadow (CreateShadow first)")
	}
	return t.shadow, nil
}

// ShadowCheckpoint implements rebuild.Projection: only the checkpoint
// document counts (not the newest document), since a batch interrupted
// half-way may have inserted documents past its checkpoint.
func (t *RebuildTarget) ShadowCheckpoint(ctx context.Context) (uint64, error) {
	s, err := t.shadowStore()
	if err != nil {
		return 0, err
	}
	var d struct {
		Position int64 `bson:"position"`
	}
	err = s.checkpoints.FindOne(ctx, bson.D{{Key: "_id", Value: s.fixed.checkpointID()}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("recommendations: shadow checkpoint: %w", err)
	}
	return uint64(d.Position), nil
}

// ApplyShadow implements rebuild.Projection with the projector's batch path.
func (t *RebuildTarget) ApplyShadow(ctx context.Context, evs []eventstore.RecordedEvent) error {
	s, err := t.shadowStore()
	if err != nil {
		return err
	}
	return NewProjector(s).ApplyBatch(ctx, evs)
}

// Swap implements rebuild.Projection. MongoDB here cannot hold the live
// projector off, so, as for the Redis baskets, the tail is applied before
// the pointer moves and again after it (the inserts are idempotent and
// order-free). Then the tombstones are applied to the new generation (an
// erasure during the rebuild deleted from the old one only), and the old
// generation is dropped.
func (t *RebuildTarget) Swap(ctx context.Context, catchUp func(context.Context) error) error {
	s, err := t.shadowStore()
	if err != nil {
		return err
	}
	if err := catchUp(ctx); err != nil {
		return err
	}
	oldSuffix, _, err := t.live.pointer(ctx, activeDoc)
	if err != nil {
		return err
	}
	if _, err := t.live.checkpoints.UpdateOne(ctx, bson.D{{Key: "_id", Value: activeDoc}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "suffix", Value: s.fixed.suffix}}}}, options.Update().SetUpsert(true)); err != nil {
		return fmt.Errorf("recommendations: switch generation: %w", err)
	}
	if _, err := t.live.checkpoints.DeleteOne(ctx, bson.D{{Key: "_id", Value: shadowDoc}}); err != nil {
		return fmt.Errorf("recommendations: switch generation: %w", err)
	}
	if err := catchUp(ctx); err != nil {
		return err
	}
	if err := t.applyTombstones(ctx, *s.fixed); err != nil {
		return err
	}
	t.shadow = nil
	if oldSuffix != s.fixed.suffix {
		return t.live.dropGeneration(ctx, t.live.generation(oldSuffix))
	}
	return nil
}

func (t *RebuildTarget) applyTombstones(ctx context.Context, g generation) error {
	cur, err := t.live.forgotten.Find(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("recommendations: tombstones: %w", err)
	}
	var docs []struct {
		CustomerID string    `bson:"_id"`
		At         time.Time `bson:"at"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return fmt.Errorf("recommendations: tombstones: %w", err)
	}
	for _, d := range docs {
		if err := g.forget(ctx, d.CustomerID, d.At); err != nil {
			return err
		}
	}
	return nil
}

func (s *MongoStore) dropGeneration(ctx context.Context, g generation) error {
	for _, c := range []*mongo.Collection{g.orders, g.paid} {
		if err := c.Drop(ctx); err != nil {
			return fmt.Errorf("recommendations: drop %s: %w", c.Name(), err)
		}
	}
	if _, err := s.checkpoints.DeleteOne(ctx, bson.D{{Key: "_id", Value: g.checkpointID()}}); err != nil {
		return fmt.Errorf("recommendations: drop checkpoint of %s: %w", g.suffix, err)
	}
	return nil
}

// DropShadow implements rebuild.Projection.
func (t *RebuildTarget) DropShadow(ctx context.Context) error {
	shadow, ok, err := t.live.pointer(ctx, shadowDoc)
	if err != nil || !ok {
		t.shadow = nil
		return err
	}
	active, _, err := t.live.pointer(ctx, activeDoc)
	if err != nil {
		return err
	}
	if shadow != active { // a swap that died between its two writes
		if err := t.live.dropGeneration(ctx, t.live.generation(shadow)); err != nil {
			return err
		}
	}
	t.shadow = nil
	_, err = t.live.checkpoints.DeleteOne(ctx, bson.D{{Key: "_id", Value: shadowDoc}})
	return err
}

// Swappable is the embedded-mode Store whose memory model a rebuild can
// replace: wire it where a *MemoryStore was wired. It keeps the erasures
// itself and hides an erased customer's orders from reads, so a model
// rebuilt from history (which still holds them) shows none of them.
type Swappable struct {
	live      *rebuild.Live[*MemoryStore]
	mu        sync.Mutex
	forgotten map[string]time.Time
	now       func() time.Time
}

var _ interface {
	Store
	BatchStore
} = (*Swappable)(nil)

// NewSwappable returns an empty swappable store.
func NewSwappable() *Swappable {
	return &Swappable{live: rebuild.NewLive(NewMemoryStore()), forgotten: map[string]time.Time{}, now: time.Now}
}

// AddOrder implements Store.
func (s *Swappable) AddOrder(ctx context.Context, o Order) error {
	return s.live.Write(func(m *MemoryStore) error { return m.AddOrder(ctx, o) })
}

// MarkPaid implements Store.
func (s *Swappable) MarkPaid(ctx context.Context, orderID string, position uint64) error {
	return s.live.Write(func(m *MemoryStore) error { return m.MarkPaid(ctx, orderID, position) })
}

// AddBatch implements BatchStore.
func (s *Swappable) AddBatch(ctx context.Context, orders []Order, paid []Paid, position uint64) error {
	return s.live.Write(func(m *MemoryStore) error { return m.AddBatch(ctx, orders, paid, position) })
}

// Orders implements Store, without the orders an erasure removed.
func (s *Swappable) Orders(ctx context.Context, customerID string, limit int) ([]Order, error) {
	s.mu.Lock()
	at, erased := s.forgotten[customerID]
	s.mu.Unlock()
	all, err := s.live.Current().Orders(ctx, customerID, 1_000_000)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, o := range all {
		if !erased || o.PlacedAt.After(at) {
			out = append(out, o)
		}
	}
	return out[:min(len(out), limit)], nil
}

// Forget implements Store.
func (s *Swappable) Forget(ctx context.Context, customerID string) error {
	s.mu.Lock()
	s.forgotten[customerID] = s.now().UTC()
	s.mu.Unlock()
	return s.live.Write(func(m *MemoryStore) error { return m.Forget(ctx, customerID) })
}

// Position implements Store.
func (s *Swappable) Position(ctx context.Context) (uint64, error) {
	return s.live.Current().Position(ctx)
}

// Checkpoint implements BatchStore.
func (s *Swappable) Checkpoint(ctx context.Context) (uint64, error) {
	return s.live.Current().Checkpoint(ctx)
}

// RebuildTarget returns the rebuild.Projection that rebuilds s in memory.
func (s *Swappable) RebuildTarget() (rebuild.Projection, error) {
	return rebuild.NewMemoryProjection(rebuild.MemoryConfig[*MemoryStore]{
		Name: RebuildName, Filter: (&Projector{}).Filter(), Live: s.live, New: NewMemoryStore,
		Apply: func(ctx context.Context, m *MemoryStore, ev eventstore.RecordedEvent) error {
			return NewProjector(m).Handle(ctx, ev)
		},
		Checkpoint: func(ctx context.Context, m *MemoryStore) (uint64, error) { return m.Position(ctx) },
	})
}
