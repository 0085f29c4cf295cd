package service

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/platform/panics"
)

func TestAppShell(t *testing.T) {
	t.Parallel()
	ready := true
	reg := NewRegistry()
	app := NewApp(AppConfig{Name: "t", Registry: reg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Ready: []Check{
		{Name: "db", Fn: func(context.Context) error {
			if ready {
				return nil
			}
			return errors.New("down")
		}},
	}})
	app.Get("/boom", func(*fiber.Ctx) error { panic("boom") })
	app.Get("/secret", func(*fiber.Ctx) error { return errors.New("password=hunter2") })
	app.Get("/bad", func(*fiber.Ctx) error { return httpx.BadRequest("nope") })

	tests := []struct {
		name       string
		path       string
		reqID      string
		notReady   bool
		status     int
		problem    bool
		bodyLacks  string
		wantReqID  string
		freshReqID bool
	}{
		{name: "healthz", path: "/healthz", status: 200},
		{name: "ready", path: "/readyz", status: 200},
		{name: "not ready", path: "/readyz", notReady: true, status: 503, problem: true},
		{name: "no metrics on the app's port", path: "/metrics", status: 404, problem: true},
		{name: "unknown route", path: "/nope", status: 404, problem: true},
		{name: "panic is a 500 problem", path: "/boom", status: 500, problem: true},
		{name: "internal error hides detail", path: "/secret", status: 500, problem: true, bodyLacks: "hunter2"},
		{name: "problem passes through", path: "/bad", status: 400, problem: true},
		{name: "request id kept", path: "/healthz", reqID: "abc-123", status: 200, wantReqID: "abc-123"},
		{name: "hostile request id replaced", path: "/healthz", reqID: "a\"b<script>", status: 200, freshReqID: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ready = !tt.notReady
			req := httptest.NewRequest("GET", tt.path, nil)
			if tt.reqID != "" {
				req.Header.Set(HeaderRequestID, tt.reqID)
			}
			resp, err := app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if tt.problem {
				if ct := resp.Header.Get("Content-Type"); ct != httpx.ContentTypeProblem {
					t.Fatalf("content type %q", ct)
				}
				var p httpx.Problem
				if err := json.Unmarshal(body, &p); err != nil || p.Status != tt.status {
					t.Fatalf("problem body %s (%v)", body, err)
				}
			}
			if tt.bodyLacks != "" && strings.Contains(string(body), tt.bodyLacks) {
				t.Fatalf("body leaks %q: %s", tt.bodyLacks, body)
			}
			got := resp.Header.Get(HeaderRequestID)
			if tt.wantReqID != "" && got != tt.wantReqID {
				t.Fatalf("request id %q, want %q", got, tt.wantReqID)
			}
			if tt.freshReqID && (got == tt.reqID || !requestIDPattern.MatchString(got)) {
				t.Fatalf("request id %q not replaced", got)
			}
			if got == "" {
				t.Fatal("no request id on the response")
			}
		})
	}
	// The one panic above is counted where the ops alerts read it.
	if got := panicsRecovered(t, reg, panics.WhereHTTP); got != 1 {
		t.Fatalf("panics_recovered_total{where=http} = %v, want 1", got)
	}
}

func panicsRecovered(t *testing.T, reg *prometheus.Registry, where string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if mf.GetName() == panics.MetricName && len(m.GetLabel()) == 1 && m.GetLabel()[0].GetValue() == where {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}
