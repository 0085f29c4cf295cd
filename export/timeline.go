package export

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"

	"github.com/google/uuid"

	"github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/domain/returns"
	"github.com/evshop/shop/eventstore"
)

// StreamReader can also read one stream (the timeline needs it).
type StreamReader interface {
	Reader
	Read(ctx context.Context, stream string, from eventstore.Revision) iter.Seq2[eventstore.RecordedEvent, error]
}

// ErrInvalidOrderID is returned for an order id that is not a UUID.
var ErrInvalidOrderID = errors.New("export: order id must be a UUID")

// Scan says how far the timeline looks for events of other streams that
// share the order's correlation ids (the basket checkout, notifications).
type Scan string

// Scan modes.
const (
	ScanNone   Scan = "none"   // only the order, checkout, stock and payment streams
	ScanWindow Scan = "window" // $all around the order's own events (default)
	ScanAll    Scan = "all"    // the whole of $all (slow on a big store)
)

// ParseScan validates a scan mode.
func ParseScan(s string) (Scan, error) {
	switch v := Scan(s); v {
	case ScanNone, ScanWindow, ScanAll:
		return v, nil
	}
	return "", fmt.Errorf("export: scan %q is not one of none, window, all", s)
}

// TimelineOptions tune Timeline.
type TimelineOptions struct {
	Scan Scan
	// Window is how many positions before the first and after the last
	// known event the window scan reads; default 5000.
	Window uint64
}

// Timeline returns every event of one order, in global order: its own
// stream, its checkout saga (checkout-<id>), its stock reservation
// (stock-<id>), its returns (returns-<id>), its payments (payment-<id> for the id derived from the
// order and any paymentId its events mention), and, by correlation id,
// the events of other streams that belong to the same checkout.
func Timeline(ctx context.Context, r StreamReader, orderID string, opts TimelineOptions) ([]eventstore.RecordedEvent, error) {
	u, err := uuid.Parse(orderID)
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrInvalidOrderID, orderID)
	}
	orderID = u.String()
	if opts.Scan == "" {
		opts.Scan = ScanWindow
	}
	if _, err := ParseScan(string(opts.Scan)); err != nil {
		return nil, err
	}
	if opts.Window == 0 {
		opts.Window = 5000
	}
	seen := map[string]bool{}
	var out []eventstore.RecordedEvent
	read := func(stream string) error {
		for ev, err := range r.Read(ctx, stream, 0) {
			if err != nil {
				return err
			}
			if !seen[ev.ID] {
				seen[ev.ID] = true
				out = append(out, ev)
			}
		}
		return nil
	}
	streams := []string{ordering.Stream(orderID), "checkout-" + orderID, catalog.StockStreamPrefix + orderID, returns.Stream(orderID)}
	for _, s := range streams {
		if err := read(s); err != nil {
			return nil, err
		}
	}
	payments := []string{payment.IDForOrder(orderID)}
	for _, ev := range out {
		var ref struct {
			PaymentID string `json:"paymentId"`
		}
		if json.Unmarshal(ev.Data, &ref) == nil && payment.ValidID(ref.PaymentID) && !slices.Contains(payments, ref.PaymentID) {
			payments = append(payments, ref.PaymentID)
		}
	}
	for _, p := range payments {
		if err := read(payment.Stream(p)); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return out, nil
	}
	if opts.Scan != ScanNone {
		corr := map[string]bool{}
		lo, hi := out[0].Position, out[0].Position
		for _, ev := range out {
			if c := ev.Metadata.CorrelationID; c != "" {
				corr[c] = true
			}
			lo, hi = min(lo, ev.Position), max(hi, ev.Position)
		}
		after, until := uint64(0), uint64(0)
		if opts.Scan == ScanWindow {
			after, until = lo-min(lo, opts.Window), hi+opts.Window
		}
		if len(corr) > 0 {
			for ev, err := range r.ReadAll(ctx, after, eventstore.Filter{}) {
				if err != nil {
					return nil, err
				}
				if until != 0 && ev.Position > until {
					break
				}
				if corr[ev.Metadata.CorrelationID] && !seen[ev.ID] {
					seen[ev.ID] = true
					out = append(out, ev)
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b eventstore.RecordedEvent) int {
		switch {
		case a.Position < b.Position:
			return -1
		case a.Position > b.Position:
			return 1
		}
		return 0
	})
	return out, nil
}
