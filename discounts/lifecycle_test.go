package discounts_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	ordercmd "github.com/evshop/shop/commands/ordering"
	"github.com/evshop/shop/discounts"
	"github.com/evshop/shop/discounts/memstore"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/messaging"
)

// TestLifecycle: an order's use is committed when the order is paid and
// released when it is cancelled, once however often the event arrives;
// orders without a code pass through.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, err := discounts.New(discounts.Config{Store: memstore.New()})
	if err != nil {
		t.Fatal(err)
	}
	h := svc.Lifecycle(ordercmd.Codec())
	if h.Name != discounts.HandlerLifecycle || !slices.Equal(slices.Sorted(slices.Values(h.Types)),
		[]string{ordering.EventOrderCancelled, ordering.EventOrderPaid}) {
		t.Fatalf("handler %s bound to %v", h.Name, h.Types)
	}
	if _, err := svc.Create(ctx, discounts.Spec{Code: "TWO", Kind: discounts.KindFreeShipping, MaxUses: 2}); err != nil {
		t.Fatal(err)
	}
	for _, o := range []string{"paid", "cancelled"} {
		if _, err := svc.Reserve(ctx, "TWO", "c-"+o, o, eur(1000), nil, t0); err != nil {
			t.Fatal(err)
		}
	}
	event := func(typ string, data any) eventstore.RecordedEvent {
		b, _ := json.Marshal(data)
		return eventstore.RecordedEvent{ID: "ev-" + typ, Type: typ, Data: b}
	}
	paid := event(ordering.EventOrderPaid, ordering.OrderPaid{OrderID: "paid", PaymentID: "p1", Amount: money.DTO{Amount: 1000, Currency: "EUR"}})
	cancelled := event(ordering.EventOrderCancelled, ordering.OrderCancelled{OrderID: "cancelled", Reason: "payment timeout"})
	tests := []struct {
		name      string
		rec       eventstore.RecordedEvent
		permanent bool
	}{
		{"paid", paid, false},
		{"paid, redelivered", paid, false},
		{"cancelled", cancelled, false},
		{"cancelled, redelivered", cancelled, false},
		{"an order without a code is paid", event(ordering.EventOrderPaid, ordering.OrderPaid{OrderID: "plain"}), false},
		{"an order without a code is cancelled", event(ordering.EventOrderCancelled, ordering.OrderCancelled{OrderID: "plain"}), false},
		{"an event naming no order", event(ordering.EventOrderPaid, ordering.OrderPaid{}), true},
		{"a malformed event", eventstore.RecordedEvent{ID: "bad", Type: ordering.EventOrderPaid, Data: []byte(`{"orderId":`)}, true},
	}
	for _, tt := range tests {
		err := h.Handle(ctx, tt.rec)
		if tt.permanent != (err != nil && messaging.IsPermanent(err)) || !tt.permanent && err != nil {
			t.Fatalf("%s: err = %v, want permanent %v", tt.name, err, tt.permanent)
		}
	}
	_, u, err := svc.Get(ctx, "TWO")
	if err != nil || u != (discounts.Usage{Used: 1, Released: 1}) {
		t.Fatalf("usage = %+v, %v; want 1 used, 1 released", u, err)
	}
	for order, want := range map[string]discounts.State{"paid": discounts.StateCommitted, "cancelled": discounts.StateReleased} {
		if r, err := svc.Reservation(ctx, order); err != nil || r.State != want {
			t.Errorf("%s: %+v %v, want %s", order, r, err, want)
		}
	}
	if _, err := svc.Reservation(ctx, "plain"); !errors.Is(err, discounts.ErrNoReservation) {
		t.Errorf("an order without a code got a reservation: %v", err)
	}
}
