package load

import (
	"slices"
	"sort"
	"sync"
	"time"
)

// Summary describes a set of latencies. Percentiles use the nearest-rank
// method on every sample (no histogram buckets): a bounded run keeps at most a
// few hundred thousand samples, so exact figures cost nothing.
type Summary struct {
	N    int           `json:"n"`
	Mean time.Duration `json:"mean"`
	P50  time.Duration `json:"p50"`
	P95  time.Duration `json:"p95"`
	P99  time.Duration `json:"p99"`
	Max  time.Duration `json:"max"`
}

// Summarize computes the summary of samples (which it does not modify).
func Summarize(samples []time.Duration) Summary {
	if len(samples) == 0 {
		return Summary{}
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return Summary{N: len(s), Mean: sum / time.Duration(len(s)), P50: rank(s, 50), P95: rank(s, 95), P99: rank(s, 99), Max: s[len(s)-1]}
}

// rank is the nearest-rank percentile of sorted s: the smallest sample with
// at least p% of the samples at or below it.
func rank(sorted []time.Duration, p int) time.Duration {
	i := (p*len(sorted)+99)/100 - 1
	return sorted[max(i, 0)]
}

// recorder collects samples and error counts from many goroutines.
type recorder struct {
	mu      sync.Mutex
	series  map[string][]time.Duration
	errs    map[string]int
	samples map[string]string // first message of each error kind, for diagnosis
}

func newRecorder() *recorder {
	return &recorder{series: map[string][]time.Duration{}, errs: map[string]int{}, samples: map[string]string{}}
}

func (r *recorder) add(series string, d time.Duration) {
	r.mu.Lock()
	r.series[series] = append(r.series[series], d)
	r.mu.Unlock()
}

// fail counts one error of kind; msg (the first seen) is kept as an example.
func (r *recorder) fail(kind, msg string) {
	r.mu.Lock()
	r.errs[kind]++
	if _, ok := r.samples[kind]; !ok {
		r.samples[kind] = msg
	}
	r.mu.Unlock()
}

func (r *recorder) summary(series string) Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Summarize(r.series[series])
}

func (r *recorder) count(series string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.series[series])
}

// errors returns the error counts by kind, most frequent first.
func (r *recorder) errors() []ErrorCount {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]ErrorCount, 0, len(r.errs))
	for k, n := range r.errs {
		out = append(out, ErrorCount{Kind: k, Count: n, Example: r.samples[k]})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

// ErrorCount is how often one kind of failure happened, with an example.
type ErrorCount struct {
	Kind    string `json:"kind"`
	Count   int    `json:"count"`
	Example string `json:"example"`
}
