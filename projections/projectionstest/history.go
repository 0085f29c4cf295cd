// Package projectionstest generates a realistic shop history (orders with
// their checkout saga, stock, payment and returns streams, and baskets) for
// the tests and benchmarks of read-model rebuilds and exports. It only
// appends through the event store port, so it works against every adapter.
package projectionstest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/domain/basket"
	"github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/domain/returns"
	"github.com/evshop/shop/eventstore"
)

// Appender is the part of the event store the generator needs.
type Appender interface {
	Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error)
}

// Batch is the events of one stream appended in one call.
type Batch struct {
	Stream string
	Events []eventstore.EventData
}

// Start is the time of the first generated event.
var Start = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func eur(n int64) money.DTO { return money.DTO{Amount: n, Currency: "EUR"} }

func data(v any) eventstore.EventData {
	if t, ok := v.(typed); ok {
		return eventstore.EventData{ID: uuid.NewString(), Type: t.typ, Data: mustJSON(t.v)}
	}
	return eventstore.EventData{ID: uuid.NewString(), Type: v.(interface{ EventName() string }).EventName(), Data: mustJSON(v)}
}

type typed struct {
	typ string
	v   any
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // generated values always marshal
	}
	return b
}

// Order returns the streams of one order's life, each as its own batch in
// causal order, and the total number of events. The outcome (cancelled,
// paid, shipped, delivered, refunded) is drawn from r.
func Order(r *rand.Rand, orderID string, correlation string, at time.Time) ([]Batch, int) {
	cust := uuid.NewString()
	payID := payment.IDForOrder(orderID)
	lines := []ordering.LineDTO{{SKU: "MUG-01", Name: "Mug", Category: "kitchen", Quantity: 1 + r.IntN(3), UnitPrice: eur(1250)}}
	if r.IntN(2) == 0 {
		lines = append(lines, ordering.LineDTO{SKU: "TEE-02", Name: "T-shirt, \"blue\"", Category: "apparel", Quantity: 1, UnitPrice: eur(1999)})
	}
	var total int64
	for _, l := range lines {
		total += l.UnitPrice.Amount * int64(l.Quantity)
	}
	placed := ordering.OrderPlaced{OrderID: orderID, CustomerID: cust, Email: fmt.Sprintf("c%d@example.com", r.IntN(1000)),
		Lines: lines, Total: eur(total), Currency: "EUR",
		ShippingAddress: ordering.AddressDTO{Name: "Ada Lovelace", Line1: "1 Main St", City: "Paris", PostalCode: "75001", Country: "FR"},
		Payment:         ordering.PaymentDTO{Method: "sandbox", Token: "tok_" + orderID[:8], Last4: "4242"}, PlacedAt: at}
	order := []any{placed}
	stock := []any{}
	pay := []any{}
	var rets []any // returns-<orderId>
	saga := []any{typed{"checkout.CheckoutStarted.v1", map[string]any{"orderId": orderID, "paymentId": payID, "amount": eur(total), "at": at}}}
	outcome := r.IntN(10)
	if outcome == 0 { // out of stock
		stock = append(stock, catalog.StockReservationFailed{OrderID: orderID, Reason: "out of stock", SKUs: []string{"MUG-01"}})
		order = append(order, ordering.OrderCancelled{OrderID: orderID, Reason: "out of stock"})
		saga = append(saga, typed{"checkout.CheckoutCancelled.v1", map[string]any{"orderId": orderID, "reason": "out of stock"}})
	} else {
		stock = append(stock, catalog.StockReserved{OrderID: orderID})
		// Stored by earlier versions (retired): a history keeps them.
		order = append(order, typed{ordering.EventOrderStockReserved, map[string]any{"orderId": orderID}})
		pay = append(pay, payment.PaymentRequested{PaymentID: payID, OrderID: orderID, CustomerID: cust, Amount: eur(total), Method: "sandbox", Last4: "4242"})
		if outcome == 1 { // declined
			pay = append(pay, payment.PaymentFailed{PaymentID: payID, OrderID: orderID, Reason: "declined", Code: "card_declined"})
			stock = append(stock, catalog.StockReleased{OrderID: orderID})
			order = append(order, ordering.OrderCancelled{OrderID: orderID, Reason: "payment declined"})
		} else {
			pay = append(pay, payment.PaymentAuthorized{PaymentID: payID, OrderID: orderID, Amount: eur(total), GatewayRef: "sbx_" + orderID[:8]})
			order = append(order, typed{ordering.EventOrderPaymentAuthorized, map[string]any{"orderId": orderID, "paymentId": payID}},
				typed{ordering.EventOrderConfirmed, map[string]any{"orderId": orderID}})
			pay = append(pay, payment.PaymentCaptured{PaymentID: payID, OrderID: orderID, Amount: eur(total)})
			order = append(order, ordering.OrderPaid{OrderID: orderID, PaymentID: payID, Amount: eur(total)})
			stock = append(stock, catalog.StockCommitted{OrderID: orderID})
			saga = append(saga, typed{"checkout.CheckoutCompleted.v1", map[string]any{"orderId": orderID, "at": at.Add(time.Minute)}})
			if outcome >= 4 {
				order = append(order, ordering.OrderShipped{OrderID: orderID, Carrier: "DHL", TrackingNumber: fmt.Sprintf("JD%010d", r.IntN(1e9))})
			}
			if outcome >= 6 {
				order = append(order, ordering.OrderDelivered{OrderID: orderID})
			}
			if outcome == 9 {
				order = append(order, ordering.OrderRefunded{OrderID: orderID, Amount: eur(total / 2), Reason: "damaged"})
				// The damaged unit came back first: its return, received
				// and refunded.
				retID := returns.ID(orderID, 1)
				unit := lines[0].UnitPrice
				rets = append(rets,
					returns.ReturnRequested{ReturnID: retID, OrderID: orderID, CustomerID: cust, Lines: []returns.LineDTO{{SKU: lines[0].SKU, Name: lines[0].Name, Quantity: 1}},
						Reason: string(returns.ReasonDamaged), Key: "r-" + orderID[:8], RequestedAt: at.Add(48 * time.Hour)},
					returns.ReturnApproved{ReturnID: retID, OrderID: orderID, By: "staff", At: at.Add(49 * time.Hour)},
					returns.ReturnReceived{ReturnID: retID, OrderID: orderID, PaymentID: payID, Lines: []returns.ReceivedLineDTO{{SKU: lines[0].SKU, Damaged: 1, Refund: unit}},
						Shipping: eur(0), Refund: unit, By: "staff", At: at.Add(72 * time.Hour)},
					returns.ReturnRefunded{ReturnID: retID, OrderID: orderID, PaymentID: payID, RefundID: returns.RefundID(retID), Amount: unit})
			}
		}
	}
	var out []Batch
	n := 0
	for _, s := range []struct {
		stream string
		evs    []any
	}{{ordering.Stream(orderID), order}, {"checkout-" + orderID, saga}, {catalog.StockStreamPrefix + orderID, stock}, {payment.Stream(payID), pay}, {returns.Stream(orderID), rets}} {
		if len(s.evs) == 0 {
			continue
		}
		b := Batch{Stream: s.stream}
		for _, e := range s.evs {
			d := data(e)
			d.Metadata = eventstore.Metadata{CorrelationID: correlation, SchemaVersion: 1}
			b.Events = append(b.Events, d)
		}
		n += len(b.Events)
		out = append(out, b)
	}
	return out, n
}

// Basket returns the stream of one basket: a few adds, changes, removals.
func Basket(r *rand.Rand, basketID string) Batch {
	b := Batch{Stream: basket.Stream(basketID)}
	add := func(sku string, q int) {
		b.Events = append(b.Events, data(basket.ItemAdded{BasketID: basketID, SKU: sku, Name: sku, Category: "misc", Quantity: q, UnitPrice: eur(int64(100 + r.IntN(5000)))}))
	}
	add("SKU-A", 1+r.IntN(3))
	add("SKU-B", 1)
	switch r.IntN(4) {
	case 0:
		b.Events = append(b.Events, data(basket.ItemQuantityChanged{BasketID: basketID, SKU: "SKU-A", Quantity: 5}))
	case 1:
		b.Events = append(b.Events, data(basket.ItemRemoved{BasketID: basketID, SKU: "SKU-B"}))
	case 2:
		b.Events = append(b.Events, data(basket.BasketCleared{BasketID: basketID}))
	}
	return b
}

// Seed appends a history of orders and baskets to store, interleaving
// streams (one event of each stream per round) as live traffic would, and
// returns the order ids. The same seed gives the same shapes (ids differ).
func Seed(ctx context.Context, store Appender, seed uint64, orders, baskets int) ([]string, error) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var streams []Batch
	var ids []string
	for i := range orders {
		id := uuid.NewString()
		ids = append(ids, id)
		bs, _ := Order(r, id, uuid.NewString(), Start.Add(time.Duration(i)*time.Minute))
		streams = append(streams, bs...)
	}
	for range baskets {
		streams = append(streams, Basket(r, uuid.NewString()))
	}
	for round := 0; ; round++ {
		more := false
		for _, s := range streams {
			if round >= len(s.Events) {
				continue
			}
			more = true
			if _, err := store.Append(ctx, s.Stream, eventstore.Any(), s.Events[round]); err != nil {
				return nil, err
			}
		}
		if !more {
			return ids, nil
		}
	}
}

// Bulk appends orders until at least events events exist, each stream in
// one append, from workers goroutines (the benchmark's fast setup). It
// returns the number of events appended.
func Bulk(ctx context.Context, store Appender, seed uint64, events, workers int) (int, error) {
	r := rand.New(rand.NewPCG(seed, seed+1))
	work := make(chan Batch, 256)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Go(func() {
			for b := range work {
				if _, err := store.Append(ctx, b.Stream, eventstore.NoStream(), b.Events...); err != nil {
					errs <- err
					for range work {
					}
					return
				}
			}
		})
	}
	n := 0
	at := Start
	for n < events && ctx.Err() == nil {
		bs, k := Order(r, uuid.NewString(), uuid.NewString(), at)
		at = at.Add(time.Second)
		n += k
		for _, b := range bs {
			work <- b
		}
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		return n, err
	default:
	}
	return n, ctx.Err()
}
