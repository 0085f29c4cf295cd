package esrepo

import (
	"container/list"
	"reflect"
	"sync"
)

// DefaultCacheEvents is how many decoded events a Repository keeps by
// default (Config.CacheEvents): enough for the streams of the checkouts in
// flight, a few MiB at most.
const DefaultCacheEvents = 20_000

// cache keeps the decoded events of recently loaded streams, least recently
// used out first, bounded by the number of events it holds. It is only ever
// a prefix of a stream: Load still reads the store after it, so a cached
// prefix can make a load cheaper but never older than the store.
//
// For an aggregate that can copy itself (Copier) the cache also keeps the
// aggregate as the last load left it, and the events of that prefix are let
// go: a load copies it and applies only what came after, so a stream that
// grows for ever (a customer's basket) costs the same to load at its
// thousandth event as at its tenth.
//
// A cached slice is never written below its length once published: readers
// take it clipped (s[:n:n]) under the lock and read it after releasing the
// lock, and extend appends beyond the length only, under the lock. A kept
// aggregate is never changed: it is replaced, and handed out as copies.
type cache struct {
	mu      sync.Mutex
	max     int // events (a kept aggregate counts as one)
	held    int // events in all entries
	streams map[string]*list.Element
	lru     list.List // of *entry, most recently used first
}

type entry struct {
	stream string
	cached
}

// weight is what e counts towards the bound.
func (e *entry) weight() int {
	if e.state != nil {
		return len(e.events) + 1
	}
	return len(e.events)
}

// cached is what the cache holds of a stream: the aggregate folded over
// the stream's first at events (nil: none, at is 0), and the events after
// it.
type cached struct {
	state  any
	at     uint64
	events []Event
}

// next is the revision after what c holds.
func (c cached) next() uint64 { return c.at + uint64(len(c.events)) }

// empty reports whether nothing of the stream is cached.
func (c cached) empty() bool { return c.state == nil && len(c.events) == 0 }

func newCache(max int) *cache {
	return &cache{max: max, streams: map[string]*list.Element{}}
}

// get returns what is cached of stream.
func (c *cache) get(stream string) cached {
	if c == nil {
		return cached{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.streams[stream]
	if !ok {
		return cached{}
	}
	c.lru.MoveToFront(el)
	got := el.Value.(*entry).cached
	got.events = got.events[:len(got.events):len(got.events)]
	return got
}

// extend records that events are the stream's events from revision from
// on. It is kept only where it continues the cached prefix exactly (or
// starts the stream); anything else is left as it is: a gap cannot be
// filled, and an overlap holds the same events, the store being
// append-only.
func (c *cache) extend(stream string, from uint64, events []Event) {
	if c == nil || len(events) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.streams[stream]
	switch {
	case !ok && from != 0:
		return
	case !ok:
		el = c.lru.PushFront(&entry{stream: stream})
		c.streams[stream] = el
	case el.Value.(*entry).next() != from:
		return
	default:
		c.lru.MoveToFront(el)
	}
	e := el.Value.(*entry)
	e.events = append(e.events, events...)
	c.held += len(events)
	c.trim()
}

// keep records state as the aggregate folded over the stream's first at
// events, in place of those events. Like extend, only where it continues
// the cached prefix exactly: at is where the cached events end.
func (c *cache) keep(stream string, at uint64, state any) {
	if c == nil || at == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.streams[stream]
	if !ok || el.Value.(*entry).next() != at {
		return
	}
	e := el.Value.(*entry)
	c.held -= e.weight()
	e.state, e.at, e.events = state, at, nil
	c.held += e.weight()
	c.trim()
}

// trim lets the least recently used entries go while over the bound.
func (c *cache) trim() {
	for c.held > c.max && c.lru.Len() > 0 {
		c.remove(c.lru.Back())
	}
}

// drop forgets stream.
func (c *cache) drop(stream string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.streams[stream]; ok {
		c.remove(el)
	}
}

func (c *cache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*entry)
	delete(c.streams, e.stream)
	c.held -= e.weight()
}

// len reports the streams and events held (tests).
func (c *cache) len() (streams, events int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len(), c.held
}

// clone returns a copy of e that shares nothing mutable with it: cached
// events are applied to a fresh aggregate at every load, and an aggregate
// may keep a slice, map or pointer of an event it applied (a basket keeps
// the lines of its checkouts) and change it later. Events made only of
// strings, numbers and times are returned as they are, at no cost.
func clone(e Event) Event {
	v := reflect.ValueOf(e)
	if v.Kind() == reflect.Invalid || !mutable(v.Type()) {
		return e
	}
	return deepCopy(v).Interface().(Event)
}

// mutability caches mutable by type.
var mutability sync.Map // reflect.Type → bool

// mutable reports whether a value of t can share memory that a holder of a
// copy could change: pointers, slices, maps and interfaces, in t or in its
// exported fields. Unexported fields are copied as they are (time.Time's
// location, for one, is never changed).
func mutable(t reflect.Type) bool {
	if m, ok := mutability.Load(t); ok {
		return m.(bool)
	}
	m := mutableIn(t, map[reflect.Type]bool{})
	mutability.Store(t, m)
	return m
}

func mutableIn(t reflect.Type, seen map[reflect.Type]bool) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return true
	case reflect.Array:
		return mutableIn(t.Elem(), seen)
	case reflect.Struct:
		if seen[t] {
			return false // decided by the first visit
		}
		seen[t] = true
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && mutableIn(f.Type, seen) {
				return true
			}
		}
	}
	return false
}

// deepCopy copies v down to the values that cannot be shared mutably.
func deepCopy(v reflect.Value) reflect.Value {
	t := v.Type()
	if !mutable(t) {
		return v
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		p := reflect.New(t.Elem())
		p.Elem().Set(deepCopy(v.Elem()))
		return p
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		s := reflect.MakeSlice(t, v.Len(), v.Len())
		for i := range v.Len() {
			s.Index(i).Set(deepCopy(v.Index(i)))
		}
		return s
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		m := reflect.MakeMapWithSize(t, v.Len())
		for it := v.MapRange(); it.Next(); {
			m.SetMapIndex(deepCopy(it.Key()), deepCopy(it.Value()))
		}
		return m
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		i := reflect.New(t).Elem()
		i.Set(deepCopy(v.Elem()))
		return i
	case reflect.Array:
		a := reflect.New(t).Elem()
		for i := range v.Len() {
			a.Index(i).Set(deepCopy(v.Index(i)))
		}
		return a
	case reflect.Struct:
		s := reflect.New(t).Elem()
		s.Set(v) // every field, the unexported ones included
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && mutable(f.Type) {
				s.Field(i).Set(deepCopy(v.Field(i)))
			}
		}
		return s
	}
	return v
}
