package payment

import (
	"errors"
	"regexp"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/commands/esrepo"
	domain "github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/payments"
	"github.com/evshop/shop/platform/httpx"
)

// BuyerCancelledCode and BuyerCancelledReason are what a payment records when
// the buyer cancels at PayPal; the checkout saga cancels the order with the
// reason and releases its stock.
const (
	BuyerCancelledCode   = "buyer_cancelled"
	BuyerCancelledReason = "buyer cancelled at PayPal"
)

// paypalToken is the shape of a PayPal order id (the token PayPal appends
// to the return and cancel URLs).
var paypalToken = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)

// approval: GET /{paymentId}/approval hands the buyer the link to approve a
// PayPal payment; it is read from PayPal each time and never stored.
func (a *API) approval(c *fiber.Ctx) error {
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
	if pay.Method() != domain.MethodPayPal || pay.Status() != domain.StatusActionRequired || a.d.PayPal == nil {
		return httpx.Conflict("this payment waits for no PayPal approval")
	}
	o, err := a.d.PayPal.Order(c.UserContext(), pay.GatewayRef())
	if err != nil {
		return gatewayProblem(err)
	}
	if o.ApproveURL == "" {
		return httpx.Conflict("PayPal has this order approved already")
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"paymentId": id, "orderId": pay.OrderID(), "approveUrl": o.ApproveURL})
}

type paypalBody struct {
	Token string `json:"token"`
	// OrderToken is a guest buyer's signed order token (guest.go).
	OrderToken string `json:"orderToken,omitempty"`
}

// paypalPayment finds the caller's payment of the PayPal order named by the
// body's token: PayPal says which payment it belongs to (the custom_id the
// shop set), and the payment must know that order as its own. Unknown
// orders, and orders of other buyers, are 404.
func (a *API) paypalPayment(c *fiber.Ctx) (*domain.Payment, payments.ApprovalOrder, error) {
	var body paypalBody
	if err := httpx.DecodeJSON(c, &body); err != nil {
		return nil, payments.ApprovalOrder{}, err
	}
	if !paypalToken.MatchString(body.Token) {
		return nil, payments.ApprovalOrder{}, httpx.Invalid(httpx.FieldError{Field: "token", Reason: "must be a PayPal order id"})
	}
	if a.d.PayPal == nil {
		return nil, payments.ApprovalOrder{}, httpx.NotFound("paypal is not enabled")
	}
	ctx := c.UserContext()
	o, err := a.d.PayPal.Order(ctx, body.Token)
	if errors.Is(err, payments.ErrRejected) {
		return nil, o, httpx.NotFound("no such PayPal order")
	}
	if err != nil {
		return nil, o, gatewayProblem(err)
	}
	if !validID(o.PaymentID) {
		return nil, o, httpx.NotFound("no such PayPal order")
	}
	pay, err := a.d.Commands.Load(ctx, o.PaymentID)
	if errors.Is(err, esrepo.ErrNotFound) || (err == nil && (!a.owns(c, pay.CustomerID(), pay.OrderID(), body.OrderToken) || !pay.MatchesGateway(string(domain.MethodPayPal), body.Token))) {
		return nil, o, httpx.NotFound("no such PayPal order")
	}
	return pay, o, err
}

// paypalReturn: POST /paypal/return {token}. The buyer came back from
// PayPal's approval page: the payment authorizes now (as the
// CHECKOUT.ORDER.APPROVED webhook would; both share one idempotency key, so
// PayPal authorizes once) and the checkout saga captures as for any payment.
func (a *API) paypalReturn(c *fiber.Ctx) error {
	pay, o, err := a.paypalPayment(c)
	if err != nil {
		return err
	}
	switch pay.Status() {
	case domain.StatusAuthorized, domain.StatusCaptured, domain.StatusRefunded:
		return a.paypalAnswer(c, pay) // a reload of the return page
	case domain.StatusActionRequired:
	default:
		return httpx.Conflict("this payment is closed (" + string(pay.Status()) + "); the order was cancelled")
	}
	if o.Status != "APPROVED" && o.Status != "COMPLETED" {
		return httpx.Conflict("PayPal has not approved this order")
	}
	ctx := c.UserContext()
	err = a.d.Commands.ApplyNotification(ctx, payments.Notification{Provider: string(domain.MethodPayPal), Kind: payments.NotifyApproved,
		PaymentID: pay.ID(), Ref: o.ID})
	if err != nil && !errors.Is(err, domain.ErrIllegalTransition) {
		return gatewayProblem(err)
	}
	return a.reloadAnswer(c, pay.ID())
}

// paypalCancel: POST /paypal/cancel {token}. The buyer cancelled at PayPal:
// the payment fails with code buyer_cancelled, and the checkout saga cancels
// the order with the reason and releases its stock. Cancelling again is a
// no-op; a payment PayPal already authorized cannot be cancelled here.
func (a *API) paypalCancel(c *fiber.Ctx) error {
	pay, o, err := a.paypalPayment(c)
	if err != nil {
		return err
	}
	switch {
	case pay.Status() == domain.StatusFailed && pay.FailCode() == BuyerCancelledCode:
		return a.paypalAnswer(c, pay)
	case pay.Status() != domain.StatusActionRequired:
		return httpx.Conflict("this payment can no longer be cancelled (" + string(pay.Status()) + ")")
	case o.Status == "COMPLETED":
		return httpx.Conflict("PayPal has authorized this order already")
	}
	ctx := c.UserContext()
	err = a.d.Commands.ApplyNotification(ctx, payments.Notification{Provider: string(domain.MethodPayPal), Kind: payments.NotifyFailed,
		PaymentID: pay.ID(), Ref: o.ID, Code: BuyerCancelledCode, Reason: BuyerCancelledReason})
	if err != nil {
		return err
	}
	return a.reloadAnswer(c, pay.ID())
}

func (a *API) reloadAnswer(c *fiber.Ctx, paymentID string) error {
	pay, err := a.d.Commands.Load(c.UserContext(), paymentID)
	if err != nil {
		return err
	}
	return a.paypalAnswer(c, pay)
}

func (a *API) paypalAnswer(c *fiber.Ctx, pay *domain.Payment) error {
	out := fiber.Map{"paymentId": pay.ID(), "orderId": pay.OrderID(), "status": pay.Status()}
	if pay.FailCode() != "" {
		out["failCode"] = pay.FailCode()
	}
	return c.JSON(out)
}

// gatewayProblem answers a gateway failure (PayPal unreachable or refusing)
// with 502: the buyer may retry, nothing was recorded.
func gatewayProblem(err error) error {
	if errors.Is(err, payments.ErrGateway) || errors.Is(err, payments.ErrRejected) {
		return httpx.NewProblem(fiber.StatusBadGateway, "PayPal did not answer as expected; please try again")
	}
	return err
}
