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
