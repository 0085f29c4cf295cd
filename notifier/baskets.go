package notifier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/mail"
	"github.com/evshop/shop/notifier/templates"
)

const (
	basketStreamPrefix = "basket-"
	guestBasketPrefix  = "guest-"
)

// onBasket tracks one basket event (the bus path): a batch of one, with
// its position as the checkpoint.
func (n *Notifier) onBasket(ctx context.Context, ev eventstore.RecordedEvent) error {
	f, ok := n.basketFold(ctx, ev)
	if !ok {
		return nil
	}
	if err := n.cfg.Baskets.TrackBaskets(ctx, []BasketFold{f}, ev.Position); err != nil {
		return fmt.Errorf("notifier: track basket %s: %w", f.BasketID, err)
	}
	return nil
}

// basketFold turns a basket event into its fold; false for an event of
// another stream, of another type, or that does not decode (logged: on
// the bus it would never apply either).
func (n *Notifier) basketFold(ctx context.Context, ev eventstore.RecordedEvent) (BasketFold, bool) {
	id, ok := strings.CutPrefix(ev.Stream, basketStreamPrefix)
	if !ok || id == "" || !slices.Contains(BasketEventTypes(), ev.Type) {
		return BasketFold{}, false
	}
	var e basketEvent
	if err := json.Unmarshal(ev.Data, &e); err != nil {
		n.log.ErrorContext(ctx, "malformed basket event ignored", "event_id", ev.ID, "type", ev.Type, "err", err)
		return BasketFold{}, false
	}
	at := ev.Time
	if at.IsZero() {
		at = n.cfg.Now()
	}
	return BasketFold{BasketID: id, Revision: ev.Revision, Apply: func(b *Basket) {
		wasEmpty := b.Items() == 0
		switch ev.Type {
		case EventItemAdded:
			if i := slices.IndexFunc(b.Lines, func(l BasketLine) bool { return l.SKU == e.SKU }); i >= 0 {
				b.Lines[i].Quantity += e.Quantity
			} else if e.SKU != "" && e.Quantity > 0 {
				b.Lines = append(b.Lines, BasketLine{SKU: e.SKU, Name: e.Name, Quantity: e.Quantity})
			}
		case EventItemQuantityChanged:
			if i := slices.IndexFunc(b.Lines, func(l BasketLine) bool { return l.SKU == e.SKU }); i >= 0 {
				b.Lines[i].Quantity = e.Quantity
			}
		case EventItemRemoved:
			b.Lines = slices.DeleteFunc(b.Lines, func(l BasketLine) bool { return l.SKU == e.SKU })
		case EventBasketCleared, EventBasketCheckedOut:
			b.Lines = nil
		}
		b.Lines = slices.DeleteFunc(b.Lines, func(l BasketLine) bool { return l.Quantity <= 0 })
		switch {
		case e.CustomerID != "":
			b.CustomerID = e.CustomerID
		case b.CustomerID == "" && !strings.HasPrefix(id, guestBasketPrefix):
			b.CustomerID = id // a signed-in customer's basket is named after them
		}
		b.LastActivity = at
		if b.Items() == 0 {
			b.CycleID = ""
		} else if wasEmpty {
			b.CycleID = ev.ID
		}
	}}, true
}

// BasketTracker is the abandoned-basket tracking as a read model: fed one
// event at a time from its bus queue (Handle), or in batches by a catch-up
// runner reading the event store's $all (Filter, ApplyBatch, Checkpoint;
// projections/catchup), which writes each touched basket once per batch
// with the checkpoint.
type BasketTracker struct{ n *Notifier }

// BasketTracker returns the notifier's basket tracking.
func (n *Notifier) BasketTracker() *BasketTracker { return &BasketTracker{n: n} }

// Name is BasketHandlerName: the queue on the bus, the lease and metrics
// label of the catch-up runner.
func (t *BasketTracker) Name() string { return BasketHandlerName }

// Filter selects the basket events the tracking folds.
func (t *BasketTracker) Filter() eventstore.Filter {
	return eventstore.Filter{StreamPrefixes: []string{basketStreamPrefix}, EventTypes: BasketEventTypes()}
}

// Handle tracks one basket event from the bus; other events are ignored.
func (t *BasketTracker) Handle(ctx context.Context, ev eventstore.RecordedEvent) error {
	return t.n.onBasket(ctx, ev)
}

// ApplyBatch tracks events (in global order) in one store transaction with
// the position of the last as checkpoint. Events of other streams or types,
// and malformed ones, are skipped.
func (t *BasketTracker) ApplyBatch(ctx context.Context, evs []eventstore.RecordedEvent) error {
	if len(evs) == 0 {
		return nil
	}
	folds := make([]BasketFold, 0, len(evs))
	var top uint64
	for _, ev := range evs {
		top = max(top, ev.Position)
		if f, ok := t.n.basketFold(ctx, ev); ok {
			folds = append(folds, f)
		}
	}
	if err := t.n.cfg.Baskets.TrackBaskets(ctx, folds, top); err != nil {
		return fmt.Errorf("notifier: track %d basket events: %w", len(folds), err)
	}
	return nil
}

// Checkpoint is where a catch-up runner resumes.
func (t *BasketTracker) Checkpoint(ctx context.Context) (uint64, error) {
	return t.n.cfg.Baskets.BasketCheckpoint(ctx)
}

// SweepReminders sends the due abandoned-basket reminders and returns how
// many went out. Each basket cycle is handled once: reminded when its owner
// opted in to marketing, skipped otherwise.
func (n *Notifier) SweepReminders(ctx context.Context) (int, error) {
	now := n.cfg.Now()
	due, err := n.cfg.Baskets.DueBaskets(ctx, now.Add(-n.cfg.ReminderIdle), 200)
	if err != nil {
		return 0, fmt.Errorf("notifier: due baskets: %w", err)
	}
	sent := 0
	var errs []error
	for _, b := range due {
		ok, err := n.remind(ctx, b, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			sent++
		}
	}
	return sent, errors.Join(errs...)
}

func (n *Notifier) remind(ctx context.Context, b Basket, now time.Time) (bool, error) {
	sent := false
	eligible := b.CustomerID != "" && n.cfg.Marketing != nil && n.cfg.OptOut != nil &&
		!b.LastActivity.Before(now.Add(-n.cfg.ReminderMaxAge))
	if eligible {
		c, err := n.cfg.Marketing.OptedIn(ctx, b.CustomerID)
		if err != nil {
			return false, fmt.Errorf("notifier: marketing preferences of %s: %w", b.CustomerID, err)
		}
		if c.OptedIn && c.Email != "" {
			r := n.recipient(ctx, b.CustomerID, c.Email, c.Name, c.Lang)
			if c.Lang != "" {
				r.Lang = c.Lang
			}
			d := n.baseData(r)
			d.Link = n.public + "/basket"
			d.UnsubscribeURL = n.UnsubscribeURL(b.CustomerID)
			for _, l := range b.Lines {
				d.Lines = append(d.Lines, templates.Line{SKU: l.SKU, Name: l.Name, Quantity: l.Quantity})
			}
			// RFC 8058 one-click unsubscribe: mail clients POST to this URL.
			headers := []mail.Header{
				{Name: "List-Unsubscribe", Value: "<" + d.UnsubscribeURL + ">"},
				{Name: "List-Unsubscribe-Post", Value: "List-Unsubscribe=One-Click"},
			}
			key := "basket-reminder:" + b.BasketID + ":" + b.CycleID
			if err := n.deliver(ctx, key, templates.KindBasketReminder, r, d, headers, time.Time{}); err != nil {
				return false, err // transient: the next sweep tries again; the log prevents a double send
			}
			sent = true
		} else {
			n.emails.WithLabelValues(string(templates.KindBasketReminder), "skipped").Inc()
		}
	}
	if err := n.cfg.Baskets.MarkReminded(ctx, b.BasketID, b.CycleID); err != nil {
		return sent, fmt.Errorf("notifier: mark basket %s reminded: %w", b.BasketID, err)
	}
	return sent, nil
}

// RunReminders sweeps every interval until ctx ends.
func (n *Notifier) RunReminders(ctx context.Context, every time.Duration) error {
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if sent, err := n.SweepReminders(ctx); err != nil {
			n.log.WarnContext(ctx, "basket reminder sweep", "sent", sent, "err", err)
		} else if sent > 0 {
			n.log.InfoContext(ctx, "basket reminders sent", "sent", sent)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
