package eventstore

import "fmt"

// StoredID says where the event id at the same index of an append is already
// stored, if anywhere. Adapters that look ids up themselves (memory,
// Postgres) feed these to ResolveRetry so that they agree on what counts as
// a retry.
type StoredID struct {
	Found    bool
	Stream   string
	Revision Revision
	Position uint64
}

// ResolveRetry decides what an append whose ids may already be stored means.
//
//   - none stored: a fresh append (retry=false, err=nil);
//   - the whole batch stored in this stream, in order, at consecutive
//     revisions, starting where expected says the original append went (any
//     place for Any or StreamExists with an existing stream): a retry of an
//     append that succeeded, so the original result is returned (retry=true);
//   - anything else (some ids elsewhere, partly stored, a different place):
//     a conflict the caller must resolve, an error wrapping ErrConcurrency.
//
// stored must have one entry per event, in the order of the append.
func ResolveRetry(stream string, expected ExpectedRevision, stored []StoredID) (AppendResult, bool, error) {
	found := false
	for _, s := range stored {
		found = found || s.Found
	}
	if !found {
		return AppendResult{}, false, nil
	}
	conflict := func(why string, args ...any) (AppendResult, bool, error) {
		return AppendResult{}, true, fmt.Errorf("%w: stream %q: %s", ErrConcurrency, stream, fmt.Sprintf(why, args...))
	}
	start := stored[0]
	for i, s := range stored {
		if !s.Found || s.Stream != stream || s.Revision != start.Revision+uint64(i) {
			return conflict("the event ids of this append are already stored, but not as this batch")
		}
	}
	ok := expected.IsAny() || (expected.IsStreamExists() && start.Revision > 0) ||
		(expected.IsNoStream() && start.Revision == 0)
	if r, exact := expected.Exact(); exact && start.Revision == r+1 {
		ok = true
	}
	if !ok {
		return conflict("the events were already appended at revision %d, not after %s", start.Revision, expected)
	}
	last := stored[len(stored)-1]
	return AppendResult{NextExpected: last.Revision, Position: last.Position}, true, nil
}
