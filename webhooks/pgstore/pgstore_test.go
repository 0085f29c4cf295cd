package pgstore

import (
	"context"
	"testing"

	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/webhooks"
	"github.com/evshop/shop/webhooks/storetest"
)

func newStore(t *testing.T) webhooks.Store {
	s, err := New(context.Background(), testenv.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, newStore)
}
