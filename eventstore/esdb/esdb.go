// Package esdb is the EventStoreDB (KurrentDB) adapter of the event store
// port, on the gRPC client github.com/EventStore/EventStore-Client-Go/v4.
//
// # Global position
//
// EventStoreDB orders $all by a (commit, prepare) pair of transaction-log
// byte offsets. Every event appended through the gRPC API is its own
// committed prepare record, so its commit and prepare positions are equal
// and unique; the envelope's uint64 Position is that commit position, and
// ReadAll(after) resumes from Position{Commit: after, Prepare: after},
// skipping the event at after itself. This is the server's documented way
// to resume from a commit position alone; it does not hold for events
// written with the legacy TCP API's explicit transactions, which this
// adapter does not support. Positions are therefore large and sparse (byte
// offsets), never dense counters: compare them, never subtract them.
//
// # Known differences from the other adapters
//
//   - Event ids are deduplicated per stream only, and by the server's
//     best-effort idempotency check: an id stored in another stream is not
//     refused, and a retry with Exact pointing at the current head, or with
//     Any whose first id is new, can store duplicates instead of failing.
//   - Depending on the server version, events read from one stream may not
//     carry their $all position (the server reads them from its index);
//     the envelope then has Position 0. ReadAll always has it.
//   - ReadAll filters on the client (the non-subscription read API has no
//     server-side filter), so a narrow filter over a long history reads the
//     whole history; system events ($-prefixed stream or type) are skipped.
package esdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"slices"
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/evshop/shop/eventstore"
)

// pageSize is how many events one read request asks for.
const pageSize = 500

// Store is the EventStoreDB eventstore.Store and eventstore.Notifier.
type Store struct {
	client *esdb.Client
}

var (
	_ eventstore.Store    = (*Store)(nil)
	_ eventstore.Notifier = (*Store)(nil)
)

// New connects with an EventStoreDB connection string (e.g.
// "esdb://127.0.0.1:2113?tls=false") and checks the server answers.
func New(ctx context.Context, connString string) (*Store, error) {
	cfg, err := esdb.ParseConnectionString(connString)
	if err != nil {
		return nil, fmt.Errorf("eventstore/esdb: connection string: %w", err)
	}
	client, err := esdb.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("eventstore/esdb: client: %w", err)
	}
	s := &Store{client: client}
	if _, err := s.HeadPosition(ctx); err != nil {
		client.Close() //nolint:errcheck // already failing
		return nil, fmt.Errorf("eventstore/esdb: connect: %w", err)
	}
	return s, nil
}

// Close closes the client's connections.
func (s *Store) Close() error { return s.client.Close() }

// Append implements eventstore.Store.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	if err := ctx.Err(); err != nil {
		return eventstore.AppendResult{}, err
	}
	if err := eventstore.ValidateAppend(stream, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	out := make([]esdb.EventData, len(events))
	for i, e := range events {
		id, err := uuid.Parse(e.ID)
		if err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("%w: event id %q is not a UUID", eventstore.ErrInvalidEvent, e.ID)
		}
		for _, prev := range out[:i] {
			if prev.EventID == id {
				return eventstore.AppendResult{}, fmt.Errorf("%w: event id %s appears twice in one append", eventstore.ErrInvalidEvent, id)
			}
		}
		meta, err := json.Marshal(e.Metadata)
		if err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("%w: event %d metadata: %v", eventstore.ErrInvalidEvent, i, err)
		}
		data := []byte(e.Data)
		if len(data) == 0 {
			data = []byte("null")
		}
		out[i] = esdb.EventData{EventID: id, EventType: e.Type, ContentType: esdb.ContentTypeJson, Data: data, Metadata: meta}
	}
	var exp esdb.ExpectedRevision
	switch r, exact := expected.Exact(); {
	case exact:
		exp = esdb.Revision(r)
	case expected.IsNoStream():
		exp = esdb.NoStream{}
	case expected.IsStreamExists():
		exp = esdb.StreamExists{}
	default:
		exp = esdb.Any{}
	}
	res, err := s.client.AppendToStream(ctx, stream, esdb.AppendToStreamOptions{ExpectedRevision: exp}, out...)
	if err != nil {
		var esErr *esdb.Error
		if errors.As(err, &esErr) && esErr.Code() == esdb.ErrorCodeWrongExpectedVersion {
			return eventstore.AppendResult{}, fmt.Errorf("%w: stream %q expected %s: %v", eventstore.ErrConcurrency, stream, expected, err)
		}
		return eventstore.AppendResult{}, fmt.Errorf("eventstore/esdb: append to %q: %w", stream, err)
	}
	result := eventstore.AppendResult{NextExpected: res.NextExpectedVersion, Position: res.CommitPosition}
	if result.Position == 0 {
		// An idempotent retry is answered without a position: take the
		// original one from the stream, if the server reports it there.
		for e, err := range s.Read(ctx, stream, res.NextExpectedVersion) {
			if err == nil && e.Revision == res.NextExpectedVersion {
				result.Position = e.Position
			}
			break
		}
	}
	return result, nil
}

// Read implements eventstore.Store.
func (s *Store) Read(ctx context.Context, stream string, from eventstore.Revision) iter.Seq2[eventstore.RecordedEvent, error] {
	return func(yield func(eventstore.RecordedEvent, error) bool) {
		next := from
		for {
			rs, err := s.client.ReadStream(ctx, stream, esdb.ReadStreamOptions{From: esdb.Revision(next), Direction: esdb.Forwards}, pageSize)
			if err != nil {
				yield(eventstore.RecordedEvent{}, fmt.Errorf("eventstore/esdb: read %q: %w", stream, err))
				return
			}
			n, stop, err := drain(rs, func(e *esdb.RecordedEvent) bool {
				next = e.EventNumber + 1
				env, err := envelope(e)
				return yield(env, err) && err == nil
			})
			if notFound(err) {
				return
			}
			if err != nil {
				yield(eventstore.RecordedEvent{}, fmt.Errorf("eventstore/esdb: read %q: %w", stream, err))
				return
			}
			if stop || n < pageSize {
				return
			}
		}
	}
}

// ReadAll implements eventstore.Store. EventStoreDB commits $all in order,
// so there is no late commit to guard against.
func (s *Store) ReadAll(ctx context.Context, after uint64, filter eventstore.Filter) iter.Seq2[eventstore.RecordedEvent, error] {
	return func(yield func(eventstore.RecordedEvent, error) bool) {
		next := after
		for {
			var from esdb.AllPosition = esdb.Start{}
			if next > 0 {
				from = esdb.Position{Commit: next, Prepare: next}
			}
			rs, err := s.client.ReadAll(ctx, esdb.ReadAllOptions{From: from, Direction: esdb.Forwards}, pageSize)
			if err != nil {
				yield(eventstore.RecordedEvent{}, fmt.Errorf("eventstore/esdb: read $all: %w", err))
				return
			}
			n, stop, err := drain(rs, func(e *esdb.RecordedEvent) bool {
				if e.Position.Commit <= next {
					return true // the event at the resume position itself
				}
				next = e.Position.Commit
				if system(e) {
					return true
				}
				env, err := envelope(e)
				if err == nil && !filter.Match(env) {
					return true
				}
				return yield(env, err) && err == nil
			})
			if err != nil {
				yield(eventstore.RecordedEvent{}, fmt.Errorf("eventstore/esdb: read $all: %w", err))
				return
			}
			if stop || n < pageSize {
				return
			}
		}
	}
}

// HeadPosition implements eventstore.Store: the position of the newest
// non-system event.
func (s *Store) HeadPosition(ctx context.Context) (uint64, error) {
	var from esdb.AllPosition = esdb.End{}
	for {
		rs, err := s.client.ReadAll(ctx, esdb.ReadAllOptions{From: from, Direction: esdb.Backwards}, 64)
		if err != nil {
			return 0, fmt.Errorf("eventstore/esdb: head: %w", err)
		}
		var head, oldest uint64
		n, _, err := drain(rs, func(e *esdb.RecordedEvent) bool {
			oldest = e.Position.Commit
			if system(e) {
				return true
			}
			head = e.Position.Commit
			return false
		})
		if err != nil {
			return 0, fmt.Errorf("eventstore/esdb: head: %w", err)
		}
		if head > 0 || n < 64 {
			return head, nil
		}
		// A page of system events only: look further back.
		from = esdb.Position{Commit: oldest, Prepare: oldest}
	}
}

// WaitForAppend implements eventstore.Notifier with a $all subscription
// that excludes system events.
func (s *Store) WaitForAppend(ctx context.Context, after uint64) error {
	if head, err := s.HeadPosition(ctx); err != nil || head > after {
		return err
	}
	var from esdb.AllPosition = esdb.Start{}
	if after > 0 {
		from = esdb.Position{Commit: after, Prepare: after}
	}
	sub, err := s.client.SubscribeToAll(ctx, esdb.SubscribeToAllOptions{From: from, Filter: esdb.ExcludeSystemEventsFilter()})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("eventstore/esdb: subscribe: %w", err)
	}
	defer sub.Close() //nolint:errcheck
	for {
		ev := sub.Recv()
		switch {
		case ev.EventAppeared != nil:
			if e := ev.EventAppeared.OriginalEvent(); e != nil && e.Position.Commit > after {
				return nil
			}
		case ev.SubscriptionDropped != nil:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("eventstore/esdb: subscription dropped: %w", ev.SubscriptionDropped.Error)
		}
	}
}

// drain reads one page, calling fn per event until it returns false
// (stop=true). It returns how many events the page held up to there.
func drain(rs *esdb.ReadStream, fn func(*esdb.RecordedEvent) bool) (n int, stop bool, err error) {
	defer rs.Close()
	for {
		r, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return n, false, nil
		}
		if err != nil {
			return n, false, err
		}
		n++
		e := r.OriginalEvent()
		if e == nil {
			continue
		}
		if !fn(e) {
			return n, true, nil
		}
	}
}

func notFound(err error) bool {
	var esErr *esdb.Error
	return errors.As(err, &esErr) && esErr.Code() == esdb.ErrorCodeResourceNotFound
}

func system(e *esdb.RecordedEvent) bool {
	return strings.HasPrefix(e.StreamID, "$") || strings.HasPrefix(e.EventType, "$")
}

func envelope(e *esdb.RecordedEvent) (eventstore.RecordedEvent, error) {
	env := eventstore.RecordedEvent{
		ID:       e.EventID.String(),
		Stream:   e.StreamID,
		Revision: e.EventNumber,
		Type:     e.EventType,
		Time:     e.CreatedDate.UTC(),
		Data:     slices.Clone(e.Data),
	}
	// Reads served from the index carry no log position.
	if e.Position.Commit != math.MaxUint64 {
		env.Position = e.Position.Commit
	}
	if len(env.Data) == 0 {
		env.Data = json.RawMessage("null")
	}
	if len(e.UserMetadata) > 0 {
		if err := json.Unmarshal(e.UserMetadata, &env.Metadata); err != nil {
			return env, fmt.Errorf("eventstore/esdb: event %s metadata: %w", env.ID, err)
		}
	}
	return env, nil
}
