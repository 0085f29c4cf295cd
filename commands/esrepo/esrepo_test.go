package esrepo

import (
	"context"
	"errors"
	"testing"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
)

type counted struct {
	By int `json:"by"`
}

func (counted) EventName() string { return "test.Counted.v1" }

type counter struct {
	version uint64
	changes []Event
	total   int
}

func (c *counter) ApplyStored(e Event) { c.apply(e); c.version++ }
func (c *counter) Version() uint64     { return c.version }
func (c *counter) Changes() []Event    { return c.changes }
func (c *counter) apply(e Event) {
	if ev, ok := e.(counted); ok {
		c.total += ev.By
	}
}
func (c *counter) add(n int) { e := counted{By: n}; c.apply(e); c.changes = append(c.changes, e) }

func TestRepositoryRoundTripAndConcurrency(t *testing.T) {
	t.Parallel()
	codec := NewCodec()
	Register[counted](codec)
	store := memory.New()
	repo, err := New(Config[*counter]{Store: store, Codec: codec,
		Stream: func(id string) string { return "counter-" + id }, New: func(string) *counter { return &counter{} }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := WithMetadata(context.Background(), eventstore.Metadata{CorrelationID: "c1"})
	if _, err := repo.LoadExisting(ctx, "a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	a, _ := repo.Load(ctx, "a")
	a.add(2)
	a.add(3)
	if _, err := repo.Save(ctx, "a", a, MetadataFrom(ctx)); err != nil {
		t.Fatal(err)
	}
	b, err := repo.Load(ctx, "a")
	if err != nil || b.total != 5 || b.version != 2 {
		t.Fatalf("reloaded %+v %v", b, err)
	}
	// a is stale now (loaded at version 0): its next save must conflict.
	a.add(1)
	if _, err := repo.Save(ctx, "a", a, eventstore.Metadata{}); !errors.Is(err, eventstore.ErrConcurrency) {
		t.Fatalf("stale save: %v", err)
	}
	for ev := range store.Read(ctx, "counter-a", 0) {
		if ev.Type != "test.Counted.v1" || ev.Metadata.CorrelationID != "c1" || ev.Metadata.SchemaVersion != 1 {
			t.Fatalf("stored %+v", ev)
		}
	}
	if _, err := codec.Decode("test.Unknown.v1", nil); !errors.Is(err, ErrUnknownEvent) {
		t.Fatalf("unknown type: %v", err)
	}
	calls := 0
	err = Retry(ctx, 3, func(context.Context) error { calls++; return eventstore.ErrConcurrency })
	if !errors.Is(err, eventstore.ErrConcurrency) || calls != 3 {
		t.Fatalf("retry: %v after %d calls", err, calls)
	}
}
