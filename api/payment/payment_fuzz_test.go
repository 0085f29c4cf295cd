package payment_test

import (
	"strings"
	"testing"

	"github.com/evshop/shop/platform/testenv"
)

var fuzzRoutes = []struct{ method, path string }{
	{"GET", "/api/payments"},
	{"GET", "/api/payments/{id}/client-secret"},
	{"POST", "/api/payments/{id}/refunds"},
	{"POST", "/api/payments/webhooks/stripe"},
	{"POST", "/api/payments/webhooks/paypal"},
}

// FuzzPaymentRequests sends arbitrary ids, queries, Idempotency-Keys,
// Stripe signatures and bodies to the payment routes over a captured
// payment, as its owner or as an admin: no panic, refusals are 4xx problems.
func FuzzPaymentRequests(f *testing.F) {
	const customer = "c0000000-0000-4000-8000-000000000001"
	seeds := []struct {
		route                   uint8
		id, query, key, sigHead string
		body                    string
	}{
		{0, "", "orderId=3b241101-e2bb-4255-8caf-4136c566a962", "", "", ""},
		{0, "", "orderId[$ne]=x", "", "", ""},
		{0, "", "orderId=' OR 1=1--", "", "", ""},
		{1, "../../etc/passwd", "", "", "", ""},
		{130, "{pay}", "", "refund-0001", "", `{"amount":{"amount":1000,"currency":"EUR"},"reason":"damaged"}`},
		{130, "{pay}", "", "refund-0002", "", `{"amount":{"amount":-1,"currency":"EUR"},"reason":"x"}`},
		{130, "{pay}", "", "refund-0003", "", `{"amount":{"amount":9223372036854775807,"currency":"EUR"},"reason":"x"}`},
		{130, "{pay}", "", "refund-0004", "", `{"amount":{"amount":100,"currency":"EUR"},"reason":"` + strings.Repeat("x", 600) + `"}`},
		{130, "{pay}", "", "", "", `{"amount":{"amount":100,"currency":"EUR"},"reason":"x"}`},
		{3, "", "", "", "t=1,v1=abc", `{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1"}}}`},
		{3, "", "", "", "", `{}`},
		{4, "", "", "", "", `{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED"}`},
		{3, "", "", "", "t=99999999999999999999,v1=", "\xff\xfe"},
	}
	for _, s := range seeds {
		f.Add(s.route, s.id, s.query, s.key, s.sigHead, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, route uint8, id, query, key, sig string, body []byte) {
		e := newEnv(t)
		_, paymentID := paidOrder(t, e, customer)
		r := fuzzRoutes[int(route&0x7f)%len(fuzzRoutes)]
		target := strings.Replace(r.path, "{id}", strings.Replace(id, "{pay}", paymentID, 1), 1)
		if query != "" {
			target += "?" + query
		}
		user := customer + ":customer"
		if route&0x80 != 0 {
			user = "a0000000-0000-4000-8000-000000000009:admin"
		}
		hr := testenv.HTTPRequest{Method: r.method, Target: target, Body: body,
			Header: [][2]string{{"Content-Type", "application/json"}, {"X-Test-User", user}}}
		for _, h := range [][2]string{{"Idempotency-Key", key}, {"Stripe-Signature", sig}, {"Paypal-Transmission-Sig", sig}} {
			if v := headerSafe(h[1]); v != "" {
				hr.Header = append(hr.Header, [2]string{h[0], v})
			}
		}
		testenv.CheckHostile(t, r.method+" "+target, testenv.Serve(e.app, hr))
	})
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
