package relay

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/evshop/shop/platform/promx"
)

type metrics struct {
	published  prometheus.Counter
	failures   prometheus.Counter
	lag        prometheus.Gauge
	checkpoint prometheus.Gauge
	leader     prometheus.Gauge
	// publishWait is the time from the read that found an event to the
	// broker's confirm of it; age, from the event being recorded to that
	// confirm (what the relay adds to every event's way to its handlers).
	publishWait prometheus.Observer
	age         prometheus.Observer
}

func newMetrics(reg prometheus.Registerer, name string) *metrics {
	labels := prometheus.Labels{"relay": name}
	published := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "relay_published_total", Help: "Events published with a broker confirm (checkpointed right after)."}, []string{"relay"})
	buckets := []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	publishWait := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "relay_publish_seconds",
		Help: "Time from the read that found an event to the broker's confirm of its publish.", Buckets: buckets}, []string{"relay"})
	age := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "relay_event_age_seconds",
		Help: "Time from an event being recorded in the source to the broker's confirm of its publish.", Buckets: buckets}, []string{"relay"})
	failures := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "relay_failures_total", Help: "Failed relay batches (retried)."}, []string{"relay"})
	lag := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "relay_lag_events", Help: "Head position of the source minus the relay checkpoint."}, []string{"relay"})
	checkpoint := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "relay_checkpoint_position", Help: "Last checkpointed position."}, []string{"relay"})
	leader := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "relay_leader", Help: "1 while this instance holds the relay lease."}, []string{"relay"})
	if reg != nil {
		published = promx.RegisterOrExisting(reg, published)
		failures = promx.RegisterOrExisting(reg, failures)
		lag = promx.RegisterOrExisting(reg, lag)
		checkpoint = promx.RegisterOrExisting(reg, checkpoint)
		leader = promx.RegisterOrExisting(reg, leader)
		publishWait = promx.RegisterOrExisting(reg, publishWait)
		age = promx.RegisterOrExisting(reg, age)
	}
	return &metrics{
		published: published.With(labels), failures: failures.With(labels), lag: lag.With(labels),
		checkpoint: checkpoint.With(labels), leader: leader.With(labels),
		publishWait: publishWait.With(labels), age: age.With(labels),
	}
}
