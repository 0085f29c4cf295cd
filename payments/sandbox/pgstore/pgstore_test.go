package pgstore_test

import (
	"context"
	"testing"

	"github.com/evshop/shop/payments/sandbox"
	"github.com/evshop/shop/payments/sandbox/pgstore"
	"github.com/evshop/shop/payments/sandbox/sandboxtest"
	"github.com/evshop/shop/platform/testenv"
)

func TestContract(t *testing.T) {
	t.Parallel()
	sandboxtest.Run(t, func(t *testing.T) sandbox.Store {
		s, err := pgstore.New(context.Background(), testenv.Postgres(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
