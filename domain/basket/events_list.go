package basket

// Events lists a zero value of every basket event, for registries and the
// generated event catalogue (cmd/docgen).
func Events() []Event {
	return []Event{ItemAdded{}, ItemQuantityChanged{}, ItemRemoved{}, BasketCleared{}, BasketCheckedOut{}, GuestBasketMerged{}, ItemRepriced{},
		DiscountCodeApplied{}, DiscountCodeRemoved{}}
}
