package basket

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/evshop/shop/projections/baskets"
)

// failingReader is a read model that is down.
type failingReader struct{}

func (failingReader) Get(context.Context, string) (baskets.View, error) {
	return baskets.View{}, errors.New("redis: connection refused")
}

// TestReadsReflectOwnWrites: every GET after a write shows that write and
// its ETag, however far the read model is behind (not at all, part way, not
// there), and the ETag it gives is one the next write can use.
func TestReadsReflectOwnWrites(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// catchUpAfter runs the projector after that many writes (-1: never).
		catchUpAfter int
		readerDown   bool
	}{
		{"projector never ran", -1, false},
		{"projector ran after the first two writes", 2, false},
		{"read model down", -1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			if c.readerDown {
				e.withReader(t, failingReader{})
			}
			alice := func(r req) req { r.token = "alice"; return r }
			writes := []req{
				{method: "POST", path: "/api/basket/items", body: `{"sku":"MUG","quantity":2}`},
				{method: "POST", path: "/api/basket/items", body: `{"sku":"TEE","quantity":1}`},
				{method: "PATCH", path: "/api/basket/items/MUG", body: `{"quantity":4}`},
				{method: "DELETE", path: "/api/basket/items/TEE"},
				{method: "POST", path: "/api/basket/items", body: `{"sku":"CAP","quantity":3}`},
			}
			etag := `"0"`
			for i, w := range writes {
				w.ifMatch = etag // the ETag of the preceding read: a stale one would be 412
				wr := e.do(t, alice(w))
				expect(t, fmt.Sprintf("write %d", i), wr, 200, fmt.Sprintf(`"%d"`, i+1))
				if i+1 == c.catchUpAfter {
					e.catchUp(t)
				}
				rd := e.do(t, alice(req{method: "GET", path: "/api/basket"}))
				expect(t, fmt.Sprintf("read after write %d", i), rd, 200, wr.etag)
				if got, want := quantities(rd.body), quantities(wr.body); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("read after write %d: lines %v, want %v", i, got, want)
				}
				if rd.body["revision"] != wr.body["revision"] || fmt.Sprint(rd.body["total"]) != fmt.Sprint(wr.body["total"]) {
					t.Fatalf("read after write %d: %s, want %s", i, rd.raw, wr.raw)
				}
				etag = rd.etag
			}
			nm := e.do(t, alice(req{method: "GET", path: "/api/basket", ifNoneMatch: etag}))
			expect(t, "conditional read", nm, 304, etag)
		})
	}
}
