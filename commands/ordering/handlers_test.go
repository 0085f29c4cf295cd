package ordering

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/evshop/shop/commands/esrepo"
	"github.com/evshop/shop/domain/money"
	domain "github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
)

const orderID = "3b241101-e2bb-4255-8caf-4136c566a962"

func place() *PlaceOrder {
	return &PlaceOrder{
		OrderID: orderID, CustomerID: "c0ffee00-0000-4000-8000-000000000001", Email: "ada@example.com",
		Lines:           []domain.LineDTO{{SKU: "MUG", Name: "Mug", Category: "kitchen", Quantity: 2, UnitPrice: money.DTO{Amount: 1250, Currency: "EUR"}}},
		ShippingAddress: domain.AddressDTO{Name: "Ada", Line1: "1 Main", City: "Paris", PostalCode: "75001", Country: "FR"},
		Payment:         domain.PaymentDTO{Method: "sandbox", Token: "tok", Last4: "4242"},
	}
}

func setup(t *testing.T) (*Handlers, *memory.Store) {
	t.Helper()
	store := memory.New()
	h, err := NewHandlers(Config{Store: store, PaymentMethods: []string{"sandbox", "stripe"}})
	if err != nil {
		t.Fatal(err)
	}
	return h, store
}

func types(t *testing.T, store eventstore.Store) []string {
	t.Helper()
	var out []string
	for ev, err := range store.Read(context.Background(), domain.Stream(orderID), 0) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev.Type)
	}
	return out
}

func TestPlaceOrderIsIdempotent(t *testing.T) {
	t.Parallel()
	h, store := setup(t)
	ctx := esrepo.WithMetadata(context.Background(), eventstore.Metadata{CorrelationID: "req-1"})
	for range 3 {
		if err := h.PlaceOrder(ctx, place()); err != nil {
			t.Fatal(err)
		}
	}
	if got := types(t, store); len(got) != 1 || got[0] != domain.EventOrderPlaced {
		t.Fatalf("stream = %v, want one OrderPlaced", got)
	}
	for ev := range store.Read(ctx, domain.Stream(orderID), 0) {
		if ev.Metadata.CorrelationID != "req-1" {
			t.Fatalf("metadata not recorded: %+v", ev.Metadata)
		}
	}
	other := place()
	other.CustomerID = "c0ffee00-0000-4000-8000-000000000002"
	if err := h.PlaceOrder(ctx, other); !errors.Is(err, domain.ErrAlreadyPlaced) {
		t.Fatalf("another customer's place on the same id: %v", err)
	}
}

func TestConcurrentPlaceMakesOneOrder(t *testing.T) {
	t.Parallel()
	h, store := setup(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := h.PlaceOrder(context.Background(), place()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := types(t, store); len(got) != 1 {
		t.Fatalf("stream = %v", got)
	}
}

func TestSagaHappyPathWithRedelivery(t *testing.T) {
	t.Parallel()
	h, store := setup(t)
	ctx := context.Background()
	total := money.DTO{Amount: 2500, Currency: "EUR"}
	steps := []func() error{
		func() error { return h.PlaceOrder(ctx, place()) },
		func() error {
			return h.MarkOrderPaid(ctx, &MarkOrderPaid{OrderID: orderID, PaymentID: "p1", Amount: total})
		},
		func() error {
			return h.ShipOrder(ctx, &ShipOrder{OrderID: orderID, Carrier: "DHL", TrackingNumber: "T1"})
		},
		func() error { return h.DeliverOrder(ctx, &DeliverOrder{OrderID: orderID}) },
	}
	for i, step := range steps {
		for range 2 { // every command delivered twice
			if err := step(); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
		}
	}
	if got := types(t, store); len(got) != 4 {
		t.Fatalf("stream = %v, want 4 events", got)
	}
	if err := h.CancelOrder(ctx, &CancelOrder{OrderID: orderID, Reason: "late"}); !errors.Is(err, domain.ErrIllegalTransition) {
		t.Fatalf("cancel delivered order: %v", err)
	}
	full := `{"paymentId":"p1","orderId":"` + orderID + `","amount":{"amount":2500,"currency":"EUR"},"reason":"returned","refundId":"r1"}`
	if err := h.OnPaymentRefunded(ctx, refunded(full)); err != nil {
		t.Fatal(err)
	}
	o, err := h.Load(ctx, orderID)
	if err != nil || o.Status() != domain.StatusRefunded {
		t.Fatalf("status = %v, %v", o, err)
	}
}

func TestHandlerInputErrors(t *testing.T) {
	t.Parallel()
	h, _ := setup(t)
	ctx := context.Background()
	tests := []struct {
		name string
		err  error
		want func(error) bool
	}{
		{"bad id", h.CancelOrder(ctx, &CancelOrder{OrderID: "nope", Reason: "x"}), func(e error) bool { return errors.Is(e, domain.ErrInvalid) }},
		{"missing order", h.CancelOrder(ctx, &CancelOrder{OrderID: orderID, Reason: "x"}), IsNotFound},
		{"payment method not accepted", h.PlaceOrder(ctx, func() *PlaceOrder { p := place(); p.Payment = domain.PaymentDTO{Method: "paypal"}; return p }()),
			func(e error) bool { return errors.Is(e, domain.ErrPaymentMethodNotAccepted) }},
		{"load missing", func() error { _, err := h.Load(ctx, orderID); return err }(), IsNotFound},
	}
	for _, tt := range tests {
		if !tt.want(tt.err) {
			t.Errorf("%s: unexpected error %v", tt.name, tt.err)
		}
	}
	if n := len(h.CommandHandlers()); n != 8 {
		t.Fatalf("%d command handlers", n)
	}
}

// A capture that raced a staff cancellation: MarkOrderPaid leaves the
// cancelled order as it is (the saga refunds the capture), and the refund
// that follows is acked without touching the order. The retired commands
// still sitting in queues after an upgrade are acked without effect.
func TestCancelledBeforePaidAndRetiredCommands(t *testing.T) {
	t.Parallel()
	h, store := setup(t)
	ctx := context.Background()
	total := money.DTO{Amount: 2500, Currency: "EUR"}
	for i, err := range []error{
		h.PlaceOrder(ctx, place()),
		h.CancelOrder(ctx, &CancelOrder{OrderID: orderID, Reason: "customer called"}),
		h.MarkOrderPaid(ctx, &MarkOrderPaid{OrderID: orderID, PaymentID: "p1", Amount: total}),
		h.OnPaymentRefunded(ctx, refunded(`{"paymentId":"p1","orderId":"`+orderID+`","amount":{"amount":2500,"currency":"EUR"},"reason":"order cancelled","refundId":"r1"}`)),
	} {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	for _, ch := range retiredHandlers() {
		cmd := ch.NewCommand()
		if err := json.Unmarshal([]byte(`{"orderId":"`+orderID+`","paymentId":"p1"}`), cmd); err != nil {
			t.Fatal(err)
		}
		if err := ch.Handle(ctx, cmd); err != nil {
			t.Fatalf("%s: %v", ch.HandlerName(), err)
		}
	}
	if got := types(t, store); len(got) != 2 || got[1] != domain.EventOrderCancelled {
		t.Fatalf("stream = %v, want placed and cancelled only", got)
	}
}
