// Package paymentproviders opens the Stripe and PayPal gateways from the
// payment service's settings. Only the binaries that take payments import it
// (cmd/payment, cmd/shop), so only they link those SDKs
// (TestBinariesLinkOnlyWhatTheyRun).
package paymentproviders

import (
	"github.com/evshop/shop/payments/paypal"
	"github.com/evshop/shop/payments/stripe"
	"github.com/evshop/shop/wiring/provider"
	"github.com/evshop/shop/wiring/settings"
)

// Set fills the payment adapters of s.
func Set(s *provider.Set) {
	s.Stripe, s.PayPal = Stripe, PayPal
}

// Stripe opens the Stripe gateway (PaymentIntents, webhooks).
func Stripe(o settings.Payment) (provider.StripeGateway, error) {
	return stripe.New(stripe.Config{SecretKey: o.StripeSecretKey, BaseURL: o.StripeURL, WebhookSecret: o.StripeWebhookSecret})
}

// PayPal opens the PayPal gateway (Orders v2, webhooks); the buyer comes back
// to the storefront's checkout pages.
func PayPal(o settings.Payment) (provider.PayPalGateway, error) {
	return paypal.New(paypal.Config{ClientID: o.PayPalClientID, ClientSecret: o.PayPalSecret, BaseURL: o.PayPalURL,
		WebhookID: o.PayPalWebhookID, ReturnURL: o.Public.URL + "/checkout/paypal/return", CancelURL: o.Public.URL + "/checkout/paypal/cancel"})
}
