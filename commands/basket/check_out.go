package basket

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	ordercmd "github.com/evshop/shop/commands/ordering"
	domain "github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/domain/ordering"
)

// orderNamespace is the UUIDv5 namespace of order ids derived from
// (customer, Idempotency-Key). Changing it would break idempotency of
// in-flight retries: never change it.
var orderNamespace = uuid.MustParse("6f1c3a52-8a0e-4f55-9d6e-3b1f0c7a9e21")

// OrderIDFor derives the order id of a customer's check-out with key.
func OrderIDFor(customerID, key string) string {
	return uuid.NewSHA1(orderNamespace, []byte(customerID+"\n"+key)).String()
}

// CheckOut turns the customer's basket into an order.
type CheckOut struct {
	CustomerID      string
	Email           string
	IdempotencyKey  string
	ShippingAddress ordering.AddressDTO
	// Payment carries a gateway token (never a card number).
	Payment ordering.PaymentDTO
	IfMatch *uint64
}

// CheckOut records BasketCheckedOut (which empties the basket and remembers
// the key), then places the order from the recorded lines. The basket is
// decided first so its contents at check-out are fixed by one append; a retry
// with the same key finds the remembered check-out and re-sends PlaceOrder,
// which the order stream's no-stream expectation makes a no-op if it already
// happened. So the same key never makes two orders, and a crash between the
// two appends is healed by the client's retry.
func (h *Handlers) CheckOut(ctx context.Context, cmd CheckOut) (orderID string, st State, err error) {
	id, err := domain.CustomerBasket(cmd.CustomerID)
	if err != nil {
		return "", State{}, err
	}
	if !domain.ValidIdempotencyKey(cmd.IdempotencyKey) {
		return "", State{}, fmt.Errorf("%w: Idempotency-Key must be 8–128 printable characters", domain.ErrInvalid)
	}
	// Everything PlaceOrder checks besides the lines is checked before the
	// basket is emptied, so a bad address cannot leave a cleared basket and
	// no order.
	for _, err := range []error{ordering.ValidateEmail(cmd.Email), ordering.ValidateAddress(cmd.ShippingAddress), ordering.ValidatePayment(cmd.Payment)} {
		if err != nil {
			return "", State{}, err
		}
	}
	orderID = OrderIDFor(id.String(), cmd.IdempotencyKey)
	ifMatch := cmd.IfMatch
	if ifMatch != nil {
		// A retry after success must not fail on the If-Match of the first
		// attempt, which the check-out itself made stale.
		if b, err := h.repo.Load(ctx, id.String()); err == nil {
			if _, done := b.CheckedOut(cmd.IdempotencyKey); done {
				ifMatch = nil
			}
		}
	}
	var co domain.Checkout
	st, err = h.change(ctx, id, ifMatch, func(b *domain.Basket) error {
		if c, ok := b.CheckedOut(cmd.IdempotencyKey); ok {
			co = c
			return nil
		}
		c, err := b.CheckOut(id.String(), orderID, cmd.IdempotencyKey)
		co = c
		return err
	})
	if err != nil {
		return "", State{}, err
	}
	lines := make([]ordering.LineDTO, len(co.Lines))
	for i, l := range co.Lines {
		lines[i] = ordering.LineDTO{SKU: l.SKU, Name: l.Name, Category: l.Category, Quantity: l.Quantity, UnitPrice: l.UnitPrice}
	}
	err = h.orders.PlaceOrder(ctx, &ordercmd.PlaceOrder{
		OrderID: co.OrderID, CustomerID: id.String(), Email: cmd.Email, Lines: lines,
		ShippingAddress: cmd.ShippingAddress, Payment: cmd.Payment,
	})
	if err != nil {
		return "", State{}, fmt.Errorf("basket: place order %s: %w", co.OrderID, err)
	}
	return co.OrderID, st, nil
}
