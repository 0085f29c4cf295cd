package payment_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/payment"
)

const (
	orderID = "5b0c9f3e-3c1a-4f0e-9d55-1c2b3a4d5e6f"
)

var payID = payment.IDForOrder(orderID)

func eur(t *testing.T, a int64) money.Money {
	t.Helper()
	m, err := money.New(a, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func given(events ...payment.Event) *payment.Payment {
	p := payment.New()
	for _, e := range events {
		p.ApplyStored(e)
	}
	return p
}

var (
	requested  = payment.PaymentRequested{PaymentID: payID, OrderID: orderID, CustomerID: "c1", Amount: money.DTO{Amount: 1000, Currency: "EUR"}, Method: "sandbox", Last4: "4242"}
	authorized = payment.PaymentAuthorized{PaymentID: payID, OrderID: orderID, Amount: money.DTO{Amount: 1000, Currency: "EUR"}, GatewayRef: "auth_1"}
	captured   = payment.PaymentCaptured{PaymentID: payID, OrderID: orderID, Amount: money.DTO{Amount: 1000, Currency: "EUR"}, GatewayRef: "cap_1"}
	failed     = payment.PaymentFailed{PaymentID: payID, OrderID: orderID, Code: "card_declined", Reason: "declined"}
	voided     = payment.PaymentVoided{PaymentID: payID, OrderID: orderID, Reason: "timeout"}
)

func TestIDForOrderIsStableUUIDv5(t *testing.T) {
	t.Parallel()
	a, b := payment.IDForOrder(orderID), payment.IDForOrder(orderID)
	if a != b || !payment.ValidID(a) || a[14] != '5' {
		t.Fatalf("IDForOrder = %q, %q; want the same UUIDv5", a, b)
	}
	if payment.IDForOrder("0b0c9f3e-3c1a-4f0e-9d55-1c2b3a4d5e6f") == a {
		t.Fatal("different orders share a payment id")
	}
}

func TestNewRequestValidates(t *testing.T) {
	t.Parallel()
	ok := eur(t, 100)
	tests := []struct {
		name                 string
		pid, oid, cid, last4 string
		amount               money.Money
		method               payment.Method
		wantErr              bool
	}{
		{"valid", payID, orderID, "c1", "4242", ok, payment.MethodSandbox, false},
		{"no last4 for stripe", payID, orderID, "c1", "", ok, payment.MethodStripe, false},
		{"bad payment id", "x", orderID, "c1", "", ok, payment.MethodSandbox, true},
		{"bad order id", payID, "nope", "c1", "", ok, payment.MethodSandbox, true},
		{"no customer", payID, orderID, " ", "", ok, payment.MethodSandbox, true},
		{"zero amount", payID, orderID, "c1", "", eur(t, 0), payment.MethodSandbox, true},
		{"bad last4", payID, orderID, "c1", "42a2", ok, payment.MethodSandbox, true},
		{"bad method", payID, orderID, "c1", "", ok, "bitcoin", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := payment.NewRequest(tt.pid, tt.oid, tt.cid, tt.amount, tt.method, tt.last4)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, payment.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestTransitions(t *testing.T) {
	t.Parallel()
	type when func(t *testing.T, p *payment.Payment) error
	open := func(t *testing.T, p *payment.Payment) error {
		r, err := payment.NewRequest(payID, orderID, "c1", eur(t, 1000), payment.MethodSandbox, "4242")
		if err != nil {
			t.Fatal(err)
		}
		return p.Open(r)
	}
	authorize := func(t *testing.T, p *payment.Payment) error { return p.RecordAuthorization("auth_1") }
	fail := func(t *testing.T, p *payment.Payment) error { return p.RecordFailure("card_declined", "declined") }
	capture := func(t *testing.T, p *payment.Payment) error { return p.RecordCapture("cap_1") }
	void := func(t *testing.T, p *payment.Payment) error { return p.RecordVoid(payID, orderID, "timeout") }
	refund := func(a int64, id string) when {
		return func(t *testing.T, p *payment.Payment) error { return p.RecordRefund(eur(t, a), "r", id, "re_1") }
	}
	tests := []struct {
		name    string
		given   []payment.Event
		when    when
		then    []payment.Event
		wantErr error
	}{
		{"open new", nil, open, []payment.Event{requested}, nil},
		{"open again is a no-op", []payment.Event{requested}, open, nil, nil},
		{"authorize requested", []payment.Event{requested}, authorize, []payment.Event{authorized}, nil},
		{"authorize twice is a no-op", []payment.Event{requested, authorized}, authorize, nil, nil},
		{"authorize voided", []payment.Event{requested, voided}, authorize, nil, payment.ErrIllegalTransition},
		{"fail requested", []payment.Event{requested}, fail, []payment.Event{failed}, nil},
		{"fail twice is a no-op", []payment.Event{requested, failed}, fail, nil, nil},
		{"fail authorized", []payment.Event{requested, authorized}, fail, nil, payment.ErrIllegalTransition},
		{"capture authorized", []payment.Event{requested, authorized}, capture, []payment.Event{captured}, nil},
		{"capture twice is a no-op", []payment.Event{requested, authorized, captured}, capture, nil, nil},
		{"capture requested", []payment.Event{requested}, capture, nil, payment.ErrIllegalTransition},
		{"capture failed", []payment.Event{requested, failed}, capture, nil, payment.ErrIllegalTransition},
		{"void requested", []payment.Event{requested}, void, []payment.Event{voided}, nil},
		{"void authorized", []payment.Event{requested, authorized}, void, []payment.Event{voided}, nil},
		{"void unknown payment", nil, void, []payment.Event{voided}, nil},
		{"void twice is a no-op", []payment.Event{requested, voided}, void, nil, nil},
		{"void failed is a no-op", []payment.Event{requested, failed}, void, nil, nil},
		{"void captured", []payment.Event{requested, authorized, captured}, void, nil, payment.ErrIllegalTransition},
		{"partial refund", []payment.Event{requested, authorized, captured}, refund(400, "r1"),
			[]payment.Event{payment.PaymentRefunded{PaymentID: payID, OrderID: orderID, Amount: money.DTO{Amount: 400, Currency: "EUR"}, Reason: "r", RefundID: "r1", GatewayRef: "re_1"}}, nil},
		{"refund beyond captured", []payment.Event{requested, authorized, captured}, refund(1001, "r1"), nil, payment.ErrRefundTooLarge},
		{"refund beyond the rest", []payment.Event{requested, authorized, captured,
			payment.PaymentRefunded{PaymentID: payID, OrderID: orderID, Amount: money.DTO{Amount: 700, Currency: "EUR"}, RefundID: "r1"}}, refund(301, "r2"), nil, payment.ErrRefundTooLarge},
		{"same refund id is a no-op", []payment.Event{requested, authorized, captured,
			payment.PaymentRefunded{PaymentID: payID, OrderID: orderID, Amount: money.DTO{Amount: 700, Currency: "EUR"}, RefundID: "r1"}}, refund(700, "r1"), nil, nil},
		{"refund of fully refunded", []payment.Event{requested, authorized, captured,
			payment.PaymentRefunded{PaymentID: payID, OrderID: orderID, Amount: money.DTO{Amount: 1000, Currency: "EUR"}, RefundID: "r1"}}, refund(1, "r2"), nil, payment.ErrIllegalTransition},
		{"refund authorized", []payment.Event{requested, authorized}, refund(100, "r1"), nil, payment.ErrIllegalTransition},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := given(tt.given...)
			err := tt.when(t, p)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := p.Changes(); !reflect.DeepEqual(got, tt.then) {
				t.Fatalf("events = %#v\nwant %#v", got, tt.then)
			}
		})
	}
}

func TestFullRefundEndsRefunded(t *testing.T) {
	t.Parallel()
	p := given(requested, authorized, captured)
	for i, id := range []string{"a", "b"} {
		if err := p.RecordRefund(eur(t, 500), "r", id, ""); err != nil {
			t.Fatalf("refund %d: %v", i, err)
		}
	}
	if p.Status() != payment.StatusRefunded || p.Refundable() != 0 {
		t.Fatalf("status %s refundable %d, want refunded 0", p.Status(), p.Refundable())
	}
}

func TestDecodeRoundTrip(t *testing.T) {
	t.Parallel()
	for _, e := range []payment.Event{requested, authorized, captured, failed, voided,
		payment.PaymentActionRequired{PaymentID: payID, OrderID: orderID, GatewayRef: "pi_1"},
		payment.PaymentRefunded{PaymentID: payID, OrderID: orderID, Amount: money.DTO{Amount: 1, Currency: "EUR"}}} {
		data := mustJSON(t, e)
		got, ok, err := payment.Decode(e.EventName(), data)
		if err != nil || !ok || !reflect.DeepEqual(got, e) {
			t.Fatalf("Decode(%s) = %#v, %v, %v", e.EventName(), got, ok, err)
		}
	}
	if _, ok, _ := payment.Decode("ordering.OrderPlaced.v1", nil); ok {
		t.Fatal("decoded a foreign event")
	}
	if _, _, err := payment.Decode(payment.EventPaymentFailed, []byte("{")); err == nil {
		t.Fatal("decoded malformed JSON")
	}
}
