package adminwebhooks

import (
	"strings"
	"testing"

	"github.com/evshop/shop/platform/testenv"
)

// FuzzWebhookAdminRequests sends arbitrary bodies, ids and queries to every
// route as an admin: no panic, never a 5xx, every refusal a 4xx problem.
func FuzzWebhookAdminRequests(f *testing.F) {
	routes := []struct{ method, path string }{
		{"GET", "/api/admin/webhooks"},
		{"POST", "/api/admin/webhooks"},
		{"GET", "/api/admin/webhooks/{id}"},
		{"PUT", "/api/admin/webhooks/{id}"},
		{"DELETE", "/api/admin/webhooks/{id}"},
		{"GET", "/api/admin/webhooks/{id}/deliveries"},
		{"POST", "/api/admin/webhooks/{id}/deliveries/{id}/redeliver"},
	}
	seeds := []struct {
		route      uint8
		arg, query string
		body       string
	}{
		{1, "", "", `{"url":"https://93.184.215.14/h","eventTypes":["order.paid.v1"]}`},
		{1, "", "", `{"url":"https://[::ffff:169.254.169.254]/","eventTypes":["order.paid.v1"]}`},
		{1, "", "", `{"url":"https://a/` + strings.Repeat("%", 3000) + `","eventTypes":["order.paid.v1"]}`},
		{1, "", "", `{"url":"http://0x7f.1/","eventTypes":[],"secret":"` + strings.Repeat("\u00e9", 30) + `"}`},
		{1, "", "", `{"url":{"$gt":""},"eventTypes":"order.paid.v1"}`},
		{3, "00000000-0000-4000-8000-000000000000", "", `{"url":"https://93.184.215.14/h","eventTypes":["order.paid.v1"],"enabled":"yes"}`},
		{5, "../../etc/passwd", "limit=99999999999999999999", ""},
		{6, "%2e%2e%2f", "", ""},
	}
	for _, s := range seeds {
		f.Add(s.route, s.arg, s.query, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, route uint8, arg, query string, body []byte) {
		app, _ := newApp(t)
		r := routes[int(route)%len(routes)]
		target := strings.ReplaceAll(r.path, "{id}", arg)
		if query != "" {
			target += "?" + query
		}
		res := testenv.Serve(app, testenv.HTTPRequest{Method: r.method, Target: target, Body: body,
			Header: [][2]string{{"X-Test-Role", "admin"}, {"Content-Type", "application/json"}}})
		testenv.CheckHostile(t, r.method+" "+target, res)
	})
}
