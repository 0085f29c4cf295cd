package ordering

import (
	"context"

	"github.com/ThreeDotsLabs/watermill/components/cqrs"
)

// Commands the checkout saga sent before it kept the checkout's progress
// itself (the order then recorded StockReserved, PaymentAuthorized and
// Confirmed too). Their queues may still hold some during an upgrade: these
// handlers ack them without effect, since the saga now sends CapturePayment
// itself and resumes checkouts that were waiting for OrderConfirmed.
// Remove them one release after the upgrade (docs/runbooks/upgrade-checkout.md).
type (
	// RetiredMarkStockReserved is ordering.MarkStockReserved.v1.
	RetiredMarkStockReserved struct {
		OrderID string `json:"orderId"`
	}
	// RetiredMarkPaymentAuthorized is ordering.MarkPaymentAuthorized.v1.
	RetiredMarkPaymentAuthorized struct {
		OrderID   string `json:"orderId"`
		PaymentID string `json:"paymentId"`
	}
	// RetiredConfirmOrder is ordering.ConfirmOrder.v1.
	RetiredConfirmOrder struct {
		OrderID   string `json:"orderId"`
		PaymentID string `json:"paymentId,omitempty"`
	}
)

// CommandName implementations: the retired wire names.
func (RetiredMarkStockReserved) CommandName() string     { return "ordering.MarkStockReserved.v1" }
func (RetiredMarkPaymentAuthorized) CommandName() string { return "ordering.MarkPaymentAuthorized.v1" }
func (RetiredConfirmOrder) CommandName() string          { return "ordering.ConfirmOrder.v1" }

// Names of the retired handlers: the queues they drain.
const (
	HandlerRetiredMarkStockReserved     = "ordering.mark-stock-reserved"
	HandlerRetiredMarkPaymentAuthorized = "ordering.mark-payment-authorized"
	HandlerRetiredConfirmOrder          = "ordering.confirm-order"
)

// retiredHandlers drain the retired commands' queues.
func retiredHandlers() []cqrs.CommandHandler {
	return []cqrs.CommandHandler{
		cqrs.NewCommandHandler(HandlerRetiredMarkStockReserved, ackRetired[RetiredMarkStockReserved]),
		cqrs.NewCommandHandler(HandlerRetiredMarkPaymentAuthorized, ackRetired[RetiredMarkPaymentAuthorized]),
		cqrs.NewCommandHandler(HandlerRetiredConfirmOrder, ackRetired[RetiredConfirmOrder]),
	}
}

func ackRetired[C any](context.Context, *C) error { return nil }
