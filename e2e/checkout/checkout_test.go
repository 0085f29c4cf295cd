// Package checkout_test is the server-mode end-to-end test of checkout
// (issue 6): the shop runs as separate processes on real PostgreSQL,
// RabbitMQ, MongoDB (FerretDB), Redis, the SES emulator and stripe-mock, and
// the test is a shopper talking to the gateway only.
package checkout_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/e2e/harness"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/postgres"
	"github.com/evshop/shop/platform/pg"
	"github.com/evshop/shop/platform/testenv"
)

func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }

const password = "correct horse battery staple"

// payment is one entry of GET /api/payments?orderId=.
type payment struct {
	PaymentID string `json:"paymentId"`
	Status    string `json:"status"`
	Method    string `json:"method"`
	Last4     string `json:"last4"`
	Captured  int64  `json:"captured"`
	FailCode  string `json:"failCode"`
	Reason    string `json:"reason"`
	Ledger    []struct {
		Kind       string `json:"kind"`
		GatewayRef string `json:"gatewayRef"`
	} `json:"ledger"`
}

func payments(ctx context.Context, t *testing.T, b *harness.Browser, orderID string) []payment {
	t.Helper()
	r, err := b.Expect(ctx, http.StatusOK, http.MethodGet, "/api/payments?orderId="+orderID, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Payments []payment `json:"payments"`
	}
	if err := r.JSON(&v); err != nil {
		t.Fatal(err)
	}
	return v.Payments
}

// waitPayment polls the payments ledger until the order's one payment
// satisfies ok (the ledger projector may lag the order).
func waitPayment(ctx context.Context, t *testing.T, b *harness.Browser, orderID string, ok func(payment) bool) payment {
	t.Helper()
	for {
		ps := payments(ctx, t, b, orderID)
		if len(ps) == 1 && ok(ps[0]) {
			return ps[0]
		}
		if len(ps) > 1 {
			t.Fatalf("order %s has %d payments: %+v", orderID, len(ps), ps)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("payment of order %s: %+v", orderID, ps)
		case <-time.After(150 * time.Millisecond):
		}
	}
}

func kinds(p payment) []string {
	var out []string
	for _, e := range p.Ledger {
		out = append(out, e.Kind)
	}
	return out
}

// stock is the admin view of a product's counters.
func stock(ctx context.Context, t *testing.T, admin *harness.Browser, sku string) (onHand, reserved int) {
	t.Helper()
	r, err := admin.Expect(ctx, http.StatusOK, http.MethodGet, "/api/catalog/products/"+sku, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		OnHand   *int `json:"onHand"`
		Reserved *int `json:"reserved"`
	}
	if err := r.JSON(&p); err != nil {
		t.Fatal(err)
	}
	if p.OnHand == nil || p.Reserved == nil {
		t.Fatalf("the admin view of %s has no stock counters: %s", sku, r)
	}
	return *p.OnHand, *p.Reserved
}

// waitStock polls until the product's counters are as wanted (CommitStock
// and ReleaseStock follow the order's terminal event asynchronously).
func waitStock(ctx context.Context, t *testing.T, admin *harness.Browser, sku string, onHand, reserved int) {
	t.Helper()
	for {
		h, r := stock(ctx, t, admin, sku)
		if h == onHand && r == reserved {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: onHand=%d reserved=%d, want %d/%d", sku, h, r, onHand, reserved)
		case <-time.After(150 * time.Millisecond):
		}
	}
}

func signUp(ctx context.Context, t *testing.T, c *harness.Cluster, mail *harness.Mailbox, who string) (*harness.Browser, string) {
	t.Helper()
	b, err := c.NewBrowser("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	email := testenv.SESRecipient(who)
	if _, err := b.SignUp(ctx, mail, email, password, "E2E "+who); err != nil {
		t.Fatal(err)
	}
	return b, email
}

func admin(ctx context.Context, t *testing.T, c *harness.Cluster) *harness.Browser {
	t.Helper()
	b, err := c.NewBrowser("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if _, err := b.Login(ctx, c.AdminEmail, c.AdminPassword); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSandboxCheckout: register → verify by the emailed link → log in → fill
// the basket → check out with the sandbox card → Paid, captured once, stock
// committed, one confirmation email; then a declined card → Cancelled with
// the reason, no capture, stock given back.
func TestSandboxCheckout(t *testing.T) {
	c := harness.Start(t, harness.Options{})
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	mail := c.Mailbox()
	staff := admin(ctx, t, c)
	shopper, email := signUp(ctx, t, c, mail, "buyer")

	kitBefore, kitReserved := stock(ctx, t, staff, "KIT-001")
	outBefore, _ := stock(ctx, t, staff, "OUT-003")
	if kitReserved != 0 {
		t.Fatalf("KIT-001 starts with %d reserved", kitReserved)
	}

	t.Run("paid", func(t *testing.T) {
		// The shopper reads German: the notifier, a process of its own,
		// must take that from the client service's profile.
		prefs := map[string]any{"language": "de", "currency": "EUR", "marketingOptIn": false, "favouriteCategories": []string{}, "extra": map[string]string{}}
		for {
			r, err := shopper.Do(ctx, http.MethodPut, "/api/clients/me/preferences", prefs, nil)
			if err == nil && r.Status == http.StatusOK {
				break
			}
			select { // the profile is created from UserRegistered, asynchronously
			case <-ctx.Done():
				t.Fatalf("preferences: %v %s", err, r)
			case <-time.After(200 * time.Millisecond):
			}
		}
		for _, l := range []struct {
			sku string
			qty int
		}{{"KIT-001", 2}, {"OUT-003", 1}} {
			if err := shopper.AddItem(ctx, l.sku, l.qty); err != nil {
				t.Fatal(err)
			}
		}
		id, r, err := shopper.Checkout(ctx, "e2e-paid-"+strconv.FormatInt(time.Now().UnixNano(), 36), harness.SandboxCard(harness.CardSuccess))
		if err != nil || id == "" {
			t.Fatalf("checkout: %v %s", err, r)
		}
		o, err := shopper.WaitOrder(ctx, id, "Paid", "Cancelled")
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != "Paid" {
			t.Fatalf("order ended %s (%s), want Paid; history %+v", o.Status, o.CancelReason, o.History)
		}
		if want := int64(2*3490 + 2990); o.Total.Amount != want || o.Total.Currency != "EUR" || o.Email != email {
			t.Fatalf("order = %+v, want total %d EUR for %s", o, want, email)
		}
		var hist []string
		for _, h := range o.History {
			hist = append(hist, h.Status)
		}
		if got := strings.Join(hist, ","); got != "Placed,Paid" {
			t.Fatalf("history = %s", got)
		}
		p := waitPayment(ctx, t, shopper, id, func(p payment) bool { return p.Status == "captured" })
		if p.Captured != o.Total.Amount || p.Last4 != "4242" || strings.Count(strings.Join(kinds(p), ","), "captured") != 1 {
			t.Fatalf("payment = %+v", p)
		}
		waitStock(ctx, t, staff, "KIT-001", kitBefore-2, 0)
		waitStock(ctx, t, staff, "OUT-003", outBefore-1, 0)
		m, err := mail.WaitFor(ctx, email, func(m testenv.SESMail) bool { return strings.Contains(m.Subject, id) })
		if err != nil {
			t.Fatalf("no confirmation email: %v", err)
		}
		if !strings.Contains(m.Body.Text, "KIT-001") {
			t.Fatalf("confirmation email lacks its lines:\n%s", m.Body.Text)
		}
		if !strings.Contains(m.Subject, "ist bestätigt") || !strings.Contains(m.Body.Text, "E2E buyer") {
			t.Fatalf("confirmation email not in the customer's language and name: %q\n%s", m.Subject, m.Body.Text)
		}
		// The basket is empty after the checkout.
		r, err = shopper.Expect(ctx, http.StatusOK, http.MethodGet, "/api/basket", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		var basket struct {
			Lines []any `json:"lines"`
		}
		if err := r.JSON(&basket); err != nil || len(basket.Lines) != 0 {
			t.Fatalf("basket after checkout: %s", r)
		}

		// Staff refund part of it from the back office: the money goes
		// back through the payment service first (asked twice with one
		// Idempotency-Key, it is refunded once), then the order says so.
		refund := map[string]any{"amount": map[string]any{"amount": 1000, "currency": "EUR"}, "reason": "damaged in transit"}
		key := map[string]string{"Idempotency-Key": "e2e-refund-" + id}
		for range 2 {
			if r, err := staff.Expect(ctx, http.StatusAccepted, http.MethodPost, "/api/admin/orders/"+id+"/refund", refund, key); err != nil {
				t.Fatalf("refund: %v %s", err, r)
			}
		}
		if o, err := shopper.WaitOrder(ctx, id, "PartiallyRefunded"); err != nil || o.Status != "PartiallyRefunded" {
			t.Fatalf("order after the refund: %+v %v", o, err)
		}
		p = waitPayment(ctx, t, shopper, id, func(p payment) bool { return p.Status == "partially_refunded" })
		if got := strings.Count(strings.Join(kinds(p), ","), "refunded"); got != 1 {
			t.Fatalf("payment after one refund asked twice: ledger %v", kinds(p))
		}
		// More than what is left is refused; the rest makes it Refunded.
		over := map[string]any{"amount": map[string]any{"amount": o.Total.Amount - 999, "currency": "EUR"}, "reason": "damaged in transit"}
		if r, err := staff.Do(ctx, http.MethodPost, "/api/admin/orders/"+id+"/refund", over, map[string]string{"Idempotency-Key": "e2e-over-" + id}); err != nil ||
			r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("over-refund: %v %s", err, r)
		}
		rest := map[string]any{"amount": map[string]any{"amount": o.Total.Amount - 1000, "currency": "EUR"}, "reason": "returned"}
		if r, err := staff.Expect(ctx, http.StatusAccepted, http.MethodPost, "/api/admin/orders/"+id+"/refund", rest, map[string]string{"Idempotency-Key": "e2e-rest-" + id}); err != nil {
			t.Fatalf("refund the rest: %v %s", err, r)
		}
		if o, err := shopper.WaitOrder(ctx, id, "Refunded"); err != nil || o.Status != "Refunded" {
			t.Fatalf("order after the whole total is back: %+v %v", o, err)
		}
		p = waitPayment(ctx, t, shopper, id, func(p payment) bool { return p.Status == "refunded" })
		if got := strings.Count(strings.Join(kinds(p), ","), "refunded"); got != 2 {
			t.Fatalf("payment after two refunds: ledger %v", kinds(p))
		}
	})

	t.Run("declined", func(t *testing.T) {
		kit, _ := stock(ctx, t, staff, "KIT-001")
		if err := shopper.AddItem(ctx, "KIT-001", 1); err != nil {
			t.Fatal(err)
		}
		id, r, err := shopper.Checkout(ctx, "e2e-declined-"+strconv.FormatInt(time.Now().UnixNano(), 36), harness.SandboxCard(harness.CardDeclined))
		if err != nil || id == "" {
			t.Fatalf("checkout: %v %s", err, r)
		}
		o, err := shopper.WaitOrder(ctx, id, "Paid", "Cancelled")
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != "Cancelled" || !strings.Contains(strings.ToLower(o.CancelReason), "declined") {
			t.Fatalf("declined card: order %s, reason %q; want Cancelled with the decline reason", o.Status, o.CancelReason)
		}
		p := waitPayment(ctx, t, shopper, id, func(p payment) bool { return p.Status == "failed" })
		if p.Captured != 0 || strings.Contains(strings.Join(kinds(p), ","), "captured") || p.FailCode == "" {
			t.Fatalf("declined payment = %+v", p)
		}
		waitStock(ctx, t, staff, "KIT-001", kit, 0)
		// No confirmation for a cancelled order (the cancellation email
		// may come; a confirmation must not).
		time.Sleep(500 * time.Millisecond)
		mails, err := mail.To(ctx, email, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mails {
			if strings.Contains(m.Subject, id) && strings.Contains(m.Subject, "confirmed") {
				t.Fatalf("a cancelled order was confirmed by email: %q", m.Subject)
			}
		}
	})
	c.CheckAlive()
}

// stripeEvent signs a webhook event the way Stripe does: header
// "t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<payload>">".
func stripeEvent(t *testing.T, secret, typ string, object map[string]any) ([]byte, string) {
	t.Helper()
	payload, err := json.Marshal(map[string]any{
		"id": "evt_" + strconv.FormatInt(time.Now().UnixNano(), 36), "object": "event", "type": typ,
		"api_version": "2025-01-27.acacia", "created": time.Now().Unix(), "livemode": false,
		"data": map[string]any{"object": object},
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%s.%s", ts, payload)
	return payload, "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

func postWebhook(ctx context.Context, t *testing.T, c *harness.Cluster, payload []byte, signature string) harness.Response {
	t.Helper()
	// A webhook comes from Stripe, not a browser: no cookies, no CSRF.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.GatewayURL+"/api/payments/webhooks/stripe", strings.NewReader(string(payload)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", signature)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return harness.Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

// refuseUnofferedMethods: a shop offering Stripe only refuses a checkout
// naming the sandbox (which would approve a test card without taking money)
// or PayPal with 422 problem+json, before anything exists: no order stream,
// no stock reserved.
func refuseUnofferedMethods(ctx context.Context, t *testing.T, c *harness.Cluster, shopper *harness.Browser) {
	t.Helper()
	staff := admin(ctx, t, c)
	_, reservedBefore := stock(ctx, t, staff, "KIT-004")
	for i, p := range []map[string]string{harness.SandboxCard(harness.CardSuccess), {"method": "paypal"}} {
		_, r, err := shopper.Checkout(ctx, fmt.Sprintf("e2e-refused-%d-%d", i, time.Now().UnixNano()), p)
		if err != nil || r.Status != http.StatusUnprocessableEntity || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") ||
			!strings.Contains(string(r.Body), "payment.method") {
			t.Fatalf("checkout with %v in a stripe shop: %v %s", p, err, r)
		}
	}
	var cfg struct {
		PaymentMethods []string `json:"paymentMethods"`
	}
	if r, err := shopper.Expect(ctx, http.StatusOK, http.MethodGet, "/api/config", nil, nil); err != nil || r.JSON(&cfg) != nil ||
		len(cfg.PaymentMethods) != 1 || cfg.PaymentMethods[0] != "stripe" {
		t.Fatalf("/api/config: %v %+v", err, cfg)
	}
	pool, err := pg.Connect(ctx, c.PostgresURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	store, err := postgres.New(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	for ev, err := range store.ReadAll(ctx, 0, eventstore.Filter{StreamPrefixes: []string{ordering.StreamPrefix}}) {
		if err != nil {
			t.Fatal(err)
		}
		t.Fatalf("a refused checkout recorded %s in %s", ev.Type, ev.Stream)
	}
	if _, reserved := stock(ctx, t, staff, "KIT-004"); reserved != reservedBefore {
		t.Fatalf("a refused checkout reserved stock: %d, was %d", reserved, reservedBefore)
	}
}

// TestStripeCheckout runs the Stripe adapter against stripe-mock. The mock
// keeps no state, so the buyer's confirmation in the browser is played by a
// signed payment_intent.amount_capturable_updated webhook for the
// PaymentIntent the shop created; the capture then goes to the mock.
func TestStripeCheckout(t *testing.T) {
	c := harness.Start(t, harness.Options{PaymentGateway: "stripe"})
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	mail := c.Mailbox()
	shopper, email := signUp(ctx, t, c, mail, "stripe")

	if err := shopper.AddItem(ctx, "KIT-004", 1); err != nil {
		t.Fatal(err)
	}
	refuseUnofferedMethods(ctx, t, c, shopper)
	id, r, err := shopper.Checkout(ctx, "e2e-stripe-"+strconv.FormatInt(time.Now().UnixNano(), 36), map[string]string{"method": "stripe"})
	if err != nil || id == "" {
		t.Fatalf("checkout: %v %s", err, r)
	}
	// The shop created a PaymentIntent and waits for the buyer.
	p := waitPayment(ctx, t, shopper, id, func(p payment) bool { return p.Status == "action_required" })
	var ref string
	for _, e := range p.Ledger {
		if e.GatewayRef != "" {
			ref = e.GatewayRef
		}
	}
	if !strings.HasPrefix(ref, "pi_") || p.Method != "stripe" {
		t.Fatalf("stripe payment = %+v, want an action_required PaymentIntent", p)
	}
	r, err = shopper.Expect(ctx, http.StatusOK, http.MethodGet, "/api/payments/"+p.PaymentID+"/client-secret", nil, nil)
	if err != nil || !strings.Contains(string(r.Body), "clientSecret") {
		t.Fatalf("client secret: %v %s", err, r)
	}
	if o, _, err := shopper.Order(ctx, id); err != nil || o.Status == "Paid" || o.Status == "Cancelled" {
		t.Fatalf("order before the webhook: %+v %v", o, err)
	}

	object := map[string]any{"id": ref, "object": "payment_intent", "status": "requires_capture", "amount": 2900, "currency": "eur",
		"capture_method": "manual", "metadata": map[string]any{"shop_payment_id": p.PaymentID, "order_id": id}}
	payload, sig := stripeEvent(t, c.StripeWebhookSecret, "payment_intent.amount_capturable_updated", object)

	// A wrong signature is refused and changes nothing.
	_, forged := stripeEvent(t, "whsec_wrong", "payment_intent.amount_capturable_updated", object)
	if r := postWebhook(ctx, t, c, payload, forged); r.Status != http.StatusBadRequest {
		t.Fatalf("forged webhook: %s", r)
	}
	if r := postWebhook(ctx, t, c, payload, sig); r.Status != http.StatusOK {
		t.Fatalf("webhook: %s", r)
	}
	// Stripe redelivers: the same event id is a no-op.
	if r := postWebhook(ctx, t, c, payload, sig); r.Status != http.StatusOK || !strings.Contains(string(r.Body), "duplicate") {
		t.Fatalf("redelivered webhook: %s", r)
	}
	o, err := shopper.WaitOrder(ctx, id, "Paid", "Cancelled")
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != "Paid" {
		t.Fatalf("stripe order ended %s (%s); history %+v", o.Status, o.CancelReason, o.History)
	}
	p = waitPayment(ctx, t, shopper, id, func(p payment) bool { return p.Status == "captured" })
	if p.Captured != o.Total.Amount || strings.Count(strings.Join(kinds(p), ","), "captured") != 1 {
		t.Fatalf("stripe payment after capture = %+v", p)
	}
	if _, err := mail.WaitFor(ctx, email, func(m testenv.SESMail) bool { return strings.Contains(m.Subject, id) }); err != nil {
		t.Fatalf("no confirmation email: %v", err)
	}
	c.CheckAlive()
}
