package adminwebhooks

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/evshop/shop/api/gateway"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/webhooks"
)

// TestPayloadsMatchTheWebhooksSection: the OpenAPI document's webhooks
// section is the payloads' public contract; every type the shop accepts is
// documented there, and what the shop sends matches its schema.
func TestPayloadsMatchTheWebhooksSection(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData(gateway.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for name := range doc.Webhooks {
		documented = append(documented, name)
	}
	slices.Sort(documented)
	accepted := slices.Sorted(slices.Values(webhooks.EventTypes()))
	if !slices.Equal(documented, accepted) {
		t.Fatalf("webhooks section documents %v; the shop accepts %v", documented, accepted)
	}
	var enum []string
	for _, v := range doc.Components.Schemas["WebhookEventType"].Value.Enum {
		enum = append(enum, v.(string))
	}
	if slices.Sort(enum); !slices.Equal(enum, accepted) {
		t.Fatalf("WebhookEventType enum %v; the shop accepts %v", enum, accepted)
	}

	eur := money.DTO{Amount: 1999, Currency: "EUR"}
	sent := []struct {
		typ  string
		data any
	}{
		{ordering.EventOrderPaid, ordering.OrderPaid{OrderID: "o1", PaymentID: "p1", Amount: eur}},
		{ordering.EventOrderShipped, ordering.OrderShipped{OrderID: "o1", Carrier: "DHL", TrackingNumber: "1"}},
		{ordering.EventOrderCancelled, ordering.OrderCancelled{OrderID: "o1", Reason: "payment timeout"}},
		{payment.EventPaymentRefunded, payment.PaymentRefunded{PaymentID: "p1", OrderID: "o1", Amount: eur, Reason: "damaged", RefundID: "r1"}},
		{payment.EventPaymentRefunded, payment.PaymentRefunded{PaymentID: "p1", OrderID: "o1", Amount: eur, Reason: "before refund ids"}},
	}
	for _, s := range sent {
		raw, _ := json.Marshal(s.data)
		ev, ok, err := webhooks.Public(eventstore.RecordedEvent{ID: "ev-1", Type: s.typ, Time: time.Now(), Data: raw})
		if err != nil || !ok {
			t.Fatalf("%s: %v %v", s.typ, ok, err)
		}
		body, _ := json.Marshal(ev)
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatal(err)
		}
		schema := doc.Webhooks[ev.Type].Post.RequestBody.Value.Content.Get("application/json").Schema.Value
		if err := schema.VisitJSON(v); err != nil {
			t.Errorf("%s payload %s does not match the webhooks section: %v", ev.Type, body, err)
		}
	}
}
