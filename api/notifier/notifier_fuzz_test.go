package notifier

import (
	"strings"
	"testing"

	"github.com/evshop/shop/platform/testenv"
)

// FuzzNotifierRequests sends arbitrary tokens (query, form or JSON),
// content types, limits and mail ids to the notifier's routes: no panic,
// never a 5xx, and every API refusal is a 4xx problem. The unsubscribe page
// is for people, so its refusal is an HTML page with a 400.
func FuzzNotifierRequests(f *testing.F) {
	routes := []struct{ method, path string }{
		{"POST", "/api/notifications/unsubscribe"},
		{"GET", "/api/notifications/unsubscribe"},
		{"GET", "/api/admin/notifications/failed"},
		{"GET", "/dev/mail/{id}"},
		{"GET", "/dev/mail/{id}/html"},
	}
	seeds := []struct {
		route          uint8
		arg, query, ct string
		body           string
	}{
		{0, "", "token=" + goodToken, "", ""},
		{0, "", "", "application/json", `{"token":"` + goodToken + `"}`},
		{0, "", "", "application/x-www-form-urlencoded", "token=" + goodToken},
		{0, "", "", "application/json", `{"token":{"$gt":""}}`},
		{0, "", "", "application/x-www-form-urlencoded", "token=%zz&token=" + strings.Repeat("a", 300)},
		{0, "", "", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nabc\r\n--x--"},
		{1, "", "token=../../etc/passwd", "", ""},
		{2, "", "limit=-1", "", ""},
		{2, "", "limit=99999999999999999999", "", ""},
		{3, "../../etc/passwd", "", "", ""},
		{4, "%2e%2e%2f", "", "", ""},
	}
	for _, s := range seeds {
		f.Add(s.route, s.arg, s.query, s.ct, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, route uint8, arg, query, ct string, body []byte) {
		app, _, _ := newApp(t)
		r := routes[int(route)%len(routes)]
		target := strings.Replace(r.path, "{id}", arg, 1)
		if query != "" {
			target += "?" + query
		}
		hr := testenv.HTTPRequest{Method: r.method, Target: target, Body: body,
			Header: [][2]string{{"Authorization", "Bearer support"}}}
		if ct = strings.Map(func(r rune) rune {
			if r == '\r' || r == '\n' || r == 0 {
				return -1
			}
			return r
		}, ct); ct != "" {
			hr.Header = append(hr.Header, [2]string{"Content-Type", ct})
		}
		res := testenv.Serve(app, hr)
		if r.path == "/api/notifications/unsubscribe" && r.method == "GET" || strings.HasPrefix(r.path, "/dev/mail") && res.Status == 200 {
			if res.Status >= 500 {
				t.Fatalf("%s: status %d", target, res.Status)
			}
			return
		}
		testenv.CheckHostile(t, r.method+" "+target, res)
	})
}
