package returns_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/commands/esrepo"
	paycmd "github.com/evshop/shop/commands/payment"
	returnscmd "github.com/evshop/shop/commands/returns"
	"github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/payment"
	domain "github.com/evshop/shop/domain/returns"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
)

type sent struct {
	mu   sync.Mutex
	cmds []any
}

func (s *sent) Send(_ context.Context, cmd any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cmds = append(s.cmds, cmd)
	return nil
}

func eur(n int64) money.DTO { return money.DTO{Amount: n, Currency: "EUR"} }

// placeOrder appends a paid order of 2 mugs (12.50 each) and, when
// delivered, its shipment and delivery.
func placeOrder(t *testing.T, store eventstore.Store, customer string, delivered bool) string {
	t.Helper()
	id := uuid.NewString()
	evs := []esrepo.Event{
		ordering.OrderPlaced{OrderID: id, CustomerID: customer, Email: "ada@example.com", Total: eur(2500), Currency: "EUR",
			Lines: []ordering.LineDTO{{SKU: "MUG", Name: "Mug", Quantity: 2, UnitPrice: eur(1250)}}},
		ordering.OrderPaid{OrderID: id, PaymentID: "pay-" + id[:8], Amount: eur(2500)},
		ordering.OrderShipped{OrderID: id, Carrier: "DHL", TrackingNumber: "1"},
	}
	if delivered {
		evs = append(evs, ordering.OrderDelivered{OrderID: id})
	}
	data, err := esrepo.EncodeAll(evs, eventstore.Metadata{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Append(context.Background(), ordering.Stream(id), eventstore.NoStream(), data...); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestReturnLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memory.New()
	out := &sent{}
	h, err := returnscmd.NewHandlers(returnscmd.Config{Store: store, Sender: out, RefundShippingOnFullReturn: true})
	if err != nil {
		t.Fatal(err)
	}
	customer := uuid.NewString()
	orderID := placeOrder(t, store, customer, true)
	in := domain.RequestInput{CustomerID: customer, Key: "k1", Lines: []domain.LineDTO{{SKU: "MUG", Quantity: 1}}, Reason: "damaged", Note: "chipped"}
	r, err := h.Request(ctx, orderID, in)
	if err != nil || r.ID != orderID+"-r1" || r.Status != domain.StatusRequested {
		t.Fatalf("request: %+v %v", r, err)
	}
	if again, err := h.Request(ctx, orderID, in); err != nil || again.ID != r.ID {
		t.Fatalf("repeated key: %+v %v", again, err)
	}
	if _, err := h.Approve(ctx, r.ID, "staff-1"); err != nil {
		t.Fatal(err)
	}
	got, err := h.Receive(ctx, r.ID, []domain.ReceivedLine{{SKU: "MUG", Damaged: 1}}, "staff-1")
	if err != nil || got.Status != domain.StatusReceived || got.Refund != 1250 {
		t.Fatalf("receive: %+v %v", got, err)
	}
	list, err := h.List(ctx, domain.StatusReceived)
	if err != nil || len(list) != 1 || list[0].ID != r.ID {
		t.Fatalf("list: %+v %v", list, err)
	}
	if list, _ := h.List(ctx, domain.StatusRequested); len(list) != 0 {
		t.Fatalf("requested list: %+v", list)
	}

	// The settle handler sends the write-off and the refund; the refund
	// handler, hearing the payment, marks the return Refunded.
	handlers := map[string]func(context.Context, eventstore.RecordedEvent) error{}
	for _, eh := range h.EventHandlers() {
		handlers[eh.Name] = eh.Handle
	}
	for rec, err := range store.Read(ctx, domain.Stream(orderID), 0) {
		if err != nil {
			t.Fatal(err)
		}
		if rec.Type == domain.EventReturnReceived {
			for range 2 { // redelivered: the commands are idempotent downstream
				if err := handlers[returnscmd.HandlerSettleReceived](ctx, rec); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if len(out.cmds) != 4 {
		t.Fatalf("sent %d commands: %+v", len(out.cmds), out.cmds)
	}
	stock, ok := out.cmds[0].(*catalog.ReturnToStock)
	if !ok || stock.Disposition != catalog.DispositionDamaged || stock.Quantity != 1 || stock.SKU != "MUG" {
		t.Fatalf("stock command %+v", out.cmds[0])
	}
	refund, ok := out.cmds[1].(*paycmd.RefundPayment)
	if !ok || refund.Amount != eur(1250) || refund.RefundID != domain.RefundID(r.ID) || refund.PaymentID != "pay-"+orderID[:8] {
		t.Fatalf("refund command %+v", out.cmds[1])
	}
	refunded := payment.PaymentRefunded{PaymentID: refund.PaymentID, OrderID: orderID, Amount: refund.Amount, Reason: refund.Reason, RefundID: refund.RefundID}
	staffRefund := payment.PaymentRefunded{PaymentID: refund.PaymentID, OrderID: orderID, Amount: eur(1), Reason: "goodwill", RefundID: "staff-key"}
	for _, ev := range []payment.PaymentRefunded{staffRefund, refunded, refunded} {
		d, _ := esrepo.Encode(ev, eventstore.Metadata{})
		rec := eventstore.RecordedEvent{ID: d.ID, Type: d.Type, Data: d.Data, Stream: payment.Stream(refund.PaymentID)}
		if err := handlers[returnscmd.HandlerRecordRefunds](ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := h.Get(ctx, r.ID); got.Status != domain.StatusRefunded || got.RefundID != refund.RefundID {
		t.Fatalf("after the refund: %+v", got)
	}

	// The last mug completes the order; there is no shipping to refund.
	r2, err := h.Request(ctx, orderID, domain.RequestInput{CustomerID: customer, Key: "k2", Lines: []domain.LineDTO{{SKU: "MUG", Quantity: 1}}, Reason: "no_longer_needed"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Reject(ctx, r2.ID, "opened", "staff-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Receive(ctx, r2.ID, []domain.ReceivedLine{{SKU: "MUG", Restock: 1}}, "staff-1"); !errors.Is(err, domain.ErrIllegalTransition) {
		t.Fatalf("receiving a rejected return: %v", err)
	}
}

func TestRequestRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memory.New()
	now := time.Now()
	h, err := returnscmd.NewHandlers(returnscmd.Config{Store: store, Now: func() time.Time { return now }, Window: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	late, err := returnscmd.NewHandlers(returnscmd.Config{Store: store, Now: func() time.Time { return now.Add(2 * time.Hour) }, Window: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	customer := uuid.NewString()
	delivered := placeOrder(t, store, customer, true)
	shipped := placeOrder(t, store, customer, false)
	in := func(n int) domain.RequestInput {
		return domain.RequestInput{CustomerID: customer, Key: uuid.NewString(), Lines: []domain.LineDTO{{SKU: "MUG", Quantity: n}}, Reason: "damaged"}
	}
	tests := []struct {
		name    string
		h       *returnscmd.Handlers
		orderID string
		in      domain.RequestInput
		want    error
	}{
		{"no such order", h, uuid.NewString(), in(1), domain.ErrNotFound},
		{"not an order id", h, "nope", in(1), domain.ErrNotFound},
		{"another customer's order", h, delivered, domain.RequestInput{CustomerID: uuid.NewString(), Key: "k", Lines: in(1).Lines, Reason: "damaged"}, domain.ErrNotFound},
		{"not delivered", h, shipped, in(1), domain.ErrNotDelivered},
		{"after the window", late, delivered, in(1), domain.ErrWindowClosed},
		{"more units than delivered", h, delivered, in(3), domain.ErrTooManyUnits},
	}
	for _, tt := range tests {
		if _, err := tt.h.Request(ctx, tt.orderID, tt.in); !errors.Is(err, tt.want) {
			t.Fatalf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}
