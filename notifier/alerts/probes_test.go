package alerts_test

import (
	"context"
	"testing"
	"time"

	"github.com/evshop/shop/notifier/alerts"
	"github.com/evshop/shop/platform/testenv"
)

func fixed(samples ...alerts.Sample) alerts.Samples {
	return func(context.Context) ([]alerts.Sample, error) { return samples, nil }
}

func sample(target, name string, value float64, labels ...string) alerts.Sample {
	l := map[string]string{}
	for i := 0; i+1 < len(labels); i += 2 {
		l[labels[i]] = labels[i+1]
	}
	return alerts.Sample{Target: target, Name: name, Labels: l, Value: value}
}

// catchup is one catch-up runner's three gauges in process target.
func catchup(target, projection string, head, cursor, leader float64) []alerts.Sample {
	return []alerts.Sample{
		sample(target, "projection_catchup_head_position", head, "projection", projection),
		sample(target, "projection_catchup_position", cursor, "projection", projection),
		sample(target, "projection_catchup_leader", leader, "projection", projection),
	}
}

func TestProjectionLagReadsTheLeaseHolder(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		samples []alerts.Sample
		failing map[string]bool // condition key -> failing
	}{
		{"rebuildable projection over the threshold",
			[]alerts.Sample{sample("admin", "projection_lag_events", 1500, "projector", "orders")},
			map[string]bool{"projection-lag:orders": true}},
		{"under the threshold",
			[]alerts.Sample{sample("admin", "projection_lag_events", 999, "projector", "orders")},
			map[string]bool{"projection-lag:orders": false}},
		{"a stale stand-by is ignored, the leader is caught up",
			append(catchup("payment-1", "payments", 9000, 10, 0), catchup("payment-2", "payments", 9000, 8990, 1)...),
			map[string]bool{"projection-lag:payments": false}},
		{"the leader lags",
			append(catchup("payment-1", "payments", 9000, 8990, 0), catchup("payment-2", "payments", 9000, 10, 1)...),
			map[string]bool{"projection-lag:payments": true}},
		{"nothing exported, nothing observed", nil, map[string]bool{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			obs, err := alerts.ProjectionLag(fixed(c.samples...), 1000).Observe(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(obs) != len(c.failing) {
				t.Fatalf("observations %+v, want %v", obs, c.failing)
			}
			for _, o := range obs {
				want, ok := c.failing[o.Key]
				if !ok || o.Failing != want || o.Immediate {
					t.Fatalf("%s failing=%v immediate=%v, want %v (%s)", o.Key, o.Failing, o.Immediate, want, o.Detail)
				}
			}
		})
	}
}

func TestPanicsCountIncreasesPerProcess(t *testing.T) {
	t.Parallel()
	clk := testenv.NewClock(start)
	var current []alerts.Sample
	probe := alerts.Panics(func(context.Context) ([]alerts.Sample, error) { return current, nil }, 10*time.Minute, clk.Now)
	panics := func(target string, http, bus float64) []alerts.Sample {
		return []alerts.Sample{sample(target, "panics_recovered_total", http, "where", "http"),
			sample(target, "panics_recovered_total", bus, "where", "bus")}
	}
	steps := []struct {
		at      time.Duration
		samples []alerts.Sample
		failing map[string]bool
	}{
		{0, append(panics("a", 5, 0), panics("b", 0, 0)...), map[string]bool{"panics:a": false, "panics:b": false}}, // baseline
		{time.Minute, append(panics("a", 5, 0), panics("b", 0, 2)...), map[string]bool{"panics:a": false, "panics:b": true}},
		{2 * time.Minute, append(panics("a", 1, 0), panics("b", 0, 2)...), map[string]bool{"panics:a": true, "panics:b": true}}, // a restarted and panicked once
		{13 * time.Minute, append(panics("a", 1, 0), panics("b", 0, 2)...), map[string]bool{"panics:a": false, "panics:b": false}},
	}
	for _, st := range steps {
		clk.Set(start.Add(st.at))
		current = st.samples
		obs, err := probe.Observe(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(obs) != len(st.failing) {
			t.Fatalf("at %v: %+v", st.at, obs)
		}
		for _, o := range obs {
			if want := st.failing[o.Key]; o.Failing != want || !o.Immediate {
				t.Fatalf("at %v: %s failing=%v, want %v (%s)", st.at, o.Key, o.Failing, want, o.Detail)
			}
		}
	}
}
