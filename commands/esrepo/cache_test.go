package esrepo

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
	essqlite "github.com/evshop/shop/eventstore/sqlite"
	"github.com/evshop/shop/platform/sqlite/sqlitedriver"
)

// recording is an event store that notes from which revision each stream
// read started and how many events it returned; shuffle makes its Read
// ignore the revision asked for (a store out of sequence).
type recording struct {
	eventstore.Store
	mu      sync.Mutex
	froms   []uint64
	read    int
	shuffle bool
}

func (r *recording) Read(ctx context.Context, stream string, from eventstore.Revision) iter.Seq2[eventstore.RecordedEvent, error] {
	r.mu.Lock()
	r.froms = append(r.froms, from)
	shuffle := r.shuffle
	r.mu.Unlock()
	if shuffle {
		from = 0
	}
	return func(yield func(eventstore.RecordedEvent, error) bool) {
		for e, err := range r.Store.Read(ctx, stream, from) {
			if err == nil {
				r.mu.Lock()
				r.read++
				r.mu.Unlock()
			}
			if !yield(e, err) {
				return
			}
		}
	}
}

// reads returns and resets what was recorded.
func (r *recording) reads() (froms []uint64, events int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	froms, events = r.froms, r.read
	r.froms, r.read = nil, 0
	return froms, events
}

func counterRepo(t *testing.T, store eventstore.Store, cacheEvents int) *Repository[*counter] {
	t.Helper()
	return tallyRepo(t, store, cacheEvents, func() *counter { return &counter{} })
}

func tallyRepo[A tally](t *testing.T, store eventstore.Store, cacheEvents int, blank func() A) *Repository[A] {
	t.Helper()
	repo, err := New(Config[A]{Store: store, Codec: CodecFor[Event](counted{}), CacheEvents: cacheEvents,
		Stream: func(id string) string { return "counter-" + id }, New: func(string) A { return blank() }})
	if err != nil {
		t.Fatal(err)
	}
	return repo
}

// add loads id through repo, adds n and saves.
func add[A tally](ctx context.Context, repo *Repository[A], id string, n int) error {
	c, err := repo.Load(ctx, id)
	if err != nil {
		return err
	}
	c.add(n)
	_, err = repo.Save(ctx, id, c, eventstore.Metadata{})
	return err
}

// eachKind runs test on a counter the cache keeps as events and on one it
// keeps whole: what a load returns and reads must not differ.
func eachKind(t *testing.T, test func(t *testing.T, blank func() tally)) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			if k.plain {
				test(t, func() tally { return &counter{} })
			} else {
				test(t, func() tally { return &copyingCounter{} })
			}
		})
	}
}

func TestCachedLoads(t *testing.T) {
	t.Parallel()
	type step struct {
		repo      int // 0 or 1: two repositories on one store, as two processes
		add       int // > 0: load, add, save; 0: load only
		stale     int // > 0: add this to the aggregate loaded at the previous load step of repo (a stale save)
		wantFrom  []uint64
		wantRead  int   // events the store returned
		wantTotal int   // after a load
		wantErr   error // of a save
	}
	tests := []struct {
		name    string
		shuffle bool
		steps   []step
	}{
		{name: "a save is remembered: the next load reads nothing", steps: []step{
			{add: 2, wantFrom: []uint64{0}},
			{add: 3, wantFrom: []uint64{1}},
			{wantFrom: []uint64{2}, wantTotal: 5},
		}},
		{name: "another writer's events are read after the cached ones", steps: []step{
			{add: 2, wantFrom: []uint64{0}},
			{repo: 1, add: 3, wantFrom: []uint64{0}, wantRead: 1},
			{repo: 1, add: 4, wantFrom: []uint64{2}},
			{wantFrom: []uint64{1}, wantRead: 2, wantTotal: 9},
			{wantFrom: []uint64{3}, wantTotal: 9},
		}},
		{name: "a conflict drops the entry", steps: []step{
			{add: 2, wantFrom: []uint64{0}},
			{wantFrom: []uint64{1}, wantTotal: 2},
			{repo: 1, add: 3, wantFrom: []uint64{0}, wantRead: 1},
			{stale: 10, wantErr: eventstore.ErrConcurrency},
			{wantFrom: []uint64{0}, wantRead: 2, wantTotal: 5},
			{wantFrom: []uint64{2}, wantTotal: 5},
		}},
		{name: "a store out of sequence drops the entry and is read again", shuffle: true, steps: []step{
			{add: 2, wantFrom: []uint64{0}},
			// the store returns revision 0 where 1 was asked for
			{wantFrom: []uint64{1, 0}, wantRead: 2, wantTotal: 2},
			{add: 3, wantFrom: []uint64{1, 0}, wantRead: 2},
			{wantFrom: []uint64{2, 0}, wantRead: 3, wantTotal: 5},
		}},
	}
	eachKind(t, func(t *testing.T, blank func() tally) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				store := &recording{Store: memory.New(), shuffle: tt.shuffle}
				repos := []*Repository[tally]{tallyRepo(t, store, 0, blank), tallyRepo(t, store, 0, blank)}
				var loaded [2]tally
				for i, s := range tt.steps {
					repo := repos[s.repo]
					if s.stale > 0 {
						loaded[s.repo].add(s.stale)
						if _, err := repo.Save(ctx, "a", loaded[s.repo], eventstore.Metadata{}); !errors.Is(err, s.wantErr) {
							t.Fatalf("step %d: stale save: %v, want %v", i, err, s.wantErr)
						}
						if n, _ := repo.cache.len(); n != 0 {
							t.Fatalf("step %d: %d streams cached after a conflict", i, n)
						}
						continue
					}
					c, err := repo.Load(ctx, "a")
					if err != nil {
						t.Fatalf("step %d: load: %v", i, err)
					}
					loaded[s.repo] = c
					if s.add > 0 {
						c.add(s.add)
						if _, err := repo.Save(ctx, "a", c, eventstore.Metadata{}); err != nil {
							t.Fatalf("step %d: save: %v", i, err)
						}
					} else if c.sum() != s.wantTotal {
						t.Errorf("step %d: total %d, want %d", i, c.sum(), s.wantTotal)
					}
					froms, read := store.reads()
					if !reflect.DeepEqual(froms, s.wantFrom) || read != s.wantRead {
						t.Errorf("step %d: store read from %v (%d events), want from %v (%d events)", i, froms, read, s.wantFrom, s.wantRead)
					}
				}
			})
		}
	})
}

// TestKeptAggregateAppliesOnlyNewEvents: a load of an aggregate the cache
// keeps whole applies only the events since the last load, however long
// the stream (a customer's basket); one kept as events applies them all.
// A change made to a loaded aggregate and not saved is in no later load.
func TestKeptAggregateAppliesOnlyNewEvents(t *testing.T) {
	t.Parallel()
	const saves = 50
	tests := []struct {
		name  string
		blank func() tally
		// events applied by the load before save i, and by the one after it
		wantBefore, wantAfter func(i int) int
	}{
		{"events kept", func() tally { return &counter{} },
			func(i int) int { return i }, func(i int) int { return i + 1 }},
		{"aggregate kept", func() tally { return &copyingCounter{} },
			func(int) int { return 0 }, func(int) int { return 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			repo := tallyRepo(t, memory.New(), 0, tt.blank)
			for i := range saves {
				c, err := repo.Load(ctx, "long")
				if err != nil {
					t.Fatal(err)
				}
				if c.applied() != tt.wantBefore(i) || c.sum() != i || c.Version() != uint64(i) {
					t.Fatalf("load %d: applied %d events, total %d, version %d; want %d, %d, %d",
						i, c.applied(), c.sum(), c.Version(), tt.wantBefore(i), i, i)
				}
				c.add(1)
				if _, err := repo.Save(ctx, "long", c, eventstore.Metadata{}); err != nil {
					t.Fatal(err)
				}
				// changed and not saved: the next load must not see it
				c.add(100)
				again, err := repo.Load(ctx, "long")
				if err != nil || again.sum() != i+1 || len(again.Changes()) != 0 || again.applied() != tt.wantAfter(i) {
					t.Fatalf("after save %d: total %d, %d changes, %d applied, %v; want %d, none, %d",
						i, again.sum(), len(again.Changes()), again.applied(), err, i+1, tt.wantAfter(i))
				}
				again.add(1000)
			}
		})
	}
}

func TestCacheEviction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name        string
		cacheEvents int
		streams     int // each gets 2 events
		wantStreams int
		wantEvents  int
	}{
		{"within the bound", 10, 3, 3, 6},
		{"least recently used out", 5, 3, 2, 4},
		{"a stream over the bound alone is not kept", 1, 2, 0, 0},
		{"no cache", -1, 3, 0, 0},
	}
	eachKind(t, func(t *testing.T, blank func() tally) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				store := &recording{Store: memory.New()}
				repo := tallyRepo(t, store, tt.cacheEvents, blank)
				for i := range tt.streams {
					id := fmt.Sprint(i)
					for n := range 2 {
						if err := add(ctx, repo, id, n+1); err != nil {
							t.Fatal(err)
						}
					}
				}
				if repo.cache == nil {
					if tt.wantStreams != 0 {
						t.Fatal("no cache")
					}
				} else if s, e := repo.cache.len(); s != tt.wantStreams || e != tt.wantEvents {
					t.Fatalf("cached %d streams, %d events; want %d, %d", s, e, tt.wantStreams, tt.wantEvents)
				}
				// Whatever was evicted, every stream still loads whole.
				store.reads()
				for i := range tt.streams {
					c, err := repo.Load(ctx, fmt.Sprint(i))
					if err != nil || c.sum() != 3 || c.Version() != 2 {
						t.Fatalf("stream %d: %+v, %v", i, c, err)
					}
				}
			})
		}
	})
}

// Writers racing on one stream through two repositories (two processes):
// every increment lands exactly once, whatever each cache held.
func TestCachedLoadsUnderConcurrentWriters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	tests := []struct {
		name   string
		stores func(t *testing.T) [2]eventstore.Store
	}{
		{"one memory store", func(*testing.T) [2]eventstore.Store {
			s := memory.New()
			return [2]eventstore.Store{s, s}
		}},
		{"two SQLite handles on one file", func(t *testing.T) [2]eventstore.Store {
			var out [2]eventstore.Store
			for i := range out {
				db, err := sqlitedriver.Open(ctx, filepath.Join(dir, t.Name()+".db"))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				if out[i], err = essqlite.New(ctx, db); err != nil {
					t.Fatal(err)
				}
			}
			return out
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachKind(t, func(t *testing.T, blank func() tally) {
				stores := tt.stores(t)
				repos := [2]*Repository[tally]{tallyRepo(t, stores[0], 0, blank), tallyRepo(t, stores[1], 0, blank)}
				const writers, each = 6, 10
				var wg sync.WaitGroup
				errs := make(chan error, writers)
				for w := range writers {
					wg.Go(func() {
						for range each {
							err := Retry(ctx, 1000, func(ctx context.Context) error { return add(ctx, repos[w%2], "race", 1) })
							if err != nil {
								errs <- err
								return
							}
						}
					})
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					t.Fatal(err)
				}
				for i, repo := range repos {
					c, err := repo.Load(ctx, "race")
					if err != nil || c.sum() != writers*each || c.Version() != writers*each {
						t.Fatalf("repository %d loads %+v, %v; want total and version %d", i, c, err, writers*each)
					}
				}
			})
		})
	}
}

// keeper keeps the slice, map and pointer of the events it applies and
// changes them later, as an aggregate may.
type keeper struct {
	version uint64
	changes []Event
	kept    []noted
}

type noted struct {
	Lines []string          `json:"lines"`
	Tags  map[string]int    `json:"tags"`
	Note  *string           `json:"note"`
	At    time.Time         `json:"at"`
	Any   any               `json:"any"`
	Deep  map[string][]int  `json:"deep"`
	Arr   [2][]int          `json:"arr"`
	Ptrs  []*map[string]int `json:"ptrs"`
	quiet bool
}

func (noted) EventName() string { return "test.Noted.v1" }

func (k *keeper) ApplyStored(e Event) { k.kept = append(k.kept, e.(noted)); k.version++ }
func (k *keeper) Version() uint64     { return k.version }
func (k *keeper) Changes() []Event    { return k.changes }

// scribble changes everything reachable from what k kept.
func (k *keeper) scribble() {
	for _, n := range k.kept {
		n.Lines[0] = "changed"
		n.Tags["a"] = 99
		*n.Note = "changed"
		n.Any.(map[string]any)["x"] = "changed"
		n.Deep["d"][0] = 99
		n.Arr[0][0] = 99
		(*n.Ptrs[0])["p"] = 99
	}
}

func TestCachedEventsAreNotSharedWithAggregates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memory.New()
	repo, err := New(Config[*keeper]{Store: store, Codec: CodecFor[Event](noted{}),
		Stream: func(id string) string { return "keeper-" + id }, New: func(string) *keeper { return &keeper{} }})
	if err != nil {
		t.Fatal(err)
	}
	note := "n"
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	p := map[string]int{"p": 1}
	want := noted{Lines: []string{"l"}, Tags: map[string]int{"a": 1}, Note: &note, At: at, Any: map[string]any{"x": "y"},
		Deep: map[string][]int{"d": {1}}, Arr: [2][]int{{1}, {2}}, Ptrs: []*map[string]int{&p}}
	k := &keeper{changes: []Event{want}}
	if _, err := repo.Save(ctx, "k", k, eventstore.Metadata{}); err != nil {
		t.Fatal(err)
	}
	// Load twice from the store (the second read fills the cache from what
	// was read, the first from what was saved), changing what each kept.
	for i := range 3 {
		if i == 1 {
			repo.cache.drop("keeper-k")
		}
		got, err := repo.Load(ctx, "k")
		if err != nil {
			t.Fatal(err)
		}
		if len(got.kept) != 1 || !reflect.DeepEqual(got.kept[0], want) {
			t.Fatalf("load %d: %#v, want %#v", i, got.kept, want)
		}
		got.scribble()
	}
}

func TestClone(t *testing.T) {
	t.Parallel()
	note := "n"
	p := map[string]int{"p": 1}
	tests := []struct {
		name     string
		in       Event
		shares   bool // the same value comes back (nothing to copy)
		scribble func(e Event)
	}{
		{name: "plain values are not copied", in: counted{By: 1}, shares: true},
		{name: "unexported fields are kept", in: noted{quiet: true, Lines: []string{"a"}},
			scribble: func(e Event) { e.(noted).Lines[0] = "x" }},
		{name: "everything reachable is copied",
			in: noted{Lines: []string{"l"}, Tags: map[string]int{"a": 1}, Note: &note, Any: map[string]any{"x": []any{"y"}},
				Deep: map[string][]int{"d": {1}}, Arr: [2][]int{{1}, nil}, Ptrs: []*map[string]int{&p, nil}},
			scribble: func(e Event) {
				n := e.(noted)
				n.Lines[0], n.Tags["a"], *n.Note = "x", 2, "x"
				n.Any.(map[string]any)["x"].([]any)[0] = "x"
				n.Deep["d"][0], n.Arr[0][0], (*n.Ptrs[0])["p"] = 2, 2, 2
			}},
		{name: "nil references stay nil", in: noted{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			orig := clone(tt.in) // a private copy to compare with
			got := clone(tt.in)
			if !reflect.DeepEqual(got, tt.in) {
				t.Fatalf("clone = %#v, want %#v", got, tt.in)
			}
			if tt.shares != !mutable(reflect.TypeOf(tt.in)) {
				t.Fatalf("mutable(%T) = %v", tt.in, !tt.shares)
			}
			if tt.scribble != nil {
				tt.scribble(got)
				if !reflect.DeepEqual(tt.in, orig) {
					t.Fatalf("changing the clone changed the original: %#v", tt.in)
				}
			}
		})
	}
}

// heads is recording over a store that tells stream heads
// (eventstore.StreamHeads).
type heads struct {
	*recording
	h eventstore.StreamHeads
}

func (h heads) KnownNext(stream string) (uint64, bool) { return h.h.KnownNext(stream) }

// TestOnlyWriterLoadsSkipTheRead: on a store that is its data's only writer
// (the embedded shop's SQLite file), a load whose cached events reach the
// stream's known end reads nothing — a new stream included; anything else —
// nothing cached yet, another repository's later events, a conflict — reads
// as before, so no load decides on a state short of the store's.
func TestOnlyWriterLoadsSkipTheRead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := sqlitedriver.Open(ctx, filepath.Join(t.TempDir(), "shop.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	before, err := essqlite.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	// Written before the store was declared the only writer (an earlier
	// run of the shop): its head is not known.
	if err := add(ctx, counterRepo(t, before, 0), "old", 4); err != nil {
		t.Fatal(err)
	}
	es, err := essqlite.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := es.OnlyWriter(ctx); err != nil {
		t.Fatal(err)
	}
	store := heads{recording: &recording{Store: es}, h: es}
	repos := []*Repository[*counter]{counterRepo(t, store, 0), counterRepo(t, store, 0)}
	steps := []struct {
		name      string
		repo      int
		id        string
		add       int
		stale     int // save this on the aggregate repo loaded last (a stale save)
		wantFrom  []uint64
		wantTotal int
	}{
		{name: "a stream written before: read (nothing cached)", id: "old", wantFrom: []uint64{0}, wantTotal: 4},
		{name: "its next load reads nothing: the store read its end when declared the only writer", id: "old", wantTotal: 4},
		{name: "a save there", id: "old", add: 1},
		{name: "then a load reads nothing", id: "old", wantTotal: 5},
		{name: "a new stream: nothing to read, the store knows it is empty", id: "a", add: 2},
		{name: "load after own save: no read", id: "a", wantTotal: 2},
		{name: "another repository's first load reads", repo: 1, id: "a", add: 3, wantFrom: []uint64{0}},
		{name: "its events are read after the cached one", id: "a", wantFrom: []uint64{1}, wantTotal: 5},
		{name: "then nothing more", id: "a", wantTotal: 5},
		{name: "a stale save conflicts", repo: 1, id: "a", stale: 7},
		{name: "and the next load reads the whole stream", repo: 1, id: "a", wantFrom: []uint64{0}, wantTotal: 5},
	}
	var loaded [2]*counter
	for _, s := range steps {
		repo := repos[s.repo]
		if s.stale > 0 {
			loaded[s.repo].add(s.stale)
			if _, err := repo.Save(ctx, s.id, loaded[s.repo], eventstore.Metadata{}); !errors.Is(err, eventstore.ErrConcurrency) {
				t.Fatalf("%s: %v, want a conflict", s.name, err)
			}
			store.reads()
			continue
		}
		c, err := repo.Load(ctx, s.id)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		froms, _ := store.reads()
		if !reflect.DeepEqual(froms, s.wantFrom) {
			t.Errorf("%s: read from %v, want %v", s.name, froms, s.wantFrom)
		}
		if s.add == 0 && c.total != s.wantTotal {
			t.Errorf("%s: total %d, want %d", s.name, c.total, s.wantTotal)
		}
		loaded[s.repo] = c
		if s.add > 0 {
			c.add(s.add)
			if _, err := repo.Save(ctx, s.id, c, eventstore.Metadata{}); err != nil {
				t.Fatalf("%s: save: %v", s.name, err)
			}
			store.reads()
		}
	}
}
