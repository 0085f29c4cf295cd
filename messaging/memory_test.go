package messaging_test

import (
	"testing"

	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/messaging/messagingtest"
)

func TestMemoryDeadLetterStoreContract(t *testing.T) {
	t.Parallel()
	messagingtest.DeadLetterStore(t, func(*testing.T) messaging.DeadLetterStore { return messaging.NewMemoryDeadLetters() })
}

func TestMemoryDeduperContract(t *testing.T) {
	t.Parallel()
	messagingtest.Deduper(t, func(*testing.T) messaging.Deduper { return messaging.NewMemoryDeduper() })
}
