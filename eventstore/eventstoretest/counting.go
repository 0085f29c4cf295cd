package eventstoretest

import (
	"context"
	"iter"
	"sync/atomic"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
)

// CountingReads is a memory store that counts the reads of $all, for tests
// of readers that must not read when there is nothing to read (the relay,
// the webhook dispatcher).
type CountingReads struct {
	*memory.Store
	Reads atomic.Int64
}

// NewCountingReads returns an empty counting store.
func NewCountingReads() *CountingReads { return &CountingReads{Store: memory.New()} }

// ReadAll counts the read and reads the memory store.
func (s *CountingReads) ReadAll(ctx context.Context, after uint64, f eventstore.Filter) iter.Seq2[eventstore.RecordedEvent, error] {
	s.Reads.Add(1)
	return s.Store.ReadAll(ctx, after, f)
}
