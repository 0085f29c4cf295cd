package postgres

import "sync"

// maxHeads bounds the head table; past it the table starts over (what it
// forgets is read again).
const maxHeads = 100_000

// heads is where streams end as far as this process knows (TrackHeads):
// the revision after its own last append to a stream, kept only while no
// other append of the process to that stream overlapped it or came since,
// told only while the head watcher listens and no other process was ever
// heard appending.
//
// The head is noted after the commit, so an append forgets its stream when
// it begins (readers then read it) and notes it when it ends only if it
// ran alone: no append of this process to the stream was in flight when it
// began, and none began before it ended. Two overlapping appends note
// nothing — the later
// to end may hold the earlier revision — so a head is never noted short of
// an append of this process.
type heads struct {
	mu       sync.Mutex
	on       bool              // listening: other processes' appends are heard
	others   bool              // another writer was heard: never tell again
	seq      uint64            // counts what was forgotten
	floor    uint64            // notes begun before it are dropped (a clear)
	next     map[string]uint64 // stream → the revision its next event gets
	dropped  map[string]uint64 // stream → seq when it was last forgotten
	inflight map[string]int    // stream → appends of this process under way
}

// known returns stream's next revision, if it is known.
func (h *heads) known(stream string) (uint64, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.on || h.others {
		return 0, false
	}
	next, ok := h.next[stream]
	return next, ok
}

// listening reports whether other processes' appends are heard.
func (h *heads) listening() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.on
}

// forget drops stream and returns the mark a note must be newer than;
// h.mu is held.
func (h *heads) forget(stream string) uint64 {
	h.seq++
	delete(h.next, stream)
	if h.dropped == nil || len(h.dropped) >= maxHeads {
		h.dropped, h.floor = map[string]uint64{}, h.seq
	}
	h.dropped[stream] = h.seq
	return h.seq
}

// begin starts an append to stream: it forgets the stream and returns the
// mark end needs, and whether the append runs alone so far.
func (h *heads) begin(stream string) (mark uint64, alone bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.others {
		return 0, false // never told again: nothing to keep
	}
	if h.inflight == nil {
		h.inflight = map[string]int{}
	}
	alone = h.inflight[stream] == 0
	h.inflight[stream]++
	return h.forget(stream), alone
}

// end finishes an append begun with mark: one that committed (next is then
// the revision the stream's next event gets) notes the head if it ran
// alone and nothing forgot the stream since it began.
func (h *heads) end(stream string, mark uint64, alone, committed bool, next uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.others {
		return
	}
	if h.inflight[stream]--; h.inflight[stream] <= 0 {
		delete(h.inflight, stream)
	}
	if !committed || !alone || !h.on || mark < h.floor || h.dropped[stream] != mark {
		return
	}
	if h.next == nil || len(h.next) >= maxHeads {
		h.next = map[string]uint64{}
	}
	h.next[stream] = next
}

// reset forgets everything; on tells whether other processes' appends are
// heard from now on.
func (h *heads) reset(on bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	h.on, h.floor = on, h.seq
	h.next, h.dropped = nil, nil // not inflight: those appends are still under way
}

// heard applies a notification: one of this process (its id, self) says
// nothing new; any other means another writer, and the heads are never told
// again, so nothing of them is kept or kept up from then on (begin and end
// return at once).
func (h *heads) heard(payload, self string) {
	if payload == self {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.others = true
	h.next, h.dropped, h.inflight = nil, nil, nil
}
