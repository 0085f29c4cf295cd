package service

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestMetricsOnTheirOwnListener: the app's port has no /metrics; the
// internal listener serves the app's request counters and nothing else.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	t.Parallel()
	reg := NewRegistry()
	log := slog.New(slog.DiscardHandler)
	app := NewApp(AppConfig{Name: "metered", Log: log, Registry: reg})
	resp, err := app.Test(httptest.NewRequest(http.MethodGet, "/metrics", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("app /metrics = %d, want 404", resp.StatusCode)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ServeMetrics(ctx, ln, reg, log) }()
	base := "http://" + ln.Addr().String()
	tests := []struct {
		method, path string
		status       int
		contains     string
	}{
		{http.MethodGet, "/metrics", http.StatusOK, `http_requests_total{method="GET",route="unmatched",service="metered",status="404"} 1`},
		{http.MethodGet, "/healthz", http.StatusNotFound, ""},
		{http.MethodGet, "/", http.StatusNotFound, ""},
		{http.MethodPost, "/metrics", http.StatusMethodNotAllowed, ""},
	}
	for _, tt := range tests {
		req, _ := http.NewRequestWithContext(ctx, tt.method, base+tt.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.contains) {
			t.Errorf("%s %s = %d, want %d with %q; body:\n%.2000s", tt.method, tt.path, resp.StatusCode, tt.status, tt.contains, body)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("ServeMetrics after cancel = %v, want nil", err)
	}
}
