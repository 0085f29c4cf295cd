package ordering

// ConfirmOrder is the command ordering.ConfirmOrder.v1.
type ConfirmOrder struct {
	OrderID string `json:"orderId"`
}

// CommandName is the fixed wire name.
func (ConfirmOrder) CommandName() string { return "ordering.ConfirmOrder.v1" }
