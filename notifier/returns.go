package notifier

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/notifier/templates"
	"github.com/evshop/shop/platform/guestorder"
)

// Wire names of the returns events the notifier mails about
// (domain/returns).
const (
	EventReturnRequested = "returns.ReturnRequested.v1"
	EventReturnApproved  = "returns.ReturnApproved.v1"
	EventReturnRejected  = "returns.ReturnRejected.v1"
	EventReturnRefunded  = "returns.ReturnRefunded.v1"
)

// ReturnEventTypes are the returns events that send an email, one each:
// request received, approved (with how to send the goods), rejected (with
// the reason), refunded. The refund's own PaymentRefunded/OrderRefunded
// send nothing for a return's refund: ReturnRefunded says it.
func ReturnEventTypes() []string {
	return []string{EventReturnRequested, EventReturnApproved, EventReturnRejected, EventReturnRefunded}
}

// returnEvent covers the four returns events: each reads what it has.
type returnEvent struct {
	ReturnID string `json:"returnId"`
	OrderID  string `json:"orderId"`
	Lines    []struct {
		SKU      string `json:"sku"`
		Name     string `json:"name"`
		Quantity int    `json:"quantity"`
	} `json:"lines"`
	Reason string    `json:"reason"`
	Amount money.DTO `json:"amount"`
}

func returnKind(typ string) templates.Kind {
	switch typ {
	case EventReturnRequested:
		return templates.KindReturnRequested
	case EventReturnApproved:
		return templates.KindReturnApproved
	case EventReturnRejected:
		return templates.KindReturnRejected
	}
	return templates.KindReturnRefunded
}

// isReturnRefund reports whether a refund id names a return's refund
// ("return-<orderId>-r<n>", domain/returns.RefundID).
func isReturnRefund(refundID string) bool {
	rest, ok := strings.CutPrefix(refundID, "return-")
	i := strings.LastIndex(rest, "-r")
	return ok && i > 0 && i+2 < len(rest)
}

// onReturnEvent sends a return's email once per event (its id is the
// delivery key), to the order's customer.
func (n *Notifier) onReturnEvent(ctx context.Context, ev eventstore.RecordedEvent) error {
	kind := returnKind(ev.Type)
	var e returnEvent
	if err := json.Unmarshal(ev.Data, &e); err != nil || e.OrderID == "" || e.ReturnID == "" {
		return n.recordPermanent(ctx, ev.ID, kind, "", fmt.Sprintf("malformed %s event", ev.Type))
	}
	o, err := n.order(ctx, e.OrderID)
	if err != nil {
		return fmt.Errorf("notifier: %s of order %s: %w", ev.Type, e.OrderID, err)
	}
	r := n.recipient(ctx, o.CustomerID, o.Email, o.Address.Name, "")
	d := n.baseData(r)
	d.OrderID, d.ReturnID, d.Amount = o.OrderID, e.ReturnID, e.Amount
	d.Link = n.public + "/orders/" + url.PathEscape(o.OrderID)
	if n.cfg.OrderLinks != nil && guestorder.IsGuest(o.CustomerID, o.Email) {
		d.Link = n.public + guestorder.StatusPath(o.OrderID, n.cfg.OrderLinks.Token(o.OrderID))
	}
	for _, l := range e.Lines {
		d.Lines = append(d.Lines, templates.Line{SKU: l.SKU, Name: l.Name, Quantity: l.Quantity})
	}
	if kind == templates.KindReturnRejected {
		d.Reason = e.Reason
	}
	return n.deliver(ctx, ev.ID, kind, r, d, nil, ev.Time)
}
