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
// errors. It keeps every sample of the last scrape for the probes that read
// metrics (Samples).
type Scraper struct {
	Counter *ErrorCounter
	HTTP    *http.Client
	mu      sync.Mutex
	last    map[string][2]float64 // target -> total, errors
	samples map[string][]Sample   // target -> its last page
}

// Scrape reads every target's metrics once; targets is name -> metrics URL.
// A target that cannot be read keeps no samples until it can.
func (s *Scraper) Scrape(ctx context.Context, targets []Target) error {
	var errs []string
	for _, t := range targets {
		samples, err := s.read(ctx, t)
		s.mu.Lock()
		if s.samples == nil {
			s.samples, s.last = map[string][]Sample{}, map[string][2]float64{}
		}
		s.samples[t.Name] = samples
		s.mu.Unlock()
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", t.Name, err))
			continue
		}
		if s.Counter != nil {
			s.feed(t.Name, samples)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("alerts: scrape: %s", strings.Join(errs, "; "))
	}
	return nil
}

// feed adds the requests and 5xx responses since the previous scrape.
func (s *Scraper) feed(target string, samples []Sample) {
	total, fails := requestTotals(samples)
	s.mu.Lock()
	prev, seen := s.last[target]
	s.last[target] = [2]float64{total, fails}
	s.mu.Unlock()
	if !seen {
		return // the first scrape only sets the baseline
	}
	dTotal, dFails := total-prev[0], fails-prev[1]
	if dTotal < 0 || dFails < 0 { // the service restarted: counters began again
		dTotal, dFails = total, fails
	}
	s.Counter.Add(target, int(dTotal), int(dFails))
}

// Samples returns the samples of the last scrape of every target.
func (s *Scraper) Samples(context.Context) ([]Sample, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Sample
	for _, ss := range s.samples {
		out = append(out, ss...)
	}
	return out, nil
}

func (s *Scraper) read(ctx context.Context, t Target) ([]Sample, error) {
	client := s.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.URL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d", t.URL, resp.StatusCode)
	}
	return parseSamples(t.Name, io.LimitReader(resp.Body, 8<<20))
}

// requestTotals sums the http_requests_total samples, and those whose
// status label is 5xx.
func requestTotals(samples []Sample) (total, fails float64) {
	for _, s := range samples {
		if s.Name != "http_requests_total" {
			continue
		}
		total += s.Value
		if strings.HasPrefix(s.Labels["status"], "5") {
			fails += s.Value
		}
	}
	return total, fails
}

// parseSamples reads the samples of the Prometheus text format, skipping
// comments and lines it cannot read (a page is never trusted to be clean).
// Label values with escaped quotes or commas are not needed here and are
// read approximately.
func parseSamples(target string, r io.Reader) ([]Sample, error) {
	var out []Sample
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		name, labels, rest := line, "", ""
		if i := strings.IndexByte(line, '{'); i >= 0 {
			end := strings.LastIndexByte(line, '}')
			if end < i {
				continue
			}
			name, labels, rest = line[:i], line[i+1:end], line[end+1:]
		} else if f := strings.Fields(line); len(f) >= 2 {
			name, rest = f[0], strings.Join(f[1:], " ")
		} else {
			continue
		}
		value := strings.Fields(rest)
		if name == "" || len(value) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(value[0], 64)
		if err != nil {
			continue
		}
		out = append(out, Sample{Target: target, Name: name, Labels: parseLabels(labels), Value: v})
	}
	return out, sc.Err()
}

func parseLabels(s string) map[string]string {
	out := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(pair, "=")
		if !ok {
			continue
		}
		out[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	return out
}
