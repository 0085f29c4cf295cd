package ordering

import (
	"strings"
	"testing"

	"github.com/evshop/shop/platform/testenv"
)

// fuzzRoutes: the fuzzer picks one by index; "{id}" takes its path argument.
var fuzzRoutes = []struct{ method, path string }{
	{"GET", "/api/admin/orders"},
	{"GET", "/api/admin/orders/{id}"},
	{"GET", "/api/admin/orders/{id}/timeline"},
	{"POST", "/api/admin/orders/{id}/ship"},
	{"POST", "/api/admin/orders/{id}/deliver"},
	{"POST", "/api/admin/orders/{id}/cancel"},
	{"POST", "/api/admin/orders/{id}/refund"},
	{"GET", "/api/orders"},
	{"GET", "/api/orders/{id}"},
	{"GET", "/api/orders/{id}/invoice"},
	{"GET", "/api/orders/" + orderID + "/credit-notes/{id}"},
}

// FuzzOrderRequests sends arbitrary ids, queries and bodies to the customer
// and staff order routes (as support, or as a customer when the route byte's
// high bit is set) over a placed order: no panic, refusals are 4xx problems.
func FuzzOrderRequests(f *testing.F) {
	seeds := []struct {
		route     uint8
		id, query string
		body      string
	}{
		{0, "", "status=Paid&q=alice@example.com&page=2&pageSize=10", ""},
		{0, "", "q=" + orderID, ""},
		{0, "", "q=%27%20OR%201%3D1--&status[$ne]=x", ""},
		{0, "", "page=-1&pageSize=99999999999999999999", ""},
		{1, orderID, "", ""},
		{1, "../../etc/passwd", "", ""},
		{2, "%2e%2e%2f", "", ""},
		{3, orderID, "", `{"carrier":"UPS","trackingNumber":"1Z999"}`},
		{4, orderID, "", ``},
		{4, orderID, "", `{"x":1}`},
		{5, orderID, "", `{"reason":"customer asked"}`},
		{6, orderID, "", `{"amount":{"amount":500,"currency":"EUR"},"reason":"damaged"}`},
		{6, orderID, "", `{"amount":{"amount":-500,"currency":"EUR"},"reason":"x"}`},
		{6, orderID, "", `{"amount":{"amount":9223372036854775807,"currency":"EUR"},"reason":"x"}`},
		{6, orderID, "", `{"amount":{"amount":1e30,"currency":"$where"},"reason":"x"}`},
		{135, "", "page=1", ""},
		{136, strings.ToUpper(orderID), "", ""},
		{3, orderID, "", "{\"carrier\":\"\xff\"}"},
		{9, orderID, "", ""},
		{137, "%00", "", ""},
		{10, "CN-000001", "", ""},
		{138, "..%2F..%2Finvoice", "", ""},
	}
	for _, s := range seeds {
		f.Add(s.route, s.id, s.query, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, route uint8, id, query string, body []byte) {
		e := newEnv(t)
		r := fuzzRoutes[int(route&0x7f)%len(fuzzRoutes)]
		target := strings.Replace(r.path, "{id}", id, 1)
		if query != "" {
			target += "?" + query
		}
		token := "support"
		if route&0x80 != 0 {
			token = "alice"
		}
		res := testenv.Serve(e.app, testenv.HTTPRequest{Method: r.method, Target: target, Body: body,
			Header: [][2]string{{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}}})
		testenv.CheckHostile(t, r.method+" "+target, res)
	})
}
