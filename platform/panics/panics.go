// Package panics counts, in one place, the panics a process recovered from:
// the HTTP recover middleware and the bus handlers' recoverer both report
// here, as panics_recovered_total{where}. The ops alert watcher reads that
// counter (from the registry in the one-process shop, from /metrics in the
// separate notifier) and mails when it grows.
package panics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/evshop/shop/platform/promx"
)

// MetricName is the counter's name on /metrics.
const MetricName = "panics_recovered_total"

// Where a panic was recovered.
const (
	WhereHTTP = "http"
	WhereBus  = "bus"
)

// Counter counts recovered panics by where they happened.
type Counter struct {
	vec *prometheus.CounterVec
}

// New returns the process's counter on reg: every caller on the same
// registry shares one series per where. A nil reg counts without exporting.
func New(reg prometheus.Registerer) *Counter {
	vec := prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricName,
		Help: "Panics recovered (the request or message failed instead of the process), by where: http or bus."}, []string{"where"})
	vec = promx.RegisterOrExisting(reg, vec)
	// Both series exist from the start at 0, so a reader's first scrape is
	// a true baseline and the process's first panic shows as an increase.
	vec.WithLabelValues(WhereHTTP)
	vec.WithLabelValues(WhereBus)
	return &Counter{vec: vec}
}

// Recovered counts one panic recovered in where.
func (c *Counter) Recovered(where string) { c.vec.WithLabelValues(where).Inc() }
