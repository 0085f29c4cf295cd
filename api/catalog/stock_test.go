package catalog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/api/apitest"
	apicatalog "github.com/evshop/shop/api/catalog"
	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/images"
	imgmemory "github.com/evshop/shop/catalog/images/memory"
	imgsqlite "github.com/evshop/shop/catalog/images/sqlite"
	"github.com/evshop/shop/catalog/memory"
	"github.com/evshop/shop/catalog/sqlitestore"
	"github.com/evshop/shop/catalog/stockmoves"
	smmemory "github.com/evshop/shop/catalog/stockmoves/memory"
	smsqlite "github.com/evshop/shop/catalog/stockmoves/sqlite"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/platform/testenv"
)

// backOfficeEnvs are the catalog API with the movement log and the image
// store of the in-memory and the durable embedded shop.
var backOfficeEnvs = []struct {
	name string
	mk   func(t *testing.T) (catalog.Store, stockmoves.Log, images.Store)
}{
	{"memory", func(t *testing.T) (catalog.Store, stockmoves.Log, images.Store) {
		return memory.New(), smmemory.New(), imgmemory.New()
	}},
	{"sqlite", func(t *testing.T) (catalog.Store, stockmoves.Log, images.Store) {
		ctx, db := context.Background(), testenv.SQLite(t)
		s, err := sqlitestore.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		l, err := smsqlite.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		i, err := imgsqlite.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		return s, l, i
	}},
}

func backOfficeEnv(t *testing.T, mk func(t *testing.T) (catalog.Store, stockmoves.Log, images.Store), lim images.Limits) env {
	t.Helper()
	store, log, uploads := mk(t)
	svc, err := catalog.New(catalog.Config{Store: store, Moves: log})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SeedDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	api, err := apicatalog.New(apicatalog.Deps{Catalog: svc, Verifier: tokens, Uploads: uploads, ImageLimits: lim})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(httpx.AppConfig(discard()))
	api.Mount(app.Group("/api/catalog"))
	return env{app: app, svc: svc}
}

type problemBody struct {
	Status int                `json:"status"`
	Errors []httpx.FieldError `json:"errors"`
}

func TestStockAdjustments(t *testing.T) {
	t.Parallel()
	for _, be := range backOfficeEnvs {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			e := backOfficeEnv(t, be.mk, images.Limits{})
			const url = "/api/catalog/products/KIT-001/stock"
			start, _ := e.svc.Get(context.Background(), "KIT-001")
			cases := []struct {
				name, token, body string
				status            int
				field             string // of the first field error
				wantOnHand        int    // change from start after the step
			}{
				{"old client without reason", "admin", `{"delta":5}`, 422, "reason", 0},
				{"free-text reason", "admin", `{"delta":5,"reason":"delivery"}`, 422, "reason", 0},
				{"zero delta", "admin", `{"delta":0,"reason":"correction"}`, 422, "delta", 0},
				{"received must add", "admin", `{"delta":-1,"reason":"received"}`, 422, "delta", 0},
				{"damaged must remove", "admin", `{"delta":1,"reason":"damaged"}`, 422, "delta", 0},
				{"other without note", "admin", `{"delta":1,"reason":"other"}`, 422, "note", 0},
				{"note too long", "admin", `{"delta":1,"reason":"received","note":"` + strings.Repeat("x", 501) + `"}`, 422, "note", 0},
				{"unknown field", "admin", `{"delta":1,"reason":"received","by":"me"}`, 422, "by", 0},
				{"support may not adjust", "support", `{"delta":1,"reason":"received"}`, 403, "", 0},
				{"customer may not adjust", "customer", `{"delta":1,"reason":"received"}`, 403, "", 0},
				{"below reserved", "admin", fmt.Sprintf(`{"delta":-%d,"reason":"lost"}`, start.OnHand()+1), 409, "", 0},
				{"received with a note", "admin", `{"delta":6,"reason":"received","note":"PO 4711"}`, 200, "", 6},
				{"damaged", "admin", `{"delta":-2,"reason":"damaged"}`, 200, "", 4},
			}
			for _, c := range cases {
				var pb problemBody
				res := e.checked(t, "POST", url, c.token, c.body, nil)
				if res.StatusCode != c.status {
					t.Fatalf("%s: %d, want %d", c.name, res.StatusCode, c.status)
				}
				if c.field != "" {
					decode(t, res, &pb)
					if len(pb.Errors) == 0 || pb.Errors[0].Field != c.field || res.Header.Get("Content-Type") != "application/problem+json" {
						t.Fatalf("%s: field errors %+v, want %s", c.name, pb.Errors, c.field)
					}
				}
				if p, _ := e.svc.Get(context.Background(), "KIT-001"); p.OnHand() != start.OnHand()+c.wantOnHand {
					t.Fatalf("%s: on hand %d, want %d", c.name, p.OnHand(), start.OnHand()+c.wantOnHand)
				}
			}
			// A retried request with its Idempotency-Key moves stock once.
			for range 3 {
				req := httptest.NewRequest("POST", url, strings.NewReader(`{"delta":10,"reason":"received"}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer admin")
				req.Header.Set("Idempotency-Key", "delivery-77")
				if res := e.send(t, req, []byte(`{"delta":10,"reason":"received"}`)); res.StatusCode != 200 {
					t.Fatalf("keyed adjustment: %d", res.StatusCode)
				}
			}
			if p, _ := e.svc.Get(context.Background(), "KIT-001"); p.OnHand() != start.OnHand()+14 {
				t.Fatalf("keyed retries: on hand %d, want %d", p.OnHand(), start.OnHand()+14)
			}

			var pg apicatalog.MovementPageDTO
			if res := e.checked(t, "GET", url+"/movements?pageSize=2", "support", "", &pg); res.StatusCode != 200 {
				t.Fatalf("movements as support: %d", res.StatusCode)
			}
			if pg.Total != 3 || len(pg.Items) != 2 || pg.Items[0].Delta != 10 || pg.Items[1].Reason != "damaged" ||
				pg.Items[0].Actor != tokens["admin"].UserID || pg.Items[0].OnHandAfter == nil || *pg.Items[0].OnHandAfter != start.OnHand()+14 {
				t.Fatalf("movements page 1: %+v", pg)
			}
			e.checked(t, "GET", url+"/movements?pageSize=2&page=2", "admin", "", &pg)
			if len(pg.Items) != 1 || pg.Items[0].Note != "PO 4711" || pg.Items[0].Reason != "received" {
				t.Fatalf("movements page 2: %+v", pg)
			}
			for _, c := range []struct {
				target, token string
				status        int
			}{
				{url + "/movements", "customer", 403},
				{url + "/movements", "", 401},
				{url + "/movements?pageSize=101", "admin", 422},
				{url + "/movements?page=0", "admin", 422},
				{url + "/movements?sort=asc", "admin", 422},
				{"/api/catalog/products/NOPE-404/stock/movements", "admin", 404},
				{"/api/catalog/products/bad%20sku/stock/movements", "admin", 422},
			} {
				if res := e.checked(t, "GET", c.target, c.token, "", nil); res.StatusCode != c.status {
					t.Fatalf("GET %s as %q: %d, want %d", c.target, c.token, res.StatusCode, c.status)
				}
			}
		})
	}
}

func decode(t *testing.T, res *http.Response, out any) {
	t.Helper()
	b, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%d %s: %v", res.StatusCode, b, err)
	}
}

// send runs req and checks the exchange against openapi.json.
func (e env) send(t *testing.T, req *http.Request, reqBody []byte) *http.Response {
	t.Helper()
	if req.Method != "GET" {
		req.Header.Set("X-CSRF-Token", "checked-by-the-gateway")
	}
	res, err := e.app.Test(req, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	apitest.Check(t, req, reqBody, res.StatusCode, res.Header, b)
	res.Body = io.NopCloser(bytes.NewReader(b))
	return res
}

// checked is env.do with the exchange checked against openapi.json.
func (e env) checked(t *testing.T, method, target, token, body string, out any) *http.Response {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res := e.send(t, req, []byte(body))
	if out != nil {
		decode(t, res, out)
	}
	return res
}
