// Package memory is the in-process invoices.Sequence (throwaway embedded
// shop, tests).
package memory

import (
	"context"
	"sync"

	"github.com/evshop/shop/invoices"
)

// Sequence implements invoices.Sequence under one mutex.
type Sequence struct {
	mu    sync.Mutex
	last  map[string]int64
	bound map[[2]string]int64
}

// New returns an empty sequence.
func New() *Sequence {
	return &Sequence{last: map[string]int64{}, bound: map[[2]string]int64{}}
}

// Assign implements invoices.Sequence.
func (s *Sequence) Assign(_ context.Context, series, key string) (int64, error) {
	if err := invoices.Validate(series, key); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n, ok := s.bound[[2]string{series, key}]; ok {
		return n, nil
	}
	s.last[series]++
	n := s.last[series]
	s.bound[[2]string{series, key}] = n
	return n, nil
}
