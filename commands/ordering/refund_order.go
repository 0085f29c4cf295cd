package ordering

import "github.com/evshop/shop/domain/money"

// RefundOrder is the command ordering.RefundOrder.v1.
type RefundOrder struct {
	OrderID string    `json:"orderId"`
	Amount  money.DTO `json:"amount"`
	Reason  string    `json:"reason"`
}

// CommandName is the fixed wire name.
func (RefundOrder) CommandName() string { return "ordering.RefundOrder.v1" }
