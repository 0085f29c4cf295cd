// Package export turns event history into files for analysts: a query over
// the event store ($all in global order, filtered by stream prefix, type
// glob, time and position), streamed in constant memory to JSON Lines, CSV
// (data fields flattened to columns) or Parquet (typed columns, one file per
// event type), plus per-day statistics and the timeline of one order. It
// only reads the store: exporting never appends, sends or calls anything.
package export

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"path"
	"strings"
	"time"

	"github.com/evshop/shop/eventstore"
)

// ErrInvalidQuery is returned by Query.Validate.
var ErrInvalidQuery = errors.New("export: invalid query")

// Reader is the read side of the event store export needs. It has no
// Append: an export cannot write history.
type Reader interface {
	ReadAll(ctx context.Context, after uint64, filter eventstore.Filter) iter.Seq2[eventstore.RecordedEvent, error]
	HeadPosition(ctx context.Context) (uint64, error)
}

// Query selects events. Zero fields match everything.
type Query struct {
	StreamPrefixes []string
	// Types are exact wire names or path.Match globs ("ordering.*",
	// "*.OrderPlaced.v?").
	Types []string
	// Since (inclusive) and Until (exclusive) bound the event time.
	Since, Until time.Time
	// FromPosition and ToPosition bound the global position, inclusive.
	FromPosition, ToPosition uint64
}

// Validate checks the query.
func (q Query) Validate() error {
	for _, p := range q.StreamPrefixes {
		if p == "" || len(p) > 200 {
			return fmt.Errorf("%w: stream prefix must be 1..200 characters", ErrInvalidQuery)
		}
	}
	for _, t := range q.Types {
		if t == "" || len(t) > 200 {
			return fmt.Errorf("%w: type must be 1..200 characters", ErrInvalidQuery)
		}
		if _, err := path.Match(t, ""); err != nil {
			return fmt.Errorf("%w: type pattern %q: %v", ErrInvalidQuery, t, err)
		}
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Since.Before(q.Until) {
		return fmt.Errorf("%w: since must be before until", ErrInvalidQuery)
	}
	if q.ToPosition != 0 && q.FromPosition > q.ToPosition {
		return fmt.Errorf("%w: from-position is after to-position", ErrInvalidQuery)
	}
	return nil
}

func isGlob(s string) bool { return strings.ContainsAny(s, `*?[\`) }

// storeFilter is the part of the query the store can apply itself: stream
// prefixes always, types only when none is a glob.
func (q Query) storeFilter() eventstore.Filter {
	f := eventstore.Filter{StreamPrefixes: q.StreamPrefixes}
	for _, t := range q.Types {
		if isGlob(t) {
			return f
		}
	}
	f.EventTypes = q.Types
	return f
}

// MatchType reports whether typ is selected.
func (q Query) MatchType(typ string) bool {
	if len(q.Types) == 0 {
		return true
	}
	for _, t := range q.Types {
		if ok, _ := path.Match(t, typ); ok {
			return true
		}
	}
	return false
}

// Match reports whether ev is selected.
func (q Query) Match(ev eventstore.RecordedEvent) bool {
	if ev.Position < q.FromPosition || (q.ToPosition != 0 && ev.Position > q.ToPosition) {
		return false
	}
	if (!q.Since.IsZero() && ev.Time.Before(q.Since)) || (!q.Until.IsZero() && !ev.Time.Before(q.Until)) {
		return false
	}
	return eventstore.Filter{StreamPrefixes: q.StreamPrefixes}.MatchStream(ev.Stream) && q.MatchType(ev.Type)
}

// Events streams the selected events in global order. It holds one page of
// the store at a time, whatever the size of the history.
func Events(ctx context.Context, r Reader, q Query) iter.Seq2[eventstore.RecordedEvent, error] {
	return func(yield func(eventstore.RecordedEvent, error) bool) {
		if err := q.Validate(); err != nil {
			yield(eventstore.RecordedEvent{}, err)
			return
		}
		after := uint64(0)
		if q.FromPosition > 0 {
			after = q.FromPosition - 1
		}
		for ev, err := range r.ReadAll(ctx, after, q.storeFilter()) {
			if err != nil {
				yield(ev, err)
				return
			}
			if q.ToPosition != 0 && ev.Position > q.ToPosition {
				return
			}
			if !q.Match(ev) {
				continue
			}
			if !yield(ev, nil) {
				return
			}
		}
	}
}
