// Package memory is the in-process event store adapter used by tests and by
// the embedded single-process mode (cmd/shop). It keeps every event in one
// slice guarded by a mutex, so global order is simply append order and a
// concurrent reader can never miss an event that commits late: there is no
// "late" here, an append becomes visible atomically with its position.
package memory

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"slices"
	"sync"
	"time"

	"github.com/evshop/shop/eventstore"
)

// readBatch bounds how many events a reader copies per lock acquisition, so a
// long replay neither holds the lock nor copies the whole log at once.
const readBatch = 256

// Store is a goroutine-safe in-memory eventstore.Store and eventstore.Notifier.
// The zero value is not usable; call New.
type Store struct {
	mu      sync.RWMutex
	log     []eventstore.RecordedEvent // log[i].Position == i+1
	streams map[string][]int           // stream -> indexes into log, by revision
	ids     map[string]int             // canonical event id -> index into log
	// appended is closed and replaced on every append: a broadcast that
	// WaitForAppend can select on together with ctx.Done().
	appended chan struct{}
	now      func() time.Time
}

var (
	_ eventstore.Store       = (*Store)(nil)
	_ eventstore.StreamHeads = (*Store)(nil)
	_ eventstore.Notifier    = (*Store)(nil)
)

// New returns an empty store.
func New() *Store {
	return &Store{
		streams:  make(map[string][]int),
		ids:      make(map[string]int),
		appended: make(chan struct{}),
		now:      time.Now,
	}
}

// Append implements eventstore.Store.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	if err := ctx.Err(); err != nil {
		return eventstore.AppendResult{}, err
	}
	if err := eventstore.ValidateAppend(stream, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	ids := make([]string, len(events))
	for i, e := range events {
		id, err := eventstore.CanonicalID(e.ID)
		if err != nil {
			return eventstore.AppendResult{}, err
		}
		if slices.Contains(ids[:i], id) {
			return eventstore.AppendResult{}, fmt.Errorf("%w: event id %s appears twice in one append", eventstore.ErrInvalidEvent, id)
		}
		ids[i] = id
	}

	s.mu.Lock()
	defer s.mu.Unlock()

	revs := s.streams[stream]
	if res, done, err := s.retried(stream, expected, ids); done {
		return res, err
	}
	current, exists := uint64(0), len(revs) > 0
	if exists {
		current = uint64(len(revs) - 1)
	}
	if !expected.Check(current, exists) {
		return eventstore.AppendResult{}, fmt.Errorf("%w: stream %q expected %s, has %s", eventstore.ErrConcurrency, stream, expected, describe(current, exists))
	}

	// Microseconds, as Postgres stores them, so both adapters round-trip
	// the same envelope.
	now := s.now().UTC().Truncate(time.Microsecond)
	next := uint64(len(revs))
	for i, e := range events {
		idx := len(s.log)
		s.log = append(s.log, eventstore.RecordedEvent{
			ID:       ids[i],
			Stream:   stream,
			Revision: next + uint64(i),
			Position: uint64(idx) + 1,
			Type:     e.Type,
			Time:     now,
			Data:     cloneData(e.Data),
			Metadata: e.Metadata,
		})
		revs = append(revs, idx)
		s.ids[ids[i]] = idx
	}
	s.streams[stream] = revs
	close(s.appended)
	s.appended = make(chan struct{})
	last := s.log[len(s.log)-1]
	return eventstore.AppendResult{NextExpected: last.Revision, Position: last.Position}, nil
}

// retried recognises a retry of an append that already succeeded; see
// eventstore.ResolveRetry. Callers hold s.mu.
func (s *Store) retried(stream string, expected eventstore.ExpectedRevision, ids []string) (eventstore.AppendResult, bool, error) {
	stored := make([]eventstore.StoredID, len(ids))
	for i, id := range ids {
		if idx, ok := s.ids[id]; ok {
			e := s.log[idx]
			stored[i] = eventstore.StoredID{Found: true, Stream: e.Stream, Revision: e.Revision, Position: e.Position}
		}
	}
	return eventstore.ResolveRetry(stream, expected, stored)
}

// Read implements eventstore.Store.
// KnownNext implements eventstore.StreamHeads: the memory store holds every
// stream.
func (s *Store) KnownNext(stream string) (uint64, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return uint64(len(s.streams[stream])), true
}

func (s *Store) Read(ctx context.Context, stream string, from eventstore.Revision) iter.Seq2[eventstore.RecordedEvent, error] {
	return func(yield func(eventstore.RecordedEvent, error) bool) {
		next := from
		for {
			if err := ctx.Err(); err != nil {
				yield(eventstore.RecordedEvent{}, err)
				return
			}
			batch := s.streamBatch(stream, next)
			if len(batch) == 0 {
				return
			}
			for _, e := range batch {
				if !yield(e, nil) {
					return
				}
			}
			next = batch[len(batch)-1].Revision + 1
		}
	}
}

func (s *Store) streamBatch(stream string, from uint64) []eventstore.RecordedEvent {
	s.mu.RLock()
	defer s.mu.RUnlock()
	revs := s.streams[stream]
	if from >= uint64(len(revs)) {
		return nil
	}
	revs = revs[from:min(uint64(len(revs)), from+readBatch)]
	out := make([]eventstore.RecordedEvent, len(revs))
	for i, idx := range revs {
		out[i] = copyEvent(s.log[idx])
	}
	return out
}

// ReadAll implements eventstore.Store. It keeps reading until it reaches the
// head as it is when the iterator catches up, so events appended during the
// iteration are included.
func (s *Store) ReadAll(ctx context.Context, after uint64, filter eventstore.Filter) iter.Seq2[eventstore.RecordedEvent, error] {
	return func(yield func(eventstore.RecordedEvent, error) bool) {
		next := after // index of the first event with Position > after
		for {
			if err := ctx.Err(); err != nil {
				yield(eventstore.RecordedEvent{}, err)
				return
			}
			batch, scanned := s.allBatch(next, filter)
			if scanned == 0 {
				return
			}
			for _, e := range batch {
				if !yield(e, nil) {
					return
				}
			}
			next += scanned
		}
	}
}

// allBatch copies the events passing filter among the next readBatch events
// starting at index from, and reports how many it scanned.
func (s *Store) allBatch(from uint64, filter eventstore.Filter) ([]eventstore.RecordedEvent, uint64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if from >= uint64(len(s.log)) {
		return nil, 0
	}
	window := s.log[from:min(uint64(len(s.log)), from+readBatch)]
	var out []eventstore.RecordedEvent
	for _, e := range window {
		if filter.Match(e) {
			out = append(out, copyEvent(e))
		}
	}
	return out, uint64(len(window))
}

// HeadPosition implements eventstore.Store.
func (s *Store) HeadPosition(ctx context.Context) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return uint64(len(s.log)), nil
}

// WaitForAppend implements eventstore.Notifier.
func (s *Store) WaitForAppend(ctx context.Context, after uint64) error {
	for {
		s.mu.RLock()
		head, ch := uint64(len(s.log)), s.appended
		s.mu.RUnlock()
		if head > after {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

func describe(current uint64, exists bool) string {
	if !exists {
		return "no stream"
	}
	return fmt.Sprintf("revision %d", current)
}

// cloneData copies the caller's bytes so later mutation on either side cannot
// rewrite history. Absent data is stored as JSON null, as the other adapters
// return it.
func cloneData(d json.RawMessage) json.RawMessage {
	if len(d) == 0 {
		return json.RawMessage("null")
	}
	return slices.Clone(d)
}

func copyEvent(e eventstore.RecordedEvent) eventstore.RecordedEvent {
	e.Data = slices.Clone(e.Data)
	return e
}
