package ordering

import (
	"context"
	"errors"
	"iter"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	ordercmd "github.com/evshop/shop/commands/ordering"
	"github.com/evshop/shop/domain/money"
	domain "github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/projections/orders"
)

// placeOrder places an order for alice straight through the handlers; the
// read model is not told (the projector only runs on e.sync).
func placeOrder(t *testing.T, e *env, id string) {
	t.Helper()
	if err := place(e, id); err != nil {
		t.Fatal(err)
	}
}

func place(e *env, id string) error {
	return e.cmds.PlaceOrder(context.Background(), &ordercmd.PlaceOrder{OrderID: id, CustomerID: aliceID, Email: "alice@example.com",
		Lines:           []domain.LineDTO{{SKU: "MUG", Name: "Mug", Quantity: 1, UnitPrice: money.DTO{Amount: 1000, Currency: "EUR"}}},
		ShippingAddress: domain.AddressDTO{Name: "Alice", Line1: "1 Main", City: "Paris", PostalCode: "75001", Country: "FR"},
		Payment:         domain.PaymentDTO{Method: "sandbox", Token: "tok_sandbox_success", Last4: "4242"}})
}

// TestDetailReflectsTheStreamAheadOfTheReadModel: the detail is the order as
// the event store holds it, whether the projector has applied nothing, part
// or all of its stream.
func TestDetailReflectsTheStreamAheadOfTheReadModel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const fresh = "9d7e9a38-2f51-4c38-9a3c-0a8a3f6c1e01"
	cases := []struct {
		name        string
		setup       func(t *testing.T, e *env)
		wantStatus  string
		wantHistory int
		wantPayment string
	}{
		{"placed, never projected", func(t *testing.T, e *env) { placeOrder(t, e, fresh) }, "Placed", 1, ""},
		{"projected at Placed, one event behind", func(t *testing.T, e *env) {
			placeOrder(t, e, fresh)
			e.sync()
			if err := e.cmds.MarkOrderPaid(ctx, &ordercmd.MarkOrderPaid{OrderID: fresh, PaymentID: "p9", Amount: money.DTO{Amount: 1000, Currency: "EUR"}}); err != nil {
				t.Fatal(err)
			}
		}, "Paid", 2, "p9"},
		{"fully projected", func(t *testing.T, e *env) {
			placeOrder(t, e, fresh)
			if err := e.cmds.CancelOrder(ctx, &ordercmd.CancelOrder{OrderID: fresh, Reason: "changed my mind"}); err != nil {
				t.Fatal(err)
			}
			e.sync()
		}, "Cancelled", 2, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			c.setup(t, e)
			for _, path := range []string{"/api/orders/" + fresh, "/api/admin/orders/" + fresh} {
				token := map[string]string{"/api/orders/" + fresh: "alice", "/api/admin/orders/" + fresh: "support"}[path]
				status, body, raw := e.do(t, "GET", path, token, "")
				if status != 200 || body["status"] != c.wantStatus || len(body["history"].([]any)) != c.wantHistory ||
					body["version"].(float64) != float64(c.wantHistory) || body["customerId"] != aliceID || len(body["lines"].([]any)) != 1 {
					t.Fatalf("GET %s: %d %s; want %s with %d history entries", path, status, raw, c.wantStatus, c.wantHistory)
				}
				if pid, _ := body["paymentId"].(string); pid != c.wantPayment {
					t.Fatalf("GET %s: paymentId %q, want %q", path, pid, c.wantPayment)
				}
			}
			if status, _, _ := e.do(t, "GET", "/api/orders/"+fresh, "bob", ""); status != 404 {
				t.Fatalf("another customer reads the unprojected order: %d, want 404", status)
			}
		})
	}
}

// TestDetailWaitsForAnOrderOnItsWay: in server mode the basket answers 202
// before the ordering service has appended OrderPlaced (the command travels
// over the bus); the customer's read waits for it, bounded. Staff reads and
// orders that never come answer 404.
func TestDetailWaitsForAnOrderOnItsWay(t *testing.T) {
	t.Parallel()
	const late = "4c1f3b52-7e0a-4f7b-9d2b-5b7f2c9e8a02"
	e := newEnvWaiting(t, 5*time.Second)
	if status, _, _ := e.do(t, "GET", "/api/admin/orders/"+late, "support", ""); status != 404 {
		t.Fatalf("staff read of an order not placed yet: %d, want 404 without waiting", status)
	}
	placed := make(chan error, 1)
	go func() {
		time.Sleep(150 * time.Millisecond)
		placed <- place(e, late)
	}()
	status, body, raw := e.do(t, "GET", "/api/orders/"+late, "alice", "")
	if err := <-placed; err != nil {
		t.Fatal(err)
	}
	if status != 200 || body["status"] != "Placed" || body["orderId"] != late {
		t.Fatalf("customer's read while PlaceOrder is on its way: %d %s", status, raw)
	}

	short := newEnvWaiting(t, 50*time.Millisecond)
	if status, _, raw := short.do(t, "GET", "/api/orders/"+late, "alice", ""); status != 404 {
		t.Fatalf("an order that never comes: %d %s, want 404 after the wait", status, raw)
	}
}

// brokenReader is an orders read model that is down.
type brokenReader struct{}

func (brokenReader) Get(context.Context, string) (orders.Order, error) {
	return orders.Order{}, errors.New("postgres: connection refused")
}

func (brokenReader) List(context.Context, orders.Query) (orders.Page, error) {
	return orders.Page{}, errors.New("postgres: connection refused")
}

// TestDetailWithTheReadModelDown: the detail is folded from the stream alone.
func TestDetailWithTheReadModelDown(t *testing.T) {
	t.Parallel()
	e := newEnv(t) // places orderID
	api, err := New(Deps{Reader: brokenReader{}, Commands: e.cmds, Events: e.store, PlacementWait: 10 * time.Millisecond,
		Log: slog.New(slog.DiscardHandler), Verifier: verifier{"alice": {UserID: aliceID, Roles: []authn.Role{authn.RoleCustomer}}}})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(httpx.AppConfig(slog.New(slog.DiscardHandler)))
	api.Mount(app.Group("/api/orders"))
	e.app = app
	status, body, raw := e.do(t, "GET", "/api/orders/"+orderID, "alice", "")
	if status != 200 || body["status"] != "Placed" || body["orderId"] != orderID {
		t.Fatalf("detail with the read model down: %d %s", status, raw)
	}
}

// countingReader counts the read model's Get calls.
type countingReader struct {
	Reader
	gets atomic.Int64
}

func (c *countingReader) Get(ctx context.Context, id string) (orders.Order, error) {
	c.gets.Add(1)
	return c.Reader.Get(ctx, id)
}

// countingEvents counts the stream reads of the store it wraps, and hides
// whether that store tells where streams end.
type countingEvents struct {
	eventstore.Store
	reads atomic.Int64
}

func (c *countingEvents) Read(ctx context.Context, stream string, from eventstore.Revision) iter.Seq2[eventstore.RecordedEvent, error] {
	c.reads.Add(1)
	return c.Store.Read(ctx, stream, from)
}

// TestPolledOrderServedWithoutReads: an order polled is read from the
// order served last, not from the read model again: one read of the events
// after it (the servers' store), or none at all while the store tells that
// nothing came after it (the embedded shop's, eventstore.StreamHeads); and
// every change to its stream shows on the next read.
func TestPolledOrderServedWithoutReads(t *testing.T) {
	t.Parallel()
	type counts struct{ gets, reads int64 }
	tests := []struct {
		name  string
		heads bool
		want  []counts // per step below
	}{
		{"store tells where streams end", true, []counts{{1, 1}, {0, 0}, {0, 0}, {0, 1}, {0, 0}, {0, 0}}},
		{"store does not", false, []counts{{1, 1}, {0, 1}, {0, 1}, {0, 1}, {0, 1}, {0, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			const id = "6b2f4e1a-3c5d-4e7f-8a9b-0c1d2e3f4a51"
			e := newEnv(t)
			reader := &countingReader{Reader: e.api.d.Reader}
			events := &countingEvents{Store: e.api.d.Events}
			e.api.d.Reader, e.api.d.Events = reader, events
			if !tt.heads {
				e.api.heads = nil
			}
			placeOrder(t, e, id)
			steps := []struct {
				name      string
				change    func()
				wantState string
			}{
				{"first read", nil, "Placed"},
				{"polled, unchanged", nil, "Placed"},
				{"polled again", nil, "Placed"},
				{"after a change the stream shows", func() {
					if err := e.cmds.MarkOrderPaid(ctx, &ordercmd.MarkOrderPaid{OrderID: id, PaymentID: "p1", Amount: money.DTO{Amount: 1000, Currency: "EUR"}}); err != nil {
						t.Fatal(err)
					}
				}, "Paid"},
				{"then served again", nil, "Paid"},
				{"projected: the same order", func() { e.sync() }, "Paid"},
			}
			for i, s := range steps {
				if s.change != nil {
					s.change()
				}
				gets, reads := reader.gets.Load(), events.reads.Load()
				status, body, raw := e.do(t, "GET", "/api/orders/"+id, "alice", "")
				if status != 200 || body["status"] != s.wantState {
					t.Fatalf("%s: %d %s, want %s", s.name, status, raw, s.wantState)
				}
				if got := (counts{reader.gets.Load() - gets, events.reads.Load() - reads}); got != tt.want[i] {
					t.Errorf("%s: %d read-model reads and %d stream reads, want %d and %d", s.name, got.gets, got.reads, tt.want[i].gets, tt.want[i].reads)
				}
			}
			if status, _, _ := e.do(t, "GET", "/api/orders/"+id, "bob", ""); status != 404 {
				t.Fatalf("another customer reads the served order: %d, want 404", status)
			}
		})
	}
}
