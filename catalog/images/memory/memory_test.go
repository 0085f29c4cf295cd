package memory_test

import (
	"testing"

	"github.com/evshop/shop/catalog/images"
	"github.com/evshop/shop/catalog/images/imagestest"
	"github.com/evshop/shop/catalog/images/memory"
)

func TestContract(t *testing.T) {
	t.Parallel()
	imagestest.Run(t, func(*testing.T) images.Store { return memory.New() })
}
