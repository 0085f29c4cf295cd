package basket

import (
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/pricing"
)

// Event is any basket event (alias of an interface literal; see esrepo).
type Event = interface {
	EventName() string
}

// Wire names of the basket events. Never rename.
const (
	EventItemAdded           = "basket.ItemAdded.v1"
	EventItemQuantityChanged = "basket.ItemQuantityChanged.v1"
	EventItemRemoved         = "basket.ItemRemoved.v1"
	EventBasketCleared       = "basket.BasketCleared.v1"
	EventBasketCheckedOut    = "basket.BasketCheckedOut.v1"
	EventGuestBasketMerged   = "basket.GuestBasketMerged.v1"
	EventItemRepriced        = "basket.ItemRepriced.v1"
	EventDiscountCodeApplied = "basket.DiscountCodeApplied.v1"
	EventDiscountCodeRemoved = "basket.DiscountCodeRemoved.v1"
)

// EventTypes lists every wire name recorded in basket streams; the bus binds
// the queues of this context's read models to exactly these.
func EventTypes() []string {
	return []string{EventItemAdded, EventItemQuantityChanged, EventItemRemoved, EventBasketCleared, EventBasketCheckedOut,
		EventGuestBasketMerged, EventItemRepriced, EventDiscountCodeApplied, EventDiscountCodeRemoved}
}

// StreamPrefix starts every basket stream: "basket-<basketId>".
const StreamPrefix = "basket-"

// Stream names the stream of a basket.
func Stream(id string) string { return StreamPrefix + id }

// LineDTO is a basket line on the wire. TaxClass and WeightGrams came with
// tax and shipping: lines recorded before read as standard and 0 g.
type LineDTO struct {
	SKU         string    `json:"sku"`
	Name        string    `json:"name"`
	Category    string    `json:"category"`
	Quantity    int       `json:"quantity"`
	UnitPrice   money.DTO `json:"unitPrice"`
	TaxClass    string    `json:"taxClass,omitempty"`
	WeightGrams int       `json:"weightGrams,omitempty"`
}

// ItemAdded puts a new line in the basket with the product's name, price,
// tax class and weight as they were when added (the snapshot the customer
// saw; the basket's estimate uses it).
type ItemAdded struct {
	BasketID    string    `json:"basketId"`
	SKU         string    `json:"sku"`
	Name        string    `json:"name"`
	Category    string    `json:"category"`
	Quantity    int       `json:"quantity"`
	UnitPrice   money.DTO `json:"unitPrice"`
	TaxClass    string    `json:"taxClass,omitempty"`
	WeightGrams int       `json:"weightGrams,omitempty"`
}

// ItemQuantityChanged sets a line's quantity.
type ItemQuantityChanged struct {
	BasketID string `json:"basketId"`
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// ItemRemoved takes a line out. Reason is empty when the customer removed
// it, RemovedUnavailable when the checkout found the product gone from the
// catalog (older events have no reason).
type ItemRemoved struct {
	BasketID string `json:"basketId"`
	SKU      string `json:"sku"`
	Reason   string `json:"reason,omitempty"`
}

// RemovedUnavailable is ItemRemoved's reason for a line whose product is no
// longer sold (archived, deleted, or now priced in another currency).
const RemovedUnavailable = "unavailable"

// ItemRepriced brings a line to the catalog's current unit price, found
// changed at checkout: the buyer is shown the change and confirms again.
type ItemRepriced struct {
	BasketID     string    `json:"basketId"`
	SKU          string    `json:"sku"`
	OldUnitPrice money.DTO `json:"oldUnitPrice"`
	UnitPrice    money.DTO `json:"unitPrice"`
}

// BasketCleared empties the basket ("customer" or "merged" reason).
type BasketCleared struct {
	BasketID string `json:"basketId"`
	Reason   string `json:"reason"`
}

// BasketCheckedOut hands the lines to an order and empties the basket.
type BasketCheckedOut struct {
	BasketID       string    `json:"basketId"`
	CustomerID     string    `json:"customerId"`
	OrderID        string    `json:"orderId"`
	IdempotencyKey string    `json:"idempotencyKey"`
	Lines          []LineDTO `json:"lines"`
	Total          money.DTO `json:"total"`
	// DiscountCode is the code the basket held, reserved for the order.
	DiscountCode string `json:"discountCode,omitempty"`
}

// GuestBasketMerged records that a guest basket's lines (at guestVersion) were
// merged in, so a retried merge adds nothing twice.
type GuestBasketMerged struct {
	BasketID      string `json:"basketId"`
	GuestBasketID string `json:"guestBasketId"`
	GuestVersion  uint64 `json:"guestVersion"`
}

// DiscountCodeApplied puts a discount code in the basket, with the effect the
// discounts service gave it when it was checked (the basket's estimate uses
// it; the checkout reserves the code again, which decides).
type DiscountCodeApplied struct {
	BasketID string              `json:"basketId"`
	Code     string              `json:"code"`
	Discount pricing.DiscountDTO `json:"discount"`
}

// DiscountCodeRemoved takes the code out of the basket.
type DiscountCodeRemoved struct {
	BasketID string `json:"basketId"`
	Code     string `json:"code"`
}

// EventName implementations: the fixed wire names.
func (ItemAdded) EventName() string           { return EventItemAdded }
func (ItemQuantityChanged) EventName() string { return EventItemQuantityChanged }
func (ItemRemoved) EventName() string         { return EventItemRemoved }
func (BasketCleared) EventName() string       { return EventBasketCleared }
func (BasketCheckedOut) EventName() string    { return EventBasketCheckedOut }
func (GuestBasketMerged) EventName() string   { return EventGuestBasketMerged }
func (ItemRepriced) EventName() string        { return EventItemRepriced }
func (DiscountCodeApplied) EventName() string { return EventDiscountCodeApplied }
func (DiscountCodeRemoved) EventName() string { return EventDiscountCodeRemoved }
