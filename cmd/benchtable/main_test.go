package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sample is go test -bench output in the shapes this repository's
// benchmarks print (values shortened).
const sample = `goos: linux
goarch: amd64
pkg: github.com/evshop/shop/eventstore/postgres
cpu: AMD EPYC
BenchmarkAppend/writers=16/batch=1-2         	     500	   1420000 ns/op	       703.0 events/s	       814.0 raw-rows/s	         0.8636 ratio
BenchmarkReadAll-2   	   50000	     23117 ns/op	     43258 events/s
PASS
ok  	github.com/evshop/shop/eventstore/postgres	12.3s
pkg: github.com/evshop/shop/messaging/relay
BenchmarkRelayVsRawConfirmedPublish-2   	    2000	  1 ns/op	      1650 relay_events/s	       507.0 raw_confirmed_1_events/s	      1148 raw_confirmed_16_events/s	         3.254 relay/raw_1	         1.437 relay/raw_16
pkg: github.com/evshop/shop/api/gateway
BenchmarkGatewayCatalog
BenchmarkGatewayCatalog/list/bare-2         	   20000	     50000 ns/op	     20000 req/s
BenchmarkGatewayCatalog/list/embedded-2     	   10000	    100000 ns/op	     10000 req/s	         0.5000 x-bare
    bench_test.go:12: some log line
pkg: github.com/evshop/shop/projections/rebuild
BenchmarkRebuildOrders-2   	       1	         0 ns/op	     68093 read-events/s	    32645 rebuild-events/s	       862.0 live-apply-events/s	   1000008 store-events
pkg: github.com/evshop/shop/e2e/durable
BenchmarkStartup-2   	       1	234298786836 ns/op	         0.3963 checkpoints-caught-up-sec	      5002 events
`

func TestRows(t *testing.T) {
	t.Parallel()
	results, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 7 {
		t.Fatalf("parsed %d results, want 7: %+v", len(results), results)
	}
	rows := Rows(results)
	type want struct {
		name           string
		ours, baseline float64
	}
	wants := []want{
		{"postgres Append/writers=16/batch=1", 703, 814},
		{"postgres ReadAll", 43258, math.NaN()},
		{"relay RelayVsRawConfirmedPublish vs raw_confirmed_1_events/s", 1650, 507},
		{"relay RelayVsRawConfirmedPublish vs raw_confirmed_16_events/s", 1650, 1148},
		{"gateway GatewayCatalog/list/embedded", 10000, 20000},
		{"rebuild RebuildOrders [rebuild-events/s]", 32645, 68093},
		{"rebuild RebuildOrders [live-apply-events/s]", 862, 68093},
		{"durable Startup", 0.3963, math.NaN()},
	}
	if len(rows) != len(wants) {
		t.Fatalf("rows:\n%s\nwant %d rows", Text(rows), len(wants))
	}
	for i, w := range wants {
		r := rows[i]
		sameBase := r.Baseline == w.baseline || (math.IsNaN(r.Baseline) && math.IsNaN(w.baseline))
		if r.Benchmark != w.name || r.Ours != w.ours || !sameBase {
			t.Errorf("row %d = %q %v / %v, want %q %v / %v", i, r.Benchmark, r.Ours, r.Baseline, w.name, w.ours, w.baseline)
		}
	}
	text := Text(rows)
	for _, s := range []string{"0.86×", "3.25×", "0.50×", "0.013×", "43,258 events/s", "20,000 req/s (bare)"} {
		if !strings.Contains(text, s) {
			t.Errorf("table lacks %q:\n%s", s, text)
		}
	}
}

func TestRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	report := filepath.Join(dir, "load.json")
	if err := os.WriteFile(report, []byte(`{"checkoutsPerSec": 12.5, "placedPerSec": 13}`), 0o644); err != nil {
		t.Fatal(err)
	}
	busReport := filepath.Join(dir, "load-bus.json")
	if err := os.WriteFile(busReport, []byte(`{"checkoutsPerSec": 12.5, "bus": {"deliveriesPerCheckout": 30.8, "emailP50": 26600000, "emailP99": 166400000, "writeCallsPerCheckout": 27.5, "writerBusyShare": 0.61}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	serverReport := filepath.Join(dir, "load-server.json")
	if err := os.WriteFile(serverReport, []byte(`{"checkoutsPerSec": 10, "toPaidServer": {"p50": 2344067000, "p99": 4144337000},
		"placeOrder": {"p50": 98420915, "p99": 204497581}, "bus": {"deliveriesPerCheckout": 18.4}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	durableReport := filepath.Join(dir, "load-durable.json")
	if err := os.WriteFile(durableReport, []byte(`{"checkoutsPerSec": 9, "placeOrder": {"p50": 20000000, "p99": 60000000}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	memoryReport := filepath.Join(dir, "load-memory.json")
	if err := os.WriteFile(memoryReport, []byte(`{"checkoutsPerSec": 12, "placeOrder": {"p50": 10000000, "p99": 40000000}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		in       string
		code     int
		contains string
	}{
		{name: "durable beside in-memory", args: []string{"-loadgen", durableReport, "-loadgen-memory", memoryReport}, in: sample, code: 0, contains: "0.75×"},
		{name: "durable place p99 beside in-memory", args: []string{"-loadgen", durableReport, "-loadgen-memory", memoryReport}, in: sample, code: 0, contains: "1.50×"},
		{name: "bad in-memory report", args: []string{"-loadgen", durableReport, "-loadgen-memory", filepath.Join(dir, "missing.json")}, in: sample, code: 1},
		{name: "server beside embedded", args: []string{"-loadgen", report, "-loadgen-server", serverReport}, in: sample, code: 0, contains: "0.80×"},
		{name: "server Paid p99", args: []string{"-loadgen", report, "-loadgen-server", serverReport}, in: sample, code: 0, contains: "4,144 ms Paid p99"},
		{name: "server deliveries", args: []string{"-loadgen-server", serverReport}, in: sample, code: 0, contains: "18.4 deliveries/checkout"},
		{name: "bad server report", args: []string{"-loadgen-server", filepath.Join(dir, "missing.json")}, in: sample, code: 1},
		{name: "cluster beside in-memory", args: []string{"-loadgen-memory", memoryReport, "-loadgen-cluster", serverReport}, in: sample, code: 0, contains: "0.83×"},
		{name: "cluster row", args: []string{"-loadgen-cluster", serverReport}, in: sample, code: 0, contains: "loadgen (server, ten processes)"},
		{name: "bad cluster report", args: []string{"-loadgen-cluster", filepath.Join(dir, "missing.json")}, in: sample, code: 1},
		{name: "stdin", in: sample, code: 0, contains: "raw baseline"},
		{name: "markdown", args: []string{"-markdown"}, in: sample, code: 0, contains: "|---|--:|--:|--:|"},
		{name: "loadgen", args: []string{"-loadgen", report}, in: sample, code: 0, contains: "12.5 checkouts/s"},
		{name: "loadgen deliveries", args: []string{"-loadgen", busReport}, in: sample, code: 0, contains: "30.8 deliveries/checkout"},
		{name: "loadgen writer calls", args: []string{"-loadgen", busReport}, in: sample, code: 0, contains: "27.5 SQLite write calls/checkout"},
		{name: "loadgen writer busy", args: []string{"-loadgen", busReport}, in: sample, code: 0, contains: "61.0 % SQLite writer busy"},
		{name: "loadgen email p99", args: []string{"-loadgen", busReport}, in: sample, code: 0, contains: "166 ms OrderPaid→email p99"},
		{name: "empty input", in: "PASS\n", code: 1},
		{name: "bad loadgen", args: []string{"-loadgen", filepath.Join(dir, "missing.json")}, in: sample, code: 1},
		{name: "bad flag", args: []string{"-nope"}, code: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errs bytes.Buffer
			if code := run(tt.args, strings.NewReader(tt.in), &out, &errs); code != tt.code {
				t.Fatalf("exit %d, want %d (%s)", code, tt.code, errs.String())
			}
			if !strings.Contains(out.String(), tt.contains) {
				t.Errorf("output lacks %q:\n%s", tt.contains, out.String())
			}
		})
	}
}

func TestGroup(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"1": "1", "123": "123", "1234": "1,234", "1000008": "1,000,008", "123456": "123,456"} {
		if got := group(in); got != want {
			t.Errorf("group(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestMedianReport(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a.json", `{"checkoutsPerSec": 150}`)
	b := write("b.json", `{"checkoutsPerSec": 210}`)
	c := write("c.json", `{"checkoutsPerSec": 190}`)
	d := write("d.json", `{"checkoutsPerSec": 100}`)
	none := write("none.json", `{"placedPerSec": 3}`)
	broken := write("broken.json", `{`)
	cases := []struct {
		name    string
		files   string
		want    string
		wantErr bool
	}{
		{"empty: no report", "", "", false},
		{"one file as it is, unread", "missing.json", "missing.json", false},
		{"odd: the middle rate", a + "," + b + "," + c, c, false},
		{"even: the lower middle", a + "," + b + "," + c + "," + d, a, false},
		{"spaces and a trailing comma", " " + b + " , " + a + ",", a, false},
		{"a report without a rate", a + "," + none, "", true},
		{"a broken report", a + "," + broken, "", true},
		{"only commas", ",,", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := MedianReport(c.files)
			if (err != nil) != c.wantErr || got != c.want {
				t.Fatalf("MedianReport(%q) = %q, %v; want %q (error %v)", c.files, got, err, c.want, c.wantErr)
			}
		})
	}
}
