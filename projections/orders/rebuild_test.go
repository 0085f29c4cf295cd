package orders

import "testing"

// The store a rebuild can swap passes the same contract as the others.
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
