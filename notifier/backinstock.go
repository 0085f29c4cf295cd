package notifier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/mail"
	"github.com/evshop/shop/notifier/templates"
)

type restockedEvent struct {
	SKU  string `json:"sku"`
	Name string `json:"name"`
}

// SubscribeBackInStock records that customerID wants an email when sku is
// available again (idempotent).
func (n *Notifier) SubscribeBackInStock(ctx context.Context, sku, customerID string) error {
	if n.cfg.BackInStock == nil {
		return fmt.Errorf("%w: no back-in-stock store", ErrConfig)
	}
	return n.cfg.BackInStock.Subscribe(ctx, sku, customerID, n.cfg.Now())
}

// UnsubscribeBackInStock withdraws the request (idempotent).
func (n *Notifier) UnsubscribeBackInStock(ctx context.Context, sku, customerID string) error {
	if n.cfg.BackInStock == nil {
		return fmt.Errorf("%w: no back-in-stock store", ErrConfig)
	}
	return n.cfg.BackInStock.Unsubscribe(ctx, sku, customerID)
}

// BackInStockSubscribed tells whether customerID waits for sku.
func (n *Notifier) BackInStockSubscribed(ctx context.Context, sku, customerID string) (bool, error) {
	if n.cfg.BackInStock == nil {
		return false, nil
	}
	return n.cfg.BackInStock.Subscribed(ctx, sku, customerID)
}

// onRestocked mails every customer waiting for the SKU, once per
// subscription and restock (the delivery key), then ends the subscription:
// the request was "tell me when it is back", answered. A redelivered event
// finds the deliveries sent and the subscriptions gone.
func (n *Notifier) onRestocked(ctx context.Context, ev eventstore.RecordedEvent) error {
	if n.cfg.BackInStock == nil {
		return nil
	}
	var e restockedEvent
	if err := json.Unmarshal(ev.Data, &e); err != nil || e.SKU == "" {
		return n.recordPermanent(ctx, "back-in-stock:"+ev.ID, templates.KindBackInStock, "", "malformed restock event")
	}
	subs, err := n.cfg.BackInStock.Subscribers(ctx, e.SKU)
	if err != nil {
		return fmt.Errorf("notifier: back-in-stock subscribers of %s: %w", e.SKU, err)
	}
	var errs []error
	for _, customerID := range subs {
		key := "back-in-stock:" + ev.ID + ":" + customerID
		r := n.recipient(ctx, customerID, "", "", "")
		if r.Email == "" {
			errs = append(errs, n.recordPermanent(ctx, key, templates.KindBackInStock, "", "no email address for customer "+customerID))
		} else {
			d := n.baseData(r)
			d.Link = n.public + "/products/" + url.PathEscape(e.SKU)
			d.UnsubscribeURL = n.UnsubscribeURL(customerID)
			d.Lines = []templates.Line{{SKU: e.SKU, Name: e.Name, Quantity: 1}}
			headers := []mail.Header{
				{Name: "List-Unsubscribe", Value: "<" + d.UnsubscribeURL + ">"},
				{Name: "List-Unsubscribe-Post", Value: "List-Unsubscribe=One-Click"},
			}
			if err := n.deliver(ctx, key, templates.KindBackInStock, r, d, headers, ev.Time); err != nil {
				errs = append(errs, err) // transient: the redelivery retries, the key prevents a double send
				continue
			}
		}
		if err := n.cfg.BackInStock.Unsubscribe(ctx, e.SKU, customerID); err != nil {
			errs = append(errs, fmt.Errorf("notifier: end back-in-stock subscription: %w", err))
		}
	}
	return errors.Join(errs...)
}
