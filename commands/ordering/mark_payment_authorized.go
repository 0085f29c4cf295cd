package ordering

// MarkPaymentAuthorized is the command ordering.MarkPaymentAuthorized.v1.
type MarkPaymentAuthorized struct {
	OrderID   string `json:"orderId"`
	PaymentID string `json:"paymentId"`
}

// CommandName is the fixed wire name.
func (MarkPaymentAuthorized) CommandName() string { return "ordering.MarkPaymentAuthorized.v1" }
