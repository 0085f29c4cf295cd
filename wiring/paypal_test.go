package wiring_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/evshop/shop/api/gateway"
	"github.com/evshop/shop/payments/paypal/paypaltest"
	"github.com/evshop/shop/platform/service"
	"github.com/evshop/shop/wiring"
	"github.com/evshop/shop/wiring/providers/shopproviders"
)

// startPayPalShop runs the one-process shop as cmd/shop does (its payment
// adapters linked) with env until the test ends, on a loopback port.
func startPayPalShop(t *testing.T, env map[string]string) string {
	t.Helper()
	s, err := wiring.LoadShop(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	in := wiring.NewInfra(&s.Common, log)
	shopproviders.Set(&in.Providers) // as cmd/shop
	ctx, cancel := context.WithCancel(context.Background())
	app, err := in.Shop(ctx, s)
	if err != nil {
		cancel()
		in.Close()
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		in.Close()
		t.Fatal(err)
	}
	ran, served := make(chan struct{}), make(chan struct{})
	go func() { defer close(ran); _ = in.Run(ctx, nil) }()
	go func() { defer close(served); _ = service.Serve(ctx, app, ln, log) }()
	t.Cleanup(func() {
		cancel()
		<-ran
		<-served
		in.Close()
	})
	return "http://" + ln.Addr().String()
}

// atPayPal has the buyer open the approval link and press button ("approve"
// or "cancel"); it returns the token PayPal sends the buyer back with.
func atPayPal(t *testing.T, approveURL, button, wantBack string) string {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}
	res, err := c.Get(approveURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(page), "paypal-"+button) {
		t.Fatalf("approval page: %d %.300s", res.StatusCode, page)
	}
	u, _ := url.Parse(approveURL)
	res, err = c.PostForm(u.Scheme+"://"+u.Host+"/checkoutnow/"+button, url.Values{"token": {u.Query().Get("token")}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	back, err := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || err != nil || back.Path != wantBack || back.Query().Get("token") == "" {
		t.Fatalf("%s at PayPal: %d, sent to %q, want %s", button, res.StatusCode, res.Header.Get("Location"), wantBack)
	}
	return back.Query().Get("token")
}

// TestEmbeddedShopPayPalApproval goes through the one-process shop's HTTP
// API with PayPal as the fake PayPal (checked against PayPal's published
// API description): a PayPal checkout answers 202, the payment waits for
// the buyer, its approval link appears, the buyer approves at PayPal and
// returns, and the order is Paid with its stock committed; a second buyer
// cancels at PayPal and the order is Cancelled with the reason, its stock
// given back.
func TestEmbeddedShopPayPalApproval(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the embedded shop")
	}
	fake := paypaltest.New(t)
	const email, password = "admin@paypal.test", "paypal approval admin passphrase"
	base := startPayPalShop(t, map[string]string{"AUTH_BOOTSTRAP_ADMIN_EMAIL": email, "AUTH_BOOTSTRAP_ADMIN_PASSWORD": password,
		"OPS_EMAIL": "", "METRICS_ADDR": "", "RATE_LIMIT": "100000", "PUBLIC_URL": "http://shop.test",
		"PAYMENT_GATEWAYS": "sandbox,paypal", "PAYPAL_CLIENT_ID": paypaltest.ClientID, "PAYPAL_SECRET": paypaltest.ClientSecret,
		"PAYPAL_URL": fake.URL,
		"DATA_DIR":   t.TempDir()}) // not the developer's shop
	c := serverShop{gatewayURL: base}.caller(t, "")
	if status := c.login(email, password); status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	const sku = "KIT-001"
	type product struct{ OnHand, Reserved int }
	stock := func() product {
		var p product
		if status := c.do(http.MethodGet, "/api/catalog/products/"+sku, nil, &p); status != http.StatusOK {
			t.Fatalf("product: %d", status)
		}
		return p
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	type order struct{ Status, CancelReason string }
	checkout := func(key string) (orderID, paymentID, approveURL string) {
		t.Helper()
		if status := c.do(http.MethodPost, "/api/basket/items", map[string]any{"sku": sku, "quantity": 1}, nil); status != http.StatusOK {
			t.Fatalf("add to basket: %d", status)
		}
		var placed struct{ OrderID string }
		body := map[string]any{"payment": map[string]string{"method": "paypal"}, "shippingMethod": "standard",
			"shippingAddress": map[string]string{"name": "Pat Pal", "line1": "1 Test Street", "city": "Berlin", "postalCode": "10115", "country": "DE"}}
		req := func() int {
			return c.doWith(http.MethodPost, "/api/basket/checkout", body, &placed, "Idempotency-Key", key)
		}
		if status := req(); status != http.StatusAccepted || placed.OrderID == "" {
			t.Fatalf("checkout: %d %+v", status, placed)
		}
		waitFor("the payment to wait for the buyer", func() bool {
			var list struct {
				Payments []struct{ PaymentID, Status, Method string }
			}
			if c.do(http.MethodGet, "/api/payments?orderId="+placed.OrderID, nil, &list) != http.StatusOK || len(list.Payments) != 1 {
				return false
			}
			paymentID = list.Payments[0].PaymentID
			return list.Payments[0].Status == "action_required" && list.Payments[0].Method == "paypal"
		})
		var link struct{ ApproveURL string }
		if status := c.do(http.MethodGet, "/api/payments/"+paymentID+"/approval", nil, &link); status != http.StatusOK || !strings.HasPrefix(link.ApproveURL, fake.URL) {
			t.Fatalf("approval link: %d %+v", status, link)
		}
		return placed.OrderID, paymentID, link.ApproveURL
	}
	waitOrder := func(id, status string) order {
		t.Helper()
		var o order
		waitFor("order "+id+" to be "+status, func() bool {
			return c.do(http.MethodGet, "/api/orders/"+id, nil, &o) == http.StatusOK && o.Status == status
		})
		return o
	}

	before := stock()
	// Approved: authorized on the buyer's return, captured by the checkout.
	orderID, _, link := checkout("paypal-approve")
	if s := stock(); s.Reserved != before.Reserved+1 {
		t.Fatalf("reserved %d while waiting for PayPal, want %d", s.Reserved, before.Reserved+1)
	}
	token := atPayPal(t, link, "approve", "/checkout/paypal/return")
	var back struct{ OrderID, Status string }
	if status := c.do(http.MethodPost, "/api/payments/paypal/return", map[string]string{"token": token}, &back); status != http.StatusOK || back.OrderID != orderID {
		t.Fatalf("return: %d %+v", status, back)
	}
	waitOrder(orderID, "Paid")
	waitFor("the stock to be committed", func() bool { s := stock(); return s.OnHand == before.OnHand-1 && s.Reserved == before.Reserved })
	if n := fake.Calls("authorizations.capture"); n != 1 {
		t.Fatalf("%d captures at PayPal, want 1", n)
	}

	// Cancelled at PayPal: the order is cancelled with the reason, the stock
	// given back.
	orderID, _, link = checkout("paypal-cancel")
	token = atPayPal(t, link, "cancel", "/checkout/paypal/cancel")
	if status := c.do(http.MethodPost, "/api/payments/paypal/cancel", map[string]string{"token": token}, &back); status != http.StatusOK || back.Status != "failed" {
		t.Fatalf("cancel: %d %+v", status, back)
	}
	if o := waitOrder(orderID, "Cancelled"); o.CancelReason != "buyer cancelled at PayPal" {
		t.Fatalf("cancel reason %q", o.CancelReason)
	}
	waitFor("the stock to be released", func() bool { s := stock(); return s.OnHand == before.OnHand-1 && s.Reserved == before.Reserved })
	if n := fake.Calls("orders.authorize"); n != 1 {
		t.Fatalf("%d authorizations at PayPal, want 1 (the cancelled order is never authorized)", n)
	}
}

// doWith is caller.do with extra request headers (name, value pairs).
func (c *caller) doWith(method, path string, body, out any, headers ...string) int {
	c.t.Helper()
	raw, _ := json.Marshal(body)
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(raw))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(gateway.CSRFHeader, c.csrf)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.client.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	if out != nil && res.StatusCode < 300 {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			c.t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return res.StatusCode
}
