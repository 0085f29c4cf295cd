package messaging

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/evshop/shop/platform/promx"
)

// metrics are per handler; the label is the stable handler name, so their
// number is bounded by the code, never by the traffic.
type metrics struct {
	delivered    *prometheus.CounterVec
	ignored      *prometheus.CounterVec
	handled      *prometheus.CounterVec
	failed       *prometheus.CounterVec
	retried      *prometheus.CounterVec
	deadLettered *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	eventAge     *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		delivered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "messaging_delivered_total",
			Help: "Messages delivered to a consumer (its queue), whether handled, ignored, failed or redelivered, by handler and kind (event, command, deadletter).",
		}, []string{"handler", "kind"}),
		ignored: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "messaging_ignored_total", Help: "Events acked without handling because the handler does not handle their type (a leftover binding), by handler.",
		}, []string{"handler"}),
		handled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "messaging_handled_total", Help: "Messages handled successfully (acked), by handler.",
		}, []string{"handler"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "messaging_failed_total", Help: "Messages whose handling failed after all retries (dead-lettered or returned to the queue), by handler.",
		}, []string{"handler"}),
		retried: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "messaging_retries_total", Help: "Handler attempts that failed and were retried, by handler.",
		}, []string{"handler"}),
		deadLettered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "messaging_dead_lettered_total", Help: "Messages moved to the dead-letter topic, by handler.",
		}, []string{"handler"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "messaging_handle_duration_seconds", Help: "Time to handle a message including retries, by handler.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"handler"}),
		eventAge: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "messaging_event_age_seconds",
			Help:    "Time from an event being recorded in its store to its handler starting on it (relay, broker and queue wait; observed again on each retry), by handler.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2, 5, 10, 30, 60, 300},
		}, []string{"handler"}),
	}
	if reg != nil {
		// The one-process shop runs several buses on one registry.
		m.delivered = promx.RegisterOrExisting(reg, m.delivered)
		m.ignored = promx.RegisterOrExisting(reg, m.ignored)
		m.handled = promx.RegisterOrExisting(reg, m.handled)
		m.failed = promx.RegisterOrExisting(reg, m.failed)
		m.retried = promx.RegisterOrExisting(reg, m.retried)
		m.deadLettered = promx.RegisterOrExisting(reg, m.deadLettered)
		m.duration = promx.RegisterOrExisting(reg, m.duration)
		m.eventAge = promx.RegisterOrExisting(reg, m.eventAge)
	}
	return m
}
