package sqlitestore_test

import (
	"context"
	"testing"

	"github.com/evshop/shop/payments/sandbox"
	"github.com/evshop/shop/payments/sandbox/sandboxtest"
	"github.com/evshop/shop/payments/sandbox/sqlitestore"
	"github.com/evshop/shop/platform/testenv"
)

func TestContract(t *testing.T) {
	t.Parallel()
	sandboxtest.Run(t, func(t *testing.T) sandbox.Store {
		s, err := sqlitestore.New(context.Background(), testenv.SQLite(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
