// Package sandboxtest is the contract suite of sandbox.Store: the sandbox
// gateway behaves the same on every store (memory, PostgreSQL), and a
// gateway started afresh on a store continues what an earlier one did.
package sandboxtest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/payments"
	"github.com/evshop/shop/payments/sandbox"
)

// NewStore returns an empty store private to the test.
type NewStore func(t *testing.T) sandbox.Store

// Run runs the suite.
func Run(t *testing.T, newStore NewStore) {
	t.Run("DecidesByToken", func(t *testing.T) { t.Parallel(); testDecides(t, newStore(t)) })
	t.Run("IdempotencyAndLimits", func(t *testing.T) { t.Parallel(); testIdempotency(t, newStore(t)) })
	t.Run("RestartedGatewayCaptures", func(t *testing.T) { t.Parallel(); testRestart(t, newStore(t)) })
	t.Run("ConcurrentCaptures", func(t *testing.T) { t.Parallel(); testConcurrentCaptures(t, newStore(t)) })
}

func eur(t *testing.T, c int64) money.Money {
	t.Helper()
	m, err := money.New(c, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func testDecides(t *testing.T, store sandbox.Store) {
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
	g := sandbox.NewWithStore(store)
	for _, tt := range tests {
		req := payments.AuthorizeRequest{PaymentID: "p-" + tt.token, Amount: eur(t, 1250), Token: tt.token, IdempotencyKey: "p-" + tt.token + ":authorize"}
		res, err := g.Authorize(context.Background(), req)
		if err != nil || res.Outcome != tt.outcome || res.Code != tt.code {
			t.Fatalf("%s: Authorize = %+v, %v", tt.token, res, err)
		}
		if tt.outcome == payments.OutcomeDeclined {
			_, err := g.Capture(context.Background(), payments.CaptureRequest{Ref: res.Ref, Amount: eur(t, 1250), IdempotencyKey: "c"})
			if !errors.Is(err, payments.ErrRejected) {
				t.Fatalf("%s: capture of a declined attempt: %v, want ErrRejected", tt.token, err)
			}
		}
	}
}

func testIdempotency(t *testing.T, store sandbox.Store) {
	ctx := context.Background()
	g := sandbox.NewWithStore(store)
	amount, half := eur(t, 1000), eur(t, 600)
	auth := payments.AuthorizeRequest{PaymentID: "p", Amount: amount, Token: sandbox.TokenSuccess, IdempotencyKey: payments.IdempotencyKey("p", payments.OpAuthorize)}
	a1, _ := g.Authorize(ctx, auth)
	a2, _ := g.Authorize(ctx, auth)
	if a1 != a2 || g.Calls(payments.OpAuthorize) != 1 {
		t.Fatalf("retried authorize gave %+v then %+v, %d calls", a1, a2, g.Calls(payments.OpAuthorize))
	}
	if _, err := g.Capture(ctx, payments.CaptureRequest{Ref: a1.Ref, Amount: eur(t, 1001), IdempotencyKey: "too-much"}); !errors.Is(err, payments.ErrRejected) {
		t.Fatalf("capture above the authorization: %v, want ErrRejected", err)
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
	r1, err := g.Refund(ctx, payments.RefundRequest{AuthorizeRef: a1.Ref, Amount: half, IdempotencyKey: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	if again, err := g.Refund(ctx, payments.RefundRequest{AuthorizeRef: a1.Ref, Amount: half, IdempotencyKey: "r1"}); err != nil || again != r1 || g.Calls(payments.OpRefund) != 1 {
		t.Fatalf("retried refund: %+v %v, %d calls", again, err, g.Calls(payments.OpRefund))
	}
	if _, err := g.Refund(ctx, payments.RefundRequest{AuthorizeRef: a1.Ref, Amount: half, IdempotencyKey: "r2"}); !errors.Is(err, payments.ErrRejected) {
		t.Fatalf("refund beyond capture: %v, want ErrRejected", err)
	}
	if err := g.Void(ctx, payments.VoidRequest{Ref: "sbx_auth_unknown", IdempotencyKey: "v2"}); !errors.Is(err, payments.ErrRejected) {
		t.Fatalf("void of an unknown authorization: %v, want ErrRejected", err)
	}
	// A voided authorization cannot be captured.
	other, _ := g.Authorize(ctx, payments.AuthorizeRequest{PaymentID: "q", Amount: amount, Token: sandbox.TokenSuccess, IdempotencyKey: "q:authorize"})
	for range 2 {
		if err := g.Void(ctx, payments.VoidRequest{Ref: other.Ref, IdempotencyKey: "q:void"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := g.Capture(ctx, payments.CaptureRequest{Ref: other.Ref, Amount: amount, IdempotencyKey: "q:capture"}); !errors.Is(err, payments.ErrRejected) {
		t.Fatalf("capture after void: %v, want ErrRejected", err)
	}
}

// testRestart: the payment process authorizes, is killed, and its
// successor captures — the provider still knows the authorization.
func testRestart(t *testing.T, store sandbox.Store) {
	ctx := context.Background()
	before := sandbox.NewWithStore(store)
	a, err := before.Authorize(ctx, payments.AuthorizeRequest{PaymentID: "p", Amount: eur(t, 500), Token: sandbox.TokenSuccess, IdempotencyKey: "p:authorize"})
	if err != nil {
		t.Fatal(err)
	}
	after := sandbox.NewWithStore(store)
	if again, err := after.Authorize(ctx, payments.AuthorizeRequest{PaymentID: "p", Amount: eur(t, 500), Token: sandbox.TokenSuccess, IdempotencyKey: "p:authorize"}); err != nil || again != a || after.Calls(payments.OpAuthorize) != 0 {
		t.Fatalf("replayed authorize after the restart: %+v %v, %d calls", again, err, after.Calls(payments.OpAuthorize))
	}
	if _, err := after.Capture(ctx, payments.CaptureRequest{Ref: a.Ref, Amount: eur(t, 500), IdempotencyKey: "p:capture"}); err != nil {
		t.Fatalf("capture after the restart: %v", err)
	}
}

// testConcurrentCaptures: eight captures of one authorization at once, with
// different keys: exactly one wins.
func testConcurrentCaptures(t *testing.T, store sandbox.Store) {
	ctx := context.Background()
	g := sandbox.NewWithStore(store)
	a, err := g.Authorize(ctx, payments.AuthorizeRequest{PaymentID: "p", Amount: eur(t, 500), Token: sandbox.TokenSuccess, IdempotencyKey: "p:authorize"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := g.Capture(ctx, payments.CaptureRequest{Ref: a.Ref, Amount: eur(t, 500), IdempotencyKey: "k" + string(rune('0'+i))})
			if err == nil {
				mu.Lock()
				won++
				mu.Unlock()
			} else if !errors.Is(err, payments.ErrRejected) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if won != 1 || g.Calls(payments.OpCapture) != 1 {
		t.Fatalf("%d captures won (%d calls), want 1", won, g.Calls(payments.OpCapture))
	}
}
