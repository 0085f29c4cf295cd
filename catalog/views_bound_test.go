package catalog

import (
	"bytes"
	"context"
	"strconv"
	"testing"

	"github.com/evshop/shop/catalog/kvcache"
	"github.com/evshop/shop/catalog/memory"
)

// TestViewsStayBounded: a spray of distinct keys (e.g. made-up queries)
// never keeps more than maxViews views or maxViewBytes bytes.
func TestViewsStayBounded(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		size int // bytes per view
	}{
		{"many small views", 10},
		{"large views", 64 << 10},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, err := New(Config{Store: memory.New(), Cache: kvcache.NewMemory(0)})
			if err != nil {
				t.Fatal(err)
			}
			body := bytes.Repeat([]byte("x"), c.size)
			for i := range maxViews + 500 {
				if _, err := s.View(context.Background(), "list:q="+strconv.Itoa(i), func() ([]byte, error) { return body, nil }); err != nil {
					t.Fatal(err)
				}
				s.views.mu.RLock()
				n, size := len(s.views.m), s.views.bytes
				s.views.mu.RUnlock()
				if n > maxViews || size > maxViewBytes {
					t.Fatalf("after %d keys: %d views, %d bytes kept", i+1, n, size)
				}
			}
		})
	}
}
