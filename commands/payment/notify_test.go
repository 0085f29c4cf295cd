package payment_test

import (
	"context"
	"errors"
	"testing"

	"github.com/evshop/shop/domain/money"
	domain "github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/payments"
)

// TestNotificationsMatchTheProviderReference: a verified webhook moves a
// payment only when it is about an object the provider gave that payment
// (its PaymentIntent; its PayPal order or authorization). A webhook about
// another PaymentIntent, order or capture that carries this payment's id in
// its metadata is refused as invalid and changes nothing.
func TestNotificationsMatchTheProviderReference(t *testing.T) {
	t.Parallel()
	pid := domain.IDForOrder(orderID)
	amount := money.DTO{Amount: 2599, Currency: "EUR"}
	waiting := func(method, ref string) []domain.Event {
		return []domain.Event{
			domain.PaymentRequested{PaymentID: pid, OrderID: orderID, CustomerID: "cust-1", Amount: amount, Method: method},
			domain.PaymentActionRequired{PaymentID: pid, OrderID: orderID, GatewayRef: ref},
		}
	}
	authorizedPayPal := append(waiting("paypal", "ORDER-1"), domain.PaymentAuthorized{PaymentID: pid, OrderID: orderID, Amount: amount, GatewayRef: "AUTH-1"})
	n := func(provider string, kind payments.NotificationKind, ref, related string) payments.Notification {
		return payments.Notification{Provider: provider, EventID: "evt", Kind: kind, PaymentID: pid, Ref: ref, RelatedRef: related, Code: "x", Reason: "x"}
	}
	tests := []struct {
		name       string
		given      []domain.Event
		n          payments.Notification
		wantErr    error
		wantStatus domain.Status
	}{
		{"stripe: its own PaymentIntent authorizes", waiting("stripe", "pi_1"), n("stripe", payments.NotifyAuthorized, "pi_1", ""), nil, domain.StatusAuthorized},
		{"stripe: another PaymentIntent does not authorize", waiting("stripe", "pi_1"), n("stripe", payments.NotifyAuthorized, "pi_2", ""), domain.ErrInvalid, domain.StatusActionRequired},
		{"stripe: another PaymentIntent does not fail it", waiting("stripe", "pi_1"), n("stripe", payments.NotifyFailed, "pi_2", ""), domain.ErrInvalid, domain.StatusActionRequired},
		{"stripe: another PaymentIntent does not cancel it", waiting("stripe", "pi_1"), n("stripe", payments.NotifyVoided, "pi_2", ""), domain.ErrInvalid, domain.StatusActionRequired},
		{"another provider with the same reference", waiting("stripe", "pi_1"), n("paypal", payments.NotifyAuthorized, "pi_1", ""), domain.ErrInvalid, domain.StatusActionRequired},
		{"paypal: an authorization of its own order", waiting("paypal", "ORDER-1"), n("paypal", payments.NotifyAuthorized, "AUTH-1", "ORDER-1"), nil, domain.StatusAuthorized},
		{"paypal: an authorization of another order", waiting("paypal", "ORDER-1"), n("paypal", payments.NotifyAuthorized, "AUTH-9", "ORDER-9"), domain.ErrInvalid, domain.StatusActionRequired},
		{"paypal: approval of another order", waiting("paypal", "ORDER-1"), n("paypal", payments.NotifyApproved, "ORDER-9", ""), domain.ErrInvalid, domain.StatusActionRequired},
		{"paypal: reversal of its own order", waiting("paypal", "ORDER-1"), n("paypal", payments.NotifyFailed, "ORDER-1", ""), nil, domain.StatusFailed},
		{"paypal: its own authorization voided", authorizedPayPal, n("paypal", payments.NotifyVoided, "AUTH-1", "ORDER-1"), nil, domain.StatusVoided},
		{"paypal: another authorization voided", authorizedPayPal, n("paypal", payments.NotifyVoided, "AUTH-2", "ORDER-2"), domain.ErrInvalid, domain.StatusAuthorized},
		{"no reference yet", waiting("stripe", "pi_1")[:1], n("stripe", payments.NotifyAuthorized, "pi_1", ""), domain.ErrInvalid, domain.StatusRequested},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, nil)
			ctx := context.Background()
			f.given(t, pid, tt.given...)
			if err := f.h.ApplyNotification(ctx, tt.n); !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			p, err := f.h.Load(ctx, pid)
			if err != nil || p.Status() != tt.wantStatus {
				t.Fatalf("status %v (%v), want %v", p.Status(), err, tt.wantStatus)
			}
			if tt.wantErr != nil && len(f.types(t, pid)) != len(tt.given) {
				t.Fatalf("a refused notification recorded %v", f.types(t, pid)[len(tt.given):])
			}
		})
	}
}
