// Package provider declares the adapters of the outside services a shop pays
// for — Stripe, PayPal, Amazon SES — as constructors a binary hands to
// wiring (Infra.Providers). Their SDKs are linked only by the binaries that
// talk to them: cmd/payment, cmd/notifier and cmd/shop take them from
// package providers; every other binary leaves them unset and links none.
package provider

import (
	"context"

	apipayment "github.com/evshop/shop/api/payment"
	"github.com/evshop/shop/mail"
	"github.com/evshop/shop/payments"
	"github.com/evshop/shop/wiring/settings"
)

// StripeGateway is what the payment service needs of Stripe: a gateway and
// its webhook verification.
type StripeGateway interface {
	payments.Gateway
	apipayment.StripeWebhooks
}

// PayPalGateway is what the payment service needs of PayPal.
type PayPalGateway interface {
	payments.Gateway
	apipayment.PayPalWebhooks
}

// Set holds the constructors; a nil one means the binary was built without
// that adapter.
type Set struct {
	Stripe func(settings.Payment) (StripeGateway, error)
	PayPal func(settings.Payment) (PayPalGateway, error)
	SES    func(context.Context, settings.Notifier) (mail.Sender, error)
}
