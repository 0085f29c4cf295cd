package load

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// BusFigures are read from the shop's /metrics before and after the
// measured phase: what the broker delivered to the consumers
// (messaging_delivered_total), what the relay published, and how long the
// order confirmations took after OrderPaid (notifier_email_latency_seconds).
type BusFigures struct {
	Checkouts int `json:"checkouts"`
	// Deliveries per checkout, by consumer kind, counted at the consumers.
	DeliveriesPerCheckout        float64 `json:"deliveriesPerCheckout"`
	EventDeliveriesPerCheckout   float64 `json:"eventDeliveriesPerCheckout"`
	CommandDeliveriesPerCheckout float64 `json:"commandDeliveriesPerCheckout"`
	EventsPerCheckout            float64 `json:"eventsPerCheckout"` // relay_published_total{relay="events"}
	// Deliveries by handler over the whole phase.
	ByHandler map[string]float64 `json:"byHandler"`
	// OrderPaid → confirmation accepted by the mail provider.
	Emails   int           `json:"emails"`
	EmailP50 time.Duration `json:"emailP50"`
	EmailP99 time.Duration `json:"emailP99"`
	// EmailWait is how long after the last Paid the confirmations took to
	// catch up (bounded by Config.EmailWait).
	EmailWait time.Duration `json:"emailWait"`
	// The embedded database's one writer (sqlite_write_*, durable embedded
	// shop only): write calls and the transactions that carried them per
	// checkout, its busy time per checkout, and its busy share of the
	// measured phase (near 1: the writer is the shop's limit).
	WriteCallsPerCheckout        float64       `json:"writeCallsPerCheckout,omitempty"`
	WriteTransactionsPerCheckout float64       `json:"writeTransactionsPerCheckout,omitempty"`
	WriterBusyPerCheckout        time.Duration `json:"writerBusyPerCheckout,omitempty"`
	WriterBusyShare              float64       `json:"writerBusyShare,omitempty"`
	Note                         string        `json:"note,omitempty"`
}

// sample is one Prometheus sample: metric name, labels, value.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

var labelPair = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"`)

// parseMetrics reads the Prometheus text format, keeping the samples whose
// name starts with one of prefixes.
func parseMetrics(r io.Reader, prefixes ...string) ([]sample, error) {
	var out []sample
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(line, p) }) {
			continue
		}
		sp := strings.LastIndexByte(line, ' ')
		if sp < 0 {
			return nil, fmt.Errorf("metrics: malformed line %q", line)
		}
		v, err := strconv.ParseFloat(line[sp+1:], 64)
		if err != nil {
			return nil, fmt.Errorf("metrics: value in %q: %w", line, err)
		}
		head := line[:sp]
		s := sample{name: head, labels: map[string]string{}, value: v}
		if i := strings.IndexByte(head, '{'); i >= 0 {
			s.name = head[:i]
			for _, m := range labelPair.FindAllStringSubmatch(head[i:], -1) {
				s.labels[m[1]] = m[2]
			}
		}
		out = append(out, s)
	}
	return out, sc.Err()
}

// snapshot is the sum of the bus metrics over every scraped process.
type snapshot struct {
	delivered map[[2]string]float64 // handler, kind
	events    float64
	emailLE   map[float64]float64 // cumulative bucket counts of order confirmations
	emails    float64
	// the embedded database's writer
	writeCalls, writeTxns, writerBusy float64
}

// add sums samples of one process into s.
func (s *snapshot) add(samples []sample) {
	for _, m := range samples {
		switch {
		case m.name == "messaging_delivered_total":
			s.delivered[[2]string{m.labels["handler"], m.labels["kind"]}] += m.value
		case m.name == "relay_published_total" && m.labels["relay"] == "events":
			s.events += m.value
		case m.name == "notifier_email_latency_seconds_bucket" && m.labels["kind"] == "order_confirmation":
			if le, err := strconv.ParseFloat(m.labels["le"], 64); err == nil {
				s.emailLE[le] += m.value
			}
		case m.name == "notifier_email_latency_seconds_count" && m.labels["kind"] == "order_confirmation":
			s.emails += m.value
		case m.name == "sqlite_write_calls_total":
			s.writeCalls += m.value
		case m.name == "sqlite_write_transactions_total":
			s.writeTxns += m.value
		case m.name == "sqlite_writer_busy_seconds_total":
			s.writerBusy += m.value
		}
	}
}

// metricPrefixes are the metrics a snapshot reads.
var metricPrefixes = []string{"messaging_delivered_total", "relay_published_total", "notifier_email_latency_seconds", "sqlite_write"}

func (r *runner) scrape(ctx context.Context) (snapshot, error) {
	s := snapshot{delivered: map[[2]string]float64{}, emailLE: map[float64]float64{}}
	for _, u := range r.cfg.Metrics {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return s, err
		}
		resp, err := (&http.Client{Transport: r.tr, Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			return s, fmt.Errorf("metrics %s: %w", u, err)
		}
		samples, err := parseMetrics(resp.Body, metricPrefixes...)
		resp.Body.Close()
		if err != nil {
			return s, fmt.Errorf("metrics %s: %w", u, err)
		}
		if resp.StatusCode != http.StatusOK {
			return s, fmt.Errorf("metrics %s: status %d", u, resp.StatusCode)
		}
		s.add(samples)
	}
	return s, nil
}

// busFigures compares two snapshots over checkouts.
func busFigures(before, after snapshot, checkouts int) BusFigures {
	f := BusFigures{Checkouts: checkouts, ByHandler: map[string]float64{}}
	var total, ev, cmd float64
	for k, v := range after.delivered {
		d := v - before.delivered[k]
		if d == 0 {
			continue
		}
		f.ByHandler[k[0]] += d
		total += d
		switch k[1] {
		case "event":
			ev += d
		case "command":
			cmd += d
		}
	}
	if checkouts > 0 {
		n := float64(checkouts)
		f.DeliveriesPerCheckout, f.EventDeliveriesPerCheckout, f.CommandDeliveriesPerCheckout = total/n, ev/n, cmd/n
		f.EventsPerCheckout = (after.events - before.events) / n
		f.WriteCallsPerCheckout = (after.writeCalls - before.writeCalls) / n
		f.WriteTransactionsPerCheckout = (after.writeTxns - before.writeTxns) / n
		f.WriterBusyPerCheckout = seconds((after.writerBusy - before.writerBusy) / n)
	}
	if total == 0 {
		f.Note = "no messaging_delivered_total in the scraped metrics (a shop without per-handler delivery counts)"
	}
	f.Emails = int(after.emails - before.emails)
	buckets := map[float64]float64{}
	for le, v := range after.emailLE {
		buckets[le] = v - before.emailLE[le]
	}
	f.EmailP50, f.EmailP99 = histogramQuantile(buckets, 0.5), histogramQuantile(buckets, 0.99)
	return f
}

// histogramQuantile interpolates quantile q within cumulative buckets (le →
// count), as Prometheus's histogram_quantile does; a quantile in the +Inf
// bucket is reported as the highest finite bound. Zero without samples.
func histogramQuantile(buckets map[float64]float64, q float64) time.Duration {
	les := make([]float64, 0, len(buckets))
	for le := range buckets {
		les = append(les, le)
	}
	slices.Sort(les)
	if len(les) == 0 || buckets[les[len(les)-1]] == 0 {
		return 0
	}
	rank := q * buckets[les[len(les)-1]]
	lower, below := 0.0, 0.0
	for _, le := range les {
		c := buckets[le]
		if c >= rank {
			if math.IsInf(le, 1) {
				return seconds(lower)
			}
			if c == below {
				return seconds(le)
			}
			return seconds(lower + (le-lower)*(rank-below)/(c-below))
		}
		lower, below = le, c
	}
	return seconds(lower)
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// measureBus scrapes around run: the figures of what run caused, after
// waiting (up to EmailWait) for the confirmations of paid orders.
func (r *runner) measureBus(ctx context.Context, rep *Report, run func()) error {
	before, err := r.scrape(ctx)
	if err != nil {
		run()
		return err
	}
	start := time.Now()
	run()
	paid := int(r.paid.Load())
	end := time.Now()
	var after, atEnd snapshot
	for first := true; ; first = false {
		if after, err = r.scrape(ctx); err != nil {
			return err
		}
		if first {
			atEnd = after // the writer's busy share is of the run alone
		}
		if int(after.emails-before.emails) >= paid || time.Since(end) >= r.cfg.EmailWait || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(250 * time.Millisecond):
		}
	}
	f := busFigures(before, after, paid)
	f.EmailWait = time.Since(end)
	if d := end.Sub(start); d > 0 {
		f.WriterBusyShare = (atEnd.writerBusy - before.writerBusy) / d.Seconds()
	}
	rep.Bus = &f
	return nil
}
