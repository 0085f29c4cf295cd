package ordering

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/domain/money"
	domain "github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/pricing"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/projections/orders"
)

// Seller is the shop as its invoices print it (settings SELLER_*).
type Seller struct {
	Name    string   `json:"name"`
	Address []string `json:"address"`
	VATID   string   `json:"vatId,omitempty"`
	Email   string   `json:"email,omitempty"`
}

// SellerAddress splits a one-line address setting into its lines at ';'.
func SellerAddress(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, ";") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Buyer is the customer as the document prints them: the shipping address's
// name and address (orders have no separate billing address), the order's
// email and, for B2B buyers, their VAT ID.
type Buyer struct {
	CustomerID string            `json:"customerId"`
	Name       string            `json:"name"`
	Address    domain.AddressDTO `json:"address"`
	Email      string            `json:"email"`
	VATID      string            `json:"vatId,omitempty"`
}

// DocumentLine is one invoiced line with its line total.
type DocumentLine struct {
	SKU       string    `json:"sku"`
	Name      string    `json:"name"`
	Quantity  int       `json:"quantity"`
	UnitPrice money.DTO `json:"unitPrice"`
	Total     money.DTO `json:"total"`
}

// CreditNoteRef names a credit note from its invoice.
type CreditNoteRef struct {
	Number   string    `json:"number"`
	Amount   money.DTO `json:"amount"`
	IssuedAt time.Time `json:"issuedAt"`
}

// Document is a printable invoice or credit note. An invoice lists the
// order's lines and its total, and the credit notes issued against it; a
// credit note names the invoice it corrects and the amount refunded (its
// total), without lines.
type Document struct {
	Kind          string          `json:"kind"` // "invoice" or "credit-note"
	Number        string          `json:"number"`
	IssuedAt      time.Time       `json:"issuedAt"`
	OrderID       string          `json:"orderId"`
	OrderedAt     time.Time       `json:"orderedAt"`
	Seller        Seller          `json:"seller"`
	Buyer         Buyer           `json:"buyer"`
	Lines         []DocumentLine  `json:"lines"`
	Total         money.DTO       `json:"total"`
	PaymentMethod string          `json:"paymentMethod"`
	InvoiceNumber string          `json:"invoiceNumber,omitempty"` // a credit note's invoice
	RefundID      string          `json:"refundId,omitempty"`      // a credit note's refund
	CreditNotes   []CreditNoteRef `json:"creditNotes,omitempty"`   // an invoice's credit notes
	// An invoice's shipping method and tax breakdown, when the order was
	// priced with them (orders placed before tax existed have neither).
	ShippingMethod string                `json:"shippingMethod,omitempty"`
	Breakdown      *pricing.BreakdownDTO `json:"breakdown,omitempty"`
}

// Document kinds.
const (
	KindInvoice    = "invoice"
	KindCreditNote = "credit-note"
)

func (a *API) buyer(o orders.Order) Buyer {
	return Buyer{CustomerID: o.CustomerID, Name: o.ShippingAddress.Name, Address: o.ShippingAddress, Email: o.Email, VATID: o.VATID}
}

// InvoiceOf is the invoice document of o (false before it is issued).
func (a *API) InvoiceOf(o orders.Order) (Document, bool) {
	if o.Invoice == nil {
		return Document{}, false
	}
	d := Document{Kind: KindInvoice, Number: o.Invoice.Number, IssuedAt: o.Invoice.IssuedAt, OrderID: o.OrderID,
		OrderedAt: o.PlacedAt, Seller: a.seller(), Buyer: a.buyer(o), Lines: []DocumentLine{}, Total: o.Total, PaymentMethod: o.PaymentMethod,
		ShippingMethod: o.ShippingMethod, Breakdown: o.Breakdown}
	for _, l := range o.Lines {
		d.Lines = append(d.Lines, DocumentLine{SKU: l.SKU, Name: l.Name, Quantity: l.Quantity, UnitPrice: l.UnitPrice,
			Total: money.DTO{Amount: l.UnitPrice.Amount * int64(l.Quantity), Currency: l.UnitPrice.Currency}})
	}
	for _, n := range o.CreditNotes {
		d.CreditNotes = append(d.CreditNotes, CreditNoteRef{Number: n.Number, Amount: n.Amount, IssuedAt: n.IssuedAt})
	}
	return d, true
}

// CreditNoteOf is the credit note numbered number of o.
func (a *API) CreditNoteOf(o orders.Order, number string) (Document, bool) {
	n, ok := o.CreditNote(number)
	if !ok || o.Invoice == nil {
		return Document{}, false
	}
	return Document{Kind: KindCreditNote, Number: n.Number, IssuedAt: n.IssuedAt, OrderID: o.OrderID, OrderedAt: o.PlacedAt,
		Seller: a.seller(), Buyer: a.buyer(o), Lines: []DocumentLine{}, Total: n.Amount, PaymentMethod: o.PaymentMethod,
		InvoiceNumber: o.Invoice.Number, RefundID: n.RefundID}, true
}

func (a *API) seller() Seller {
	s := a.d.Seller
	s.Address = append([]string{}, s.Address...)
	return s
}

// document answers the owner (a guest order's too, signed in with its
// email), staff or — with ?token= — the holder of a
// guest order's signed link with the document find finds on the order;
// anyone else, and everyone before it is issued, gets 404. A token that is
// not valid for this order is the same 404 as a missing order.
func (a *API) document(c *fiber.Ctx, find func(o orders.Order) (Document, bool)) error {
	id, err := pathOrderID(c)
	if err != nil {
		return err
	}
	linked := c.Request().URI().QueryArgs().Has("token")
	if linked && (a.d.OrderLinks == nil || a.d.OrderLinks.Verify(id, c.Query("token")) != nil) {
		return httpx.NotFound("no such order")
	}
	p, signedIn := authn.FromCtx(c)
	if !linked && !signedIn {
		return httpx.Unauthorized("sign in, or use the order's link")
	}
	o, err := a.current(c.UserContext(), id)
	if err != nil {
		return err
	}
	if o.Version == 0 || (!linked && !mayRead(p, o)) {
		return httpx.NotFound("no such order")
	}
	d, ok := find(o)
	if !ok {
		return httpx.NotFound("no such document (yet): an invoice is issued once the order is paid, a credit note for each refund")
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.JSON(d)
}

func (a *API) invoice(c *fiber.Ctx) error { return a.document(c, a.InvoiceOf) }

func (a *API) creditNote(c *fiber.Ctx) error {
	number := c.Params("number")
	if number == "" || len(number) > 40 {
		return httpx.NotFound("no such credit note")
	}
	return a.document(c, func(o orders.Order) (Document, bool) { return a.CreditNoteOf(o, number) })
}
