package alerts

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseSamplesAndRequestTotals(t *testing.T) {
	t.Parallel()
	page := `# HELP http_requests_total HTTP requests by route and status.
# TYPE http_requests_total counter
http_requests_total{method="GET",route="/api/x",service="catalog",status="200"} 90
http_requests_total{method="GET",route="/api/x",service="catalog",status="503"} 7
http_requests_total{method="POST",route="/api/y",service="catalog",status="500"} 3
http_requests_total{method="GET",route="/api/y",service="catalog",status="404"} 5
http_request_duration_seconds_count{method="GET",route="/api/x",service="catalog"} 97
garbage line
`
	samples, err := parseSamples("catalog", strings.NewReader(page))
	total, fails := requestTotals(samples)
	if err != nil || total != 105 || fails != 10 {
		t.Fatalf("total=%v fails=%v err=%v, want 105 and 10", total, fails, err)
	}
}

func TestScraperFeedsDeltas(t *testing.T) {
	t.Parallel()
	var ok, bad atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "http_requests_total{status=\"200\"} %d\nhttp_requests_total{status=\"500\"} %d\n", ok.Load(), bad.Load())
	}))
	defer srv.Close()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	c := NewErrorCounter(5*time.Minute, func() time.Time { return now })
	s := &Scraper{Counter: c}
	targets := []Target{{Name: "catalog", URL: srv.URL}}
	ok.Store(1000)
	bad.Store(50)
	steps := []struct {
		ok, bad   int64
		wantTotal int
		wantRate  float64
	}{
		{1000, 50, 0, 0},         // baseline only: history before the notifier started is not counted
		{1090, 60, 100, 0.1},     // +90 ok, +10 errors
		{10, 0, 110, 10.0 / 110}, // restart: counters began again
	}
	for i, st := range steps {
		ok.Store(st.ok)
		bad.Store(st.bad)
		if err := s.Scrape(context.Background(), targets); err != nil {
			t.Fatal(err)
		}
		rate, total := c.Rate("catalog")
		if total != st.wantTotal || rate != st.wantRate {
			t.Fatalf("step %d: rate=%v total=%d, want %v and %d", i, rate, total, st.wantRate, st.wantTotal)
		}
	}
	if err := s.Scrape(context.Background(), []Target{{Name: "down", URL: "http://127.0.0.1:1/metrics"}}); err == nil {
		t.Fatal("unreachable target did not report an error")
	}
}
