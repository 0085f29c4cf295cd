package eventstore

import "context"

// Notifier is an optional port implemented by adapters that can wake a reader
// as soon as something is appended, so that the relay and live projections do
// not pay a polling interval of latency. Check for it with a type assertion:
//
//	if n, ok := store.(eventstore.Notifier); ok { ... }
type Notifier interface {
	// WaitForAppend blocks until HeadPosition is greater than after, or ctx
	// ends (then it returns ctx.Err()). It may return early without a new
	// event (spurious wake-up); callers re-read and wait again.
	WaitForAppend(ctx context.Context, after uint64) error
}

// StreamHeads is an optional port of a store that knows where a stream ends
// without reading it: the memory store and the embedded shop's SQLite file
// (whose data directory the shop holds locked) are their data's only
// writers; the PostgreSQL store after TrackHeads knows the streams this
// process appended to until it hears of another process's append. A
// repository whose cached copy of a stream reaches that far can skip the
// read. Check for it with a type assertion.
type StreamHeads interface {
	// KnownNext returns the revision the stream's next event would get (0:
	// no such stream), and ok=false when the store cannot tell without a
	// read. It may tell a revision too high, never too low of this
	// process's own appends (an append counts from before its commit, and
	// one that then fails only costs a read). A store shared with other
	// processes may, for the moment it takes their notification to
	// arrive, tell one short of their appends: a command decided on it
	// fails its append's expected revision, which makes the store forget
	// the stream, so the retry reads.
	KnownNext(stream string) (next uint64, ok bool)
}
