package shipping_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/api/shipping"
	"github.com/evshop/shop/domain/pricing"
	"github.com/evshop/shop/platform/httpx"
)

func newApp(t *testing.T) *fiber.App {
	t.Helper()
	methods, err := pricing.DefaultShippingMethods("DE")
	if err != nil {
		t.Fatal(err)
	}
	api, err := shipping.New(shipping.Deps{Taxes: pricing.DefaultTaxTable(), Methods: methods, PricesIncludeTax: true})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(httpx.AppConfig(slog.New(slog.DiscardHandler)))
	api.Mount(app.Group("/api/shipping"))
	return app
}

func TestMethods(t *testing.T) {
	t.Parallel()
	app := newApp(t)
	tests := []struct {
		query string
		want  map[string]int64 // id → price; nil for a refusal
	}{
		{"country=DE", map[string]int64{"standard": 495, "express": 1490, "pickup": 0}},
		{"country=DE&weightGrams=5000&subtotal=1000", map[string]int64{"standard": 795, "express": 1490, "pickup": 0}},
		{"country=DE&weightGrams=500&subtotal=5000", map[string]int64{"standard": 0, "express": 1490, "pickup": 0}},
		{"country=IT", map[string]int64{"standard": 495}},
		{"country=US&weightGrams=40000", map[string]int64{}},
		{"country=JP", nil},
		{"country=de", nil},
		{"", nil},
		{"country=DE&weightGrams=-1", nil},
		{"country=DE&weightGrams=abc", nil},
		{"country=DE&subtotal=1000000001", nil},
		{"country=DE&subtotal=+5", nil},
	}
	for _, tt := range tests {
		resp, err := app.Test(httptest.NewRequest("GET", "/api/shipping/methods?"+tt.query, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if tt.want == nil {
			if resp.StatusCode != 422 || resp.Header.Get("Content-Type") != httpx.ContentTypeProblem {
				t.Errorf("%s: %d %s, want 422 problem", tt.query, resp.StatusCode, body)
			}
			continue
		}
		var got shipping.MethodsDTO
		if resp.StatusCode != 200 || json.Unmarshal(body, &got) != nil {
			t.Fatalf("%s: %d %s", tt.query, resp.StatusCode, body)
		}
		if len(got.Methods) != len(tt.want) || got.Currency != "EUR" || !got.PricesIncludeTax {
			t.Errorf("%s: %s", tt.query, body)
		}
		for _, m := range got.Methods {
			if p, ok := tt.want[m.ID]; !ok || p != m.Price.Amount {
				t.Errorf("%s: %s costs %d, want %d (%v)", tt.query, m.ID, m.Price.Amount, p, ok)
			}
			if m.RateBP != 1900 && got.Country == "DE" {
				t.Errorf("%s: %s taxed at %d bp", tt.query, m.ID, m.RateBP)
			}
		}
	}
}
