package ordering

// CancelOrder is the command ordering.CancelOrder.v1.
type CancelOrder struct {
	OrderID string `json:"orderId"`
	Reason  string `json:"reason"`
}

// CommandName is the fixed wire name.
func (CancelOrder) CommandName() string { return "ordering.CancelOrder.v1" }
