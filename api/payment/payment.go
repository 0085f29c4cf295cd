// Package payment is the payments HTTP API, mounted at /api/payments: the
// payments ledger of an order (its owner or staff), the Stripe client secret
// for the buyer's browser to confirm a PaymentIntent, the PayPal approval
// link and the buyer's return from PayPal (approved or cancelled), the admin
// refund, and the Stripe and PayPal webhooks. Webhooks carry no session: they are
// authenticated by their signature only, so the gateway must exempt them from
// CSRF and authentication.
package payment

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/evshop/shop/commands/esrepo"
	cmdpay "github.com/evshop/shop/commands/payment"
	"github.com/evshop/shop/domain/money"
	domain "github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/payments"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/guestorder"
	"github.com/evshop/shop/platform/httpx"
	projection "github.com/evshop/shop/projections/payments"
)

// Reader is the payments ledger (projections/payments Store).
type Reader interface {
	ByOrder(ctx context.Context, orderID string) ([]projection.Payment, error)
}

// Commands is the payment write side (commands/payment.Handlers).
type Commands interface {
	Load(ctx context.Context, paymentID string) (*domain.Payment, error)
	RefundPayment(ctx context.Context, cmd *cmdpay.RefundPayment) error
	ApplyNotification(ctx context.Context, n payments.Notification) error
}

// StripeWebhooks verifies Stripe webhooks (payments/stripe.Gateway).
type StripeWebhooks interface {
	ParseWebhook(payload []byte, signature string) (payments.Notification, error)
	ClientSecret(ctx context.Context, ref string) (string, error)
}

// PayPalWebhooks verifies PayPal webhooks and reads PayPal orders back
// (payments/paypal.Gateway).
type PayPalWebhooks interface {
	ParseWebhook(ctx context.Context, payload []byte, header func(string) string) (payments.Notification, error)
	// Order reads a PayPal order; an unknown one is payments.ErrRejected.
	Order(ctx context.Context, id string) (payments.ApprovalOrder, error)
}

// Dedupe remembers processed webhook event ids per provider
// (messaging.MemoryDeduper, messaging/postgres.Deduper).
type Dedupe interface {
	Seen(ctx context.Context, handler, eventID string) (bool, error)
	Mark(ctx context.Context, handler, eventID string) error
}

// Deps are the API's collaborators. Stripe and PayPal are optional: without
// them their webhook routes answer 404.
type Deps struct {
	Reader   Reader
	Commands Commands
	Stripe   StripeWebhooks
	PayPal   PayPalWebhooks
	Dedupe   Dedupe
	Log      *slog.Logger
	// Verifier, when set, makes Mount verify the access token itself.
	Verifier authn.Verifier
	// OrderLinks checks the signed order tokens with which a guest buyer
	// reaches the payments of their order (guest.go); nil: sessions only.
	OrderLinks *guestorder.Signer
}

// API serves /api/payments.
type API struct{ d Deps }

// New validates deps.
func New(d Deps) (*API, error) {
	if d.Reader == nil || d.Commands == nil || d.Dedupe == nil {
		return nil, errors.New("payment api: Reader, Commands and Dedupe are required")
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &API{d: d}, nil
}

// MaxWebhookBody bounds a webhook body; providers send a few kilobytes.
const MaxWebhookBody = 256 << 10

// WebhookPaths are the routes that must skip CSRF and session checks.
var WebhookPaths = []string{"/api/payments/webhooks/stripe", "/api/payments/webhooks/paypal"}

// Mount registers the routes (the gateway mounts it at /api/payments).
func (a *API) Mount(r fiber.Router) {
	r.Post("/webhooks/stripe", a.stripeWebhook)
	r.Post("/webhooks/paypal", a.paypalWebhook)
	if a.d.Verifier != nil {
		r.Use(authn.Middleware(a.d.Verifier))
	}
	r.Get("/", a.buyerOrLink, a.listByOrder)
	r.Get("/:paymentId/client-secret", a.buyerOrLink, a.clientSecret)
	r.Get("/:paymentId/approval", a.buyerOrLink, a.approval)
	r.Post("/paypal/return", a.buyerOrLink, a.paypalReturn)
	r.Post("/paypal/cancel", a.buyerOrLink, a.paypalCancel)
	r.Post("/:paymentId/refunds", authn.Required(authn.RoleAdmin), a.refund)
}

func validID(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && u.String() == s
}

// listByOrder: GET /?orderId=. Someone else's order looks like an unknown one.
func (a *API) listByOrder(c *fiber.Ctx) error {
	p, _ := authn.FromCtx(c)
	orderID := c.Query("orderId")
	if !validID(orderID) {
		return httpx.Invalid(httpx.FieldError{Field: "orderId", Reason: "must be a lower-case UUID"})
	}
	if _, signedIn := authn.FromCtx(c); !signedIn && !a.owns(c, "", orderID, c.Query("orderToken")) {
		return httpx.NotFound("no such order")
	}
	list, err := a.d.Reader.ByOrder(c.UserContext(), orderID)
	if err != nil {
		return err
	}
	if !p.IsStaff() {
		for _, pay := range list {
			if !a.owns(c, pay.CustomerID, orderID, c.Query("orderToken")) {
				return httpx.NotFound("no such order")
			}
		}
	}
	return c.JSON(fiber.Map{"orderId": orderID, "payments": list})
}

// clientSecret hands the buyer the Stripe client secret to confirm in the
// browser; it is fetched from Stripe each time and never stored.
func (a *API) clientSecret(c *fiber.Ctx) error {
	id := c.Params("paymentId")
	if !validID(id) {
		return httpx.Invalid(httpx.FieldError{Field: "paymentId", Reason: "must be a lower-case UUID"})
	}
	pay, err := a.d.Commands.Load(c.UserContext(), id)
	if errors.Is(err, esrepo.ErrNotFound) || (err == nil && !a.owns(c, pay.CustomerID(), pay.OrderID(), c.Query("orderToken"))) {
		return httpx.NotFound("no such payment")
	}
	if err != nil {
		return err
	}
	if pay.Method() != domain.MethodStripe || pay.Status() != domain.StatusActionRequired || a.d.Stripe == nil {
		return httpx.Conflict("this payment needs no confirmation")
	}
	secret, err := a.d.Stripe.ClientSecret(c.UserContext(), pay.GatewayRef())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"paymentId": id, "clientSecret": secret})
}

type refundBody struct {
	Amount money.DTO `json:"amount"`
	Reason string    `json:"reason"`
}

// refund: POST /{paymentId}/refunds with an Idempotency-Key header, which
// names the refund so a retried request never refunds twice.
func (a *API) refund(c *fiber.Ctx) error {
	id := c.Params("paymentId")
	if !validID(id) {
		return httpx.Invalid(httpx.FieldError{Field: "paymentId", Reason: "must be a lower-case UUID"})
	}
	key := strings.TrimSpace(c.Get("Idempotency-Key"))
	if key == "" || len(key) > 64 || strings.ContainsAny(key, "\x00\r\n") {
		return httpx.BadRequest("an Idempotency-Key header (1–64 characters) is required")
	}
	var body refundBody
	if err := httpx.DecodeJSON(c, &body); err != nil {
		return err
	}
	amount, err := money.FromDTO(body.Amount)
	if err != nil || amount.Amount() == 0 {
		return httpx.Invalid(httpx.FieldError{Field: "amount", Reason: "must be a positive amount in minor units with an ISO currency"})
	}
	reason := strings.TrimSpace(body.Reason)
	if reason == "" || len(reason) > 500 {
		return httpx.Invalid(httpx.FieldError{Field: "reason", Reason: "must be 1–500 characters"})
	}
	ctx := c.UserContext()
	_, err = a.d.Commands.Load(ctx, id)
	if errors.Is(err, esrepo.ErrNotFound) {
		return httpx.NotFound("no such payment")
	}
	if err != nil {
		return err
	}
	err = a.d.Commands.RefundPayment(ctx, &cmdpay.RefundPayment{PaymentID: id, Amount: body.Amount, Reason: reason, RefundID: key})
	switch {
	case errors.Is(err, domain.ErrRefundTooLarge):
		return httpx.Conflict("the refund exceeds what remains captured")
	case errors.Is(err, domain.ErrIllegalTransition):
		return httpx.Conflict("only a captured payment can be refunded")
	case errors.Is(err, domain.ErrInvalid):
		return httpx.Invalid(httpx.FieldError{Field: "amount", Reason: "does not match the payment"})
	case errors.Is(err, payments.ErrRejected):
		return httpx.Conflict("the payment provider refused the refund")
	case err != nil:
		return err
	}
	// The order records the refund when PaymentRefunded reaches it
	// (commands/ordering.RefundEvents).
	after, err := a.d.Commands.Load(ctx, id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"paymentId": id, "refundId": key, "status": after.Status(), "refunded": after.Refunded().DTO()})
}

func (a *API) stripeWebhook(c *fiber.Ctx) error {
	if a.d.Stripe == nil {
		return httpx.NotFound("stripe is not enabled")
	}
	body, err := webhookBody(c)
	if err != nil {
		return err
	}
	n, err := a.d.Stripe.ParseWebhook(body, c.Get("Stripe-Signature"))
	return a.notify(c, n, err)
}

func (a *API) paypalWebhook(c *fiber.Ctx) error {
	if a.d.PayPal == nil {
		return httpx.NotFound("paypal is not enabled")
	}
	body, err := webhookBody(c)
	if err != nil {
		return err
	}
	n, err := a.d.PayPal.ParseWebhook(c.UserContext(), body, func(k string) string { return c.Get(k) })
	return a.notify(c, n, err)
}

func webhookBody(c *fiber.Ctx) ([]byte, error) {
	body := c.Body()
	if len(body) == 0 {
		return nil, httpx.BadRequest("the body is empty")
	}
	if len(body) > MaxWebhookBody {
		return nil, httpx.NewProblem(fiber.StatusRequestEntityTooLarge, "the body is too large")
	}
	// Fiber reuses its buffers: the parsers may keep slices of the body.
	return append([]byte(nil), body...), nil
}

// notify applies a verified notification once per provider event id.
func (a *API) notify(c *fiber.Ctx, n payments.Notification, err error) error {
	ctx := c.UserContext()
	if errors.Is(err, payments.ErrBadSignature) {
		return httpx.BadRequest("the webhook signature does not verify")
	}
	if err != nil {
		return err // verification service unreachable: the provider retries
	}
	handler := "webhook." + n.Provider
	seen, err := a.d.Dedupe.Seen(ctx, handler, n.EventID)
	if err != nil {
		return err
	}
	if seen {
		return c.JSON(fiber.Map{"received": true, "duplicate": true})
	}
	err = a.d.Commands.ApplyNotification(ctx, n)
	switch {
	case errors.Is(err, esrepo.ErrNotFound), errors.Is(err, domain.ErrInvalid), errors.Is(err, domain.ErrIllegalTransition):
		// Not ours, or contradicted by what we recorded: acknowledge so the
		// provider stops retrying, and leave a trace for support.
		a.d.Log.WarnContext(ctx, "webhook not applied", "provider", n.Provider, "event_id", n.EventID, "kind", n.Kind, "err", err)
	case err != nil:
		return err
	}
	if err := a.d.Dedupe.Mark(ctx, handler, n.EventID); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"received": true})
}
