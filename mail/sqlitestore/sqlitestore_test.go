package sqlitestore_test

import (
	"context"
	"testing"
	"time"

	"github.com/evshop/shop/mail/outboxtest"
	"github.com/evshop/shop/mail/sqlitestore"
	"github.com/evshop/shop/platform/testenv"
)

func TestOutbox(t *testing.T) {
	outboxtest.Run(t, func(t *testing.T, now func() time.Time, capacity int) outboxtest.Outbox {
		o, err := sqlitestore.New(context.Background(), testenv.SQLite(t), now, capacity)
		if err != nil {
			t.Fatal(err)
		}
		return o
	})
}
