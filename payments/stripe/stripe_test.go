package stripe_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/payments"
	"github.com/evshop/shop/payments/stripe"
	"github.com/evshop/shop/platform/testenv"
)

// recorder observes the requests stripe-go sends to the real stripe-mock.
type recorder struct {
	mu   sync.Mutex
	seen []string // "METHOD path idempotency-key"
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.seen = append(r.seen, req.Method+" "+req.URL.Path+" "+req.Header.Get("Idempotency-Key"))
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func TestGatewayAgainstStripeMock(t *testing.T) {
	t.Parallel()
	base := testenv.Require(t, testenv.StripeURLEnv)
	rec := &recorder{}
	g, err := stripe.New(stripe.Config{SecretKey: "sk_test_123", BaseURL: base, HTTPClient: &http.Client{Transport: rec, Timeout: 10 * time.Second}, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	amount, _ := money.New(4200, "EUR")
	pid := "7d1f0b7e-3c1a-5f0e-9d55-1c2b3a4d5e6f"

	auth, err := g.Authorize(ctx, payments.AuthorizeRequest{PaymentID: pid, OrderID: "o", Amount: amount, Token: "pm_card_visa", IdempotencyKey: payments.IdempotencyKey(pid, payments.OpAuthorize)})
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	// stripe-mock answers with fixtures: the intent is created but not
	// authorized, so the buyer would have to confirm it in the browser.
	if !strings.HasPrefix(auth.Ref, "pi_") || auth.Outcome == payments.OutcomeDeclined {
		t.Fatalf("Authorize = %+v", auth)
	}
	if auth.Outcome == payments.OutcomeActionRequired && auth.ClientSecret == "" {
		t.Fatal("action required without a client secret")
	}
	if _, err := g.Authorize(ctx, payments.AuthorizeRequest{PaymentID: pid, OrderID: "o", Amount: amount, IdempotencyKey: "k2"}); err != nil {
		t.Fatalf("Authorize without token: %v", err)
	}
	capRes, err := g.Capture(ctx, payments.CaptureRequest{PaymentID: pid, Ref: auth.Ref, Amount: amount, IdempotencyKey: payments.IdempotencyKey(pid, payments.OpCapture)})
	if err != nil || capRes.Ref == "" {
		t.Fatalf("Capture = %+v, %v", capRes, err)
	}
	ref, err := g.Refund(ctx, payments.RefundRequest{PaymentID: pid, AuthorizeRef: auth.Ref, Amount: amount, IdempotencyKey: payments.IdempotencyKey(pid, payments.OpRefund, "r1")})
	if err != nil || !strings.HasPrefix(ref.Ref, "re_") {
		t.Fatalf("Refund = %+v, %v", ref, err)
	}
	if err := g.Void(ctx, payments.VoidRequest{PaymentID: pid, Ref: auth.Ref, IdempotencyKey: payments.IdempotencyKey(pid, payments.OpVoid)}); err != nil {
		t.Fatalf("Void: %v", err)
	}
	if s, err := g.ClientSecret(ctx, auth.Ref); err != nil || s == "" {
		t.Fatalf("ClientSecret: %q, %v", s, err)
	}
	if _, err := g.Capture(ctx, payments.CaptureRequest{Ref: "", Amount: amount, IdempotencyKey: "x"}); err == nil {
		t.Fatal("capture of an empty reference succeeded")
	}

	want := []string{
		"POST /v1/payment_intents " + pid + ":authorize",
		"POST /v1/payment_intents k2",
		"POST /v1/payment_intents/" + auth.Ref + "/capture " + pid + ":capture",
		"POST /v1/refunds " + pid + ":refund:r1",
		"POST /v1/payment_intents/" + auth.Ref + "/cancel " + pid + ":void",
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for i, w := range want {
		if i >= len(rec.seen) || rec.seen[i] != w {
			t.Fatalf("request %d = %q, want %q (all: %q)", i, at(rec.seen, i), w, rec.seen)
		}
	}
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

// TestDeclineIsAnOutcome uses a fake only for the 402 card error, which
// stripe-mock cannot produce.
func TestDeclineIsAnOutcome(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusPaymentRequired)
		fmt.Fprint(w, `{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds.","payment_intent":{"id":"pi_x","object":"payment_intent"}}}`)
	}))
	defer srv.Close()
	g, _ := stripe.New(stripe.Config{SecretKey: "sk_test_123", BaseURL: srv.URL, MaxRetries: -1})
	amount, _ := money.New(100, "EUR")
	res, err := g.Authorize(context.Background(), payments.AuthorizeRequest{PaymentID: "p", Amount: amount, Token: "pm_card_chargeDeclinedInsufficientFunds", IdempotencyKey: "k"})
	if err != nil || res.Outcome != payments.OutcomeDeclined || res.Code != "insufficient_funds" || res.Ref != "pi_x" {
		t.Fatalf("Authorize = %+v, %v", res, err)
	}
}

func TestServerErrorIsRetryable(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"error":{"type":"api_error","message":"down"}}`)
	}))
	defer srv.Close()
	g, _ := stripe.New(stripe.Config{SecretKey: "sk_test_123", BaseURL: srv.URL, MaxRetries: -1})
	amount, _ := money.New(100, "EUR")
	_, err := g.Capture(context.Background(), payments.CaptureRequest{Ref: "pi_x", Amount: amount, IdempotencyKey: "k"})
	if !errors.Is(err, payments.ErrGateway) {
		t.Fatalf("err = %v, want ErrGateway", err)
	}
}

func TestParseWebhook(t *testing.T) {
	t.Parallel()
	const secret = "whsec_test"
	g, _ := stripe.New(stripe.Config{SecretKey: "sk_test_123", WebhookSecret: secret, WebhookTolerance: time.Minute})
	event := func(id, typ, extra string) []byte {
		return []byte(fmt.Sprintf(`{"id":%q,"object":"event","type":%q,"data":{"object":{"id":"pi_1","object":"payment_intent","metadata":{"shop_payment_id":"pay-1"}%s}}}`, id, typ, extra))
	}
	sign := func(payload []byte, at time.Time, sec string) string {
		return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: sec, Timestamp: at}).Header
	}
	now := time.Now()
	tests := []struct {
		name     string
		payload  []byte
		header   string
		wantErr  bool
		wantKind payments.NotificationKind
		wantCode string
	}{
		{"authorized", event("evt_1", "payment_intent.amount_capturable_updated", ""), "", false, payments.NotifyAuthorized, ""},
		{"failed", event("evt_2", "payment_intent.payment_failed", `,"last_payment_error":{"decline_code":"insufficient_funds","message":"no money"}`), "", false, payments.NotifyFailed, "insufficient_funds"},
		{"canceled", event("evt_3", "payment_intent.canceled", ""), "", false, payments.NotifyVoided, ""},
		{"ignored type", event("evt_4", "charge.succeeded", ""), "", false, payments.NotifyIgnored, ""},
		{"wrong secret", event("evt_5", "payment_intent.canceled", ""), "wrong", true, "", ""},
		{"too old", event("evt_6", "payment_intent.canceled", ""), "old", true, "", ""},
		{"no header", event("evt_7", "payment_intent.canceled", ""), "none", true, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := sign(tt.payload, now, secret)
			switch tt.header {
			case "wrong":
				h = sign(tt.payload, now, "whsec_other")
			case "old":
				h = sign(tt.payload, now.Add(-2*time.Minute), secret)
			case "none":
				h = ""
			}
			n, err := g.ParseWebhook(tt.payload, h)
			if tt.wantErr {
				if !errors.Is(err, payments.ErrBadSignature) {
					t.Fatalf("err = %v, want ErrBadSignature", err)
				}
				return
			}
			if err != nil || n.Kind != tt.wantKind || n.Code != tt.wantCode {
				t.Fatalf("ParseWebhook = %+v, %v", n, err)
			}
			if n.Kind != payments.NotifyIgnored && (n.PaymentID != "pay-1" || n.Ref != "pi_1") {
				t.Fatalf("ids not mapped: %+v", n)
			}
		})
	}
}
