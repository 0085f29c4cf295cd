package relay_test

import (
	"testing"

	"github.com/evshop/shop/messaging/relay"
	"github.com/evshop/shop/messaging/relay/relaytest"
)

func TestMemoryCheckpointsContract(t *testing.T) {
	t.Parallel()
	relaytest.CheckpointStore(t, func(*testing.T) relay.CheckpointStore { return relay.NewMemoryCheckpoints() })
}

func TestMemoryLockerContract(t *testing.T) {
	t.Parallel()
	shared := relay.NewMemoryLocker() // one process: both "instances" share it
	relaytest.Locker(t, func(*testing.T) relay.Locker { return shared })
}
