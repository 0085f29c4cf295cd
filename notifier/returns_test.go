package notifier_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/notifier"
)

// TestReturnEmails sends one email per return step, once however often the
// event is delivered, and none for the refund's own payment and order
// events (the return's email says it).
func TestReturnEmails(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	ctx := context.Background()
	orderID := uuid.NewString()
	returnID := orderID + "-r1"
	stream := "returns-" + orderID
	refund := money.DTO{Amount: 1250, Currency: "EUR"}
	lines := []map[string]any{{"sku": "MUG", "name": "Blue Mug", "quantity": 1}}
	steps := []struct {
		ev      eventstore.RecordedEvent
		subject string
		inText  []string
	}{
		{placed(orderID), "", nil},
		{event(notifier.EventReturnRequested, stream, 0, map[string]any{"returnId": returnID, "orderId": orderID, "lines": lines, "reason": "damaged"}),
			"received your return request " + returnID, []string{"1 × Blue Mug", "https://shop.example/orders/" + orderID}},
		{event(notifier.EventReturnApproved, stream, 1, map[string]any{"returnId": returnID, "orderId": orderID}),
			"is approved", []string{"Write the return number " + returnID}},
		{event(notifier.EventReturnRejected, stream, 2, map[string]any{"returnId": returnID, "orderId": orderID, "reason": "the seal was broken"}),
			"cannot accept", []string{"Reason: the seal was broken"}},
		{event(notifier.EventPaymentRefunded, "payment-p1", 3, map[string]any{"paymentId": "p1", "orderId": orderID, "amount": refund, "reason": "return " + returnID, "refundId": "return-" + returnID}), "", nil},
		{event(notifier.EventOrderRefunded, "order-"+orderID, 6, map[string]any{"orderId": orderID, "amount": refund, "reason": "return " + returnID, "refundId": "return-" + returnID}), "", nil},
		{event(notifier.EventReturnRefunded, stream, 3, map[string]any{"returnId": returnID, "orderId": orderID, "amount": refund, "refundId": "return-" + returnID}),
			"We refunded €12.50 for your return", []string{"€12.50"}},
	}
	want := 0
	for _, st := range steps {
		for range 2 {
			if err := h.handle(ctx, st.ev); err != nil {
				t.Fatalf("%s: %v", st.ev.Type, err)
			}
		}
		got := h.outbox.To("bob@example.com")
		if st.subject == "" {
			if len(got) != want {
				t.Fatalf("after %s: %d mails, want %d", st.ev.Type, len(got), want)
			}
			continue
		}
		want++
		if len(got) != want {
			t.Fatalf("after %s ×2: %d mails, want %d", st.ev.Type, len(got), want)
		}
		m := got[len(got)-1]
		if !strings.Contains(m.Subject, st.subject) {
			t.Fatalf("%s: subject %q lacks %q", st.ev.Type, m.Subject, st.subject)
		}
		for _, s := range st.inText {
			if !strings.Contains(m.Text, s) {
				t.Fatalf("%s: text lacks %q:\n%s", st.ev.Type, s, m.Text)
			}
		}
	}
}
