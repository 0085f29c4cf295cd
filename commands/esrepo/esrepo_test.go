package esrepo

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
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
	applies int // ApplyStored calls since made
}

func (c *counter) ApplyStored(e Event) { c.apply(e); c.version++; c.applies++ }
func (c *counter) Version() uint64     { return c.version }
func (c *counter) Changes() []Event    { return c.changes }
func (c *counter) apply(e Event) {
	if ev, ok := e.(counted); ok {
		c.total += ev.By
	}
}
func (c *counter) add(n int) { e := counted{By: n}; c.apply(e); c.changes = append(c.changes, e) }
func (c *counter) sum() int  { return c.total }
func (c *counter) applied() int {
	return c.applies
}

// copyingCounter is a counter that can copy itself (Copier[tally], the
// tests' repositories being Repository[tally]): the cache keeps it whole
// instead of its events.
type copyingCounter struct{ counter }

func (c *copyingCounter) Copy() tally {
	cp := *c
	cp.changes, cp.applies = nil, 0
	return &cp
}

// tally is what the cache tests need of an aggregate, so that they run on
// both kinds: one the cache keeps as events, one it keeps whole.
type tally interface {
	Aggregate
	add(n int)
	sum() int
	applied() int
}

// kinds are the two blank tallies.
var kinds = []struct {
	name  string
	plain bool
}{{"events kept", true}, {"aggregate kept", false}}

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

type renamed struct {
	By    int    `json:"by"`
	Cause string `json:"cause"`
}

func (renamed) EventName() string { return "test.Renamed.v2" }

func TestCodecForUpcastsAndRetires(t *testing.T) {
	t.Parallel()
	codec := CodecFor[Event](counted{}, renamed{})
	// v1 stored "amount" where v2 says "by".
	codec.Upcast("test.Renamed.v1", renamed{}, func(data json.RawMessage) (Event, error) {
		var old struct {
			Amount int `json:"amount"`
		}
		if err := json.Unmarshal(data, &old); err != nil {
			return nil, err
		}
		return renamed{By: old.Amount, Cause: "upcast"}, nil
	})
	codec.Retire("test.Gone.v1")
	tests := []struct {
		name    string
		typ     string
		data    string
		want    Event
		wantErr error
	}{
		{"current", "test.Counted.v1", `{"by":2}`, counted{By: 2}, nil},
		{"current, no data", "test.Counted.v1", ``, counted{}, nil},
		{"current v2", "test.Renamed.v2", `{"by":3,"cause":"x"}`, renamed{By: 3, Cause: "x"}, nil},
		{"old shape upcast", "test.Renamed.v1", `{"amount":4}`, renamed{By: 4, Cause: "upcast"}, nil},
		{"retired", "test.Gone.v1", `{"whatever":true}`, Retired{Type: "test.Gone.v1"}, nil},
		{"unknown", "test.Unknown.v1", `{}`, nil, ErrUnknownEvent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := codec.Decode(tt.typ, json.RawMessage(tt.data))
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Fatalf("Decode = %#v, %v; want %#v, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
	for _, bad := range []string{`[1]`, `{"amount":"x"}`} {
		if _, err := codec.Decode("test.Renamed.v1", json.RawMessage(bad)); err == nil {
			t.Errorf("upcast of %s: no error", bad)
		}
	}
	if got, want := codec.TypesOf(renamed{}), []string{"test.Renamed.v1", "test.Renamed.v2"}; !slices.Equal(got, want) {
		t.Errorf("TypesOf(renamed) = %v, want %v", got, want)
	}
	if got, want := codec.TypesOf(counted{}), []string{"test.Counted.v1"}; !slices.Equal(got, want) {
		t.Errorf("TypesOf(counted) = %v, want %v", got, want)
	}
	joined := Join(codec, CodecFor[Event](counted{}))
	if !joined.Knows("test.Renamed.v1") || !joined.Knows("test.Gone.v1") || joined.Upcasts()["test.Gone.v1"] != "" {
		t.Errorf("Join lost upcasts: %v", joined.Upcasts())
	}
}

// A retired event still counts towards the aggregate's version, so the
// next append expects the right revision.
func TestRetiredEventsKeepTheirRevision(t *testing.T) {
	t.Parallel()
	store := memory.New()
	ctx := context.Background()
	if _, err := store.Append(ctx, "counter-r", eventstore.NoStream(),
		eventstore.EventData{ID: "8f1f6c1e-6b1b-4c55-9f3e-0c2d4f1a0001", Type: "test.Counted.v1", Data: []byte(`{"by":1}`)},
		eventstore.EventData{ID: "8f1f6c1e-6b1b-4c55-9f3e-0c2d4f1a0002", Type: "test.Gone.v1", Data: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	codec := CodecFor[Event](counted{})
	codec.Retire("test.Gone.v1")
	repo, err := New(Config[*counter]{Store: store, Codec: codec,
		Stream: func(id string) string { return "counter-" + id }, New: func(string) *counter { return &counter{} }})
	if err != nil {
		t.Fatal(err)
	}
	c, err := repo.Load(ctx, "r")
	if err != nil || c.version != 2 || c.total != 1 {
		t.Fatalf("loaded %+v, %v", c, err)
	}
	c.add(5)
	if _, err := repo.Save(ctx, "r", c, eventstore.Metadata{}); err != nil {
		t.Fatalf("save after a retired event: %v", err)
	}
}
