package payment_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v82/webhook"

	api "github.com/evshop/shop/api/payment"
	"github.com/evshop/shop/commands/esrepo"
	cmdpay "github.com/evshop/shop/commands/payment"
	"github.com/evshop/shop/domain/money"
	domain "github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/payments"
	"github.com/evshop/shop/payments/sandbox"
	"github.com/evshop/shop/payments/stripe"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
	projection "github.com/evshop/shop/projections/payments"
)

const whsec = "whsec_test_secret"

type env struct {
	app   *fiber.App
	store *memory.Store
	gw    *sandbox.Gateway
	h     *cmdpay.Handlers
	proj  *projection.Memory
	pos   uint64
}

// project feeds the read model from the store, as the relay would.
func (e *env) project(t *testing.T) {
	t.Helper()
	p, _ := projection.NewProjector(e.proj)
	for ev, err := range e.store.ReadAll(context.Background(), e.pos, p.Filter()) {
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Handle(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
		e.pos = ev.Position
	}
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{store: memory.New(), gw: sandbox.New(), proj: projection.NewMemory()}
	st, err := stripe.New(stripe.Config{SecretKey: "sk_test_unused", BaseURL: "http://127.0.0.1:1", WebhookSecret: whsec})
	if err != nil {
		t.Fatal(err)
	}
	if e.h, err = cmdpay.NewHandlers(cmdpay.Config{Store: e.store, Gateways: payments.Router{"sandbox": e.gw, "stripe": st}}); err != nil {
		t.Fatal(err)
	}
	a, err := api.New(api.Deps{Reader: e.proj, Commands: e.h, Stripe: st, Dedupe: messaging.NewMemoryDeduper(), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	e.app = fiber.New(httpx.AppConfig(slog.New(slog.DiscardHandler)))
	// Tests name the caller in a header instead of a signed token.
	e.app.Use(func(c *fiber.Ctx) error {
		if who := c.Get("X-Test-User"); who != "" {
			parts := strings.SplitN(who, ":", 2)
			authn.WithPrincipal(c, authn.Principal{UserID: parts[0], Roles: []authn.Role{authn.Role(parts[1])}})
		}
		return c.Next()
	})
	a.Mount(e.app.Group("/api/payments"))
	return e
}

func (e *env) do(t *testing.T, method, path, user, body string, headers ...string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set("X-Test-User", user)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

func paidOrder(t *testing.T, e *env, customer string) (orderID, paymentID string) {
	t.Helper()
	orderID = uuid.NewString()
	paymentID = domain.IDForOrder(orderID)
	ctx := context.Background()
	if err := e.h.AuthorizePayment(ctx, &cmdpay.AuthorizePayment{PaymentID: paymentID, OrderID: orderID, CustomerID: customer,
		Amount: money.DTO{Amount: 3000, Currency: "EUR"}, Method: "sandbox", Token: sandbox.TokenSuccess, Last4: "4242"}); err != nil {
		t.Fatal(err)
	}
	if err := e.h.CapturePayment(ctx, &cmdpay.CapturePayment{PaymentID: paymentID}); err != nil {
		t.Fatal(err)
	}
	e.project(t)
	return orderID, paymentID
}

func TestListByOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	orderID, _ := paidOrder(t, e, "ann")
	tests := []struct {
		name, user, query string
		want              int
	}{
		{"anonymous", "", orderID, 401},
		{"owner", "ann:customer", orderID, 200},
		{"someone else", "bob:customer", orderID, 404},
		{"support", "sue:support", orderID, 200},
		{"bad id", "ann:customer", "x' OR 1=1", 422},
	}
	for _, tt := range tests {
		code, body := e.do(t, "GET", "/api/payments/?orderId="+strings.ReplaceAll(tt.query, " ", "%20"), tt.user, "")
		if code != tt.want {
			t.Fatalf("%s: status %d, want %d (%v)", tt.name, code, tt.want, body)
		}
		if code == 200 {
			list := body["payments"].([]any)
			p := list[0].(map[string]any)
			if len(list) != 1 || p["status"] != "captured" || p["last4"] != "4242" || p["gatewayRef"] != nil {
				t.Fatalf("%s: body %v", tt.name, body)
			}
		}
	}
}

func TestAdminRefund(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, pid := paidOrder(t, e, "ann")
	path := "/api/payments/" + pid + "/refunds"
	ok := `{"amount":{"amount":1000,"currency":"EUR"},"reason":"broken on arrival"}`
	tests := []struct {
		name, user, body, key string
		want                  int
	}{
		{"customer", "ann:customer", ok, "k1", 403},
		{"no key", "adm:admin", ok, "", 400},
		{"unknown field", "adm:admin", `{"amount":{"amount":1,"currency":"EUR"},"reason":"x","card":"4242"}`, "k1", 422},
		{"float amount", "adm:admin", `{"amount":{"amount":1.5,"currency":"EUR"},"reason":"x"}`, "k1", 422},
		{"too large", "adm:admin", `{"amount":{"amount":3001,"currency":"EUR"},"reason":"x"}`, "k0", 409},
		{"refund", "adm:admin", ok, "k1", 200},
		{"retried", "adm:admin", ok, "k1", 200},
		{"other currency", "adm:admin", `{"amount":{"amount":1,"currency":"USD"},"reason":"x"}`, "k2", 422},
	}
	for _, tt := range tests {
		code, body := e.do(t, "POST", path, tt.user, tt.body, "Idempotency-Key", tt.key)
		if code != tt.want {
			t.Fatalf("%s: status %d, want %d (%v)", tt.name, code, tt.want, body)
		}
	}
	if n := e.gw.Calls(payments.OpRefund); n != 1 {
		t.Fatalf("gateway refunds = %d, want 1", n)
	}
	if code, _ := e.do(t, "POST", "/api/payments/"+uuid.NewString()+"/refunds", "adm:admin", ok, "Idempotency-Key", "k9"); code != 404 {
		t.Fatalf("unknown payment: %d", code)
	}
}

// TestRefundsAddUpToTheCapture: refunds are admin-only; several partial
// refunds up to the captured amount, each once by its Idempotency-Key; more
// than what remains is refused.
func TestRefundsAddUpToTheCapture(t *testing.T) {
	t.Parallel()
	type step struct {
		user, key  string
		amount     int64
		want       int
		wantStatus string
		refunded   float64
	}
	tests := []struct {
		name  string
		steps []step
		calls int
	}{
		{"two partials then the rest", []step{
			{"adm:admin", "a", 1000, 200, "captured", 1000},
			{"adm:admin", "b", 500, 200, "captured", 1500},
			{"adm:admin", "c", 1500, 200, "refunded", 3000},
		}, 3},
		{"over-refund refused", []step{
			{"adm:admin", "a", 2500, 200, "captured", 2500},
			{"adm:admin", "b", 501, 409, "", 0},
			{"adm:admin", "c", 500, 200, "refunded", 3000},
		}, 2},
		{"same key twice is one refund", []step{
			{"adm:admin", "a", 1000, 200, "captured", 1000},
			{"adm:admin", "a", 1000, 200, "captured", 1000},
		}, 1},
		{"support may not refund", []step{{"sue:support", "a", 1000, 403, "", 0}}, 0},
		{"nothing left after the full refund", []step{
			{"adm:admin", "a", 3000, 200, "refunded", 3000},
			{"adm:admin", "b", 1, 409, "", 0},
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			_, pid := paidOrder(t, e, "ann")
			for i, s := range tt.steps {
				body := fmt.Sprintf(`{"amount":{"amount":%d,"currency":"EUR"},"reason":"damaged"}`, s.amount)
				code, out := e.do(t, "POST", "/api/payments/"+pid+"/refunds", s.user, body, "Idempotency-Key", s.key)
				if code != s.want {
					t.Fatalf("step %d: status %d, want %d (%v)", i, code, s.want, out)
				}
				if code == 200 {
					if r, _ := out["refunded"].(map[string]any); out["status"] != s.wantStatus || r["amount"] != s.refunded {
						t.Fatalf("step %d: %v, want %s with %v refunded", i, out, s.wantStatus, s.refunded)
					}
				}
			}
			if n := e.gw.Calls(payments.OpRefund); n != tt.calls {
				t.Fatalf("gateway refunds = %d, want %d", n, tt.calls)
			}
		})
	}
}

func TestStripeWebhook(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	orderID := uuid.NewString()
	pid := domain.IDForOrder(orderID)
	// A Stripe payment waiting for the buyer's confirmation in the browser.
	for i, ev := range []domain.Event{
		domain.PaymentRequested{PaymentID: pid, OrderID: orderID, CustomerID: "ann", Amount: money.DTO{Amount: 3000, Currency: "EUR"}, Method: "stripe"},
		domain.PaymentActionRequired{PaymentID: pid, OrderID: orderID, GatewayRef: "pi_123"},
	} {
		data, _ := esrepo.Encode(ev, eventstore.Metadata{})
		if _, err := e.store.Append(ctx, domain.Stream(pid), eventstore.AfterVersion(uint64(i)), data); err != nil {
			t.Fatal(err)
		}
	}
	eventFor := func(id, typ, intent, paymentID string) string {
		return fmt.Sprintf(`{"id":%q,"object":"event","type":%q,"data":{"object":{"id":%q,"object":"payment_intent","metadata":{"shop_payment_id":%q}}}}`, id, typ, intent, paymentID)
	}
	event := func(id, typ, paymentID string) string { return eventFor(id, typ, "pi_123", paymentID) }
	sign := func(body string, at time.Time, secret string) string {
		return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(body), Secret: secret, Timestamp: at}).Header
	}
	good := event("evt_1", "payment_intent.amount_capturable_updated", pid)
	tests := []struct {
		name, body, sig string
		want            int
		dup             bool
	}{
		// Signed by Stripe and carrying this payment's id, but about another
		// PaymentIntent: acknowledged, and the payment does not move.
		{"another payment intent", eventFor("evt_0", "payment_intent.payment_failed", "pi_999", pid), "", 200, false},
		{"forged", good, sign(good, time.Now(), "whsec_other"), 400, false},
		{"replayed late", good, sign(good, time.Now().Add(-time.Hour), whsec), 400, false},
		{"no signature", good, "", 400, false},
		{"authorized", good, sign(good, time.Now(), whsec), 200, false},
		{"duplicate", good, sign(good, time.Now(), whsec), 200, true},
		{"not ours", event("evt_2", "payment_intent.amount_capturable_updated", uuid.NewString()), "", 200, false},
		{"ignored type", event("evt_3", "charge.refunded", pid), "", 200, false},
	}
	for _, tt := range tests {
		sig := tt.sig
		if sig == "" && tt.want == 200 {
			sig = sign(tt.body, time.Now(), whsec)
		}
		code, body := e.do(t, "POST", "/api/payments/webhooks/stripe", "", tt.body, "Stripe-Signature", sig)
		if code != tt.want || (tt.dup != (body["duplicate"] == true)) {
			t.Fatalf("%s: status %d body %v", tt.name, code, body)
		}
		if p, err := e.h.Load(ctx, pid); tt.name == "another payment intent" && (err != nil || p.Status() != domain.StatusActionRequired) {
			t.Fatalf("%s: payment moved to %v (%v)", tt.name, p.Status(), err)
		}
	}
	p, err := e.h.Load(ctx, pid)
	if err != nil || p.Status() != domain.StatusAuthorized || p.GatewayRef() != "pi_123" {
		t.Fatalf("payment %v %v", p.Status(), err)
	}
	// The client secret is only for the owner and only while confirmation is pending.
	if code, _ := e.do(t, "GET", "/api/payments/"+pid+"/client-secret", "bob:customer", ""); code != 404 {
		t.Fatalf("client secret for someone else: %d", code)
	}
	if code, _ := e.do(t, "GET", "/api/payments/"+pid+"/client-secret", "ann:customer", ""); code != 409 {
		t.Fatalf("client secret after authorization: %d", code)
	}
	if code, _ := e.do(t, "POST", "/api/payments/webhooks/paypal", "", good); code != 404 {
		t.Fatalf("paypal webhook without paypal: %d", code)
	}
}
