package ordering

// DeliverOrder is the command ordering.DeliverOrder.v1.
type DeliverOrder struct {
	OrderID string `json:"orderId"`
}

// CommandName is the fixed wire name.
func (DeliverOrder) CommandName() string { return "ordering.DeliverOrder.v1" }
