package discounts

import (
	"context"
	"fmt"

	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/messaging"
)

// HandlerLifecycle names the event queue on which the codes follow their
// orders. Stable: it names a durable queue.
const HandlerLifecycle = "discounts.lifecycle"

// Lifecycle returns the event handler that commits an order's use of a
// code when the order is paid and releases it when the order is cancelled.
// codec decodes ordering events (commands/ordering.Codec). Both steps are
// idempotent, so a redelivery changes nothing; an order without a code is
// ignored.
func (s *Service) Lifecycle(codec messaging.EventDecoder) messaging.EventHandler {
	return messaging.TypedEventHandler{Name: HandlerLifecycle, Codec: codec,
		Events: []messaging.Event{ordering.OrderPaid{}, ordering.OrderCancelled{}}, Handle: s.onOrder}.EventHandler()
}

func (s *Service) onOrder(ctx context.Context, rec eventstore.RecordedEvent, e messaging.Event) error {
	switch ev := e.(type) {
	case ordering.OrderPaid:
		return s.lifecycleStep(ctx, rec, ev.OrderID, s.Commit)
	case ordering.OrderCancelled:
		return s.lifecycleStep(ctx, rec, ev.OrderID, s.Release)
	}
	return nil
}

func (s *Service) lifecycleStep(ctx context.Context, rec eventstore.RecordedEvent, orderID string, step func(context.Context, string) error) error {
	if orderID == "" {
		return messaging.Permanent(fmt.Errorf("discounts: %s %s names no order", rec.Type, rec.ID))
	}
	return step(ctx, orderID)
}
