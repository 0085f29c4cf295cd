package memory_test

import (
	"testing"
	"time"

	"github.com/evshop/shop/mail/memory"
	"github.com/evshop/shop/mail/outboxtest"
)

func TestOutbox(t *testing.T) {
	outboxtest.Run(t, func(_ *testing.T, now func() time.Time, capacity int) outboxtest.Outbox {
		return memory.New(memory.WithClock(now), memory.WithCapacity(capacity))
	})
}
