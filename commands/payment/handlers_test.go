package payment_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/evshop/shop/commands/esrepo"
	cmdpay "github.com/evshop/shop/commands/payment"
	"github.com/evshop/shop/domain/money"
	domain "github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/payments"
	"github.com/evshop/shop/payments/sandbox"
)

type fixture struct {
	store *memory.Store
	gw    *sandbox.Gateway
	h     *cmdpay.Handlers
}

func newFixture(t *testing.T, wrap func(payments.Gateway) payments.Gateway) *fixture {
	t.Helper()
	f := &fixture{store: memory.New(), gw: sandbox.New()}
	var g payments.Gateway = f.gw
	if wrap != nil {
		g = wrap(g)
	}
	h, err := cmdpay.NewHandlers(cmdpay.Config{Store: f.store, Gateways: payments.Router{"sandbox": g}})
	if err != nil {
		t.Fatal(err)
	}
	f.h = h
	return f
}

// given stores events as the payment's stream, one after the other, as
// if earlier handlers had recorded them.
func (f *fixture) given(t *testing.T, paymentID string, events ...domain.Event) {
	t.Helper()
	for i, e := range events {
		data, err := esrepo.Encode(e, eventstore.Metadata{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.Append(context.Background(), domain.Stream(paymentID), eventstore.AfterVersion(uint64(i)), data); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) types(t *testing.T, paymentID string) []string {
	t.Helper()
	var out []string
	for e, err := range f.store.Read(context.Background(), domain.Stream(paymentID), 0) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e.Type)
	}
	return out
}

const orderID = "8f6c1a2e-0b4d-4c3e-9a7f-2d1e5b6c7a80"

func authorizeCmd(token string) *cmdpay.AuthorizePayment {
	return &cmdpay.AuthorizePayment{PaymentID: domain.IDForOrder(orderID), OrderID: orderID, CustomerID: "cust-1",
		Amount: money.DTO{Amount: 2599, Currency: "EUR"}, Method: "sandbox", Token: token, Last4: "4242"}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestAuthorizeOutcomesAndRedelivery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		token    string
		want     []string
		wantCode string
	}{
		{sandbox.TokenSuccess, []string{domain.EventPaymentRequested, domain.EventPaymentAuthorized}, ""},
		{sandbox.TokenDeclined, []string{domain.EventPaymentRequested, domain.EventPaymentFailed}, "card_declined"},
		{sandbox.TokenInsufficientFunds, []string{domain.EventPaymentRequested, domain.EventPaymentFailed}, "insufficient_funds"},
	}
	for _, tt := range tests {
		t.Run(tt.token, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, nil)
			ctx := context.Background()
			for range 2 { // the second delivery is a redelivery
				if err := f.h.AuthorizePayment(ctx, authorizeCmd(tt.token)); err != nil {
					t.Fatal(err)
				}
			}
			pid := domain.IDForOrder(orderID)
			if got := f.types(t, pid); !equal(got, tt.want) {
				t.Fatalf("events = %v, want %v", got, tt.want)
			}
			if n := f.gw.Calls(payments.OpAuthorize); n != 1 {
				t.Fatalf("gateway authorize calls = %d, want 1", n)
			}
			p, _ := f.h.Load(ctx, pid)
			if p.FailCode() != tt.wantCode || p.Last4() != "4242" {
				t.Fatalf("fail code %q last4 %q", p.FailCode(), p.Last4())
			}
		})
	}
}

// TestAuthorizeAgain: the checkout saga sends AuthorizePayment again when no
// answer came within its Redispatch (the buyer still deciding at PayPal, a
// slow gateway, a long queue). Whatever the payment's state, the second
// command changes nothing the first did not: waiting for the buyer or with
// its outcome known, it is a no-op without a gateway call; still only
// requested (the first handler crashed or is still waiting for the gateway),
// it asks the gateway with the same idempotency key and records one outcome.
func TestAuthorizeAgain(t *testing.T) {
	t.Parallel()
	pid := domain.IDForOrder(orderID)
	amount := money.DTO{Amount: 2599, Currency: "EUR"}
	requested := domain.PaymentRequested{PaymentID: pid, OrderID: orderID, CustomerID: "cust-1", Amount: amount, Method: "sandbox", Last4: "4242"}
	tests := []struct {
		name       string
		given      []domain.Event
		wantCalls  int
		wantNew    []string
		wantStatus domain.Status
	}{
		{"waiting for the buyer", []domain.Event{requested, domain.PaymentActionRequired{PaymentID: pid, OrderID: orderID, GatewayRef: "ORDER-1"}},
			0, nil, domain.StatusActionRequired},
		{"authorized", []domain.Event{requested, domain.PaymentAuthorized{PaymentID: pid, OrderID: orderID, Amount: amount, GatewayRef: "a"}},
			0, nil, domain.StatusAuthorized},
		{"failed", []domain.Event{requested, domain.PaymentFailed{PaymentID: pid, OrderID: orderID, Code: "card_declined", Reason: "declined"}},
			0, nil, domain.StatusFailed},
		{"voided by the deadline", []domain.Event{requested, domain.PaymentVoided{PaymentID: pid, OrderID: orderID, Reason: "payment timeout"}},
			0, nil, domain.StatusVoided},
		{"requested, no answer recorded", []domain.Event{requested},
			1, []string{domain.EventPaymentAuthorized}, domain.StatusAuthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, nil)
			ctx := context.Background()
			f.given(t, pid, tt.given...)
			for range 2 { // the saga's re-send, and a redelivery of it
				if err := f.h.AuthorizePayment(ctx, authorizeCmd(sandbox.TokenSuccess)); err != nil {
					t.Fatal(err)
				}
			}
			if n := f.gw.Calls(payments.OpAuthorize); n != tt.wantCalls {
				t.Fatalf("gateway authorize calls = %d, want %d", n, tt.wantCalls)
			}
			if got := f.types(t, pid)[len(tt.given):]; !equal(got, tt.wantNew) {
				t.Fatalf("recorded %v, want %v", got, tt.wantNew)
			}
			if p, err := f.h.Load(ctx, pid); err != nil || p.Status() != tt.wantStatus {
				t.Fatalf("status %v (%v), want %v", p.Status(), err, tt.wantStatus)
			}
		})
	}
}

func TestCaptureHappensOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := context.Background()
	if err := f.h.AuthorizePayment(ctx, authorizeCmd(sandbox.TokenSuccess)); err != nil {
		t.Fatal(err)
	}
	pid := domain.IDForOrder(orderID)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 { // concurrent and redelivered captures
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- f.h.CapturePayment(ctx, &cmdpay.CapturePayment{PaymentID: pid})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.gw.Calls(payments.OpCapture); n != 1 {
		t.Fatalf("gateway captures = %d, want 1", n)
	}
	want := []string{domain.EventPaymentRequested, domain.EventPaymentAuthorized, domain.EventPaymentCaptured}
	if got := f.types(t, pid); !equal(got, want) {
		t.Fatalf("events = %v, want %v", got, want)
	}
	// A void after capture is refused, never silently dropped.
	err := f.h.VoidPayment(ctx, &cmdpay.VoidPayment{PaymentID: pid, Reason: "too late"})
	if !errors.Is(err, domain.ErrIllegalTransition) || !messaging.IsPermanent(err) {
		t.Fatalf("void after capture = %v, want permanent ErrIllegalTransition", err)
	}
}

func TestVoidBeforeAuthorizeClosesThePayment(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := context.Background()
	pid := domain.IDForOrder(orderID)
	for range 2 {
		if err := f.h.VoidPayment(ctx, &cmdpay.VoidPayment{PaymentID: pid, OrderID: orderID, Reason: "payment timeout"}); err != nil {
			t.Fatal(err)
		}
	}
	// The late AuthorizePayment is a harmless no-op: nothing is held.
	if err := f.h.AuthorizePayment(ctx, authorizeCmd(sandbox.TokenSuccess)); err != nil {
		t.Fatalf("authorize after void = %v", err)
	}
	if n := f.gw.Calls(payments.OpAuthorize); n != 0 {
		t.Fatalf("gateway authorize calls = %d, want 0", n)
	}
	if got := f.types(t, pid); !equal(got, []string{domain.EventPaymentVoided}) {
		t.Fatalf("events = %v", got)
	}
}

func TestVoidReleasesTheHold(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := context.Background()
	pid := domain.IDForOrder(orderID)
	if err := f.h.AuthorizePayment(ctx, authorizeCmd(sandbox.TokenSuccess)); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := f.h.VoidPayment(ctx, &cmdpay.VoidPayment{PaymentID: pid, Reason: "payment timeout"}); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.gw.Calls(payments.OpVoid); n != 1 {
		t.Fatalf("gateway voids = %d, want 1", n)
	}
	if err := f.h.CapturePayment(ctx, &cmdpay.CapturePayment{PaymentID: pid}); !errors.Is(err, domain.ErrIllegalTransition) {
		t.Fatalf("capture after void = %v", err)
	}
}

// racingGateway voids the payment while the gateway is still authorizing,
// as the saga's deadline would.
type racingGateway struct {
	payments.Gateway
	during func()
}

func (g racingGateway) Authorize(ctx context.Context, req payments.AuthorizeRequest) (payments.AuthorizeResult, error) {
	g.during()
	return g.Gateway.Authorize(ctx, req)
}

func TestLateAuthorizationIsReleased(t *testing.T) {
	t.Parallel()
	pid := domain.IDForOrder(orderID)
	var f *fixture
	f = newFixture(t, func(g payments.Gateway) payments.Gateway {
		return racingGateway{Gateway: g, during: func() {
			// As the saga sends it: with the order id, since the payment
			// is recorded only with the gateway's answer.
			if err := f.h.VoidPayment(context.Background(), &cmdpay.VoidPayment{PaymentID: pid, OrderID: orderID, Reason: "payment timeout"}); err != nil {
				t.Error(err)
			}
		}}
	})
	if err := f.h.AuthorizePayment(context.Background(), authorizeCmd(sandbox.TokenSuccess)); err != nil {
		t.Fatal(err)
	}
	if got := f.types(t, pid); !equal(got, []string{domain.EventPaymentVoided}) {
		t.Fatalf("events = %v", got)
	}
	if n := f.gw.Calls(payments.OpVoid); n != 1 {
		t.Fatalf("late hold released %d times, want 1", n)
	}
}

// TestRequestIsRecordedWithTheAnswer: nothing is appended before the
// gateway answers; the request and the answer are then one append.
func TestRequestIsRecordedWithTheAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		token string
		want  []string
	}{
		{sandbox.TokenSuccess, []string{domain.EventPaymentRequested, domain.EventPaymentAuthorized}},
		{sandbox.TokenDeclined, []string{domain.EventPaymentRequested, domain.EventPaymentFailed}},
	}
	for _, tt := range tests {
		t.Run(tt.token, func(t *testing.T) {
			t.Parallel()
			pid := domain.IDForOrder(orderID)
			var f *fixture
			during := -1
			f = newFixture(t, func(g payments.Gateway) payments.Gateway {
				return racingGateway{Gateway: g, during: func() { during = len(f.types(t, pid)) }}
			})
			if err := f.h.AuthorizePayment(context.Background(), authorizeCmd(tt.token)); err != nil {
				t.Fatal(err)
			}
			if during != 0 {
				t.Fatalf("%d events recorded before the gateway answered", during)
			}
			if got := f.types(t, pid); !equal(got, tt.want) {
				t.Fatalf("events = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRefunds(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := context.Background()
	pid := domain.IDForOrder(orderID)
	if err := f.h.AuthorizePayment(ctx, authorizeCmd(sandbox.TokenSuccess)); err != nil {
		t.Fatal(err)
	}
	if err := f.h.CapturePayment(ctx, &cmdpay.CapturePayment{PaymentID: pid}); err != nil {
		t.Fatal(err)
	}
	refund := func(amount int64, id string) error {
		return f.h.RefundPayment(ctx, &cmdpay.RefundPayment{PaymentID: pid, Amount: money.DTO{Amount: amount, Currency: "EUR"}, Reason: "damaged", RefundID: id})
	}
	tests := []struct {
		name    string
		amount  int64
		id      string
		wantErr error
	}{
		{"partial", 1000, "r1", nil},
		{"redelivered", 1000, "r1", nil},
		{"beyond the rest", 1600, "r2", domain.ErrRefundTooLarge},
		{"the rest", 1599, "r3", nil},
		{"after full refund", 1, "r4", domain.ErrIllegalTransition},
	}
	for _, tt := range tests { // sequential: each step builds on the last
		if err := refund(tt.amount, tt.id); !errors.Is(err, tt.wantErr) {
			t.Fatalf("%s: err = %v, want %v", tt.name, err, tt.wantErr)
		}
	}
	if n := f.gw.Calls(payments.OpRefund); n != 2 {
		t.Fatalf("gateway refunds = %d, want 2", n)
	}
	p, _ := f.h.Load(ctx, pid)
	if p.Status() != domain.StatusRefunded || p.Refunded().Amount() != 2599 {
		t.Fatalf("status %s refunded %d", p.Status(), p.Refunded().Amount())
	}
}

func TestInvalidCommandsArePermanent(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := context.Background()
	bad := authorizeCmd(sandbox.TokenSuccess)
	bad.Amount.Currency = "euro"
	noMethod := authorizeCmd(sandbox.TokenSuccess)
	noMethod.Method = "stripe" // not configured here: an operator problem, retried
	tests := []struct {
		name      string
		run       func() error
		permanent bool
	}{
		{"bad amount", func() error { return f.h.AuthorizePayment(ctx, bad) }, true},
		{"bad payment id", func() error { return f.h.CapturePayment(ctx, &cmdpay.CapturePayment{PaymentID: "x"}) }, true},
		{"unknown payment", func() error {
			return f.h.CapturePayment(ctx, &cmdpay.CapturePayment{PaymentID: domain.IDForOrder("b9c5e0a4-1111-4c3e-9a7f-2d1e5b6c7a80")})
		}, true},
		{"void without reason", func() error { return f.h.VoidPayment(ctx, &cmdpay.VoidPayment{PaymentID: domain.IDForOrder(orderID)}) }, true},
		{"refund without id", func() error {
			return f.h.RefundPayment(ctx, &cmdpay.RefundPayment{PaymentID: domain.IDForOrder(orderID), Amount: money.DTO{Amount: 1, Currency: "EUR"}, Reason: "x"})
		}, true},
		{"method without gateway", func() error { return f.h.AuthorizePayment(ctx, noMethod) }, false},
	}
	for _, tt := range tests {
		err := tt.run()
		if err == nil || messaging.IsPermanent(err) != tt.permanent {
			t.Fatalf("%s: err = %v, permanent = %v, want %v", tt.name, err, messaging.IsPermanent(err), tt.permanent)
		}
	}
}

func TestCodecKnowsEveryEvent(t *testing.T) {
	t.Parallel()
	c := cmdpay.Codec()
	for _, name := range []string{domain.EventPaymentRequested, domain.EventPaymentActionRequired, domain.EventPaymentAuthorized,
		domain.EventPaymentFailed, domain.EventPaymentCaptured, domain.EventPaymentVoided, domain.EventPaymentRefunded} {
		if !c.Knows(name) {
			t.Fatalf("codec misses %s", name)
		}
	}
	_ = eventstore.Any()
}
