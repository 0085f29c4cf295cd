package alerts

import (
	"sort"
	"strings"
	"sync"
	"time"
)

// ErrorCounter counts requests and errors per service over a sliding window
// made of ten buckets, so memory stays constant however busy a service is.
// Feed it from an HTTP middleware, a bus pipeline or a metrics scraper.
type ErrorCounter struct {
	mu       sync.Mutex
	window   time.Duration
	bucket   time.Duration
	now      func() time.Time
	services map[string][]bucket
}

type bucket struct {
	start         time.Time
	total, errors int
}

// NewErrorCounter counts over window (default 5m) using now (default time.Now).
func NewErrorCounter(window time.Duration, now func() time.Time) *ErrorCounter {
	if window <= 0 {
		window = 5 * time.Minute
	}
	if now == nil {
		now = time.Now
	}
	return &ErrorCounter{window: window, bucket: window / 10, now: now, services: map[string][]bucket{}}
}

// Window is the length of the sliding window.
func (c *ErrorCounter) Window() time.Duration { return c.window }

// Observe counts one request of service; failed marks an error (a 5xx, a
// handler failure).
func (c *ErrorCounter) Observe(service string, failed bool) {
	errs := 0
	if failed {
		errs = 1
	}
	c.Add(service, 1, errs)
}

// Add counts total requests of which errors failed.
func (c *ErrorCounter) Add(service string, total, errors int) {
	if total <= 0 || errors < 0 || errors > total {
		return
	}
	now := c.now()
	start := now.Truncate(c.bucket)
	c.mu.Lock()
	defer c.mu.Unlock()
	bs := c.prune(service, now)
	if n := len(bs); n > 0 && bs[n-1].start.Equal(start) {
		bs[n-1].total += total
		bs[n-1].errors += errors
	} else {
		bs = append(bs, bucket{start: start, total: total, errors: errors})
	}
	c.services[service] = bs
}

func (c *ErrorCounter) prune(service string, now time.Time) []bucket {
	bs := c.services[service]
	cutoff := now.Add(-c.window)
	i := 0
	for i < len(bs) && !bs[i].start.After(cutoff) {
		i++
	}
	return bs[i:]
}

// Rate returns the error ratio and the request count over the window.
func (c *ErrorCounter) Rate(service string) (float64, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	bs := c.prune(service, c.now())
	c.services[service] = bs
	total, errs := 0, 0
	for _, b := range bs {
		total += b.total
		errs += b.errors
	}
	if total == 0 {
		return 0, 0
	}
	return float64(errs) / float64(total), total
}

// Services lists the services ever fed, sorted.
func (c *ErrorCounter) Services() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.services))
	for s := range c.services {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func cut(s string, sep byte) (string, string, bool) {
	before, after, ok := strings.Cut(s, string(sep))
	return strings.TrimSpace(before), strings.TrimSpace(after), ok
}
