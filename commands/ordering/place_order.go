package ordering

import (
	"context"
	"errors"
	"fmt"

	domain "github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/pricing"
	"github.com/evshop/shop/eventstore"
)

// PlaceOrder is the command ordering.PlaceOrder.v1. The fields after
// Payment came with tax and shipping; all are optional, so commands sent
// before still decode (and place an order without shipping or discount).
type PlaceOrder struct {
	OrderID         string            `json:"orderId"`
	CustomerID      string            `json:"customerId"`
	Email           string            `json:"email"`
	Lines           []domain.LineDTO  `json:"lines"`
	ShippingAddress domain.AddressDTO `json:"shippingAddress"`
	Payment         domain.PaymentDTO `json:"payment"`
	// ShippingMethod is a shipping method id ("" = none).
	ShippingMethod string `json:"shippingMethod,omitempty"`
	// Discount is the code the checkout validated and reserved.
	Discount *pricing.DiscountDTO `json:"discount,omitempty"`
	// VATID is a B2B buyer's VAT ID.
	VATID string `json:"vatId,omitempty"`
	// Guest marks an order placed without an account.
	Guest bool `json:"guest,omitempty"`
}

// CommandName is the fixed wire name.
func (PlaceOrder) CommandName() string { return "ordering.PlaceOrder.v1" }

// PlaceOrder places the order. Placing the same order id again for the same
// customer is a no-op, which is what makes checkout's Idempotency-Key safe:
// the id is derived from the key, and the order stream must not exist yet.
func (h *Handlers) PlaceOrder(ctx context.Context, cmd *PlaceOrder) error {
	if err := validID(cmd.OrderID); err != nil {
		return err
	}
	in := domain.PlaceInput{CustomerID: cmd.CustomerID, Email: cmd.Email, Lines: cmd.Lines,
		ShippingAddress: cmd.ShippingAddress, Payment: cmd.Payment,
		ShippingMethod: cmd.ShippingMethod, Discount: cmd.Discount, VATID: cmd.VATID, Guest: cmd.Guest}
	for range retries {
		o, err := h.repo.Load(ctx, cmd.OrderID)
		if err != nil {
			return err
		}
		if o.Version() > 0 {
			if o.CustomerID() == cmd.CustomerID {
				return nil
			}
			return domain.ErrAlreadyPlaced
		}
		if err := o.Place(in, h.accepted, h.pricing, h.now()); err != nil {
			return err
		}
		_, err = h.repo.SaveExpecting(ctx, cmd.OrderID, o, eventstore.NoStream(), h.metadata(ctx))
		if !errors.Is(err, eventstore.ErrConcurrency) {
			return err
		}
		// Someone placed it meanwhile: reload to tell a duplicate from a clash.
	}
	return fmt.Errorf("ordering: place %s: %w", cmd.OrderID, eventstore.ErrConcurrency)
}
