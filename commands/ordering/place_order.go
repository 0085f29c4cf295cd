package ordering

import domain "github.com/evshop/shop/domain/ordering"

// PlaceOrder is the command ordering.PlaceOrder.v1.
type PlaceOrder struct {
	OrderID         string            `json:"orderId"`
	CustomerID      string            `json:"customerId"`
	Email           string            `json:"email"`
	Lines           []domain.LineDTO  `json:"lines"`
	ShippingAddress domain.AddressDTO `json:"shippingAddress"`
	Payment         domain.PaymentDTO `json:"payment"`
}

// CommandName is the fixed wire name.
func (PlaceOrder) CommandName() string { return "ordering.PlaceOrder.v1" }
