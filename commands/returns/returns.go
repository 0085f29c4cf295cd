// Package returns holds the returns commands: a customer's request, staff's
// approval, rejection and receipt, each loading the order's returns
// (stream "returns-<orderId>") and the order's facts, deciding, and
// appending with the expected revision. Two event handlers carry a received
// return on: one sends the refund to the payment and the units to the
// catalog, the other records the payment's refund on the return.
package returns

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/commands/esrepo"
	ordercmd "github.com/evshop/shop/commands/ordering"
	paycmd "github.com/evshop/shop/commands/payment"
	"github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/payment"
	domain "github.com/evshop/shop/domain/returns"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/messaging"
)

// Stable handler names: they name the event queues.
const (
	HandlerSettleReceived = "returns.settle-received"
	HandlerRecordRefunds  = "returns.record-refunds"
)

// retries bounds how often a decision is re-made after a concurrent append.
const retries = 3

// DefaultWindow is RETURN_WINDOW_DAYS' default.
const DefaultWindow = 30 * 24 * time.Hour

// Codec decodes every returns event by wire name, from domain.Events.
func Codec() *esrepo.Codec { return esrepo.CodecFor(domain.Events()...) }

// Sender sends a command over the bus (messaging.Bus).
type Sender interface {
	Send(ctx context.Context, cmd any) error
}

// Config configures Handlers.
type Config struct {
	Store eventstore.Store
	// Sender carries the refund and the stock commands of a received
	// return; without it the settle handler is not offered.
	Sender Sender
	Now    func() time.Time
	// Window is how long after the delivery a return may be asked for
	// (RETURN_WINDOW_DAYS; default 30 days).
	Window time.Duration
	// RefundShippingOnFullReturn: the receipt that brings back the whole
	// order refunds the shipping too (RETURNS_REFUND_SHIPPING_ON_FULL_RETURN).
	RefundShippingOnFullReturn bool
	Metadata                   func(ctx context.Context) eventstore.Metadata
}

// Handlers executes the returns commands.
type Handlers struct {
	cfg    Config
	repo   *esrepo.Repository[*domain.OrderReturns]
	orders *esrepo.Codec
	pays   *esrepo.Codec
	codec  *esrepo.Codec
}

// NewHandlers validates cfg.
func NewHandlers(cfg Config) (*Handlers, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Window == 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.Window < 0 {
		return nil, errors.New("returns handlers: Window must be positive")
	}
	codec := Codec()
	repo, err := esrepo.New(esrepo.Config[*domain.OrderReturns]{Store: cfg.Store, Codec: codec, Stream: domain.Stream, New: domain.Blank})
	if err != nil {
		return nil, fmt.Errorf("returns handlers: %w", err)
	}
	return &Handlers{cfg: cfg, repo: repo, orders: ordercmd.Codec(), pays: esrepo.CodecFor(payment.Events()...), codec: codec}, nil
}

// Window is the configured return window.
func (h *Handlers) Window() time.Duration { return h.cfg.Window }

// ValidOrderID reports whether id is an order id (a lower-case UUID).
func ValidOrderID(id string) bool {
	u, err := uuid.Parse(id)
	return err == nil && u.String() == id
}

// Facts folds the order's stream into what returns need of it.
func (h *Handlers) Facts(ctx context.Context, orderID string) (domain.OrderFacts, error) {
	var f domain.OrderFacts
	if !ValidOrderID(orderID) {
		return f, domain.ErrNotFound
	}
	for rec, err := range h.cfg.Store.Read(ctx, ordering.Stream(orderID), 0) {
		if err != nil {
			return f, fmt.Errorf("returns: read order %s: %w", orderID, err)
		}
		e, err := h.orders.DecodeRecorded(rec)
		if err != nil {
			return f, err
		}
		f.Apply(e, rec.Time)
	}
	return f, nil
}

// Load returns the order's returns (none yet: an empty aggregate).
func (h *Handlers) Load(ctx context.Context, orderID string) (*domain.OrderReturns, error) {
	if !ValidOrderID(orderID) {
		return nil, domain.ErrNotFound
	}
	return h.repo.Load(ctx, orderID)
}

// Get loads one return by its id.
func (h *Handlers) Get(ctx context.Context, returnID string) (domain.Return, error) {
	orderID, _, err := domain.ParseID(returnID)
	if err != nil || !ValidOrderID(orderID) {
		return domain.Return{}, domain.ErrNotFound
	}
	a, err := h.repo.Load(ctx, orderID)
	if err != nil {
		return domain.Return{}, err
	}
	r, ok := a.Get(returnID)
	if !ok {
		return domain.Return{}, domain.ErrNotFound
	}
	return r, nil
}

// Request records a customer's return request (see domain Request); a
// repeated idempotency key answers the first request's return.
func (h *Handlers) Request(ctx context.Context, orderID string, in domain.RequestInput) (domain.Return, error) {
	var out domain.Return
	err := h.change(ctx, orderID, func(a *domain.OrderReturns) error {
		f, err := h.Facts(ctx, orderID)
		if err != nil {
			return err
		}
		id, err := a.Request(f, in, h.cfg.Window, h.cfg.Now())
		if err != nil {
			return err
		}
		out, _ = a.Get(id)
		return nil
	})
	return out, err
}

// Approve records staff's approval.
func (h *Handlers) Approve(ctx context.Context, returnID, by string) (domain.Return, error) {
	return h.changeReturn(ctx, returnID, func(a *domain.OrderReturns, _ string) error {
		return a.Approve(returnID, by, h.cfg.Now())
	})
}

// Reject records staff's refusal with its reason.
func (h *Handlers) Reject(ctx context.Context, returnID, reason, by string) (domain.Return, error) {
	return h.changeReturn(ctx, returnID, func(a *domain.OrderReturns, _ string) error {
		return a.Reject(returnID, reason, by, h.cfg.Now())
	})
}

// Receive records the goods as received, with the refund they are owed.
func (h *Handlers) Receive(ctx context.Context, returnID string, lines []domain.ReceivedLine, by string) (domain.Return, error) {
	return h.changeReturn(ctx, returnID, func(a *domain.OrderReturns, orderID string) error {
		f, err := h.Facts(ctx, orderID)
		if err != nil {
			return err
		}
		return a.Receive(returnID, f, lines, domain.ReceiveOptions{RefundShippingOnFullReturn: h.cfg.RefundShippingOnFullReturn}, by, h.cfg.Now())
	})
}

func (h *Handlers) changeReturn(ctx context.Context, returnID string, decide func(a *domain.OrderReturns, orderID string) error) (domain.Return, error) {
	orderID, _, err := domain.ParseID(returnID)
	if err != nil || !ValidOrderID(orderID) {
		return domain.Return{}, domain.ErrNotFound
	}
	var out domain.Return
	err = h.change(ctx, orderID, func(a *domain.OrderReturns) error {
		if err := decide(a, orderID); err != nil {
			return err
		}
		out, _ = a.Get(returnID)
		return nil
	})
	return out, err
}

// change loads the order's returns, decides, and appends after the loaded
// version, deciding again after a concurrent append.
func (h *Handlers) change(ctx context.Context, orderID string, decide func(a *domain.OrderReturns) error) error {
	if !ValidOrderID(orderID) {
		return domain.ErrNotFound
	}
	return esrepo.Retry(ctx, retries, func(ctx context.Context) error {
		a, err := h.repo.Load(ctx, orderID)
		if err != nil {
			return err
		}
		if err := decide(a); err != nil {
			return err
		}
		_, err = h.repo.Save(ctx, orderID, a, h.metadata(ctx))
		return err
	})
}

func (h *Handlers) metadata(ctx context.Context) eventstore.Metadata {
	if m := esrepo.MetadataFrom(ctx); m != (eventstore.Metadata{}) || h.cfg.Metadata == nil {
		return m
	}
	return h.cfg.Metadata(ctx)
}

// List reads every return, newest first, optionally of one status, by
// folding the returns streams (ReadAll filtered to "returns-"). The shop's
// staff list reads the returns read model (projections/returns) instead;
// this is its fallback and its reference in tests.
func (h *Handlers) List(ctx context.Context, status domain.Status) ([]domain.Return, error) {
	byOrder := map[string]*domain.OrderReturns{}
	var order []string
	for rec, err := range h.cfg.Store.ReadAll(ctx, 0, eventstore.Filter{StreamPrefixes: []string{domain.StreamPrefix}}) {
		if err != nil {
			return nil, fmt.Errorf("returns: list: %w", err)
		}
		e, err := h.codec.DecodeRecorded(rec)
		if err != nil {
			return nil, err
		}
		id := strings.TrimPrefix(rec.Stream, domain.StreamPrefix)
		a := byOrder[id]
		if a == nil {
			a = domain.Blank(id)
			byOrder[id] = a
			order = append(order, id)
		}
		a.ApplyStored(e)
	}
	var out []domain.Return
	for _, id := range order {
		for _, r := range byOrder[id].All() {
			if status == "" || r.Status == status {
				out = append(out, r)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].RequestedAt.After(out[j].RequestedAt) })
	return out, nil
}

// EventHandlers are the two handlers that carry a received return on.
func (h *Handlers) EventHandlers() []messaging.EventHandler {
	out := []messaging.EventHandler{messaging.TypedEventHandler{Name: HandlerRecordRefunds, Codec: h.pays,
		Events: []messaging.Event{payment.PaymentRefunded{}}, Handle: h.onPaymentRefunded, Concurrent: true}.EventHandler()}
	if h.cfg.Sender != nil {
		out = append(out, messaging.TypedEventHandler{Name: HandlerSettleReceived, Codec: h.codec,
			Events: []messaging.Event{domain.ReturnReceived{}}, Handle: h.onReceived, Concurrent: true}.EventHandler())
	}
	return out
}

// onReceived sends the refund to the payment (its refund id names the
// return, so the payment refunds once however often this runs) and each
// line's units to the catalog (idempotent per return, SKU, disposition). A
// refund of nothing (a line given away by a discount) is recorded at once.
func (h *Handlers) onReceived(ctx context.Context, rec eventstore.RecordedEvent, e messaging.Event) error {
	ev, ok := e.(domain.ReturnReceived)
	if !ok {
		return nil
	}
	for _, l := range ev.Lines {
		for _, d := range []struct {
			disp string
			n    int
		}{{catalog.DispositionRestock, l.Restock}, {catalog.DispositionDamaged, l.Damaged}} {
			if d.n == 0 {
				continue
			}
			if err := h.cfg.Sender.Send(ctx, &catalog.ReturnToStock{ReturnID: ev.ReturnID, OrderID: ev.OrderID, SKU: l.SKU, Quantity: d.n, Disposition: d.disp}); err != nil {
				return err
			}
		}
	}
	refundID := domain.RefundID(ev.ReturnID)
	if ev.Refund.Amount == 0 {
		_, err := h.changeReturn(ctx, ev.ReturnID, func(a *domain.OrderReturns, _ string) error {
			return a.MarkRefunded(ev.ReturnID, refundID, 0, ev.Refund.Currency)
		})
		return err
	}
	return h.cfg.Sender.Send(ctx, &paycmd.RefundPayment{PaymentID: ev.PaymentID, Amount: ev.Refund,
		Reason: "return " + ev.ReturnID, RefundID: refundID})
}

// onPaymentRefunded marks the return a refund names as Refunded; refunds
// of anything else are not this handler's.
func (h *Handlers) onPaymentRefunded(ctx context.Context, rec eventstore.RecordedEvent, e messaging.Event) error {
	ev, ok := e.(payment.PaymentRefunded)
	if !ok {
		return nil
	}
	id := domain.ReturnIDFromRefund(ev.RefundID)
	if id == "" {
		return nil
	}
	_, err := h.changeReturn(ctx, id, func(a *domain.OrderReturns, _ string) error {
		return a.MarkRefunded(id, ev.RefundID, ev.Amount.Amount, ev.Amount.Currency)
	})
	if errors.Is(err, domain.ErrNotFound) || errors.Is(err, domain.ErrIllegalTransition) {
		return messaging.Permanent(fmt.Errorf("returns: refund %s: %w", strings.TrimSpace(ev.RefundID), err))
	}
	return err
}
