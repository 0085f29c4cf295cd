package sqlite

import (
	"slices"
	"sync"

	"github.com/evshop/shop/eventstore"
)

// recentCap is how many of the newest events the only writer keeps in
// memory for its readers (~10 MiB at the shop's event sizes).
const recentCap = 1 << 14

// recent holds the newest committed events of the only writer's log
// (OnlyWriter), in position order without a gap, and where each stream's
// events among them are. The shop's readers follow the log closely — the
// read models' runners, the relay and the saga read $all just behind its
// head, the order API and the notifier read the order streams just
// written — so most reads are served from it without a query.
//
// It is filled by the appends' commit hooks (sqlite.DB.OnCommit), which run
// in position order once the events are committed and before any append of
// that group returns: a reader never sees an event the file does not hold,
// and never misses one an append has reported. The store's HeadPosition
// then tells the window's end (committed), so a reader that reaches it has
// read everything committed up to the head it was told.
type recent struct {
	mu      sync.RWMutex
	ring    []eventstore.RecordedEvent // positions first .. first+n-1, from ring[start]
	start   int
	n       int
	first   uint64
	streams map[string][]uint64 // each stream's positions in the window, ascending
}

func newRecent(capacity int) *recent {
	return &recent{ring: make([]eventstore.RecordedEvent, capacity), streams: map[string][]uint64{}}
}

// at is the event at position p, which the window holds. Callers hold mu.
func (w *recent) at(p uint64) *eventstore.RecordedEvent {
	return &w.ring[(w.start+int(p-w.first))%len(w.ring)]
}

// add appends committed events, contiguous and in position order. Events
// that do not follow the window's last start it afresh.
func (w *recent) add(events []eventstore.RecordedEvent) {
	if len(events) == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.n > 0 && events[0].Position != w.first+uint64(w.n) {
		w.clear()
	}
	if w.n == 0 {
		w.first = events[0].Position
	}
	for _, e := range events {
		if w.n == len(w.ring) { // full: the oldest leaves
			old := &w.ring[w.start]
			if ps := w.streams[old.Stream]; len(ps) <= 1 {
				delete(w.streams, old.Stream)
			} else {
				w.streams[old.Stream] = ps[1:]
			}
			*old = eventstore.RecordedEvent{}
			w.start = (w.start + 1) % len(w.ring)
			w.first++
			w.n--
		}
		w.ring[(w.start+w.n)%len(w.ring)] = e
		w.n++
		w.streams[e.Stream] = append(w.streams[e.Stream], e.Position)
	}
}

// reset empties the window: reads go to the file until the next add.
func (w *recent) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.clear()
}

// clear empties the window. Callers hold mu.
func (w *recent) clear() {
	clear(w.ring)
	clear(w.streams)
	w.start, w.n = 0, 0
}

// all returns copies of the events after position after that pass filter,
// at most limit of them, and the position it read up to; ok is false when
// the window does not reach back to after+1 (the caller reads the file).
func (w *recent) all(after uint64, filter eventstore.Filter, limit int) (out []eventstore.RecordedEvent, upTo uint64, ok bool) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.n == 0 || after+1 < w.first {
		return nil, after, false
	}
	last := w.first + uint64(w.n) - 1
	p := after + 1
	for ; p <= last && len(out) < limit; p++ {
		if e := w.at(p); filter.Match(*e) {
			out = append(out, copyEvent(*e))
		}
	}
	return out, p - 1, true
}

// stream returns copies of stream's events from revision from on; ok is
// false unless the window holds every one of them (the caller reads the
// file).
func (w *recent) stream(stream string, from uint64) ([]eventstore.RecordedEvent, bool) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	ps := w.streams[stream]
	if len(ps) == 0 || w.at(ps[0]).Revision > from {
		return nil, false
	}
	out := make([]eventstore.RecordedEvent, 0, len(ps))
	for _, p := range ps {
		if e := w.at(p); e.Revision >= from {
			out = append(out, copyEvent(*e))
		}
	}
	return out, true
}

// copyEvent gives a reader its own copy of the data.
func copyEvent(e eventstore.RecordedEvent) eventstore.RecordedEvent {
	e.Data = slices.Clone(e.Data)
	return e
}
