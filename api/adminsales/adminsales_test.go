package adminsales_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/api/adminsales"
	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/domain/ordering"
	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/authn/authntest"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/projections/sales"
)

var paidAt = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func newApp(t *testing.T) *fiber.App {
	t.Helper()
	store := sales.NewMemory(time.UTC)
	p, _ := sales.NewProjector(store)
	id := "00000000-0000-4000-8000-000000000001"
	placed, _ := json.Marshal(ordering.OrderPlaced{OrderID: id, Lines: []ordering.LineDTO{
		{SKU: "MUG-01", Name: "=cmd|' /C calc'!A0", Category: "kitchen", Quantity: 2, UnitPrice: money.DTO{Amount: 1250, Currency: "EUR"}}}})
	paid, _ := json.Marshal(ordering.OrderPaid{OrderID: id, Amount: money.DTO{Amount: 2500, Currency: "EUR"}})
	if err := p.ApplyBatch(context.Background(), []eventstore.RecordedEvent{
		{Stream: ordering.Stream(id), Revision: 0, Position: 1, Type: ordering.EventOrderPlaced, Time: paidAt, Data: placed},
		{Stream: ordering.Stream(id), Revision: 1, Position: 2, Type: ordering.EventOrderPaid, Time: paidAt, Data: paid},
	}); err != nil {
		t.Fatal(err)
	}
	api, err := adminsales.New(adminsales.Deps{Store: store, Now: func() time.Time { return paidAt.Add(48 * time.Hour) },
		Verifier: authntest.Verifier{
			"admin":    {UserID: "u1", Roles: []authn.Role{authn.RoleAdmin}},
			"support":  {UserID: "u2", Roles: []authn.Role{authn.RoleSupport}},
			"customer": {UserID: "u3", Roles: []authn.Role{authn.RoleCustomer}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(httpx.AppConfig(slog.New(slog.DiscardHandler)))
	api.Mount(app.Group("/api/admin/sales"))
	return app
}

func do(t *testing.T, app *fiber.App, path, token, accept string) (int, string, string) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

func TestAdminsOnly(t *testing.T) {
	t.Parallel()
	app := newApp(t)
	for _, tc := range []struct {
		token string
		want  int
	}{{"", 401}, {"bogus", 401}, {"customer", 403}, {"support", 403}, {"admin", 200}} {
		if code, _, _ := do(t, app, "/api/admin/sales", tc.token, ""); code != tc.want {
			t.Errorf("as %q: %d, want %d", tc.token, code, tc.want)
		}
	}
}

func TestBadInputIsProblemJSON(t *testing.T) {
	t.Parallel()
	app := newApp(t)
	for _, tc := range []struct{ query, field string }{
		{"?from=yesterday", "from"},
		{"?to=2026-02-30", "to"},
		{"?from=2026-03-02&to=2026-03-01", "to"},
		{"?from=2025-01-01&to=2026-03-01", "to"},
		{"?by=week", "by"},
		{"?format=xml", "format"},
		{"?from=%00", "from"},
	} {
		code, ct, body := do(t, app, "/api/admin/sales"+tc.query, "admin", "")
		var p httpx.Problem
		if err := json.Unmarshal([]byte(body), &p); err != nil || code != 422 || !strings.HasPrefix(ct, httpx.ContentTypeProblem) ||
			len(p.Errors) == 0 || p.Errors[0].Field != tc.field {
			t.Errorf("%s: %d %s %s, want 422 naming %s", tc.query, code, ct, body, tc.field)
		}
	}
}

func TestReportAsJSONAndCSV(t *testing.T) {
	t.Parallel()
	app := newApp(t)
	code, ct, body := do(t, app, "/api/admin/sales?by=product", "admin", "")
	var r sales.Report
	if err := json.Unmarshal([]byte(body), &r); err != nil || code != 200 || !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("JSON: %d %s %s", code, ct, body)
	}
	if r.From != "2026-02-03" || r.To != "2026-03-04" {
		t.Errorf("default period %s..%s, want the 30 days to today 2026-03-04", r.From, r.To)
	}
	if len(r.Products) != 1 || r.Products[0].Gross != 2500 || len(r.Totals) != 1 || r.Totals[0].Orders != 1 {
		t.Errorf("report %+v", r)
	}
	for _, tc := range []struct{ name, query, accept string }{
		{"format parameter", "?by=product&format=csv", ""},
		{"Accept header", "?by=product", "text/csv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, ct, body := do(t, app, "/api/admin/sales"+tc.query, "admin", tc.accept)
			recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
			if err != nil || code != 200 || !strings.HasPrefix(ct, "text/csv") || len(recs) != 2 {
				t.Fatalf("CSV: %d %s %q %v", code, ct, body, err)
			}
			if strings.Join(recs[0], ",") != "sku,name,category,currency,quantity,orders,gross,net" ||
				recs[1][0] != "MUG-01" || recs[1][1] != "'=cmd|' /C calc'!A0" || recs[1][6] != "2500" {
				t.Errorf("CSV records %q (a formula-like name must be defused)", recs)
			}
		})
	}
}
