package paypal_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/payments"
	"github.com/evshop/shop/payments/paypal"
	"github.com/evshop/shop/payments/paypal/paypaltest"
)

const (
	returnURL = "http://shop.test/checkout/paypal/return"
	cancelURL = "http://shop.test/checkout/paypal/cancel"
)

// contractGateway is the adapter on the fake PayPal, which checks every
// request (and its own answers) against PayPal's published description.
func contractGateway(t *testing.T) (*paypal.Gateway, *paypaltest.Server) {
	t.Helper()
	fake := paypaltest.New(t)
	g, err := paypal.New(paypal.Config{ClientID: paypaltest.ClientID, ClientSecret: paypaltest.ClientSecret, BaseURL: fake.URL,
		ReturnURL: returnURL, CancelURL: cancelURL})
	if err != nil {
		t.Fatal(err)
	}
	return g, fake
}

// buyer follows the approval link and presses a button ("approve" or
// "cancel"); it returns where PayPal sends the buyer back to.
func buyer(t *testing.T, approveURL, button string) *url.URL {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(approveURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(page), `data-testid="paypal-`+button+`"`) {
		t.Fatalf("approval page: %d %s", res.StatusCode, page)
	}
	u, _ := url.Parse(approveURL)
	token := u.Query().Get("token")
	res, err = c.PostForm(u.Scheme+"://"+u.Host+"/checkoutnow/"+button, url.Values{"token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("%s: status %d", button, res.StatusCode)
	}
	back, err := url.Parse(res.Header.Get("Location"))
	if err != nil || back.Query().Get("token") != token {
		t.Fatalf("%s: sent back to %q", button, res.Header.Get("Location"))
	}
	return back
}

func createOrder(t *testing.T, g *paypal.Gateway, paymentID string) payments.AuthorizeResult {
	t.Helper()
	res, err := g.Authorize(context.Background(), payments.AuthorizeRequest{PaymentID: paymentID, OrderID: "0b6c3c5e-4a57-4d5e-9a1f-2c2f0f6d1a10",
		CustomerID: "c1", Amount: eur(2599), IdempotencyKey: paymentID + ":authorize"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != payments.OutcomeActionRequired || res.Ref == "" || res.ApproveURL == "" {
		t.Fatalf("create order: %+v", res)
	}
	return res
}

// TestContractApproveAuthorizeCaptureRefund drives the adapter through the
// whole life of a PayPal payment on the fake: create the order, read its
// approval link back, refuse to authorize before approval, approve at the
// approval page, authorize (twice with one key: one authorization), capture
// once, refund within and beyond what was captured.
func TestContractApproveAuthorizeCaptureRefund(t *testing.T) {
	t.Parallel()
	g, fake := contractGateway(t)
	ctx := context.Background()
	const pid = "5d9d0a43-98f4-5b8e-8f53-0c1d3e2a1b00"
	created := createOrder(t, g, pid)

	o, err := g.Order(ctx, created.Ref)
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != "PAYER_ACTION_REQUIRED" || o.PaymentID != pid || o.ApproveURL != created.ApproveURL {
		t.Fatalf("order read back: %+v (created %+v)", o, created)
	}
	early, err := g.Authorize(ctx, payments.AuthorizeRequest{PaymentID: pid, Token: created.Ref, Amount: eur(2599), IdempotencyKey: pid + ":early"})
	if err != nil || early.Outcome != payments.OutcomeDeclined || early.Code != "order_not_approved" {
		t.Fatalf("authorize before approval: %+v %v", early, err)
	}

	back := buyer(t, created.ApproveURL, "approve")
	if got := back.Scheme + "://" + back.Host + back.Path; got != returnURL || back.Query().Get("PayerID") == "" {
		t.Fatalf("approved buyer sent to %s", back)
	}
	if o, err = g.Order(ctx, created.Ref); err != nil || o.Status != "APPROVED" || o.ApproveURL != "" {
		t.Fatalf("approved order: %+v %v", o, err)
	}

	var auth payments.AuthorizeResult
	for range 2 { // a retried authorization with the same key
		auth, err = g.Authorize(ctx, payments.AuthorizeRequest{PaymentID: pid, Token: created.Ref, Amount: eur(2599), IdempotencyKey: pid + ":approved"})
		if err != nil || auth.Outcome != payments.OutcomeAuthorized || auth.Ref == "" {
			t.Fatalf("authorize: %+v %v", auth, err)
		}
	}
	if st := fake.AuthorizationStatus(created.Ref); st != "CREATED" {
		t.Fatalf("authorization status %q", st)
	}
	again, err := g.Authorize(ctx, payments.AuthorizeRequest{PaymentID: pid, Token: created.Ref, Amount: eur(2599), IdempotencyKey: pid + ":other"})
	if err != nil || again.Outcome != payments.OutcomeDeclined || again.Code != "order_already_authorized" {
		t.Fatalf("second authorization with another key: %+v %v", again, err)
	}

	var capRef string
	for range 2 {
		c, err := g.Capture(ctx, payments.CaptureRequest{PaymentID: pid, Ref: auth.Ref, Amount: eur(2599), IdempotencyKey: pid + ":capture"})
		if err != nil || (capRef != "" && c.Ref != capRef) {
			t.Fatalf("capture: %+v %v (first %s)", c, err, capRef)
		}
		capRef = c.Ref
	}
	refunds := []struct {
		name    string
		amount  int64
		key     string
		wantErr error
	}{
		{"partial", 1000, "r1", nil},
		{"retried", 1000, "r1", nil},
		{"beyond what is left", 1600, "r2", payments.ErrRejected},
		{"the rest", 1599, "r3", nil},
	}
	for _, tt := range refunds { // sequential: each builds on the last
		_, err := g.Refund(ctx, payments.RefundRequest{PaymentID: pid, CaptureRef: capRef, Amount: eur(tt.amount), IdempotencyKey: pid + ":refund:" + tt.key})
		if !errors.Is(err, tt.wantErr) {
			t.Fatalf("refund %s: %v, want %v", tt.name, err, tt.wantErr)
		}
	}
	if err := g.Void(ctx, payments.VoidRequest{PaymentID: pid, Ref: auth.Ref, IdempotencyKey: pid + ":void"}); !errors.Is(err, payments.ErrRejected) {
		t.Fatalf("void after capture: %v", err)
	}
	if n := fake.Calls("oauth2.token"); n != 1 {
		t.Fatalf("%d token requests, want 1 (cached)", n)
	}
}

// TestContractCancelDeclineVoidUnknown: the buyer cancels at PayPal (sent
// back to the cancel URL, the order stays unapproved); a declined funding
// source; a void of a fresh authorization; unknown orders.
func TestContractCancelDeclineVoidUnknown(t *testing.T) {
	t.Parallel()
	g, fake := contractGateway(t)
	ctx := context.Background()
	approved := func(pid string) payments.AuthorizeResult {
		created := createOrder(t, g, pid)
		buyer(t, created.ApproveURL, "approve")
		return created
	}
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"cancel", func(t *testing.T) {
			created := createOrder(t, g, "5d9d0a43-98f4-5b8e-8f53-0c1d3e2a1b01")
			back := buyer(t, created.ApproveURL, "cancel")
			if got := back.Scheme + "://" + back.Host + back.Path; got != cancelURL {
				t.Fatalf("cancelling buyer sent to %s", back)
			}
			o, err := g.Order(ctx, created.Ref)
			if err != nil || o.Status != "PAYER_ACTION_REQUIRED" || o.ApproveURL == "" {
				t.Fatalf("cancelled order: %+v %v", o, err)
			}
		}},
		{"declined after approval", func(t *testing.T) {
			created := approved("5d9d0a43-98f4-5b8e-8f53-0c1d3e2a1b02")
			fake.Decline(created.Ref)
			res, err := g.Authorize(ctx, payments.AuthorizeRequest{Token: created.Ref, Amount: eur(2599), IdempotencyKey: "k-decline"})
			if err != nil || res.Outcome != payments.OutcomeDeclined || res.Code != "transaction_refused" {
				t.Fatalf("declined: %+v %v", res, err)
			}
		}},
		{"void", func(t *testing.T) {
			created := approved("5d9d0a43-98f4-5b8e-8f53-0c1d3e2a1b03")
			auth, err := g.Authorize(ctx, payments.AuthorizeRequest{Token: created.Ref, Amount: eur(2599), IdempotencyKey: "k-void-auth"})
			if err != nil || auth.Outcome != payments.OutcomeAuthorized {
				t.Fatalf("authorize: %+v %v", auth, err)
			}
			if err := g.Void(ctx, payments.VoidRequest{Ref: auth.Ref, IdempotencyKey: "k-void"}); err != nil {
				t.Fatal(err)
			}
			if st := fake.AuthorizationStatus(created.Ref); st != "VOIDED" {
				t.Fatalf("authorization %s", st)
			}
			if _, err := g.Capture(ctx, payments.CaptureRequest{Ref: auth.Ref, Amount: eur(2599), IdempotencyKey: "k-cap-void"}); !errors.Is(err, payments.ErrRejected) {
				t.Fatalf("capture of a void authorization: %v", err)
			}
		}},
		{"unknown order", func(t *testing.T) {
			if _, err := g.Order(ctx, "NOSUCHORDER12345"); !errors.Is(err, payments.ErrRejected) {
				t.Fatalf("unknown order: %v", err)
			}
		}},
		{"void of an order id (the saga's void of a payment still awaiting approval)", func(t *testing.T) {
			created := createOrder(t, g, "5d9d0a43-98f4-5b8e-8f53-0c1d3e2a1b04")
			if err := g.Void(ctx, payments.VoidRequest{Ref: created.Ref, IdempotencyKey: "k-void-order"}); !errors.Is(err, payments.ErrRejected) {
				t.Fatalf("void of an unapproved order: %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

func eur(minor int64) money.Money {
	m, err := money.New(minor, "EUR")
	if err != nil {
		panic(err)
	}
	return m
}
