package load

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseMetricsAndBusFigures(t *testing.T) {
	t.Parallel()
	before := `# HELP messaging_delivered_total x
# TYPE messaging_delivered_total counter
messaging_delivered_total{handler="checkout.saga",kind="event"} 100
messaging_delivered_total{handler="ordering.place-order",kind="command"} 10
relay_published_total{relay="events"} 230
relay_published_total{relay="auth-outbox"} 5
notifier_email_latency_seconds_bucket{kind="order_confirmation",le="0.5"} 1
notifier_email_latency_seconds_bucket{kind="order_confirmation",le="1"} 2
notifier_email_latency_seconds_bucket{kind="order_confirmation",le="+Inf"} 2
notifier_email_latency_seconds_count{kind="order_confirmation"} 2
notifier_email_latency_seconds_count{kind="verify_email"} 64
sqlite_write_calls_total 1000
sqlite_write_transactions_total 400
sqlite_writer_busy_seconds_total 2.5
`
	after := `messaging_delivered_total{handler="checkout.saga",kind="event"} 150
messaging_delivered_total{handler="ordering.place-order",kind="command"} 20
messaging_delivered_total{handler="deadletters",kind="deadletter"} 0
relay_published_total{relay="events"} 460
notifier_email_latency_seconds_bucket{kind="order_confirmation",le="0.5"} 6
notifier_email_latency_seconds_bucket{kind="order_confirmation",le="1"} 11
notifier_email_latency_seconds_bucket{kind="order_confirmation",le="+Inf"} 12
notifier_email_latency_seconds_count{kind="order_confirmation"} 12
sqlite_write_calls_total 1290
sqlite_write_transactions_total 450
sqlite_writer_busy_seconds_total 2.55
`
	snap := func(text string) snapshot {
		s := snapshot{delivered: map[[2]string]float64{}, emailLE: map[float64]float64{}}
		samples, err := parseMetrics(strings.NewReader(text), metricPrefixes...)
		if err != nil {
			t.Fatal(err)
		}
		s.add(samples)
		return s
	}
	f := busFigures(snap(before), snap(after), 10)
	cases := []struct {
		name      string
		got, want float64
	}{
		{"deliveries", f.DeliveriesPerCheckout, 6},
		{"event deliveries", f.EventDeliveriesPerCheckout, 5},
		{"command deliveries", f.CommandDeliveriesPerCheckout, 1},
		{"events", f.EventsPerCheckout, 23},
		{"emails", float64(f.Emails), 10},
		{"saga", f.ByHandler["checkout.saga"], 50},
		// 10 new samples: 5 ≤ 0.5 s, 4 in (0.5, 1], 1 above 1 s.
		{"p50 (ms)", float64(f.EmailP50.Milliseconds()), 500},
		{"p99 (ms)", float64(f.EmailP99.Milliseconds()), 1000},
		{"write calls", f.WriteCallsPerCheckout, 29},
		{"write transactions", f.WriteTransactionsPerCheckout, 5},
		{"writer busy (µs)", float64(f.WriterBusyPerCheckout.Round(time.Microsecond).Microseconds()), 5000},
	}
	for _, c := range cases {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestParseMetricsRejectsMalformedLines(t *testing.T) {
	t.Parallel()
	for _, text := range []string{"messaging_delivered_total", "messaging_delivered_total{handler=\"a\"} x"} {
		if _, err := parseMetrics(strings.NewReader(text), "messaging_"); err == nil {
			t.Errorf("%q: no error", text)
		}
	}
}

func TestHistogramQuantile(t *testing.T) {
	t.Parallel()
	inf := math.Inf(1)
	cases := []struct {
		name    string
		buckets map[float64]float64
		q       float64
		want    time.Duration
	}{
		{"empty", map[float64]float64{}, 0.5, 0},
		{"no samples", map[float64]float64{1: 0, inf: 0}, 0.5, 0},
		{"interpolated in the first bucket", map[float64]float64{1: 4, 2: 4, inf: 4}, 0.5, 500 * time.Millisecond},
		{"interpolated in a later bucket", map[float64]float64{1: 2, 3: 4, inf: 4}, 0.75, 2 * time.Second},
		{"beyond the last bound", map[float64]float64{1: 1, 2: 1, inf: 4}, 0.99, 2 * time.Second},
	}
	for _, c := range cases {
		if got := histogramQuantile(c.buckets, c.q); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}
