package ordering

import (
	"context"

	domain "github.com/evshop/shop/domain/ordering"
)

// ShipOrder is the command ordering.ShipOrder.v1.
type ShipOrder struct {
	OrderID        string `json:"orderId"`
	Carrier        string `json:"carrier"`
	TrackingNumber string `json:"trackingNumber"`
}

// CommandName is the fixed wire name.
func (ShipOrder) CommandName() string { return "ordering.ShipOrder.v1" }

// ShipOrder records the shipment (staff).
func (h *Handlers) ShipOrder(ctx context.Context, cmd *ShipOrder) error {
	return h.change(ctx, cmd.OrderID, func(o *domain.Order) error { return o.Ship(cmd.Carrier, cmd.TrackingNumber) })
}
