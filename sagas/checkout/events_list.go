package checkout

import "github.com/evshop/shop/commands/esrepo"

// Events lists a zero value of every saga event, for registries and the
// generated event catalogue (cmd/docgen).
func Events() []esrepo.Event {
	return []esrepo.Event{CheckoutStarted{}, CheckoutStockReserved{}, CheckoutPaymentHeld{}, CheckoutPaymentAuthorized{},
		CheckoutCompleted{}, CheckoutCompensated{}, CheckoutCancelled{}, CommandsDispatched{}}
}
