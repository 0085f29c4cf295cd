package memory_test

import (
	"testing"

	"github.com/evshop/shop/invoices"
	"github.com/evshop/shop/invoices/memory"
	"github.com/evshop/shop/invoices/sequencetest"
)

func TestContract(t *testing.T) {
	t.Parallel()
	sequencetest.Run(t, func(t *testing.T) (invoices.Sequence, func(*testing.T) invoices.Sequence) {
		s := memory.New()
		return s, func(*testing.T) invoices.Sequence { return s }
	})
}
