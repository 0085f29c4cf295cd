package paypal_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/payments"
	"github.com/evshop/shop/payments/paypal"
)

// shapeChecker is a local PayPal that checks every request against the
// documented shapes of the Orders v2, Payments v2, OAuth2 and webhook
// verification APIs, and fails the test on any deviation.
type shapeChecker struct {
	t          *testing.T
	mu         sync.Mutex
	tokens     int
	tokenLife  int
	current    string
	byReqID    map[string]string // PayPal-Request-Id → response body
	calls      []string
	declineIDs map[string]bool
}

var amountRE = regexp.MustCompile(`^[0-9]+(\.[0-9]{2})?$`)

func newShapeChecker(t *testing.T) (*shapeChecker, *httptest.Server) {
	s := &shapeChecker{t: t, tokenLife: 32400, byReqID: map[string]string{}, declineIDs: map[string]bool{"ORDER-DECLINE": true}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

func (s *shapeChecker) fail(w http.ResponseWriter, format string, args ...any) {
	s.t.Errorf("paypal shape: "+format, args...)
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprint(w, `{"name":"INVALID_REQUEST"}`)
}

func (s *shapeChecker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodPost {
		s.fail(w, "%s %s: every call used is a POST", r.Method, r.URL.Path)
		return
	}
	if r.URL.Path == "/v1/oauth2/token" {
		id, secret, ok := r.BasicAuth()
		if !ok || id != "client" || secret != "secret" || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || string(body) != "grant_type=client_credentials" {
			s.fail(w, "token request: basic auth %v, content type %q, body %q", ok, r.Header.Get("Content-Type"), body)
			return
		}
		s.tokens++
		s.current = fmt.Sprintf("A21-token-%d", s.tokens)
		fmt.Fprintf(w, `{"scope":"https://uri.paypal.com/services/payments","access_token":%q,"token_type":"Bearer","app_id":"APP-1","expires_in":%d,"nonce":"n"}`, s.current, s.tokenLife)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.current {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"invalid_token"}`)
		return
	}
	if r.Header.Get("Content-Type") != "application/json" {
		s.fail(w, "%s: content type %q", r.URL.Path, r.Header.Get("Content-Type"))
		return
	}
	reqID := r.Header.Get("PayPal-Request-Id")
	verify := r.URL.Path == "/v1/notifications/verify-webhook-signature"
	if !verify && (reqID == "" || len(reqID) > 108) {
		s.fail(w, "%s: PayPal-Request-Id %q missing or longer than 108", r.URL.Path, reqID)
		return
	}
	if prev, ok := s.byReqID[r.URL.Path+reqID]; ok && !verify {
		fmt.Fprint(w, prev) // PayPal replays the first answer for a repeated request id
		return
	}
	s.calls = append(s.calls, r.URL.Path)
	var in map[string]any
	if len(body) > 0 && json.Unmarshal(body, &in) != nil {
		s.fail(w, "%s: body is not JSON", r.URL.Path)
		return
	}
	checkAmount := func(a any) bool {
		m, ok := a.(map[string]any)
		v, _ := m["value"].(string)
		c, _ := m["currency_code"].(string)
		return ok && amountRE.MatchString(v) && len(c) == 3
	}
	var out string
	p := r.URL.Path
	switch {
	case p == "/v2/checkout/orders":
		pus, _ := in["purchase_units"].([]any)
		if in["intent"] != "AUTHORIZE" || len(pus) != 1 {
			s.fail(w, "create order: intent %v, %d purchase units", in["intent"], len(pus))
			return
		}
		pu, _ := pus[0].(map[string]any)
		if !checkAmount(pu["amount"]) || pu["custom_id"] == "" || pu["custom_id"] == nil {
			s.fail(w, "create order: purchase unit %v", pu)
			return
		}
		w.WriteHeader(http.StatusCreated)
		out = `{"id":"5O190127TN364715T","status":"CREATED","links":[{"href":"https://www.sandbox.paypal.com/checkoutnow?token=5O190127TN364715T","rel":"approve","method":"GET"}]}`
	case strings.HasPrefix(p, "/v2/checkout/orders/") && strings.HasSuffix(p, "/authorize"):
		id := strings.TrimSuffix(strings.TrimPrefix(p, "/v2/checkout/orders/"), "/authorize")
		if s.declineIDs[id] {
			w.WriteHeader(http.StatusUnprocessableEntity)
			out = `{"name":"UNPROCESSABLE_ENTITY","details":[{"issue":"INSTRUMENT_DECLINED","description":"The instrument presented was declined."}],"message":"The requested action could not be performed."}`
			break
		}
		w.WriteHeader(http.StatusCreated)
		out = `{"id":"` + id + `","status":"COMPLETED","purchase_units":[{"reference_id":"default","payments":{"authorizations":[{"id":"0VF52814937998046","status":"CREATED","amount":{"currency_code":"EUR","value":"42.00"}}]}}]}`
	case p == "/v2/payments/authorizations/0VF52814937998046/capture":
		if !checkAmount(in["amount"]) || in["final_capture"] != true {
			s.fail(w, "capture body %v", in)
			return
		}
		w.WriteHeader(http.StatusCreated)
		out = `{"id":"2GG279541U471931P","status":"COMPLETED"}`
	case p == "/v2/payments/authorizations/0VF52814937998046/void":
		w.WriteHeader(http.StatusOK)
		out = `{"id":"0VF52814937998046","status":"VOIDED"}`
	case p == "/v2/payments/captures/2GG279541U471931P/refund":
		if !checkAmount(in["amount"]) {
			s.fail(w, "refund body %v", in)
			return
		}
		w.WriteHeader(http.StatusCreated)
		out = `{"id":"1JU08902781691411","status":"COMPLETED"}`
	case verify:
		for _, k := range []string{"auth_algo", "cert_url", "transmission_id", "transmission_sig", "transmission_time", "webhook_id"} {
			if v, _ := in[k].(string); v == "" {
				s.fail(w, "verify: %s missing", k)
				return
			}
		}
		if _, ok := in["webhook_event"].(map[string]any); !ok {
			s.fail(w, "verify: webhook_event must be the event object")
			return
		}
		status := "SUCCESS"
		if in["transmission_sig"] != "good-signature" {
			status = "FAILURE"
		}
		out = `{"verification_status":"` + status + `"}`
	default:
		w.WriteHeader(http.StatusNotFound)
		out = `{"name":"RESOURCE_NOT_FOUND"}`
	}
	if !verify {
		s.byReqID[p+reqID] = out
	}
	fmt.Fprint(w, out)
}

func TestGatewayShapes(t *testing.T) {
	t.Parallel()
	s, srv := newShapeChecker(t)
	g, err := paypal.New(paypal.Config{ClientID: "client", ClientSecret: "secret", BaseURL: srv.URL, WebhookID: "WH-1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	amount, _ := money.New(4200, "EUR")
	pid := "7d1f0b7e-3c1a-5f0e-9d55-1c2b3a4d5e6f"

	created, err := g.Authorize(ctx, payments.AuthorizeRequest{PaymentID: pid, OrderID: "o1", Amount: amount, IdempotencyKey: payments.IdempotencyKey(pid, payments.OpAuthorize)})
	if err != nil || created.Outcome != payments.OutcomeActionRequired || created.Ref != "5O190127TN364715T" || !strings.Contains(created.ApproveURL, "checkoutnow") {
		t.Fatalf("create order = %+v, %v", created, err)
	}
	auth, err := g.Authorize(ctx, payments.AuthorizeRequest{PaymentID: pid, Amount: amount, Token: created.Ref, IdempotencyKey: payments.IdempotencyKey(pid, payments.OpAuthorize, "approved")})
	if err != nil || auth.Outcome != payments.OutcomeAuthorized || auth.Ref != "0VF52814937998046" {
		t.Fatalf("authorize = %+v, %v", auth, err)
	}
	declined, err := g.Authorize(ctx, payments.AuthorizeRequest{PaymentID: pid, Amount: amount, Token: "ORDER-DECLINE", IdempotencyKey: "d"})
	if err != nil || declined.Outcome != payments.OutcomeDeclined || declined.Code != "instrument_declined" {
		t.Fatalf("declined authorize = %+v, %v", declined, err)
	}
	capKey := payments.IdempotencyKey(pid, payments.OpCapture)
	c1, err := g.Capture(ctx, payments.CaptureRequest{PaymentID: pid, Ref: auth.Ref, Amount: amount, IdempotencyKey: capKey})
	if err != nil || c1.Ref != "2GG279541U471931P" {
		t.Fatalf("capture = %+v, %v", c1, err)
	}
	if c2, err := g.Capture(ctx, payments.CaptureRequest{PaymentID: pid, Ref: auth.Ref, Amount: amount, IdempotencyKey: capKey}); err != nil || c2 != c1 {
		t.Fatalf("retried capture = %+v, %v", c2, err)
	}
	part, _ := money.New(1050, "EUR")
	if r, err := g.Refund(ctx, payments.RefundRequest{PaymentID: pid, CaptureRef: c1.Ref, Amount: part, IdempotencyKey: payments.IdempotencyKey(pid, payments.OpRefund, "r1")}); err != nil || r.Ref == "" {
		t.Fatalf("refund = %+v, %v", r, err)
	}
	if err := g.Void(ctx, payments.VoidRequest{PaymentID: pid, Ref: auth.Ref, IdempotencyKey: payments.IdempotencyKey(pid, payments.OpVoid)}); err != nil {
		t.Fatalf("void: %v", err)
	}
	if err := g.Void(ctx, payments.VoidRequest{Ref: "unknown", IdempotencyKey: "u"}); !errors.Is(err, payments.ErrRejected) {
		t.Fatalf("void of unknown = %v, want ErrRejected", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tokens != 1 {
		t.Fatalf("fetched %d tokens, want 1 cached for all calls", s.tokens)
	}
	// The retried capture never reached PayPal's capture logic twice.
	n := 0
	for _, c := range s.calls {
		if strings.HasSuffix(c, "/capture") {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("capture handled %d times, want 1", n)
	}
}

func TestTokenRefreshedWhenExpiredOrRevoked(t *testing.T) {
	t.Parallel()
	s, srv := newShapeChecker(t)
	s.tokenLife = 120
	now := time.Now()
	clock := func() time.Time { return now }
	g, _ := paypal.New(paypal.Config{ClientID: "client", ClientSecret: "secret", BaseURL: srv.URL, Now: func() time.Time { return clock() }})
	ctx := context.Background()
	amount, _ := money.New(100, "EUR")
	req := func(key string) {
		t.Helper()
		if _, err := g.Authorize(ctx, payments.AuthorizeRequest{PaymentID: "p", OrderID: "o", Amount: amount, IdempotencyKey: key}); err != nil {
			t.Fatal(err)
		}
	}
	req("a")
	req("b")
	now = now.Add(61 * time.Second) // past expiry minus the minute of margin
	req("c")
	s.mu.Lock()
	s.current = "revoked-elsewhere"
	s.mu.Unlock()
	req("d") // a 401 fetches a fresh token once
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tokens != 3 {
		t.Fatalf("tokens fetched = %d, want 3", s.tokens)
	}
}

func TestParseWebhook(t *testing.T) {
	t.Parallel()
	_, srv := newShapeChecker(t)
	g, _ := paypal.New(paypal.Config{ClientID: "client", ClientSecret: "secret", BaseURL: srv.URL, WebhookID: "WH-1"})
	headers := func(sig string) func(string) string {
		h := map[string]string{
			paypal.HeaderAuthAlgo: "SHA256withRSA", paypal.HeaderCertURL: "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-1",
			paypal.HeaderTransmissionID: "69cd13f0-d67a-11e5-baa3-778b53f4ae55", paypal.HeaderTransmissionSig: sig,
			paypal.HeaderTransmissionTime: "2016-02-18T20:01:35Z",
		}
		return func(k string) string { return h[k] }
	}
	ev := func(typ, resource string) []byte {
		return []byte(`{"id":"WH-EVT-1","event_type":"` + typ + `","resource":` + resource + `}`)
	}
	tests := []struct {
		name             string
		body             []byte
		sig              string
		want             payments.NotificationKind
		wantRef, related string
		wantErr          bool
	}{
		{"approved order", ev("CHECKOUT.ORDER.APPROVED", `{"id":"5O19","purchase_units":[{"custom_id":"pay-1"}]}`), "good-signature", payments.NotifyApproved, "5O19", "", false},
		{"authorization created", ev("PAYMENT.AUTHORIZATION.CREATED", `{"id":"0VF5","custom_id":"pay-1","supplementary_data":{"related_ids":{"order_id":"5O19"}}}`), "good-signature", payments.NotifyAuthorized, "0VF5", "5O19", false},
		{"voided", ev("PAYMENT.AUTHORIZATION.VOIDED", `{"id":"0VF5","custom_id":"pay-1"}`), "good-signature", payments.NotifyVoided, "0VF5", "", false},
		{"not ours", ev("PAYMENT.AUTHORIZATION.CREATED", `{"id":"0VF5"}`), "good-signature", payments.NotifyIgnored, "0VF5", "", false},
		{"bad signature", ev("PAYMENT.AUTHORIZATION.CREATED", `{"id":"0VF5","custom_id":"pay-1"}`), "forged", "", "", "", true},
		{"missing header", ev("PAYMENT.AUTHORIZATION.CREATED", `{"id":"0VF5","custom_id":"pay-1"}`), "", "", "", "", true},
		{"not json", []byte("{"), "good-signature", "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n, err := g.ParseWebhook(context.Background(), tt.body, headers(tt.sig))
			if tt.wantErr {
				if !errors.Is(err, payments.ErrBadSignature) {
					t.Fatalf("err = %v, want ErrBadSignature", err)
				}
				return
			}
			if err != nil || n.Kind != tt.want || n.EventID != "WH-EVT-1" || n.Ref != tt.wantRef || n.RelatedRef != tt.related {
				t.Fatalf("ParseWebhook = %+v, %v", n, err)
			}
			if n.Kind != payments.NotifyIgnored && n.PaymentID != "pay-1" {
				t.Fatalf("payment id not mapped: %+v", n)
			}
		})
	}
}

func TestAmountRendering(t *testing.T) {
	t.Parallel()
	// Exercised through create order: the checker refuses malformed values.
	_, srv := newShapeChecker(t)
	g, _ := paypal.New(paypal.Config{ClientID: "client", ClientSecret: "secret", BaseURL: srv.URL})
	for _, c := range []struct {
		a   int64
		cur string
	}{{5, "EUR"}, {100, "USD"}, {123456, "GBP"}, {500, "JPY"}} {
		m, _ := money.New(c.a, c.cur)
		if _, err := g.Authorize(context.Background(), payments.AuthorizeRequest{PaymentID: "p", OrderID: "o", Amount: m, IdempotencyKey: fmt.Sprint(c)}); err != nil {
			t.Fatalf("%v: %v", c, err)
		}
	}
}
