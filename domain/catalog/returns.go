package catalog

// Wire names of the returned-goods command and its outcome.
const (
	CommandReturnToStock = "catalog.ReturnToStock.v1"
	// EventStockReturned is recorded in "stock-<orderId>" once per return,
	// SKU and disposition: it is the mark that makes ReturnToStock
	// idempotent.
	EventStockReturned = "catalog.StockReturned.v1"
)

// Dispositions of returned units.
const (
	DispositionRestock = "restock"
	DispositionDamaged = "damaged"
)

// ReturnToStock puts received units of a return back on hand (restock) or
// writes them off (damaged). Sent by the returns process once per return,
// SKU and disposition; handled once per (returnId, sku, disposition).
type ReturnToStock struct {
	ReturnID    string `json:"returnId"`
	OrderID     string `json:"orderId"`
	SKU         string `json:"sku"`
	Quantity    int    `json:"quantity"`
	Disposition string `json:"disposition"`
}

// CommandName is the fixed wire name.
func (ReturnToStock) CommandName() string { return CommandReturnToStock }

// StockReturned records what ReturnToStock did.
type StockReturned struct {
	ReturnID    string `json:"returnId"`
	OrderID     string `json:"orderId"`
	SKU         string `json:"sku"`
	Quantity    int    `json:"quantity"`
	Disposition string `json:"disposition"`
}

// EventName is the fixed wire name.
func (StockReturned) EventName() string { return EventStockReturned }
