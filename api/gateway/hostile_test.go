package gateway_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/api/apitest"
	"github.com/evshop/shop/api/gateway"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/wiring"
	"github.com/evshop/shop/wiring/providers/shopproviders"
)

// The hostile-input table runs against the whole embedded shop, assembled by
// wiring exactly as cmd/shop does: a registered, verified and signed-in
// customer (and an admin) send malformed, oversized, injected and traversing
// input through the gateway. Each must get a 4xx problem+json, and a snapshot
// of everything stored (basket, orders, payments, catalog, profile, mail and
// the event store's head) must be the same before and after.

const (
	hostileCustomer = "hostile.customer@shop.test"
	hostileAdmin    = "hostile.admin@shop.test"
	hostilePassword = "Correct-Horse-Battery-42"
)

type embeddedShop struct {
	app   *fiber.App
	store eventstore.Store
	addr  string // a real listener, for raw requests
}

func newEmbeddedShop(t *testing.T) *embeddedShop {
	t.Helper()
	s, err := wiring.LoadShop(nil, "-rate-limit", "1000000", "-web-dir", t.TempDir(), "-data-dir", t.TempDir(),
		"-admin-email", hostileAdmin, "-admin-password", hostilePassword)
	if err != nil {
		t.Fatal(err)
	}
	in := wiring.NewInfra(&s.Common, slog.New(slog.DiscardHandler))
	shopproviders.Set(&in.Providers) // as cmd/shop
	ctx, cancel := context.WithCancel(context.Background())
	app, err := in.Shop(ctx, s)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	store, err := in.EventStore(ctx)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, nil) }()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	served := make(chan struct{})
	go func() { defer close(served); _ = app.Listener(ln) }()
	t.Cleanup(func() {
		_ = app.ShutdownWithTimeout(5 * time.Second)
		<-served
		cancel()
		if err := <-done; err != nil {
			t.Errorf("shop stopped with %v", err)
		}
		in.Close()
	})
	return &embeddedShop{app: app, store: store, addr: ln.Addr().String()}
}

// shopper keeps cookies and the CSRF token like the storefront does.
type shopper struct {
	t       *testing.T
	shop    *embeddedShop
	cookies map[string]string
	csrf    string
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (s *embeddedShop) shopper(t *testing.T) *shopper {
	return &shopper{t: t, shop: s, cookies: map[string]string{}}
}

func (b *shopper) cookieHeader() string {
	var parts []string
	for k, v := range b.cookies {
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, "; ")
}

// send makes one request through app.Test; header values go as given (the
// net/http writer turns CR and LF into spaces; rawSend sends them as bytes).
func (b *shopper) send(method, target string, header map[string]string, body []byte) answer {
	b.t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Method = method
	u, err := req.URL.Parse(target)
	if err != nil {
		b.t.Fatalf("target %q: %v", target, err)
	}
	req.URL, req.RequestURI = u, ""
	req.Host = "shop.test"
	if body != nil {
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
		req.Header.Set("Content-Type", "application/json")
	}
	if b.csrf != "" {
		req.Header.Set(gateway.CSRFHeader, b.csrf)
	}
	if c := b.cookieHeader(); c != "" {
		req.Header.Set("Cookie", c)
	}
	for k, v := range header {
		req.Header[http.CanonicalHeaderKey(k)] = []string{v}
	}
	if len(body) > 1<<20 || len(target) > 4000 {
		// app.Test reports a request the server refuses while reading as an
		// error instead of the answer; a real connection shows the answer.
		req.Close = true
		var buf bytes.Buffer
		if err := req.Write(&buf); err != nil {
			b.t.Fatal(err)
		}
		return b.shop.rawSend(b.t, buf.String())
	}
	resp, err := b.shop.app.Test(req, 30_000)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	apitest.Check(b.t, req, body, resp.StatusCode, resp.Header, raw)
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: raw}
}

func (b *shopper) json(method, target string, v any) answer {
	b.t.Helper()
	var body []byte
	if v != nil {
		var err error
		if body, err = json.Marshal(v); err != nil {
			b.t.Fatal(err)
		}
	}
	return b.send(method, target, nil, body)
}

func (b *shopper) must(a answer, status int, what string) answer {
	b.t.Helper()
	if a.status != status {
		b.t.Fatalf("%s: status %d, want %d; body %.500s", what, a.status, status, a.body)
	}
	return a
}

// rawSend writes request bytes on a real connection: what a hostile client
// can put in a header is exactly what reaches the server's parser.
func (s *embeddedShop) rawSend(t *testing.T, request string) answer {
	t.Helper()
	conn, err := net.DialTimeout("tcp", s.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	// Written while the answer is read: the server may answer and close
	// before a large request is all sent.
	go io.WriteString(conn, request) //nolint:errcheck
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no HTTP answer: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: raw}
}

var requestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

var verifyLink = regexp.MustCompile(`verify\?token=([A-Za-z0-9._~%-]+)`)

// signUp registers, verifies (with the link mailed to /dev/mail.json) and
// signs in.
func (b *shopper) signUp(email string) {
	b.t.Helper()
	b.fetchCSRF()
	b.must(b.json("POST", "/api/auth/register", map[string]string{"email": email, "password": hostilePassword, "name": "Hostile Tester"}), 201, "register")
	var token string
	waitFor(b.t, "the verification email", func() bool {
		var mails []struct {
			To   string `json:"to"`
			Text string `json:"text"`
			HTML string `json:"html"`
		}
		a := b.send("GET", "/dev/mail.json", nil, nil)
		if a.status != 200 || json.Unmarshal(a.body, &mails) != nil {
			return false
		}
		for _, m := range mails {
			if strings.EqualFold(m.To, email) {
				if mm := verifyLink.FindStringSubmatch(m.Text + m.HTML); mm != nil {
					token = mm[1]
					return true
				}
			}
		}
		return false
	})
	b.must(b.json("POST", "/api/auth/verify", map[string]string{"token": token}), 200, "verify")
	b.signIn(email)
}

func (b *shopper) fetchCSRF() {
	b.t.Helper()
	var v struct{ Token string }
	if err := json.Unmarshal(b.must(b.send("GET", "/api/auth/csrf", nil, nil), 200, "csrf").body, &v); err != nil || v.Token == "" {
		b.t.Fatalf("csrf token: %v", err)
	}
	b.csrf = v.Token
}

func (b *shopper) signIn(email string) {
	b.t.Helper()
	if b.csrf == "" {
		b.fetchCSRF()
	}
	b.must(b.json("POST", "/api/auth/login", map[string]string{"email": email, "password": hostilePassword}), 200, "login "+email)
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// snapshot reads everything the hostile requests could have changed.
func snapshot(t *testing.T, s *embeddedShop, customer, admin *shopper, orderID, paymentID string) map[string]string {
	t.Helper()
	out := map[string]string{}
	read := func(b *shopper, name, target string) {
		a := b.send("GET", target, nil, nil)
		if a.status != 200 {
			t.Fatalf("snapshot %s: %d %.300s", name, a.status, a.body)
		}
		out[name] = string(a.body)
	}
	read(customer, "basket", "/api/basket")
	read(customer, "my orders", "/api/orders")
	read(customer, "order", "/api/orders/"+orderID)
	read(customer, "invoice", "/api/orders/"+orderID+"/invoice")
	read(admin, "invoice for staff", "/api/orders/"+orderID+"/invoice")
	read(customer, "payments", "/api/payments?orderId="+orderID)
	read(customer, "profile", "/api/clients/me")
	read(customer, "preferences", "/api/clients/me/preferences")
	read(admin, "all orders", "/api/admin/orders?pageSize=100")
	read(admin, "catalog", "/api/catalog/products?pageSize=100&includeArchived=true")
	read(admin, "categories", "/api/catalog/categories")
	read(admin, "timeline", "/api/admin/orders/"+orderID+"/timeline")
	read(admin, "mail", "/dev/mail.json")
	head, err := s.store.HeadPosition(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out["event store head"] = fmt.Sprint(head)
	out["payment id"] = paymentID
	return out
}

// settled waits until two snapshots a moment apart agree: the projections,
// the saga and the notifier have caught up with the set-up.
func settled(t *testing.T, s *embeddedShop, customer, admin *shopper, orderID, paymentID string) map[string]string {
	t.Helper()
	prev := snapshot(t, s, customer, admin, orderID, paymentID)
	for range 100 {
		time.Sleep(250 * time.Millisecond)
		cur := snapshot(t, s, customer, admin, orderID, paymentID)
		if fmt.Sprint(cur) == fmt.Sprint(prev) {
			return cur
		}
		prev = cur
	}
	t.Fatal("the shop never settled")
	return nil
}

type hostileCase struct {
	name   string
	who    string // customer (default), admin, anonymous
	method string
	target string
	header map[string]string
	body   string
	raw    bool // body bytes as given, without a JSON content type
	status int  // exact 4xx expected; 0 = any 4xx
}

func TestHostileInputThroughTheGateway(t *testing.T) {
	if testing.Short() {
		t.Skip("assembles the whole shop")
	}
	shop := newEmbeddedShop(t)
	customer, admin, anon := shop.shopper(t), shop.shopper(t), shop.shopper(t)
	customer.signUp(hostileCustomer)
	admin.signIn(hostileAdmin)
	anon.fetchCSRF()

	// Set-up: one paid order and a basket that still holds a line.
	var page struct {
		Items []struct {
			SKU   string `json:"sku"`
			Stock int    `json:"stock"`
		} `json:"items"`
	}
	if err := json.Unmarshal(customer.must(customer.send("GET", "/api/catalog/products?pageSize=50", nil, nil), 200, "catalog").body, &page); err != nil || len(page.Items) < 2 {
		t.Fatalf("catalog: %v %d", err, len(page.Items))
	}
	sku, other := page.Items[0].SKU, page.Items[1].SKU
	customer.must(customer.json("POST", "/api/basket/items", map[string]any{"sku": sku, "quantity": 2}), 200, "add")
	checkoutBody := map[string]any{
		"shippingAddress": map[string]string{"name": "Hostile Tester", "line1": "1 Main Street", "city": "Paris", "postalCode": "75001", "country": "FR"},
		"payment":         map[string]string{"method": "sandbox", "cardNumber": "4242424242424242"},
		"shippingMethod":  "standard",
	}
	raw, _ := json.Marshal(checkoutBody)
	co := customer.must(customer.send("POST", "/api/basket/checkout", map[string]string{"Idempotency-Key": "hostile-setup-0001"}, raw), 202, "checkout")
	var placed struct{ OrderID string }
	_ = json.Unmarshal(co.body, &placed)
	waitFor(t, "the order to be paid", func() bool {
		a := customer.send("GET", "/api/orders/"+placed.OrderID, nil, nil)
		return a.status == 200 && bytes.Contains(a.body, []byte(`"status":"Paid"`))
	})
	var pays struct {
		Payments []struct {
			PaymentID string `json:"paymentId"`
		} `json:"payments"`
	}
	waitFor(t, "the payment in the ledger", func() bool {
		a := customer.send("GET", "/api/payments?orderId="+placed.OrderID, nil, nil)
		return a.status == 200 && json.Unmarshal(a.body, &pays) == nil && len(pays.Payments) == 1
	})
	paymentID := pays.Payments[0].PaymentID
	waitFor(t, "the order's invoice", func() bool {
		return customer.send("GET", "/api/orders/"+placed.OrderID+"/invoice", nil, nil).status == 200
	})
	customer.must(customer.json("POST", "/api/basket/items", map[string]any{"sku": other, "quantity": 1}), 200, "add again")
	waitFor(t, "the profile", func() bool {
		a := customer.send("GET", "/api/clients/me", nil, nil)
		return a.status == 200 && bytes.Contains(a.body, []byte("Hostile Tester"))
	})

	before := settled(t, shop, customer, admin, placed.OrderID, paymentID)

	tenMB := `{"sku":"` + strings.Repeat("A", 10<<20) + `","quantity":1}`
	deep := `{"sku":` + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + `,"quantity":1}`
	deepObj := strings.Repeat(`{"a":`, 50_000) + "1" + strings.Repeat("}", 50_000)
	order, pay := placed.OrderID, paymentID
	co2 := `{"shippingAddress":{"name":"H","line1":"1","city":"P","postalCode":"75001","country":"FR"},"payment":{"method":"sandbox","cardNumber":"4242424242424242"}}`
	cases := []hostileCase{
		// Malformed and deeply nested JSON.
		{name: "malformed JSON", method: "POST", target: "/api/basket/items", body: `{"sku":"` + sku + `","quantity":`, status: 400},
		{name: "two JSON values", method: "POST", target: "/api/basket/items", body: `{"sku":"` + sku + `","quantity":1}{"sku":"` + sku + `","quantity":1}`, status: 400},
		{name: "JSON array instead of object", method: "POST", target: "/api/basket/items", body: `[{"sku":"` + sku + `","quantity":1}]`},
		{name: "JSON null", method: "POST", target: "/api/basket/items", body: `null`},
		{name: "empty body", method: "POST", target: "/api/basket/items", body: ``, status: 400},
		{name: "deeply nested arrays", method: "POST", target: "/api/basket/items", body: deep},
		{name: "deeply nested objects at checkout", method: "POST", target: "/api/basket/checkout", header: map[string]string{"Idempotency-Key": "hostile-deep-0001"}, body: deepObj},
		{name: "deeply nested profile", method: "PUT", target: "/api/clients/me", body: `{"name":"x","addresses":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`},
		{name: "deeply nested login", who: "anonymous", method: "POST", target: "/api/auth/login", body: deepObj},
		{name: "duplicate keys, last one invalid", method: "POST", target: "/api/basket/items", body: `{"sku":"` + sku + `","quantity":1,"quantity":-1}`, status: 422},
		{name: "unknown field (mass assignment)", method: "POST", target: "/api/basket/items", body: `{"sku":"` + sku + `","quantity":1,"unitPrice":{"amount":1,"currency":"EUR"}}`, status: 422},
		{name: "unknown field in profile", method: "PUT", target: "/api/clients/me", body: `{"name":"x","id":"00000000-0000-4000-8000-000000000000"}`, status: 422},
		{name: "wrong content type", method: "POST", target: "/api/basket/items", header: map[string]string{"Content-Type": "text/plain"}, body: `{"sku":"` + sku + `","quantity":1}`, status: 415},
		// 10 MB bodies.
		{name: "10 MB basket body", method: "POST", target: "/api/basket/items", body: tenMB, status: 413},
		{name: "10 MB checkout", method: "POST", target: "/api/basket/checkout", header: map[string]string{"Idempotency-Key": "hostile-big-0001"}, body: tenMB, status: 413},
		{name: "10 MB register", who: "anonymous", method: "POST", target: "/api/auth/register", body: tenMB, status: 413},
		{name: "10 MB webhook (CSRF-exempt)", who: "anonymous", method: "POST", target: "/api/payments/webhooks/stripe", body: tenMB, status: 413},
		{name: "10 MB profile", method: "PUT", target: "/api/clients/me", body: tenMB, status: 413},
		// Invalid UTF-8.
		{name: "invalid UTF-8 sku", method: "POST", target: "/api/basket/items", body: "{\"sku\":\"\xff\xfe\",\"quantity\":1}", status: 400},
		{name: "invalid UTF-8 profile", method: "PUT", target: "/api/clients/me", body: "{\"name\":\"\xc3\x28\"}", status: 400},
		{name: "invalid UTF-8 register", who: "anonymous", method: "POST", target: "/api/auth/register", body: "{\"email\":\"a\xed\xa0\x80@x.test\",\"password\":\"" + hostilePassword + "\",\"name\":\"x\"}", status: 400},
		{name: "NUL in sku", method: "POST", target: "/api/basket/items", body: `{"sku":"` + sku + `\u0000","quantity":1}`, status: 422},
		// Negative and huge quantities and prices.
		{name: "negative quantity", method: "POST", target: "/api/basket/items", body: `{"sku":"` + sku + `","quantity":-1}`, status: 422},
		{name: "zero quantity", method: "POST", target: "/api/basket/items", body: `{"sku":"` + sku + `","quantity":0}`, status: 422},
		{name: "quantity 2^63", method: "POST", target: "/api/basket/items", body: `{"sku":"` + sku + `","quantity":9223372036854775808}`, status: 422},
		{name: "quantity 1e400", method: "POST", target: "/api/basket/items", body: `{"sku":"` + sku + `","quantity":1e400}`, status: 422},
		{name: "fractional quantity", method: "POST", target: "/api/basket/items", body: `{"sku":"` + sku + `","quantity":1.5}`, status: 422},
		{name: "quantity as string", method: "POST", target: "/api/basket/items", body: `{"sku":"` + sku + `","quantity":"2"}`, status: 422},
		{name: "patch to max int64", method: "PATCH", target: "/api/basket/items/" + other, body: `{"quantity":9223372036854775807}`, status: 422},
		{name: "patch negative", method: "PATCH", target: "/api/basket/items/" + other, body: `{"quantity":-9223372036854775808}`, status: 422},
		{name: "order refund negative", who: "admin", method: "POST", target: "/api/admin/orders/" + order + "/refund", body: `{"amount":{"amount":-100,"currency":"EUR"},"reason":"x"}`},
		{name: "order refund max int64", who: "admin", method: "POST", target: "/api/admin/orders/" + order + "/refund", body: `{"amount":{"amount":9223372036854775807,"currency":"EUR"},"reason":"x"}`},
		{name: "order refund unknown currency", who: "admin", method: "POST", target: "/api/admin/orders/" + order + "/refund", body: `{"amount":{"amount":1,"currency":"$where"},"reason":"x"}`},
		{name: "payment refund negative", who: "admin", method: "POST", target: "/api/payments/" + pay + "/refunds", header: map[string]string{"Idempotency-Key": "hostile-refund-1"}, body: `{"amount":{"amount":-1,"currency":"EUR"},"reason":"x"}`, status: 422},
		{name: "payment refund max int64", who: "admin", method: "POST", target: "/api/payments/" + pay + "/refunds", header: map[string]string{"Idempotency-Key": "hostile-refund-2"}, body: `{"amount":{"amount":9223372036854775807,"currency":"EUR"},"reason":"x"}`},
		{name: "payment refund 1e30", who: "admin", method: "POST", target: "/api/payments/" + pay + "/refunds", header: map[string]string{"Idempotency-Key": "hostile-refund-3"}, body: `{"amount":{"amount":1e30,"currency":"EUR"},"reason":"x"}`, status: 422},
		{name: "product with negative price", who: "admin", method: "POST", target: "/api/catalog/products", body: `{"sku":"HOSTILE-1","name":"x","description":"x","category":"mugs","price":{"amount":-1,"currency":"EUR"},"stock":1}`, status: 422},
		{name: "product with max int64 price", who: "admin", method: "POST", target: "/api/catalog/products", body: `{"sku":"HOSTILE-2","name":"x","description":"x","category":"mugs","price":{"amount":9223372036854775807,"currency":"EUR"},"stock":1}`, status: 422},
		{name: "product with negative stock", who: "admin", method: "POST", target: "/api/catalog/products", body: `{"sku":"HOSTILE-3","name":"x","description":"x","category":"mugs","price":{"amount":100,"currency":"EUR"},"stock":-5}`, status: 422},
		{name: "stock delta min int64", who: "admin", method: "POST", target: "/api/catalog/products/" + sku + "/stock", body: `{"delta":-9223372036854775808,"reason":"x"}`},
		{name: "stock delta max int64", who: "admin", method: "POST", target: "/api/catalog/products/" + sku + "/stock", body: `{"delta":9223372036854775807,"reason":"x"}`},
		{name: "price update by a customer", method: "PUT", target: "/api/catalog/products/" + sku, body: `{"name":"x","category":"mugs","price":{"amount":1,"currency":"EUR"}}`, status: 403},
		// SQL injection strings.
		{name: "SQL in sku", method: "POST", target: "/api/basket/items", body: `{"sku":"' OR 1=1--","quantity":1}`, status: 422},
		{name: "SQL in product path", method: "GET", target: "/api/catalog/products/'%20OR%201=1--", status: 422},
		{name: "SQL in order id", method: "GET", target: "/api/orders/1'%20OR%20'1'='1", status: 404},
		{name: "SQL in page", method: "GET", target: "/api/orders?page=1%20OR%201=1", status: 422},
		{name: "SQL in payment order id", method: "GET", target: "/api/payments?orderId='%20OR%201=1--", status: 422},
		{name: "SQL in login", who: "anonymous", method: "POST", target: "/api/auth/login", body: `{"email":"' OR 1=1--","password":"' OR 1=1--"}`},
		{name: "SQL in admin order status", who: "admin", method: "GET", target: "/api/admin/orders?status=Paid'%20OR%201=1--", status: 422},
		{name: "SQL in address", method: "POST", target: "/api/basket/checkout", header: map[string]string{"Idempotency-Key": "hostile-sql-0001"}, body: `{"shippingAddress":{"name":"x","line1":"1","city":"P","postalCode":"75001","country":"' OR 1=1--"},"payment":{"method":"sandbox","cardNumber":"4242424242424242"}}`, status: 422},
		// NoSQL injection.
		{name: "operator object as sku", method: "POST", target: "/api/basket/items", body: `{"sku":{"$gt":""},"quantity":1}`, status: 422},
		{name: "operator objects at login", who: "anonymous", method: "POST", target: "/api/auth/login", body: `{"email":{"$gt":""},"password":{"$gt":""}}`, status: 422},
		{name: "operator in query key", method: "GET", target: "/api/catalog/products?q[$ne]=x", status: 422},
		{name: "$where as category", method: "GET", target: "/api/catalog/products?category=$where"},
		{name: "$where as sort", method: "GET", target: "/api/catalog/products?sort=$where", status: 422},
		{name: "operator object in profile", method: "PUT", target: "/api/clients/me", body: `{"name":{"$gt":""}}`, status: 422},
		{name: "$where in preferences", method: "PUT", target: "/api/clients/me/preferences", body: `{"favouriteCategories":[{"$where":"sleep(1000)"}]}`, status: 422},
		{name: "$-keys in product attributes", who: "admin", method: "POST", target: "/api/catalog/products", body: `{"sku":"HOSTILE-4","name":"x","description":"x","category":"mugs","price":{"amount":100,"currency":"EUR"},"attributes":{"$where":"1==1","a.b":{"$gt":""}},"stock":1}`, status: 422},
		{name: "operator as product path", method: "GET", target: "/api/catalog/products/%7B%22$gt%22:%22%22%7D", status: 422},
		// Path traversal in ids.
		{name: "traversal in order id", method: "GET", target: "/api/orders/..%2F..%2Fetc%2Fpasswd", status: 404},
		{name: "dot-dot order id", method: "GET", target: "/api/orders/%2e%2e%2f%2e%2e%2fetc%2fpasswd", status: 404},
		{name: "traversal in credit-note number", method: "GET", target: "/api/orders/" + order + "/credit-notes/..%2F..%2Finvoice", status: 404},
		{name: "SQL in credit-note number", method: "GET", target: "/api/orders/" + order + "/credit-notes/'%20OR%201=1--", status: 404},
		{name: "someone else's invoice", who: "anonymous", method: "GET", target: "/api/orders/" + order + "/invoice", status: 401},
		{name: "traversal in basket sku", method: "DELETE", target: "/api/basket/items/..%2F..%2Fetc%2Fpasswd", status: 404},
		{name: "traversal in basket patch", method: "PATCH", target: "/api/basket/items/%2e%2e%2f%2e%2e%2f", body: `{"quantity":1}`, status: 404},
		{name: "traversal in image", method: "GET", target: "/api/catalog/images/..%2F..%2F..%2Fgo.mod", status: 404},
		{name: "dot-dot image", method: "GET", target: "/api/catalog/images/%2e%2e%2fsecret.svg", status: 404},
		{name: "traversal in payment id", method: "GET", target: "/api/payments/..%2F..%2Fetc/client-secret", status: 422},
		{name: "traversal in refund", who: "admin", method: "POST", target: "/api/payments/%2e%2e%2f/refunds", header: map[string]string{"Idempotency-Key": "hostile-refund-4"}, body: `{"amount":{"amount":1,"currency":"EUR"},"reason":"x"}`, status: 422},
		{name: "traversal in staff order", who: "admin", method: "POST", target: "/api/admin/orders/..%2F" + order + "/cancel", body: `{"reason":"x"}`, status: 404},
		{name: "traversal in client id", who: "admin", method: "GET", target: "/api/clients/..%2F..%2Fetc%2Fpasswd", status: 404},
		{name: "traversal in dev mail", method: "GET", target: "/dev/mail/..%2F..%2Fetc%2Fpasswd", status: 404},
		{name: "traversal outside /api", method: "GET", target: "/api/../../etc/passwd", status: 404},
		// Header values that are not what they claim.
		{name: "Idempotency-Key with spaces", method: "POST", target: "/api/basket/checkout", header: map[string]string{"Idempotency-Key": "abc def ghi"}, body: co2, status: 400},
		{name: "Idempotency-Key too long", method: "POST", target: "/api/basket/checkout", header: map[string]string{"Idempotency-Key": strings.Repeat("k", 129)}, body: co2, status: 400},
		{name: "Idempotency-Key non-ASCII", method: "POST", target: "/api/basket/checkout", header: map[string]string{"Idempotency-Key": "clé-idempotence-1"}, body: co2, status: 400},
		{name: "If-Match not ours", method: "PATCH", target: "/api/basket/items/" + other, header: map[string]string{"If-Match": `"' OR 1=1--"`}, body: `{"quantity":2}`, status: 412},
		{name: "If-Match overflow", method: "DELETE", target: "/api/basket", header: map[string]string{"If-Match": `"99999999999999999999999"`}, status: 412},
		{name: "If-Match stale", method: "DELETE", target: "/api/basket/items/" + other, header: map[string]string{"If-Match": `"0"`}, status: 412},
		{name: "garbage bearer token", who: "anonymous", method: "GET", target: "/api/orders", header: map[string]string{"Authorization": "Bearer ' OR 1=1--"}, status: 401},
		{name: "CSRF token of another shape", method: "POST", target: "/api/basket/items", header: map[string]string{gateway.CSRFHeader: "../../etc/passwd"}, body: `{"sku":"` + sku + `","quantity":1}`, status: 403},
		{name: "cross-site POST", method: "POST", target: "/api/basket/items", header: map[string]string{"Origin": "https://evil.test", "Sec-Fetch-Site": "cross-site"}, body: `{"sku":"` + sku + `","quantity":1}`, status: 403},
		{name: "oversized query", method: "GET", target: "/api/catalog/products?q=" + strings.Repeat("a", 6000)},
		// Unknown and unexpected methods.
		{name: "unknown method", method: "BREW", target: "/api/basket"},
		{name: "lower-case method", method: "post", target: "/api/basket/items", body: `{"sku":"` + sku + `","quantity":1}`},
		{name: "WebDAV method", method: "PROPFIND", target: "/api/orders"},
		{name: "method not routed", method: "PUT", target: "/api/basket/checkout", body: co2, status: 405},
		{name: "TRACE", method: "TRACE", target: "/api/basket", status: 405},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := map[string]*shopper{"": customer, "customer": customer, "admin": admin, "anonymous": anon}[tc.who]
			b.t = t
			var body []byte
			if tc.body != "" || tc.method == "POST" || tc.method == "PUT" || tc.method == "PATCH" {
				body = []byte(tc.body)
			}
			a := b.send(tc.method, tc.target, tc.header, body)
			expectHostile(t, a, tc.status)
		})
	}

	// Header injection and oversized headers travel as raw bytes: CR and LF
	// inside a value, a folded line, a header larger than the read buffer.
	cookie := customer.cookieHeader()
	rawHead := func(method, target string, extra string, body string) string {
		return method + " " + target + " HTTP/1.1\r\nHost: shop.test\r\nContent-Type: application/json\r\nCookie: " + cookie +
			"\r\n" + gateway.CSRFHeader + ": " + customer.csrf + "\r\n" + extra + fmt.Sprintf("Content-Length: %d\r\nConnection: close\r\n\r\n", len(body)) + body
	}
	bad := `{"sku":"` + sku + `","quantity":-1}`
	rawCases := []struct {
		name, request string
		status        int
	}{
		{"CRLF in Idempotency-Key", rawHead("POST", "/api/basket/checkout", "Idempotency-Key: short\r\nSet-Cookie: admin=1\r\n", co2), 400},
		{"CR alone in Idempotency-Key", rawHead("POST", "/api/basket/checkout", "Idempotency-Key: hostile-key-0001\rX-Injected: 1\r\n", co2), 0},
		{"CRLF in X-Request-ID", rawHead("POST", "/api/basket/items", "X-Request-ID: abc\r\nX-Injected: yes\r\n", bad), 422},
		{"encoded CRLF in X-Request-ID", rawHead("POST", "/api/basket/items", "X-Request-ID: abc%0d%0aSet-Cookie:%20admin=1\r\n", bad), 422},
		{"LF in If-Match", rawHead("PATCH", "/api/basket/items/"+other, "If-Match: \"1\nX-Injected: 1\"\r\n", `{"quantity":3}`), 0},
		{"folded If-Match", rawHead("PATCH", "/api/basket/items/"+other, "If-Match: \"1\"\r\n \"2\"\r\n", `{"quantity":3}`), 0},
		{"NUL in Idempotency-Key", rawHead("POST", "/api/basket/checkout", "Idempotency-Key: hostile\x00key-0002\r\n", co2), 0},
		{"64 KB header", rawHead("POST", "/api/basket/items", "X-Filler: "+strings.Repeat("x", 64<<10)+"\r\n", bad), 431},
		{"64 KB cookie", rawHead("POST", "/api/basket/items", "Cookie: big="+strings.Repeat("x", 64<<10)+"\r\n", bad), 431},
		{"2000 headers", rawHead("POST", "/api/basket/items", strings.Repeat("X-A: b\r\n", 2000), bad), 431},
		{"unknown method on the wire", "BREW /api/basket HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n", 0},
		{"absolute-form target to another host", rawHead("GET", "http://evil.test/api/orders/..%2f..%2fetc%2fpasswd", "", ""), 404},
	}
	for _, rc := range rawCases {
		t.Run(rc.name, func(t *testing.T) {
			a := shop.rawSend(t, rc.request)
			expectHostile(t, a, rc.status)
			for k := range a.header {
				if strings.EqualFold(k, "X-Injected") {
					t.Fatalf("injected header came back: %v", a.header)
				}
			}
			if v := a.header.Get("Set-Cookie"); strings.Contains(v, "admin=1") {
				t.Fatalf("injected cookie came back: %q", v)
			}
			if id := a.header.Get("X-Request-ID"); id != "" && !requestID.MatchString(id) {
				t.Fatalf("request id %q echoes a hostile value", id)
			}
		})
	}

	customer.t, admin.t, anon.t = t, t, t
	time.Sleep(500 * time.Millisecond) // anything a hostile request set off has time to land
	after := settled(t, shop, customer, admin, placed.OrderID, paymentID)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("stored %s changed:\nbefore %.1000s\nafter  %.1000s", k, v, after[k])
		}
	}
}

// expectHostile: a 4xx problem+json, of the given status when not 0.
func expectHostile(t *testing.T, a answer, status int) {
	t.Helper()
	if a.status < 400 || a.status > 499 || (status != 0 && a.status != status) {
		want := "a 4xx"
		if status != 0 {
			want = fmt.Sprint(status)
		}
		t.Fatalf("status %d, want %s; body %.300s", a.status, want, a.body)
	}
	testenv.CheckProblem(t, "hostile request", a.status, a.header.Get("Content-Type"), a.body)
}
