package sqlitestore_test

import (
	"context"
	"testing"

	"github.com/evshop/shop/invoices"
	"github.com/evshop/shop/invoices/sequencetest"
	"github.com/evshop/shop/invoices/sqlitestore"
	"github.com/evshop/shop/platform/testenv"
)

func TestContract(t *testing.T) {
	t.Parallel()
	sequencetest.Run(t, func(t *testing.T) (invoices.Sequence, func(*testing.T) invoices.Sequence) {
		db := testenv.SQLite(t)
		open := func(t *testing.T) invoices.Sequence {
			s, err := sqlitestore.New(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		return open(t), open
	})
}
