package alerts

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Scraper feeds an ErrorCounter in server mode by reading each service's
// http_requests_total counter (platform/service) from its /metrics page and
// adding the increase since the previous scrape. 5xx responses count as
// errors.
type Scraper struct {
	Counter *ErrorCounter
	HTTP    *http.Client
	mu      sync.Mutex
	last    map[string][2]float64 // target -> total, errors
}

// Scrape reads every target's metrics once; targets is name -> metrics URL.
func (s *Scraper) Scrape(ctx context.Context, targets []Target) error {
	var errs []string
	for _, t := range targets {
		total, fails, err := s.read(ctx, t.URL)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", t.Name, err))
			continue
		}
		s.mu.Lock()
		if s.last == nil {
			s.last = map[string][2]float64{}
		}
		prev, seen := s.last[t.Name]
		s.last[t.Name] = [2]float64{total, fails}
		s.mu.Unlock()
		if !seen {
			continue // the first scrape only sets the baseline
		}
		dTotal, dFails := total-prev[0], fails-prev[1]
		if dTotal < 0 || dFails < 0 { // the service restarted: counters began again
			dTotal, dFails = total, fails
		}
		s.Counter.Add(t.Name, int(dTotal), int(dFails))
	}
	if len(errs) > 0 {
		return fmt.Errorf("alerts: scrape: %s", strings.Join(errs, "; "))
	}
	return nil
}

func (s *Scraper) read(ctx context.Context, url string) (total, fails float64, err error) {
	client := s.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	return parseRequests(io.LimitReader(resp.Body, 8<<20))
}

// parseRequests sums http_requests_total samples of the Prometheus text
// format, and those whose status label is 5xx.
func parseRequests(r io.Reader) (total, fails float64, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, "http_requests_total{")
		if !ok {
			continue
		}
		end := strings.LastIndex(rest, "}")
		if end < 0 {
			continue
		}
		labels, value := rest[:end], strings.Fields(rest[end+1:])
		if len(value) == 0 {
			continue
		}
		v, perr := strconv.ParseFloat(value[0], 64)
		if perr != nil || v < 0 {
			continue
		}
		total += v
		if i := strings.Index(labels, `status="`); i >= 0 && strings.HasPrefix(labels[i+len(`status="`):], "5") {
			fails += v
		}
	}
	return total, fails, sc.Err()
}
