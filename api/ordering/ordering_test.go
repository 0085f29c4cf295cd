package ordering

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/evshop/shop/api/apitest"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	ordercmd "github.com/evshop/shop/commands/ordering"
	paycmd "github.com/evshop/shop/commands/payment"
	"github.com/evshop/shop/domain/money"
	domain "github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/domain/payment"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/authn/authntest"
	"github.com/evshop/shop/platform/guestorder"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/projections/orders"
)

const (
	aliceID = "a11ce000-0000-4000-8000-000000000001"
	bobID   = "b0b00000-0000-4000-8000-000000000002"
	orderID = "3b241101-e2bb-4255-8caf-4136c566a962"
)

type verifier = authntest.Verifier

type env struct {
	app   *fiber.App
	cmds  *ordercmd.Handlers
	sent  *sentCommands
	sync  func()
	store *memory.Store
	links *guestorder.Signer
	api   *API
}

// sentCommands records what the API sends to other services.
type sentCommands struct {
	mu   sync.Mutex
	cmds []any
}

func (s *sentCommands) Send(_ context.Context, cmd any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cmds = append(s.cmds, cmd)
	return nil
}

func (s *sentCommands) all() []any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]any(nil), s.cmds...)
}

func newEnv(t *testing.T) *env { return newEnvWaiting(t, 20*time.Millisecond) }

// newEnvWaiting is newEnv with the given PlacementWait (short in newEnv so
// the 404 cases stay quick).
func newEnvWaiting(t *testing.T, wait time.Duration) *env {
	t.Helper()
	ctx := context.Background()
	store := memory.New()
	cmds, err := ordercmd.NewHandlers(ordercmd.Config{Store: store, PaymentMethods: []string{"sandbox"}})
	if err != nil {
		t.Fatal(err)
	}
	view := orders.NewMemory()
	projector, _ := orders.NewProjector(view)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	sent := &sentCommands{}
	links, err := guestorder.NewSigner([]byte("a test key of at least thirty-two bytes"))
	if err != nil {
		t.Fatal(err)
	}
	api, err := New(Deps{Reader: view, Commands: cmds, Payments: sent, Events: store, PlacementWait: wait, Log: log, OrderLinks: links, Seller: testSeller, Verifier: verifier{
		"alice":   {UserID: aliceID, Email: "alice@example.com", Roles: []authn.Role{authn.RoleCustomer}},
		"bob":     {UserID: bobID, Email: "bob@example.com", Roles: []authn.Role{authn.RoleCustomer}},
		"grace":   {UserID: graceID, Email: "Grace@example.com", Roles: []authn.Role{authn.RoleCustomer}},
		"support": {UserID: "5a000000-0000-4000-8000-000000000003", Roles: []authn.Role{authn.RoleSupport}},
		"admin":   {UserID: "5a000000-0000-4000-8000-000000000004", Roles: []authn.Role{authn.RoleAdmin}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(httpx.AppConfig(log))
	api.Mount(app.Group("/api/orders"))
	api.MountAdmin(app.Group("/api/admin/orders"))
	err = cmds.PlaceOrder(ctx, &ordercmd.PlaceOrder{OrderID: orderID, CustomerID: aliceID, Email: "alice@example.com",
		Lines:           []domain.LineDTO{{SKU: "MUG", Name: "Mug", Quantity: 2, UnitPrice: money.DTO{Amount: 1000, Currency: "EUR"}}},
		ShippingAddress: domain.AddressDTO{Name: "Alice", Line1: "1 Main", City: "Paris", PostalCode: "75001", Country: "FR"},
		Payment:         domain.PaymentDTO{Method: "sandbox", Token: "tok_sandbox_success", Last4: "4242"}})
	if err != nil {
		t.Fatal(err)
	}
	sync := func() {
		cp, _ := view.Checkpoint(ctx)
		for ev, err := range store.ReadAll(ctx, cp, projector.Filter()) {
			if err != nil {
				t.Fatal(err)
			}
			if err := projector.Handle(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	sync()
	return &env{api: api, app: app, cmds: cmds, sent: sent, sync: sync, store: store, links: links}
}

func (e *env) do(t *testing.T, method, path, token, body string) (int, map[string]any, string) {
	t.Helper()
	return e.doWith(t, method, path, token, body, nil)
}

func (e *env) doWith(t *testing.T, method, path, token, body string, header map[string]string) (int, map[string]any, string) {
	t.Helper()
	status, m, raw, _ := e.send(t, method, path, token, body, header)
	return status, m, raw
}

// send is doWith answering the response's headers too.
func (e *env) send(t *testing.T, method, path, token, body string, header map[string]string) (int, map[string]any, string, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, path, rd)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	res, err := e.app.Test(r, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	// Every answer is one the API's document gives (and every request it
	// accepted one the document accepts).
	check := httptest.NewRequest(method, strings.TrimSuffix(path, "/"), nil)
	check.Header = r.Header.Clone()
	check.Header.Set("X-CSRF-Token", "t") // the gateway's check, not this API's
	var sent []byte
	if body != "" {
		sent = []byte(body)
	}
	apitest.Check(t, check, sent, res.StatusCode, res.Header, raw)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	if res.StatusCode >= 400 && res.Header.Get("Content-Type") != httpx.ContentTypeProblem {
		t.Fatalf("%s %s: error %d without problem+json", method, path, res.StatusCode)
	}
	return res.StatusCode, m, string(raw), res.Header
}

func TestCustomerRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tests := []struct {
		name, path, token string
		status            int
		check             func(map[string]any) bool
	}{
		{"my orders", "/api/orders", "alice", 200, func(m map[string]any) bool { return m["total"].(float64) == 1 }},
		{"bob sees none", "/api/orders?page=1&pageSize=5", "bob", 200, func(m map[string]any) bool { return m["total"].(float64) == 0 }},
		{"anonymous", "/api/orders", "", 401, nil},
		{"bad page size", "/api/orders?pageSize=1000", "alice", 422, nil},
		{"owner reads detail with history", "/api/orders/" + orderID, "alice", 200, func(m map[string]any) bool {
			h := m["history"].([]any)
			return m["status"] == "Placed" && len(h) == 1 && len(m["lines"].([]any)) == 1
		}},
		{"the detail carries the price breakdown", "/api/orders/" + orderID, "alice", 200, func(m map[string]any) bool {
			// 2 × 10.00 gross to France: 20 % tax = round(2000 × 2000 / 12000) = 333.
			b, ok := m["breakdown"].(map[string]any)
			return ok && b["gross"].(map[string]any)["amount"] == 2000.0 && b["tax"].(map[string]any)["amount"] == 333.0 &&
				b["country"] == "FR" && len(b["taxRates"].([]any)) == 1 && m["lines"].([]any)[0].(map[string]any)["taxClass"] == "standard"
		}},
		{"another customer gets 404", "/api/orders/" + orderID, "bob", 404, nil},
		{"staff read any order", "/api/orders/" + orderID, "support", 200, nil},
		{"malformed id", "/api/orders/not-an-id", "alice", 404, nil},
		{"customer on admin list", "/api/admin/orders", "alice", 403, nil},
		{"staff list by status", "/api/admin/orders?status=Placed", "support", 200, func(m map[string]any) bool { return m["total"].(float64) == 1 }},
		{"staff list by bad status", "/api/admin/orders?status=Lost", "support", 422, nil},
		{"staff search by email", "/api/admin/orders?q=ALICE@example.com", "support", 200, func(m map[string]any) bool { return m["total"].(float64) == 1 }},
		{"staff search by order id", "/api/admin/orders?q=" + orderID, "support", 200, func(m map[string]any) bool { return m["total"].(float64) == 1 }},
		{"staff list a customer's orders", "/api/admin/orders?customerId=" + strings.ToUpper(aliceID), "support", 200, func(m map[string]any) bool {
			items := m["items"].([]any)
			return m["total"].(float64) == 1 && items[0].(map[string]any)["orderId"] == orderID
		}},
		{"a customer's orders by status", "/api/admin/orders?customerId=" + aliceID + "&status=Paid", "support", 200, func(m map[string]any) bool { return m["total"].(float64) == 0 }},
		{"a customer without orders", "/api/admin/orders?customerId=c0ffee00-0000-4000-8000-000000000009", "admin", 200, func(m map[string]any) bool { return m["total"].(float64) == 0 }},
		{"an order id is no customer id", "/api/admin/orders?customerId=" + orderID, "support", 200, func(m map[string]any) bool { return m["total"].(float64) == 0 }},
		{"a customer id that is no UUID", "/api/admin/orders?customerId=alice", "support", 422, nil},
		{"an operator for a customer id", "/api/admin/orders?customerId=%7B%22%24ne%22%3A%22%22%7D", "support", 422, nil},
		{"customerId with q", "/api/admin/orders?customerId=" + aliceID + "&q=alice@example.com", "support", 422, nil},
		{"a customer lists another's orders", "/api/admin/orders?customerId=" + aliceID, "bob", 403, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, raw := e.do(t, "GET", tt.path, tt.token, "")
			if status != tt.status || (tt.check != nil && !tt.check(body)) {
				t.Fatalf("status %d (want %d): %s", status, tt.status, raw)
			}
		})
	}
}

func TestStaffActions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	base := "/api/admin/orders/" + orderID
	if s, _, raw := e.do(t, "POST", base+"/ship", "support", `{"carrier":"DHL","trackingNumber":"T1"}`); s != 409 {
		t.Fatalf("ship a placed order: %d %s", s, raw)
	}
	if s, _, _ := e.do(t, "POST", base+"/ship", "alice", `{"carrier":"DHL","trackingNumber":"T1"}`); s != 403 {
		t.Fatalf("customer ships: %d", s)
	}
	// The saga's part, straight through the handlers.
	for _, err := range []error{
		e.cmds.MarkOrderPaid(ctx, &ordercmd.MarkOrderPaid{OrderID: orderID, PaymentID: "p1", Amount: money.DTO{Amount: 2000, Currency: "EUR"}}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		who, path, body string
		status          int
		want            string
	}{
		{"support", "/ship", `{"carrier":"","trackingNumber":"T1"}`, 422, ""},
		{"support", "/ship", `{"carrier":"DHL","trackingNumber":"T1","extra":1}`, 422, ""},
		{"support", "/ship", `{"carrier":"DHL","trackingNumber":"T1"}`, 200, "Shipped"},
		{"support", "/ship", `{"carrier":"DHL","trackingNumber":"T1"}`, 200, "Shipped"}, // a double click is harmless
		{"support", "/deliver", ``, 200, "Delivered"},
		{"support", "/cancel", `{"reason":"too late"}`, 409, ""},
		{"support", "/refund", `{"amount":{"amount":500,"currency":"EUR"},"reason":"broken"}`, 403, ""}, // refunds are for admins
		{"admin", "/refund", `{"amount":{"amount":999999,"currency":"EUR"},"reason":"broken"}`, 422, ""},
		{"admin", "/refund", `{"amount":{"amount":500,"currency":"USD"},"reason":"broken"}`, 422, ""},
		{"admin", "/refund", `{"amount":{"amount":500,"currency":"EUR"},"reason":""}`, 422, ""},
		{"admin", "/refund", `{"amount":{"amount":500,"currency":"EUR"},"reason":"broken"}`, 202, "requested"},
	}
	for i, s := range steps {
		status, body, raw := e.doWith(t, "POST", base+s.path, s.who, s.body, map[string]string{"Idempotency-Key": fmt.Sprintf("refund-%d", i)})
		if status != s.status || (s.want != "" && body["status"] != s.want) {
			t.Fatalf("%s %s %s: %d %s", s.who, s.path, s.body, status, raw)
		}
	}
	// The refund went to the payment service as a command, and only that.
	sent := e.sent.all()
	if len(sent) != 1 {
		t.Fatalf("sent %d commands, want 1 refund: %+v", len(sent), sent)
	}
	refund, ok := sent[0].(*paycmd.RefundPayment)
	if !ok || refund.PaymentID != "p1" || refund.Amount != (money.DTO{Amount: 500, Currency: "EUR"}) || refund.Reason != "broken" || refund.RefundID == "" {
		t.Fatalf("sent %+v", sent[0])
	}
	if o, err := e.cmds.Load(ctx, orderID); err != nil || o.Status() != domain.StatusDelivered {
		t.Fatalf("before the payment reports the refund the order is %v (%v), want Delivered", o.Status(), err)
	}
	// The payment service reports it (twice: delivery is at least once).
	reported := eventstore.RecordedEvent{ID: "evt-refund-1", Stream: "payment-p1", Type: payment.EventPaymentRefunded,
		Data: json.RawMessage(`{"paymentId":"p1","orderId":"` + orderID + `","amount":{"amount":500,"currency":"EUR"},"reason":"broken","refundId":"` + refund.RefundID + `"}`)}
	for range 2 {
		if err := e.cmds.OnPaymentRefunded(ctx, reported); err != nil {
			t.Fatal(err)
		}
	}
	if s, _, _ := e.do(t, "POST", "/api/admin/orders/"+"00000000-0000-4000-8000-000000000000"+"/deliver", "support", ""); s != 404 {
		t.Fatalf("deliver a missing order: %d", s)
	}
	e.sync()
	_, body, _ := e.do(t, "GET", "/api/orders/"+orderID, "alice", "")
	if body["status"] != "PartiallyRefunded" || body["carrier"] != "DHL" || len(body["history"].([]any)) != 5 {
		t.Fatalf("detail after staff actions: %v", body)
	}
	// What is left is 1500: more is refused before anything is sent.
	if s, _, raw := e.doWith(t, "POST", base+"/refund", "admin", `{"amount":{"amount":1501,"currency":"EUR"},"reason":"broken"}`,
		map[string]string{"Idempotency-Key": "refund-over"}); s != 422 || len(e.sent.all()) != 1 {
		t.Fatalf("over-refund: %d %s, %d sent", s, raw, len(e.sent.all()))
	}
	rest := eventstore.RecordedEvent{ID: "evt-refund-2", Stream: "payment-p1", Type: payment.EventPaymentRefunded,
		Data: json.RawMessage(`{"paymentId":"p1","orderId":"` + orderID + `","amount":{"amount":1500,"currency":"EUR"},"reason":"broken","refundId":"refund-rest"}`)}
	if err := e.cmds.OnPaymentRefunded(ctx, rest); err != nil {
		t.Fatal(err)
	}
	e.sync()
	if _, body, _ := e.do(t, "GET", "/api/orders/"+orderID, "alice", ""); body["status"] != "Refunded" {
		t.Fatalf("after the rest is refunded: %v", body)
	}
	status, _, raw := e.do(t, "GET", base+"/timeline", "support", "")
	if status != 200 || strings.Contains(raw, "tok_sandbox") || !strings.Contains(raw, domain.EventOrderShipped) {
		t.Fatalf("timeline %d %s", status, raw)
	}
}

// TestRefundNamesTheRefundByIdempotencyKey: a retried staff refund carries
// the same refund id, so the payment gives the money back once.
func TestRefundNamesTheRefundByIdempotencyKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	for _, err := range []error{
		e.cmds.MarkOrderPaid(ctx, &ordercmd.MarkOrderPaid{OrderID: orderID, PaymentID: "p1", Amount: money.DTO{Amount: 2000, Currency: "EUR"}}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name, key string
		status    int
	}{
		{"named", "refund-1", 202},
		{"retried", "refund-1", 202},
		{"no key", "", 400},
		{"key too long", strings.Repeat("k", 65), 400},
		{"control character", "a\x00b", 400},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", "/api/admin/orders/"+orderID+"/refund", strings.NewReader(`{"amount":{"amount":500,"currency":"EUR"},"reason":"broken"}`))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer admin")
		r.Header.Set("Idempotency-Key", c.key)
		res, err := e.app.Test(r, -1)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != c.status {
			t.Fatalf("%s: %d, want %d", c.name, res.StatusCode, c.status)
		}
	}
	sent := e.sent.all()
	if len(sent) != 2 {
		t.Fatalf("sent %d commands, want 2", len(sent))
	}
	for _, cmd := range sent {
		if r := cmd.(*paycmd.RefundPayment); r.RefundID != "refund-1" {
			t.Fatalf("refund id %q, want the Idempotency-Key", r.RefundID)
		}
	}
}
