package paypaltest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/evshop/shop/payments/paypal/paypaltest"
)

// recorder stands in for *testing.T to see what the fake reports.
type recorder struct {
	*testing.T
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) reported() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.errs
	r.errs = nil
	return out
}

func token(t *testing.T, base string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/oauth2/token", strings.NewReader("grant_type=client_credentials"))
	req.SetBasicAuth(paypaltest.ClientID, paypaltest.ClientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := decode(res, &body); err != nil || body.AccessToken == "" {
		t.Fatalf("token: %d %v", res.StatusCode, err)
	}
	return body.AccessToken
}

// TestRequestsAreCheckedAgainstTheDocument: a request PayPal's description
// does not allow is reported and answered 400 (or 404 for a path it does not
// have); a valid one is not reported.
func TestRequestsAreCheckedAgainstTheDocument(t *testing.T) {
	t.Parallel()
	rec := &recorder{T: t}
	fake := paypaltest.New(rec)
	tok := token(t, fake.URL)
	valid := `{"intent":"AUTHORIZE","purchase_units":[{"custom_id":"p1","amount":{"currency_code":"EUR","value":"25.99"}}]}`
	tests := []struct {
		name, method, path, body string
		wantStatus               int
		wantReport               bool
	}{
		{"valid order", http.MethodPost, "/v2/checkout/orders", valid, http.StatusCreated, false},
		{"unknown intent", http.MethodPost, "/v2/checkout/orders", strings.Replace(valid, "AUTHORIZE", "BUY", 1), http.StatusBadRequest, true},
		// The document's pattern allows these; PayPal's business rules do not.
		{"amount with three decimals", http.MethodPost, "/v2/checkout/orders", strings.Replace(valid, "25.99", "25.999", 1), http.StatusUnprocessableEntity, false},
		{"negative amount", http.MethodPost, "/v2/checkout/orders", strings.Replace(valid, "25.99", "-1.00", 1), http.StatusUnprocessableEntity, false},
		{"no purchase units", http.MethodPost, "/v2/checkout/orders", `{"intent":"AUTHORIZE","purchase_units":[]}`, http.StatusBadRequest, true},
		{"not JSON", http.MethodPost, "/v2/checkout/orders", `intent=AUTHORIZE`, http.StatusBadRequest, true},
		{"no such operation", http.MethodPost, "/v2/checkout/orders/ABC/frobnicate", `{}`, http.StatusNotFound, true},
		{"wrong method", http.MethodDelete, "/v2/checkout/orders/ABC", ``, http.StatusNotFound, true},
		{"unknown order", http.MethodGet, "/v2/checkout/orders/NOSUCHORDER", ``, http.StatusNotFound, false},
		{"capture without a body field of the right type", http.MethodPost, "/v2/payments/authorizations/NOSUCHAUTH/capture", `{"final_capture":"yes"}`, http.StatusBadRequest, true},
	}
	for _, tt := range tests { // sequential: one recorder
		req, _ := http.NewRequest(tt.method, fake.URL+tt.path, strings.NewReader(tt.body))
		req.Header.Set("Authorization", "Bearer "+tok)
		if tt.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		got := rec.reported()
		if res.StatusCode != tt.wantStatus || (len(got) > 0) != tt.wantReport {
			t.Errorf("%s: status %d, reported %q; want %d, reported %v", tt.name, res.StatusCode, got, tt.wantStatus, tt.wantReport)
		}
	}
}

// TestTokenAndApprovalPage: the token needs the merchant's credentials and
// API calls need a token; the approval page refuses unknown orders.
func TestTokenAndApprovalPage(t *testing.T) {
	t.Parallel()
	fake := paypaltest.New(t)
	req, _ := http.NewRequest(http.MethodPost, fake.URL+"/v1/oauth2/token", strings.NewReader("grant_type=client_credentials"))
	req.SetBasicAuth(paypaltest.ClientID, "wrong")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong secret: %d", res.StatusCode)
	}
	res, err = http.Get(fake.URL + "/v2/checkout/orders/ABC")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token: %d", res.StatusCode)
	}
	res, err = http.PostForm(fake.URL+"/checkoutnow/approve", url.Values{"token": {"NOSUCHORDER"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("approving an unknown order: %d", res.StatusCode)
	}
}

func decode(res *http.Response, v any) error { return json.NewDecoder(res.Body).Decode(v) }
