package ordering

// MarkStockReserved is the command ordering.MarkStockReserved.v1.
type MarkStockReserved struct {
	OrderID string `json:"orderId"`
}

// CommandName is the fixed wire name.
func (MarkStockReserved) CommandName() string { return "ordering.MarkStockReserved.v1" }
