package sandbox

import (
	"context"
	"fmt"
	"maps"
	"sync"

	"github.com/evshop/shop/payments"
)

// Auth is what the sandbox provider knows of one authorization (or, with
// Declined, of one declined attempt).
type Auth struct {
	Amount     int64            `json:"amount"`
	Declined   bool             `json:"declined,omitempty"`
	CapturedBy string           `json:"capturedBy,omitempty"` // idempotency key of the capture
	Captured   int64            `json:"captured,omitempty"`
	Voided     bool             `json:"voided,omitempty"`
	Refunds    map[string]int64 `json:"refunds,omitempty"` // idempotency key → amount
}

// Store keeps the sandbox provider's authorizations.
type Store interface {
	// Create records ref unless it exists; created reports which.
	Create(ctx context.Context, ref string, a Auth) (created bool, err error)
	// Update runs fn on ref's authorization with no other Update of ref in
	// between, and saves it when fn reports a change. An unknown or
	// declined ref is payments.ErrRejected.
	Update(ctx context.Context, ref string, fn func(a *Auth) (changed bool, err error)) error
}

// ErrUnknown is the rejection of a ref the provider never authorized.
var ErrUnknown = fmt.Errorf("%w: unknown authorization", payments.ErrRejected)

// MemoryStore is a Store in process memory (the embedded shop, tests).
type MemoryStore struct {
	mu    sync.Mutex
	auths map[string]Auth
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{auths: map[string]Auth{}} }

// Create implements Store.
func (m *MemoryStore) Create(_ context.Context, ref string, a Auth) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.auths[ref]; ok {
		return false, nil
	}
	m.auths[ref] = a
	return true, nil
}

// Update implements Store.
func (m *MemoryStore) Update(_ context.Context, ref string, fn func(a *Auth) (bool, error)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.auths[ref]
	if !ok || a.Declined {
		return ErrUnknown
	}
	a.Refunds = maps.Clone(a.Refunds) // fn's changes count only when it says so
	changed, err := fn(&a)
	if err != nil || !changed {
		return err
	}
	m.auths[ref] = a
	return nil
}
