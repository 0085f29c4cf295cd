package ordering

// ShipOrder is the command ordering.ShipOrder.v1.
type ShipOrder struct {
	OrderID        string `json:"orderId"`
	Carrier        string `json:"carrier"`
	TrackingNumber string `json:"trackingNumber"`
}

// CommandName is the fixed wire name.
func (ShipOrder) CommandName() string { return "ordering.ShipOrder.v1" }
