package catalog

// Events lists a zero value of every stock event, for registries and the
// generated event catalogue (cmd/docgen).
func Events() []interface{ EventName() string } {
	return []interface{ EventName() string }{StockReserved{}, StockReservationFailed{}, StockReleased{}, StockCommitted{}, StockReturned{}}
}

// RestockEvents lists a zero value of every event of the restock streams
// ("restock-<sku>").
func RestockEvents() []interface{ EventName() string } {
	return []interface{ EventName() string }{StockRestocked{}}
}
