package mongostore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/projections/rebuild"
	"github.com/evshop/shop/projections/recommendations"
)

// RebuildTarget is the rebuild.Projection of the MongoDB store: it fills a
// new generation of collections, then moves the active-generation pointer
// to it (see Store).
type RebuildTarget struct {
	live   *Store
	shadow *Store // pinned to the generation being filled; set by CreateShadow
	now    func() time.Time
}

var _ rebuild.Projection = (*RebuildTarget)(nil)

// NewRebuildTarget returns the rebuild target of the store in db.
func NewRebuildTarget(ctx context.Context, db *mongo.Database) (*RebuildTarget, error) {
	live, err := New(ctx, db)
	if err != nil {
		return nil, err
	}
	return &RebuildTarget{live: live, now: time.Now}, nil
}

// Name implements rebuild.Projection.
func (t *RebuildTarget) Name() string { return recommendations.RebuildName }

// Filter implements rebuild.Projection.
func (t *RebuildTarget) Filter() eventstore.Filter { return (&recommendations.Projector{}).Filter() }

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
	t.shadow = &Store{db: t.live.db, checkpoints: t.live.checkpoints, forgotten: t.live.forgotten, fixed: &g}
	return nil
}

func (t *RebuildTarget) shadowStore() (*Store, error) {
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
	return recommendations.NewProjector(s).ApplyBatch(ctx, evs)
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

func (s *Store) dropGeneration(ctx context.Context, g generation) error {
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
