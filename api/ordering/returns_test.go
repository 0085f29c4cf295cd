package ordering

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/api/apitest"
	ordercmd "github.com/evshop/shop/commands/ordering"
	returnscmd "github.com/evshop/shop/commands/returns"
	"github.com/evshop/shop/domain/money"
	domain "github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/projections/orders"
)

const (
	deliveredID = "d0000000-0000-4000-8000-00000000000d"
	paidID      = "d0000000-0000-4000-8000-00000000000e"
)

// returnsEnv is the order API with returns, over one delivered order of
// Alice's (2 mugs at 10.00 to France, no shipping method) and
// one that is only paid. Every answer is checked against openapi.json.
func returnsEnv(t *testing.T) *fiber.App {
	t.Helper()
	ctx := context.Background()
	store := memory.New()
	cmds, err := ordercmd.NewHandlers(ordercmd.Config{Store: store, PaymentMethods: []string{"sandbox"}})
	if err != nil {
		t.Fatal(err)
	}
	rets, err := returnscmd.NewHandlers(returnscmd.Config{Store: store, Sender: &sentCommands{}, RefundShippingOnFullReturn: true})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	api, err := New(Deps{Reader: orders.NewMemory(), Commands: cmds, Events: store, Log: log, Returns: rets, Verifier: verifier{
		"alice":   {UserID: aliceID, Email: "alice@example.com", Roles: []authn.Role{authn.RoleCustomer}},
		"bob":     {UserID: bobID, Email: "bob@example.com", Roles: []authn.Role{authn.RoleCustomer}},
		"support": {UserID: "5a000000-0000-4000-8000-000000000003", Roles: []authn.Role{authn.RoleSupport}},
		"admin":   {UserID: "5a000000-0000-4000-8000-000000000004", Roles: []authn.Role{authn.RoleAdmin}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(httpx.AppConfig(log))
	api.Mount(app.Group("/api/orders"))
	api.MountAdmin(app.Group("/api/admin/orders"))
	api.MountAdminReturns(app.Group("/api/admin/returns"))
	for _, id := range []string{deliveredID, paidID} {
		err := cmds.PlaceOrder(ctx, &ordercmd.PlaceOrder{OrderID: id, CustomerID: aliceID, Email: "alice@example.com",
			Lines:           []domain.LineDTO{{SKU: "MUG", Name: "Mug", Quantity: 2, UnitPrice: money.DTO{Amount: 1000, Currency: "EUR"}}},
			ShippingAddress: domain.AddressDTO{Name: "Alice", Line1: "1 Main", City: "Paris", PostalCode: "75001", Country: "FR"},
			Payment:         domain.PaymentDTO{Method: "sandbox", Token: "tok_sandbox_success", Last4: "4242"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := cmds.MarkOrderPaid(ctx, &ordercmd.MarkOrderPaid{OrderID: id, PaymentID: "pay-" + id[:8], Amount: money.DTO{Amount: 2000, Currency: "EUR"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := cmds.ShipOrder(ctx, &ordercmd.ShipOrder{OrderID: deliveredID, Carrier: "DHL", TrackingNumber: "1"}); err != nil {
		t.Fatal(err)
	}
	if err := cmds.DeliverOrder(ctx, &ordercmd.DeliverOrder{OrderID: deliveredID}); err != nil {
		t.Fatal(err)
	}
	return app
}

type call struct {
	name, method, path, token, body, key string
	status                               int
	contains                             string
}

func (c call) run(t *testing.T, app *fiber.App) string {
	t.Helper()
	r := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
	if c.body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		r.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.key != "" {
		r.Header.Set("Idempotency-Key", c.key)
	}
	res, err := app.Test(r, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != c.status || !strings.Contains(string(raw), c.contains) {
		t.Fatalf("%s: %s %s: %d (want %d, containing %q): %s", c.name, c.method, c.path, res.StatusCode, c.status, c.contains, raw)
	}
	if res.StatusCode >= 400 && res.Header.Get("Content-Type") != httpx.ContentTypeProblem {
		t.Fatalf("%s: error without problem+json", c.name)
	}
	check := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
	check.Header = r.Header.Clone()
	check.Header.Set("X-CSRF-Token", "checked-by-the-gateway")
	apitest.Check(t, check, []byte(c.body), res.StatusCode, res.Header, raw)
	return string(raw)
}

// TestReturnRoutes runs each rule and refusal in order on one shop: the
// refusals first, then a return from request to receipt.
func TestReturnRoutes(t *testing.T) {
	t.Parallel()
	app := returnsEnv(t)
	mine := "/api/orders/" + deliveredID + "/returns"
	r1 := deliveredID + "-r1"
	r2 := deliveredID + "-r2"
	one := `{"lines":[{"sku":"MUG","quantity":1}],"reason":"damaged","note":"chipped"}`
	steps := []call{
		{"anonymous", "GET", mine, "", "", "", 401, ""},
		{"another customer's order", "GET", mine, "bob", "", "", 404, ""},
		{"another customer may not ask", "POST", mine, "bob", one, "k0", 404, ""},
		{"staff read an order's returns", "GET", mine, "support", "", "", 200, `"returnable":2`},
		{"staff may not ask in the customer's name", "POST", mine, "support", one, "k0", 404, ""},
		{"the owner sees what is returnable", "GET", mine, "alice", "", "", 200, `"returnable":2`},
		{"no Idempotency-Key", "POST", mine, "alice", one, "", 400, ""},
		{"not delivered", "POST", "/api/orders/" + paidID + "/returns", "alice", one, "k1", 409, "not been delivered"},
		{"unknown sku", "POST", mine, "alice", `{"lines":[{"sku":"HAT","quantity":1}],"reason":"damaged"}`, "k2", 422, `"field":"lines[0].sku"`},
		{"too many units", "POST", mine, "alice", `{"lines":[{"sku":"MUG","quantity":3}],"reason":"damaged"}`, "k3", 422, `"field":"lines[0].quantity"`},
		{"unknown reason", "POST", mine, "alice", `{"lines":[{"sku":"MUG","quantity":1}],"reason":"bored"}`, "k4", 422, ""},
		{"other without a note", "POST", mine, "alice", `{"lines":[{"sku":"MUG","quantity":1}],"reason":"other"}`, "k5", 422, `"field":"note"`},
		{"malformed body", "POST", mine, "alice", `{"lines":`, "k6", 400, ""},
		{"a request", "POST", mine, "alice", one, "k7", 201, `"status":"Requested"`},
		{"the same key answers the same return", "POST", mine, "alice", one, "k7", 200, `"id":"` + r1 + `"`},
		{"one unit is left", "POST", mine, "alice", `{"lines":[{"sku":"MUG","quantity":2}],"reason":"damaged"}`, "k8", 422, "1 of MUG left"},
		{"customers may not approve", "POST", "/api/admin/returns/" + r1 + "/approve", "alice", "", "", 403, ""},
		{"staff list requested returns", "GET", "/api/admin/returns?status=Requested", "support", "", "", 200, r1},
		{"bad status filter", "GET", "/api/admin/returns?status=Lost", "support", "", "", 422, ""},
		{"no such return", "GET", "/api/admin/returns/" + deliveredID + "-r9", "support", "", "", 404, ""},
		{"malformed return id", "GET", "/api/admin/returns/nope", "support", "", "", 404, ""},
		{"receive before approval", "POST", "/api/admin/returns/" + r1 + "/receive", "admin", `{"lines":[{"sku":"MUG","restock":1,"damaged":0}]}`, "", 409, ""},
		{"approve", "POST", "/api/admin/returns/" + r1 + "/approve", "support", "", "", 200, `"status":"Approved"`},
		{"approve again", "POST", "/api/admin/returns/" + r1 + "/approve", "support", "{}", "", 200, `"status":"Approved"`},
		{"reject an approved return", "POST", "/api/admin/returns/" + r1 + "/reject", "support", `{"reason":"late"}`, "", 409, ""},
		{"support may not receive: it refunds, and refunds are for admins", "POST", "/api/admin/returns/" + r1 + "/receive", "support", `{"lines":[{"sku":"MUG","restock":1,"damaged":0}]}`, "", 403, ""},
		{"units that do not add up", "POST", "/api/admin/returns/" + r1 + "/receive", "admin", `{"lines":[{"sku":"MUG","restock":2,"damaged":0}]}`, "", 422, ""},
		{"receive", "POST", "/api/admin/returns/" + r1 + "/receive", "admin", `{"lines":[{"sku":"MUG","restock":1,"damaged":0}]}`, "", 200, `"refund":{"amount":1000,"currency":"EUR"}`},
		{"a second request", "POST", mine, "alice", `{"lines":[{"sku":"MUG","quantity":1}],"reason":"other","note":"changed my mind"}`, "k9", 201, ""},
		{"reject without a reason", "POST", "/api/admin/returns/" + r2 + "/reject", "support", `{"reason":""}`, "", 422, ""},
		{"reject", "POST", "/api/admin/returns/" + r2 + "/reject", "support", `{"reason":"opened"}`, "", 200, `"rejectReason":"opened"`},
		{"the customer sees both", "GET", mine, "alice", "", "", 200, `"status":"Rejected"`},
		{"the rejected unit is returnable again", "GET", mine, "alice", "", "", 200, `"returnable":1`},
		{"staff read one", "GET", "/api/admin/returns/" + r1, "support", "", "", 200, `"status":"Received"`},
		{"the timeline shows the returns", "GET", "/api/admin/orders/" + deliveredID + "/timeline", "support", "", "", 200, "returns.ReturnReceived.v1"},
	}
	for _, s := range steps {
		s.run(t, app)
	}
}

func TestReturnWindowCloses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memory.New()
	cmds, _ := ordercmd.NewHandlers(ordercmd.Config{Store: store, PaymentMethods: []string{"sandbox"}})
	rets, _ := returnscmd.NewHandlers(returnscmd.Config{Store: store, Now: func() time.Time { return time.Now().Add(31 * 24 * time.Hour) }})
	api, err := New(Deps{Reader: orders.NewMemory(), Commands: cmds, Events: store, Returns: rets,
		Verifier: verifier{"alice": {UserID: aliceID, Roles: []authn.Role{authn.RoleCustomer}}}})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(httpx.AppConfig(slog.New(slog.NewTextHandler(io.Discard, nil))))
	api.Mount(app.Group("/api/orders"))
	_ = cmds.PlaceOrder(ctx, &ordercmd.PlaceOrder{OrderID: deliveredID, CustomerID: aliceID, Email: "alice@example.com",
		Lines:           []domain.LineDTO{{SKU: "MUG", Name: "Mug", Quantity: 1, UnitPrice: money.DTO{Amount: 1000, Currency: "EUR"}}},
		ShippingAddress: domain.AddressDTO{Name: "Alice", Line1: "1 Main", City: "Paris", PostalCode: "75001", Country: "FR"},
		Payment:         domain.PaymentDTO{Method: "sandbox", Token: "tok", Last4: "4242"}})
	_ = cmds.MarkOrderPaid(ctx, &ordercmd.MarkOrderPaid{OrderID: deliveredID, PaymentID: "p", Amount: money.DTO{Amount: 1000, Currency: "EUR"}})
	_ = cmds.ShipOrder(ctx, &ordercmd.ShipOrder{OrderID: deliveredID, Carrier: "DHL", TrackingNumber: "1"})
	_ = cmds.DeliverOrder(ctx, &ordercmd.DeliverOrder{OrderID: deliveredID})
	call{"after the window", "POST", "/api/orders/" + deliveredID + "/returns", "alice", `{"lines":[{"sku":"MUG","quantity":1}],"reason":"damaged"}`, "k", 409, "window has closed"}.run(t, app)
}
