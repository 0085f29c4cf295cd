package sandbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/payments"
	"github.com/evshop/shop/payments/sandbox"
)

func TestTokenize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		wantToken string
		wantErr   bool
	}{
		{"4242 4242 4242 4242", sandbox.TokenSuccess, false},
		{"4242-4242-4242-4242", sandbox.TokenSuccess, false},
		{"4000000000000002", sandbox.TokenDeclined, false},
		{"4000 0000 0000 9995", sandbox.TokenInsufficientFunds, false},
		{"4242 4242 4242 4241", "", true}, // Luhn fails
		{"5555555555554444", "", true},    // valid Luhn, not a sandbox card
		{"", "", true},
		{"abcd", "", true},
		{"4242 4242 4242 424２", "", true}, // non-ASCII digit
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			c, err := sandbox.Tokenize(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				if !errors.Is(err, sandbox.ErrInvalidCard) || strings.Contains(err.Error(), "5555") {
					t.Fatalf("err = %v: want ErrInvalidCard without the number", err)
				}
				return
			}
			if c.Token != tt.wantToken || c.Last4 != tt.in[len(tt.in)-4:] {
				t.Fatalf("card = %+v", c)
			}
		})
	}
}

func TestGatewayDecidesByToken(t *testing.T) {
	t.Parallel()
	amount, _ := money.New(1250, "EUR")
	tests := []struct {
		token   string
		outcome payments.Outcome
		code    string
	}{
		{sandbox.TokenSuccess, payments.OutcomeAuthorized, ""},
		{sandbox.TokenDeclined, payments.OutcomeDeclined, "card_declined"},
		{sandbox.TokenInsufficientFunds, payments.OutcomeDeclined, "insufficient_funds"},
		{"tok_forged", payments.OutcomeDeclined, "invalid_token"},
	}
	for _, tt := range tests {
		t.Run(tt.token, func(t *testing.T) {
			t.Parallel()
			g := sandbox.New()
			res, err := g.Authorize(context.Background(), payments.AuthorizeRequest{PaymentID: "p", Amount: amount, Token: tt.token, IdempotencyKey: "p:authorize"})
			if err != nil || res.Outcome != tt.outcome || res.Code != tt.code {
				t.Fatalf("Authorize = %+v, %v", res, err)
			}
		})
	}
}

func TestGatewayIdempotencyAndLimits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := sandbox.New()
	amount, _ := money.New(1000, "EUR")
	half, _ := money.New(600, "EUR")
	auth := payments.AuthorizeRequest{PaymentID: "p", Amount: amount, Token: sandbox.TokenSuccess, IdempotencyKey: payments.IdempotencyKey("p", payments.OpAuthorize)}
	a1, _ := g.Authorize(ctx, auth)
	a2, _ := g.Authorize(ctx, auth)
	if a1 != a2 || g.Calls(payments.OpAuthorize) != 1 {
		t.Fatalf("retried authorize gave %+v then %+v, %d calls", a1, a2, g.Calls(payments.OpAuthorize))
	}
	capReq := payments.CaptureRequest{PaymentID: "p", Ref: a1.Ref, Amount: amount, IdempotencyKey: payments.IdempotencyKey("p", payments.OpCapture)}
	c1, err1 := g.Capture(ctx, capReq)
	c2, err2 := g.Capture(ctx, capReq)
	if err1 != nil || err2 != nil || c1 != c2 || g.Calls(payments.OpCapture) != 1 {
		t.Fatalf("retried capture: %v %v %d calls", err1, err2, g.Calls(payments.OpCapture))
	}
	capReq.IdempotencyKey = "other"
	if _, err := g.Capture(ctx, capReq); !errors.Is(err, payments.ErrRejected) {
		t.Fatalf("second capture with a new key: %v, want ErrRejected", err)
	}
	if err := g.Void(ctx, payments.VoidRequest{Ref: a1.Ref, IdempotencyKey: "v"}); !errors.Is(err, payments.ErrRejected) {
		t.Fatalf("void after capture: %v, want ErrRejected", err)
	}
	if _, err := g.Refund(ctx, payments.RefundRequest{AuthorizeRef: a1.Ref, Amount: half, IdempotencyKey: "r1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Refund(ctx, payments.RefundRequest{AuthorizeRef: a1.Ref, Amount: half, IdempotencyKey: "r2"}); !errors.Is(err, payments.ErrRejected) {
		t.Fatalf("refund beyond capture: %v, want ErrRejected", err)
	}
}
