package wiring

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/evshop/shop/projections/rebuild"
)

// projectionLag exports each rebuildable projection's lag at scrape time, so
// the dashboard and alerts see a read model falling behind the event store.
type projectionLag struct {
	runner  *rebuild.Runner
	events  *prometheus.Desc
	seconds *prometheus.Desc
}

func newProjectionLag(r *rebuild.Runner) *projectionLag {
	return &projectionLag{
		runner:  r,
		events:  prometheus.NewDesc("projection_lag_events", "Events after the projection's checkpoint.", []string{"projector"}, nil),
		seconds: prometheus.NewDesc("projection_lag_seconds", "Age of the oldest event the projection has not applied.", []string{"projector"}, nil),
	}
}

func (p *projectionLag) Describe(ch chan<- *prometheus.Desc) {
	ch <- p.events
	ch <- p.seconds
}

func (p *projectionLag) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	list, err := p.runner.List(ctx)
	if err != nil {
		return // a failed scrape shows as missing series, not as zero lag
	}
	for _, s := range list {
		ch <- prometheus.MustNewConstMetric(p.events, prometheus.GaugeValue, float64(s.LagEvents), s.Name)
		ch <- prometheus.MustNewConstMetric(p.seconds, prometheus.GaugeValue, s.LagSeconds, s.Name)
	}
}
