package alerts

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/platform/panics"
)

// Observation is one reading of a condition.
type Observation struct {
	Key     string // names the condition in the mail and the throttle, e.g. "relay-leader:events"
	Target  string
	Failing bool
	Detail  string
	// Immediate skips FailFor: the condition is something that already
	// happened (a dead letter, a panic), not a state that may clear by
	// itself within seconds.
	Immediate bool
}

// Probe observes conditions beyond readiness and error rates; the Watcher
// asks every probe each round. A probe reports every condition it watches,
// failing or not, so the ones that cleared send their recovery.
type Probe interface {
	Observe(ctx context.Context) ([]Observation, error)
}

// ProbeFunc adapts a function to Probe.
type ProbeFunc func(ctx context.Context) ([]Observation, error)

// Observe calls f.
func (f ProbeFunc) Observe(ctx context.Context) ([]Observation, error) { return f(ctx) }

// Sample is one value of a metrics page.
type Sample struct {
	Target string // the process it was read from
	Name   string
	Labels map[string]string
	Value  float64
}

// Samples returns the metric samples the metrics-based probes read: the
// Scraper's last pages of the separate binaries, or the process's own
// registry in the one-process shop (Gathered).
type Samples func(ctx context.Context) ([]Sample, error)

// Gathered reads the samples of a registry of this process (counters and
// gauges; histograms and summaries are not needed by any probe).
func Gathered(target string, g prometheus.Gatherer) Samples {
	return func(context.Context) ([]Sample, error) {
		families, err := g.Gather()
		var out []Sample
		for _, mf := range families {
			for _, m := range mf.GetMetric() {
				labels := map[string]string{}
				for _, l := range m.GetLabel() {
					labels[l.GetName()] = l.GetValue()
				}
				var v float64
				switch {
				case m.GetCounter() != nil:
					v = m.GetCounter().GetValue()
				case m.GetGauge() != nil:
					v = m.GetGauge().GetValue()
				default:
					continue
				}
				out = append(out, Sample{Target: target, Name: mf.GetName(), Labels: labels, Value: v})
			}
		}
		return out, err
	}
}

// DeadLetterLister is what the dead-letter probe needs of the bus's
// dead-letter store (messaging.DeadLetterStore).
type DeadLetterLister interface {
	List(ctx context.Context, opts messaging.ListOptions) ([]messaging.DeadLetter, error)
}

// DeadLetters watches the dead-letter store: failing while it holds any
// (at once, since a dead letter is a message given up on), recovered when
// every one was redriven or deleted.
func DeadLetters(store DeadLetterLister) Probe {
	return ProbeFunc(func(ctx context.Context) ([]Observation, error) {
		list, err := store.List(ctx, messaging.ListOptions{Limit: 1000})
		if err != nil {
			return nil, fmt.Errorf("dead letters: %w", err)
		}
		o := Observation{Key: "dead-letters", Target: "bus", Failing: len(list) > 0, Immediate: true}
		if o.Failing {
			counts := map[string]int{}
			for _, dl := range list {
				counts[dl.Handler]++
			}
			more := ""
			if len(list) == 1000 {
				more = " or more"
			}
			o.Detail = fmt.Sprintf("%d%s dead letters (%s); the oldest failed at %s: %s. Inspect and redrive them in the back office or with shopctl.",
				len(list), more, countList(counts), list[0].FailedAt.Format(time.RFC3339), list[0].Reason)
		}
		return []Observation{o}, nil
	})
}

// LeaderCheck tells whether some process holds the lease of the relay name.
type LeaderCheck func(ctx context.Context, name string) (bool, error)

// RelayLeaders watches that every named relay has a leader: with none,
// events stop reaching the bus. A hand-over takes a moment, so FailFor
// applies.
func RelayLeaders(names []string, held LeaderCheck) Probe {
	return ProbeFunc(func(ctx context.Context) ([]Observation, error) {
		out := make([]Observation, 0, len(names))
		for _, name := range names {
			ok, err := held(ctx, name)
			if err != nil {
				return out, fmt.Errorf("relay %s leader: %w", name, err)
			}
			out = append(out, Observation{Key: "relay-leader:" + name, Target: "relay " + name, Failing: !ok,
				Detail: fmt.Sprintf("no process holds the lease of relay %q: events are stored but not published, so no handler, saga or email sees them", name)})
		}
		return out, nil
	})
}

// ProjectionLag watches how far each read model trails the event store:
// projection_lag_events (checkpoint vs store head, exported with the
// rebuildable projections) and, for the catch-up runners, head minus cursor
// of the instance holding the lease. At threshold events or more it fails.
func ProjectionLag(samples Samples, threshold int) Probe {
	return ProbeFunc(func(ctx context.Context) ([]Observation, error) {
		list, err := samples(ctx)
		lag := map[string]float64{}
		type runner struct{ head, cursor, leader float64 }
		runners := map[string]*runner{}
		for _, s := range list {
			switch s.Name {
			case "projection_lag_events":
				name := s.Labels["projector"]
				lag[name] = max(lag[name], s.Value)
			case "projection_catchup_head_position", "projection_catchup_position", "projection_catchup_leader":
				key := s.Target + "\x00" + s.Labels["projection"]
				r := runners[key]
				if r == nil {
					r = &runner{}
					runners[key] = r
				}
				switch s.Name {
				case "projection_catchup_head_position":
					r.head = s.Value
				case "projection_catchup_position":
					r.cursor = s.Value
				default:
					r.leader = s.Value
				}
			}
		}
		for key, r := range runners {
			if r.leader == 1 {
				_, name, _ := strings.Cut(key, "\x00")
				lag[name] = max(lag[name], r.head-r.cursor)
			}
		}
		out := make([]Observation, 0, len(lag))
		for _, name := range sortedKeys(lag) {
			out = append(out, Observation{Key: "projection-lag:" + name, Target: name, Failing: lag[name] >= float64(threshold),
				Detail: fmt.Sprintf("read model %s is %.0f events behind the event store (threshold %d)", name, lag[name], threshold)})
		}
		return out, err
	})
}

// Panics watches panics_recovered_total (platform/panics) of every process:
// failing, at once, while a process recovered a panic within window;
// recovered after a quiet window. The first reading of a process sets its
// baseline; a series that appears later (its first panic of that kind)
// counts from zero.
func Panics(samples Samples, window time.Duration, now func() time.Time) Probe {
	p := &panicProbe{samples: samples, recent: NewErrorCounter(window, now), last: map[string]float64{}, seen: map[string]bool{}}
	return ProbeFunc(p.observe)
}

type panicProbe struct {
	samples Samples
	recent  *ErrorCounter // panics per "process/where" within the window
	mu      sync.Mutex
	last    map[string]float64 // "process/where" -> counter at the last reading
	seen    map[string]bool    // processes read at least once
}

func (p *panicProbe) observe(ctx context.Context) ([]Observation, error) {
	list, err := p.samples(ctx)
	p.mu.Lock()
	defer p.mu.Unlock()
	targets := map[string]bool{}
	for _, s := range list {
		if s.Name != panics.MetricName {
			continue
		}
		targets[s.Target] = true
		key := s.Target + "/" + s.Labels["where"]
		prev, known := p.last[key]
		p.last[key] = s.Value
		if !known && !p.seen[s.Target] {
			continue
		}
		d := s.Value - prev
		if d < 0 { // the process restarted
			d = s.Value
		}
		p.recent.Add(key, int(d), int(d))
	}
	for target := range p.seen {
		targets[target] = true
	}
	// Only a process read without any panic series yet is not "seen": its
	// first series must still set the baseline.
	for target := range targets {
		p.seen[target] = true
	}
	out := make([]Observation, 0, len(targets))
	for _, target := range sortedKeys(targets) {
		counts := map[string]int{}
		total := 0
		for _, key := range p.recent.Services() {
			t, where, _ := strings.Cut(key, "/")
			if _, n := p.recent.Rate(key); t == target && n > 0 {
				counts[where] = n
				total += n
			}
		}
		out = append(out, Observation{Key: "panics:" + target, Target: target, Failing: total > 0, Immediate: true,
			Detail: fmt.Sprintf("%d panics recovered in the last %v (%s): each failed a request or a message delivery; the stacks are in the log (\"panic recovered\")",
				total, p.recent.Window(), countList(counts))})
	}
	return out, err
}

// countList renders counts as "a 2, b 1", sorted by name.
func countList(counts map[string]int) string {
	parts := make([]string, 0, len(counts))
	for _, k := range sortedKeys(counts) {
		parts = append(parts, fmt.Sprintf("%s %d", k, counts[k]))
	}
	return strings.Join(parts, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
