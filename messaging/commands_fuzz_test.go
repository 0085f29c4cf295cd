package messaging_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/ThreeDotsLabs/watermill/components/cqrs"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/evshop/shop/catalog"
	catalogmemory "github.com/evshop/shop/catalog/memory"
	ordercmd "github.com/evshop/shop/commands/ordering"
	paycmd "github.com/evshop/shop/commands/payment"
	domaincatalog "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/payments"
	"github.com/evshop/shop/payments/sandbox"
)

type storeAppender struct{ s *memory.Store }

func (a storeAppender) Append(ctx context.Context, stream string, events ...eventstore.EventData) error {
	_, err := a.s.Append(ctx, stream, eventstore.Any(), events...)
	return err
}

const fuzzOrderID = "3f1e2d4c-5b6a-4789-8abc-def012345678"

// commandHandlers are every command handler of the shop (ordering, payment,
// catalog stock) on in-memory stores, with one order placed so that the
// commands reach past "unknown order".
func commandHandlers(t *testing.T) []cqrs.CommandHandler {
	t.Helper()
	ctx := context.Background()
	store := memory.New()
	orders, err := ordercmd.NewHandlers(ordercmd.Config{Store: store, PaymentMethods: []string{"sandbox"}})
	if err != nil {
		t.Fatal(err)
	}
	pays, err := paycmd.NewHandlers(paycmd.Config{Store: store, Gateways: payments.Router{"sandbox": sandbox.New()}})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := catalog.New(catalog.Config{Store: catalogmemory.New()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	stock, err := catalog.NewStockHandlers(svc, storeAppender{store})
	if err != nil {
		t.Fatal(err)
	}
	if err := orders.PlaceOrder(ctx, &examplePlace); err != nil {
		t.Fatal(err)
	}
	var all []cqrs.CommandHandler
	all = append(all, orders.CommandHandlers()...)
	all = append(all, pays.CommandHandlers()...)
	return append(all, stock.CommandHandlers()...)
}

var examplePlace = ordercmd.PlaceOrder{OrderID: fuzzOrderID, CustomerID: "c0000000-0000-4000-8000-000000000001", Email: "a@example.com",
	Lines:           []ordering.LineDTO{{SKU: "MUG-001", Name: "Mug", Category: "kitchen", Quantity: 2, UnitPrice: money.DTO{Amount: 1200, Currency: "EUR"}}},
	ShippingAddress: ordering.AddressDTO{Name: "A", Line1: "1 Main", City: "Paris", PostalCode: "75001", Country: "FR"},
	Payment:         ordering.PaymentDTO{Method: "sandbox", Token: sandbox.TokenSuccess, Last4: "4242"}}

// FuzzCommandHandlers decodes arbitrary payloads with the bus's command
// marshaler into every command type and runs the handler: a payload that
// does not decode is refused as malformed (a poison message, dead-lettered
// at once); one that decodes is handled or refused with an error. Nothing
// panics.
func FuzzCommandHandlers(f *testing.F) {
	pid := payment.IDForOrder(fuzzOrderID)
	eur := money.DTO{Amount: 2400, Currency: "EUR"}
	examples := []any{
		examplePlace,
		ordercmd.RetiredConfirmOrder{OrderID: fuzzOrderID},
		ordercmd.MarkOrderPaid{OrderID: fuzzOrderID, PaymentID: pid, Amount: eur},
		ordercmd.CancelOrder{OrderID: fuzzOrderID, Reason: "x"},
		paycmd.AuthorizePayment{PaymentID: pid, OrderID: fuzzOrderID, CustomerID: examplePlace.CustomerID, Amount: eur, Method: "sandbox", Token: sandbox.TokenSuccess, Last4: "4242"},
		paycmd.CapturePayment{PaymentID: pid},
		paycmd.RefundPayment{PaymentID: pid, Amount: money.DTO{Amount: 9223372036854775807, Currency: "EUR"}, Reason: "x", RefundID: "r1"},
		domaincatalog.ReserveStock{OrderID: fuzzOrderID, Lines: []domaincatalog.LineDTO{{SKU: "MUG-001", Quantity: 2}}},
		domaincatalog.ReserveStock{OrderID: fuzzOrderID, Lines: []domaincatalog.LineDTO{{SKU: "MUG-001", Quantity: -9223372036854775808}}},
		domaincatalog.ReleaseStock{OrderID: fuzzOrderID},
		domaincatalog.CommitStock{OrderID: "../../etc/passwd"},
	}
	for i, ex := range examples {
		b, err := json.Marshal(ex)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), b)
	}
	for _, raw := range []string{`null`, `{}`, `[]`, `{"orderId":{"$gt":""}}`, "\xff", `{"orderId":"` + fuzzOrderID + `","lines":null}`} {
		f.Add(uint8(0), []byte(raw))
	}
	marshaler := messaging.CommandMarshaler()
	f.Fuzz(func(t *testing.T, which uint8, payload []byte) {
		handlers := commandHandlers(t)
		h := handlers[int(which)%len(handlers)]
		cmd := h.NewCommand()
		msg := message.NewMessage("6d1f2b1c-0000-4000-8000-000000000001", payload)
		if err := marshaler.Unmarshal(msg, cmd); err != nil {
			if !errors.Is(err, messaging.ErrMalformedMessage) {
				t.Fatalf("%s: an undecodable payload is not marked malformed: %v", h.HandlerName(), err)
			}
			return
		}
		_ = h.Handle(context.Background(), cmd)
	})
}

// FuzzDecodeEvent: whatever metadata and payload a message carries,
// DecodeEvent returns an envelope or an ErrMalformedMessage; it never panics.
func FuzzDecodeEvent(f *testing.F) {
	f.Add("e1", "order-"+fuzzOrderID, "ordering.OrderPlaced.v1", "0", "7", "2026-03-01T12:00:00Z", "1", []byte(`{"orderId":"`+fuzzOrderID+`"}`))
	f.Add("", "", "", "-1", "18446744073709551616", "yesterday", "x", []byte("\xff"))
	f.Fuzz(func(t *testing.T, id, stream, typ, rev, pos, at, schema string, payload []byte) {
		msg := message.NewMessage("6d1f2b1c-0000-4000-8000-000000000002", payload)
		for k, v := range map[string]string{messaging.MetaEventID: id, messaging.MetaStream: stream, messaging.MetaName: typ,
			messaging.MetaRevision: rev, messaging.MetaPosition: pos, messaging.MetaTime: at, messaging.MetaSchemaVersion: schema} {
			msg.Metadata.Set(k, v)
		}
		e, err := messaging.DecodeEvent(msg)
		if err != nil {
			if !errors.Is(err, messaging.ErrMalformedMessage) {
				t.Fatalf("not marked malformed: %v", err)
			}
			return
		}
		if e.ID == "" || e.Stream == "" || e.Type == "" || (e.Data != nil && !json.Valid(e.Data)) {
			t.Fatalf("accepted an incomplete envelope %+v", e)
		}
	})
}
