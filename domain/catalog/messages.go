package catalog

// Wire names of the commands the catalog handles and the events it emits in
// "stock-<orderId>". They are the contract with the checkout saga: never
// derive them from Go type names, never change them.
const (
	CommandReserveStock = "catalog.ReserveStock.v1"
	CommandReleaseStock = "catalog.ReleaseStock.v1"
	CommandCommitStock  = "catalog.CommitStock.v1"

	EventStockReserved          = "catalog.StockReserved.v1"
	EventStockReservationFailed = "catalog.StockReservationFailed.v1"
	EventStockReleased          = "catalog.StockReleased.v1"
	EventStockCommitted         = "catalog.StockCommitted.v1"

	// EventStockRestocked is recorded in "restock-<sku>" when a stock
	// adjustment takes a SKU from nothing available to some: the notifier
	// mails the customers who asked to be told (back-in-stock).
	EventStockRestocked = "catalog.StockRestocked.v1"
)

// RestockStreamPrefix starts every restock stream: "restock-<sku>".
const RestockStreamPrefix = "restock-"

// StockStreamPrefix starts every stock stream: "stock-<orderId>".
const StockStreamPrefix = "stock-"

// StockStream names the outcome stream of an order's stock.
func StockStream(orderID string) string { return StockStreamPrefix + orderID }

// LineDTO is a reservation line on the wire.
type LineDTO struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// ReserveStock asks to hold every line for the order, all or nothing.
type ReserveStock struct {
	OrderID string    `json:"orderId"`
	Lines   []LineDTO `json:"lines"`
}

// ReleaseStock gives held units back (order cancelled, payment failed).
type ReleaseStock struct {
	OrderID string `json:"orderId"`
	Reason  string `json:"reason"`
}

// CommitStock turns held units into sold ones (payment captured).
type CommitStock struct {
	OrderID string `json:"orderId"`
}

// CommandName implementations: the fixed wire names.
func (ReserveStock) CommandName() string { return CommandReserveStock }
func (ReleaseStock) CommandName() string { return CommandReleaseStock }
func (CommitStock) CommandName() string  { return CommandCommitStock }

// StockReserved: every line of the order is held.
type StockReserved struct {
	OrderID string `json:"orderId"`
}

// StockReservationFailed: nothing is held; SKUs names the lines that failed.
type StockReservationFailed struct {
	OrderID string   `json:"orderId"`
	Reason  string   `json:"reason"`
	SKUs    []string `json:"skus"`
}

// StockReleased: the order's held units are available again.
type StockReleased struct {
	OrderID string `json:"orderId"`
}

// StockCommitted: the order's held units left the stock on hand.
type StockCommitted struct {
	OrderID string `json:"orderId"`
}

// StockRestocked: a SKU that had none available has Available units again.
// Keyed by SKU, so a variant (its own SKU) is restocked on its own.
type StockRestocked struct {
	SKU       string `json:"sku"`
	Name      string `json:"name"`
	Available int    `json:"available"`
}

// EventName implementations: the fixed wire names.
func (StockReserved) EventName() string          { return EventStockReserved }
func (StockReservationFailed) EventName() string { return EventStockReservationFailed }
func (StockReleased) EventName() string          { return EventStockReleased }
func (StockCommitted) EventName() string         { return EventStockCommitted }
func (StockRestocked) EventName() string         { return EventStockRestocked }
