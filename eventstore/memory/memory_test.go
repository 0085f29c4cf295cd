package memory_test

import (
	"testing"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/eventstoretest"
	"github.com/evshop/shop/eventstore/memory"
)

func TestContract(t *testing.T) {
	t.Parallel()
	eventstoretest.Run(t, func(*testing.T) eventstore.Store { return memory.New() })
}

// A shared store proves the suite does not depend on a fresh store, which the
// EventStoreDB run relies on.
func TestContractSharedStore(t *testing.T) {
	t.Parallel()
	s := memory.New()
	eventstoretest.Run(t, func(*testing.T) eventstore.Store { return s })
}
