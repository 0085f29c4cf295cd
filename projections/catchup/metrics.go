package catchup

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/evshop/shop/platform/promx"
)

type metrics struct {
	applied      prometheus.Counter
	failures     prometheus.Counter
	skipped      prometheus.Counter
	cursor       prometheus.Gauge
	head         prometheus.Gauge
	lagSeconds   prometheus.Gauge
	leader       prometheus.Gauge
	batchSeconds prometheus.Observer
}

func newMetrics(reg prometheus.Registerer, name string) *metrics {
	l := []string{"projection"}
	applied := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "projection_catchup_applied_total",
		Help: "Events a catch-up runner applied to its read model (a re-applied event counts again)."}, l)
	failures := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "projection_catchup_failures_total",
		Help: "Failed catch-up batches (retried with backoff)."}, l)
	skipped := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "projection_catchup_skipped_total",
		Help: "Events a catch-up runner skipped because they kept failing with a poison error (see the log)."}, l)
	cursor := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "projection_catchup_position",
		Help: "Position of $all the catch-up runner has read and applied up to."}, l)
	head := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "projection_catchup_head_position",
		Help: "Head of $all as last seen by the catch-up runner."}, l)
	lag := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "projection_catchup_lag_seconds",
		Help: "Age of the newest event of the last applied batch (0 when caught up)."}, l)
	leader := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "projection_catchup_leader",
		Help: "1 while this process holds the projection's catch-up lease."}, l)
	batch := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "projection_catchup_batch_seconds",
		Help: "Time to apply one batch with its checkpoint.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}, l)
	if reg != nil {
		applied = promx.RegisterOrExisting(reg, applied)
		failures = promx.RegisterOrExisting(reg, failures)
		skipped = promx.RegisterOrExisting(reg, skipped)
		cursor = promx.RegisterOrExisting(reg, cursor)
		head = promx.RegisterOrExisting(reg, head)
		lag = promx.RegisterOrExisting(reg, lag)
		leader = promx.RegisterOrExisting(reg, leader)
		batch = promx.RegisterOrExisting(reg, batch)
	}
	return &metrics{applied: applied.WithLabelValues(name), failures: failures.WithLabelValues(name), skipped: skipped.WithLabelValues(name),
		cursor: cursor.WithLabelValues(name), head: head.WithLabelValues(name), lagSeconds: lag.WithLabelValues(name),
		leader: leader.WithLabelValues(name), batchSeconds: batch.WithLabelValues(name)}
}
