package basket

import (
	"net/http"
	"testing"
)

// TestGuestCookieNames: an HTTPS shop keeps the guest basket token in
// __Host-basket_id (Secure, Path=/, no Domain), so a cookie planted under the
// plain name by a sibling subdomain or over plain HTTP names no basket; a
// plain-HTTP shop uses basket_id.
func TestGuestCookieNames(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		secure      bool
		name, other string
	}{
		{true, GuestCookieSecure, GuestCookie},
		{false, GuestCookie, GuestCookieSecure},
	} {
		e := newEnvCookies(t, c.secure)
		r := e.do(t, req{method: "POST", path: "/api/basket/items", body: `{"sku":"MUG","quantity":2}`})
		if r.status != http.StatusOK || r.cookie == nil {
			t.Fatalf("secure=%v: add = %d %s, cookie %v", c.secure, r.status, r.raw, r.cookie)
		}
		ck := r.cookie
		if ck.Name != c.name || ck.Secure != c.secure || ck.Path != "/" || ck.Domain != "" || !ck.HttpOnly {
			t.Fatalf("secure=%v: guest cookie = %+v", c.secure, ck)
		}
		e.catchUp(t)
		own := e.do(t, req{method: "GET", path: "/api/basket", cookie: &http.Cookie{Name: ck.Name, Value: ck.Value}})
		if got := quantities(own.body)["MUG"]; own.status != http.StatusOK || got != 2 {
			t.Fatalf("secure=%v: basket under %s = %d %s", c.secure, ck.Name, own.status, own.raw)
		}
		other := e.do(t, req{method: "GET", path: "/api/basket", cookie: &http.Cookie{Name: c.other, Value: ck.Value}})
		if len(quantities(other.body)) != 0 {
			t.Fatalf("secure=%v: the token under %s opened the basket: %s", c.secure, c.other, other.raw)
		}
	}
}
