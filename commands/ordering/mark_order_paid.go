package ordering

import "github.com/evshop/shop/domain/money"

// MarkOrderPaid is the command ordering.MarkOrderPaid.v1.
type MarkOrderPaid struct {
	OrderID   string    `json:"orderId"`
	PaymentID string    `json:"paymentId"`
	Amount    money.DTO `json:"amount"`
}

// CommandName is the fixed wire name.
func (MarkOrderPaid) CommandName() string { return "ordering.MarkOrderPaid.v1" }
