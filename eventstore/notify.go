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

// StreamHeads is an optional port of a store that is its data's only
// writer, and so knows where a stream ends without reading it: the memory
// store, the embedded shop's SQLite file (whose data directory the shop
// holds locked), and the PostgreSQL store after TrackHeads while no other
// process was heard appending (the one-process server shop). A repository
// whose cached copy of a stream reaches that far can skip the read. Check
// for it with a type assertion.
type StreamHeads interface {
	// KnownNext returns the revision the stream's next event would get (0:
	// no such stream), and ok=false when the store cannot tell without a
	// read. It may tell a revision too high, never too low: an append
	// counts from before its commit, and one that then fails only costs
	// a read.
	KnownNext(stream string) (next uint64, ok bool)
}
