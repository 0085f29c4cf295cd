// Package stripe is the Stripe adapter of the payment gateway port, built on
// the official stripe-go client: PaymentIntents with manual capture (an
// authorization hold), cancel as void, refunds, an Idempotency-Key on every
// mutating call, and verification of signed webhooks. Card data never
// reaches the shop: the browser confirms the PaymentIntent with its client
// secret (or hands over a PaymentMethod id created by Stripe.js).
package stripe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	stripeapi "github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/evshop/shop/payments"
)

// Provider names Stripe in notifications and dedupe keys.
const Provider = "stripe"

// MetadataPaymentID is the PaymentIntent metadata key holding the shop's
// payment id, so webhooks map back to the payment stream.
const MetadataPaymentID = "shop_payment_id"

// Config configures the adapter.
type Config struct {
	SecretKey        string        // sk_… (STRIPE_SECRET_KEY)
	BaseURL          string        // empty for api.stripe.com; stripe-mock in tests
	WebhookSecret    string        // whsec_… (STRIPE_WEBHOOK_SECRET)
	WebhookTolerance time.Duration // default 5 minutes
	HTTPClient       *http.Client  // default: 30 s timeout
	MaxRetries       int64         // network retries inside stripe-go; default 2
}

// Gateway implements payments.Gateway against Stripe.
type Gateway struct {
	client    *stripeapi.Client
	whSecret  string
	tolerance time.Duration
}

// New validates cfg and builds the client. It does no I/O.
func New(cfg Config) (*Gateway, error) {
	if cfg.SecretKey == "" {
		return nil, errors.New("stripe: a secret key is required")
	}
	if cfg.WebhookTolerance <= 0 {
		cfg.WebhookTolerance = 5 * time.Minute
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 2
	}
	bc := &stripeapi.BackendConfig{
		HTTPClient:        cfg.HTTPClient,
		MaxNetworkRetries: stripeapi.Int64(cfg.MaxRetries),
		// stripe-go logs through its own logger; silence it, errors come back to us.
		LeveledLogger: &stripeapi.LeveledLogger{Level: stripeapi.LevelNull},
	}
	if cfg.BaseURL != "" {
		bc.URL = stripeapi.String(strings.TrimRight(cfg.BaseURL, "/"))
	}
	return &Gateway{
		client:    stripeapi.NewClient(cfg.SecretKey, stripeapi.WithBackends(stripeapi.NewBackendsWithConfig(bc))),
		whSecret:  cfg.WebhookSecret,
		tolerance: cfg.WebhookTolerance,
	}, nil
}

func params(key string) stripeapi.Params {
	p := stripeapi.Params{}
	p.SetIdempotencyKey(key)
	return p
}

// Authorize creates a PaymentIntent with capture_method=manual. With a
// PaymentMethod id (created in the browser by Stripe.js) it confirms at once;
// without one, or when the bank wants 3-D Secure, the buyer confirms with the
// client secret and the webhook brings the outcome.
func (g *Gateway) Authorize(ctx context.Context, req payments.AuthorizeRequest) (payments.AuthorizeResult, error) {
	p := &stripeapi.PaymentIntentCreateParams{
		Params:        params(req.IdempotencyKey),
		Amount:        stripeapi.Int64(req.Amount.Amount()),
		Currency:      stripeapi.String(strings.ToLower(req.Amount.Currency())),
		CaptureMethod: stripeapi.String(string(stripeapi.PaymentIntentCaptureMethodManual)),
		Metadata:      map[string]string{MetadataPaymentID: req.PaymentID, "order_id": req.OrderID},
	}
	if req.Token != "" {
		p.PaymentMethod = stripeapi.String(req.Token)
		p.Confirm = stripeapi.Bool(true)
		p.PaymentMethodTypes = []*string{stripeapi.String("card")}
	} else {
		p.AutomaticPaymentMethods = &stripeapi.PaymentIntentCreateAutomaticPaymentMethodsParams{Enabled: stripeapi.Bool(true), AllowRedirects: stripeapi.String("never")}
	}
	pi, err := g.client.V1PaymentIntents.Create(ctx, p)
	if err != nil {
		if res, ok := declined(err); ok {
			return res, nil
		}
		return payments.AuthorizeResult{}, classify("create payment intent", err)
	}
	return resultOf(pi), nil
}

// resultOf maps a PaymentIntent's status to an outcome.
func resultOf(pi *stripeapi.PaymentIntent) payments.AuthorizeResult {
	switch pi.Status {
	case stripeapi.PaymentIntentStatusRequiresCapture, stripeapi.PaymentIntentStatusSucceeded:
		return payments.AuthorizeResult{Outcome: payments.OutcomeAuthorized, Ref: pi.ID}
	case stripeapi.PaymentIntentStatusCanceled:
		return payments.AuthorizeResult{Outcome: payments.OutcomeDeclined, Ref: pi.ID, Code: "canceled", Reason: "The payment was canceled."}
	}
	// A confirmation the issuer refused leaves a card error behind and asks
	// for another payment method: that is a decline.
	if e := pi.LastPaymentError; e != nil && pi.Status == stripeapi.PaymentIntentStatusRequiresPaymentMethod &&
		(e.Type == stripeapi.ErrorTypeCard || e.DeclineCode != "") {
		return payments.AuthorizeResult{Outcome: payments.OutcomeDeclined, Ref: pi.ID, Code: code(e), Reason: e.Msg}
	}
	return payments.AuthorizeResult{Outcome: payments.OutcomeActionRequired, Ref: pi.ID, ClientSecret: pi.ClientSecret}
}

// declined recognises a card error (HTTP 402) as a decline, not a failure.
func declined(err error) (payments.AuthorizeResult, bool) {
	var se *stripeapi.Error
	if !errors.As(err, &se) || se.Type != stripeapi.ErrorTypeCard {
		return payments.AuthorizeResult{}, false
	}
	res := payments.AuthorizeResult{Outcome: payments.OutcomeDeclined, Code: code(se), Reason: se.Msg}
	if se.PaymentIntent != nil {
		res.Ref = se.PaymentIntent.ID
	}
	return res, true
}

func code(e *stripeapi.Error) string {
	switch {
	case e.DeclineCode != "":
		return string(e.DeclineCode)
	case e.Code != "":
		return string(e.Code)
	}
	return "card_declined"
}

// classify separates what a retry may fix (network, 5xx, rate limit) from
// what it will not (4xx invalid request). The message never carries keys.
func classify(op string, err error) error {
	var se *stripeapi.Error
	if errors.As(err, &se) && se.HTTPStatusCode >= 400 && se.HTTPStatusCode < 500 && se.HTTPStatusCode != http.StatusTooManyRequests && se.HTTPStatusCode != http.StatusConflict {
		return fmt.Errorf("%w: stripe %s: %s (%s)", payments.ErrRejected, op, se.Msg, se.Code)
	}
	return fmt.Errorf("%w: stripe %s: %w", payments.ErrGateway, op, err)
}

// Capture captures the PaymentIntent's hold.
func (g *Gateway) Capture(ctx context.Context, req payments.CaptureRequest) (payments.CaptureResult, error) {
	p := &stripeapi.PaymentIntentCaptureParams{Params: params(req.IdempotencyKey), AmountToCapture: stripeapi.Int64(req.Amount.Amount())}
	pi, err := g.client.V1PaymentIntents.Capture(ctx, req.Ref, p)
	if err != nil {
		return payments.CaptureResult{}, classify("capture", err)
	}
	ref := pi.ID
	if pi.LatestCharge != nil && pi.LatestCharge.ID != "" {
		ref = pi.LatestCharge.ID
	}
	return payments.CaptureResult{Ref: ref}, nil
}

// Void cancels the PaymentIntent, releasing the hold.
func (g *Gateway) Void(ctx context.Context, req payments.VoidRequest) error {
	p := &stripeapi.PaymentIntentCancelParams{Params: params(req.IdempotencyKey), CancellationReason: stripeapi.String("abandoned")}
	if _, err := g.client.V1PaymentIntents.Cancel(ctx, req.Ref, p); err != nil {
		return classify("cancel", err)
	}
	return nil
}

// Refund refunds part or all of the PaymentIntent's capture.
func (g *Gateway) Refund(ctx context.Context, req payments.RefundRequest) (payments.RefundResult, error) {
	p := &stripeapi.RefundCreateParams{Params: params(req.IdempotencyKey), PaymentIntent: stripeapi.String(req.AuthorizeRef), Amount: stripeapi.Int64(req.Amount.Amount())}
	r, err := g.client.V1Refunds.Create(ctx, p)
	if err != nil {
		return payments.RefundResult{}, classify("refund", err)
	}
	return payments.RefundResult{Ref: r.ID}, nil
}

// ClientSecret fetches the PaymentIntent's client secret for the buyer's
// browser. It is never stored by the shop.
func (g *Gateway) ClientSecret(ctx context.Context, ref string) (string, error) {
	pi, err := g.client.V1PaymentIntents.Retrieve(ctx, ref, &stripeapi.PaymentIntentRetrieveParams{})
	if err != nil {
		return "", classify("retrieve", err)
	}
	return pi.ClientSecret, nil
}

// ParseWebhook verifies the Stripe-Signature header (HMAC-SHA256 and the
// timestamp tolerance) and reduces the event to a notification.
func (g *Gateway) ParseWebhook(payload []byte, signature string) (payments.Notification, error) {
	if g.whSecret == "" {
		return payments.Notification{}, fmt.Errorf("%w: no webhook secret configured", payments.ErrBadSignature)
	}
	ev, err := webhook.ConstructEventWithOptions(payload, signature, g.whSecret, webhook.ConstructEventOptions{
		Tolerance: g.tolerance,
		// The account's API version may differ from the library's; the
		// fields read below are stable across versions.
		IgnoreAPIVersionMismatch: true,
	})
	if err != nil {
		return payments.Notification{}, fmt.Errorf("%w: %v", payments.ErrBadSignature, err)
	}
	n := payments.Notification{Provider: Provider, EventID: ev.ID, Kind: payments.NotifyIgnored}
	if ev.Data == nil {
		return n, nil
	}
	obj := ev.Data.Object
	md, _ := obj["metadata"].(map[string]any)
	n.PaymentID, _ = md[MetadataPaymentID].(string)
	n.Ref, _ = obj["id"].(string)
	switch ev.Type {
	case "payment_intent.amount_capturable_updated":
		n.Kind = payments.NotifyAuthorized
	case "payment_intent.payment_failed":
		n.Kind = payments.NotifyFailed
		n.Code, n.Reason = "card_declined", "The payment failed."
		if lpe, ok := obj["last_payment_error"].(map[string]any); ok {
			if c, _ := lpe["decline_code"].(string); c != "" {
				n.Code = c
			} else if c, _ := lpe["code"].(string); c != "" {
				n.Code = c
			}
			if m, _ := lpe["message"].(string); m != "" {
				n.Reason = m
			}
		}
	case "payment_intent.canceled":
		n.Kind = payments.NotifyVoided
		n.Reason = "canceled at Stripe"
	}
	if n.Kind != payments.NotifyIgnored && n.PaymentID == "" {
		n.Kind = payments.NotifyIgnored // not one of ours
	}
	return n, nil
}
