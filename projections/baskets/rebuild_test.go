package baskets

import (
	"testing"

	"github.com/evshop/shop/platform/testenv"
)

// The stores a rebuild can swap pass the same contract as the others.

func TestSwappableContract(t *testing.T) {
	t.Parallel()
	runContract(t, func(t *testing.T) Store {
		s, err := NewSwappable(NewMemory())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestActiveRedisContract(t *testing.T) {
	t.Parallel()
	runContract(t, func(t *testing.T) Store {
		c, prefix := testenv.Redis(t)
		s, err := NewActiveRedis(c, prefix)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
