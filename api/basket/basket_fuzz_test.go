package basket

import (
	"strings"
	"testing"

	"github.com/evshop/shop/platform/testenv"
)

// fuzzRoutes are the basket's body-, header- and path-reading routes; the
// fuzzer picks one by index and appends its path argument to the ones ending
// in a slash.
var fuzzRoutes = []struct{ method, path string }{
	{"POST", "/api/basket/items"},
	{"PATCH", "/api/basket/items/"},
	{"DELETE", "/api/basket/items/"},
	{"POST", "/api/basket/checkout"},
	{"DELETE", "/api/basket"},
	{"GET", "/api/basket"},
	{"POST", "/api/basket/merge"},
}

// headerSafe drops what an HTTP/1.1 parser never delivers inside a header
// value (the hostile gateway table sends raw CRLF over a real connection).
func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == 0 {
			return -1
		}
		return r
	}, s)
}

// FuzzBasketRequests sends arbitrary bodies, path SKUs, If-Match,
// Idempotency-Key and guest cookies to every basket route, signed in or not,
// against a basket that already holds a line: no panic, and every refusal is
// a 4xx problem+json.
func FuzzBasketRequests(f *testing.F) {
	checkout := `{"shippingAddress":{"name":"A","line1":"1 Main","city":"Paris","postalCode":"75001","country":"FR"},"payment":{"method":"sandbox","cardNumber":"4242 4242 4242 4242"}}`
	seeds := []struct {
		route                    uint8
		arg, ifMatch, key, guest string
		body                     string
	}{
		{0, "", "", "", "", `{"sku":"MUG","quantity":2}`},
		{128, "", `"1"`, "", "", `{"sku":"TEE","quantity":1}`},
		{0, "", "", "", "", `{"sku":"MUG","quantity":-1}`},
		{0, "", "", "", "", `{"sku":"MUG","quantity":9223372036854775807}`},
		{0, "", "", "", "", `{"sku":"' OR 1=1--","quantity":1}`},
		{0, "", "", "", "", `{"sku":{"$gt":""},"quantity":1}`},
		{129, "MUG", `"1"`, "", "", `{"quantity":3}`},
		{129, "../../etc/passwd", "", "", "", `{"quantity":3}`},
		{130, "%2e%2e%2f", `W/"x"`, "", "", ``},
		{131, "", "", "order-key-0001", "", checkout},
		{131, "", "", "k\x7f", "", checkout},
		{131, "", "*", "order-key-0002", "", `{"shippingAddress":{},"payment":{"method":"paypal","cardNumber":"1"}}`},
		{132, "", `"99999999999999999999"`, "", "", ``},
		{5, "", "", "", "8d3f4e6a-1b2c-4d5e-8f90-a1b2c3d4e5f6", ``},
		{134, "", "", "", "../../x", ``},
		{0, "", "", "", "", "{\"sku\":\"\xff\",\"quantity\":1}"},
		{0, "", "", "", "", strings.Repeat("[", 100)},
	}
	for _, s := range seeds {
		f.Add(s.route, s.arg, s.ifMatch, s.key, s.guest, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, route uint8, arg, ifMatch, key, guest string, body []byte) {
		e := newEnv(t)
		expect(t, "setup", e.do(t, req{method: "POST", path: "/api/basket/items", body: `{"sku":"MUG","quantity":1}`, token: "alice"}), 200, `"1"`)
		r := fuzzRoutes[int(route&0x7f)%len(fuzzRoutes)]
		target := r.path
		if strings.HasSuffix(target, "/") {
			target += arg
		}
		hr := testenv.HTTPRequest{Method: r.method, Target: target, Body: body,
			Header: [][2]string{{"Content-Type", "application/json"}}}
		if route&0x80 != 0 {
			hr.Header = append(hr.Header, [2]string{"Authorization", "Bearer alice"})
		}
		for _, h := range [][2]string{{"If-Match", ifMatch}, {HeaderIdempotencyKey, key}, {"Cookie", GuestCookie + "=" + guest}} {
			if v := headerSafe(h[1]); v != "" {
				hr.Header = append(hr.Header, [2]string{h[0], v})
			}
		}
		testenv.CheckHostile(t, r.method+" "+target, testenv.Serve(e.app, hr))
	})
}
