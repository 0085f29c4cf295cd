package payment

import (
	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
)

// A guest checkout has no session: its buyer proves the order is theirs
// with the signed token of the order's status link (platform/guestorder),
// sent as the query parameter orderToken (GET) or the body member
// orderToken (POST). The buyer routes accept either a session or such a
// token; the handlers check the token against the payment's order, so a
// token opens the payments of its own order only.

// buyerOrLink lets a request through with a session, or without one when it
// carries an orderToken for the handler to check; anything else is the 401
// of authn.Required.
func (a *API) buyerOrLink(c *fiber.Ctx) error {
	if _, ok := authn.FromCtx(c); ok || a.d.OrderLinks == nil {
		return authn.Required()(c)
	}
	if c.Query("orderToken") == "" && !hasBodyToken(c) {
		return authn.Required()(c)
	}
	return c.Next()
}

// hasBodyToken reports whether a PayPal return/cancel body names an
// orderToken (the handler decodes and validates the body itself).
func hasBodyToken(c *fiber.Ctx) bool {
	var body paypalBody
	return c.Method() == fiber.MethodPost && httpx.DecodeJSON(c, &body) == nil && body.OrderToken != ""
}

// owns reports whether the caller may act on a payment of customerID for
// orderID: the signed-in customer, or a guest holding the order's token.
func (a *API) owns(c *fiber.Ctx, customerID, orderID, orderToken string) bool {
	if p, ok := authn.FromCtx(c); ok {
		return p.UserID == customerID
	}
	return orderToken != "" && a.d.OrderLinks != nil && a.d.OrderLinks.Verify(orderID, orderToken) == nil
}
