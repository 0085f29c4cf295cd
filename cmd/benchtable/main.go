// Command benchtable turns `go test -bench` output (read from the files
// named, or stdin) into one table: benchmark, our figure, its raw baseline
// measured in the same run, and their ratio. scripts/bench.sh (make bench)
// pipes every benchmark through it.
//
// It reads the b.ReportMetric units by convention, so a new benchmark needs no
// change here when it follows it:
//
//   - a rate (unit ending in "/s") is one of our figures, unless its unit
//     contains "raw", which makes it the raw baseline of the same line;
//   - "x-<name>" is a ratio to the sibling sub-benchmark <name> (e.g.
//     list/embedded reports x-bare against list/bare): that sibling's rate
//     is the baseline;
//   - "ratio" and units containing "/raw" are ratios the benchmark computed;
//     the table recomputes them from the figures shown, so they agree;
//   - a duration in seconds (unit ending in "-sec", e.g. checkpoints-ready-sec)
//     is one of our figures too, lower being better, shown without a baseline;
//   - counts and ns/op are left out.
//
// -loadgen file.json adds the checkout rates of a cmd/loadgen JSON report.
package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("benchtable", flag.ContinueOnError)
	fs.SetOutput(stderr)
	loadgen := fs.String("loadgen", "", "a cmd/loadgen -json report to add (several, comma-separated: the run with the median checkout rate)")
	loadgenServer := fs.String("loadgen-server", "", "a cmd/loadgen -json report of the server-mode shop, set beside -loadgen's (its baseline)")
	loadgenMemory := fs.String("loadgen-memory", "", "a cmd/loadgen -json report of the in-memory embedded shop (STORAGE=memory): -loadgen's durable figures are set beside it (several, comma-separated: the median run)")
	loadgenCluster := fs.String("loadgen-cluster", "", "a cmd/loadgen -json report of the ten-process server-mode shop, set beside -loadgen-memory's (its baseline)")
	markdown := fs.Bool("markdown", false, "print a Markdown table instead of aligned text")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	for _, f := range []*string{loadgen, loadgenMemory} {
		median, err := MedianReport(*f)
		if err != nil {
			fmt.Fprintln(stderr, "benchtable:", err)
			return 1
		}
		*f = median
	}
	var results []Result
	readers := []io.Reader{stdin}
	if fs.NArg() > 0 {
		readers = nil
		for _, name := range fs.Args() {
			f, err := os.Open(name)
			if err != nil {
				fmt.Fprintln(stderr, "benchtable:", err)
				return 1
			}
			defer f.Close()
			readers = append(readers, f)
		}
	}
	for _, r := range readers {
		rs, err := Parse(r)
		if err != nil {
			fmt.Fprintln(stderr, "benchtable:", err)
			return 1
		}
		results = append(results, rs...)
	}
	rows := Rows(results)
	if *loadgen != "" {
		lr, err := LoadgenRows(*loadgen)
		if err != nil {
			fmt.Fprintln(stderr, "benchtable:", err)
			return 1
		}
		rows = append(rows, lr...)
	}
	if *loadgen != "" && *loadgenMemory != "" {
		dr, err := DurableRows(*loadgen, *loadgenMemory)
		if err != nil {
			fmt.Fprintln(stderr, "benchtable:", err)
			return 1
		}
		rows = append(rows, dr...)
	}
	if *loadgenServer != "" {
		sr, err := ServerRows(*loadgenServer, *loadgen)
		if err != nil {
			fmt.Fprintln(stderr, "benchtable:", err)
			return 1
		}
		rows = append(rows, sr...)
	}
	if *loadgenCluster != "" {
		cr, err := ClusterRows(*loadgenCluster, *loadgenMemory)
		if err != nil {
			fmt.Fprintln(stderr, "benchtable:", err)
			return 1
		}
		rows = append(rows, cr...)
	}
	if len(rows) == 0 {
		fmt.Fprintln(stderr, "benchtable: no benchmark results in the input")
		return 1
	}
	if *markdown {
		io.WriteString(stdout, Markdown(rows)) //nolint:errcheck
	} else {
		io.WriteString(stdout, Text(rows)) //nolint:errcheck
	}
	return 0
}

// Result is one benchmark line.
type Result struct {
	Pkg     string
	Name    string // without the -GOMAXPROCS suffix
	N       int64
	Metrics []Metric
}

// Metric is one value and its unit.
type Metric struct {
	Value float64
	Unit  string
}

var procSuffix = regexp.MustCompile(`-\d+$`)

// Parse reads go test -bench output; lines that are not results (logs,
// PASS, ok) are skipped, "pkg:" lines name the package of what follows.
func Parse(r io.Reader) ([]Result, error) {
	var out []Result
	pkg := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || len(f)%2 != 0 {
			continue // a benchmark name printed alone (its sub-benchmarks follow), or a log line
		}
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue
		}
		res := Result{Pkg: pkg, Name: procSuffix.ReplaceAllString(f[0], ""), N: n}
		ok := true
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				ok = false
				break
			}
			res.Metrics = append(res.Metrics, Metric{Value: v, Unit: f[i+1]})
		}
		if ok {
			out = append(out, res)
		}
	}
	return out, sc.Err()
}

// Row is one line of the table. Baseline and Ratio are NaN when there is
// none.
type Row struct {
	Benchmark string
	Ours      float64
	OursUnit  string
	Baseline  float64
	BaseUnit  string
	BaseName  string
}

// Ratio is ours ÷ baseline.
func (r Row) Ratio() float64 { return r.Ours / r.Baseline }

func isRate(u string) bool  { return strings.HasSuffix(u, "/s") && !strings.Contains(u, "/raw") }
func isRaw(u string) bool   { return isRate(u) && strings.Contains(u, "raw") }
func sibling(u string) bool { return strings.HasPrefix(u, "x-") }
func seconds(u string) bool { return strings.HasSuffix(u, "-sec") }

// baselineUnits names, for benchmarks whose baseline is not marked "raw",
// which of their rates is the baseline: the rebuild's floor is the plain
// read of the same events.
var baselineUnits = map[string]string{
	"BenchmarkRebuildOrders": "read-events/s",
}

// Rows applies the conventions of the package comment.
func Rows(results []Result) []Row {
	byName := map[string]Result{}
	for _, r := range results {
		byName[r.Name] = r
	}
	var rows []Row
	for _, r := range results {
		base := r.Name
		if i := strings.Index(base, "/"); i >= 0 {
			base = base[:i]
		}
		type baseline struct {
			value      float64
			unit, from string
		}
		var baselines []baseline
		var ours []Metric
		for _, m := range r.Metrics {
			switch {
			case baselineUnits[base] == m.Unit, isRaw(m.Unit):
				baselines = append(baselines, baseline{m.Value, m.Unit, ""})
			case sibling(m.Unit):
				name := r.Name[:strings.LastIndex(r.Name, "/")+1] + strings.TrimPrefix(m.Unit, "x-")
				if sib, ok := byName[name]; ok {
					for _, sm := range sib.Metrics {
						if isRate(sm.Unit) {
							baselines = append(baselines, baseline{sm.Value, sm.Unit, strings.TrimPrefix(m.Unit, "x-")})
							break
						}
					}
				}
			case isRate(m.Unit):
				ours = append(ours, m)
			case seconds(m.Unit):
				rows = append(rows, Row{Benchmark: display(r), Ours: m.Value, OursUnit: m.Unit, Baseline: math.NaN()})
			}
		}
		// A sibling that serves as another's baseline is shown as such,
		// not as a figure of its own.
		if baselineOfSomeone(r.Name, results) {
			continue
		}
		for _, o := range ours {
			if len(baselines) == 0 {
				rows = append(rows, Row{Benchmark: display(r), Ours: o.Value, OursUnit: o.Unit, Baseline: math.NaN()})
				continue
			}
			for _, b := range baselines {
				name := display(r)
				if len(ours) > 1 {
					name += " [" + o.Unit + "]"
				}
				if len(baselines) > 1 {
					name += " vs " + b.unit
				}
				rows = append(rows, Row{Benchmark: name, Ours: o.Value, OursUnit: o.Unit, Baseline: b.value, BaseUnit: b.unit, BaseName: b.from})
			}
		}
	}
	return rows
}

// baselineOfSomeone reports whether a sibling reports x-<last element of
// name> against it.
func baselineOfSomeone(name string, results []Result) bool {
	i := strings.LastIndex(name, "/")
	if i < 0 {
		return false
	}
	parent, leaf := name[:i+1], name[i+1:]
	for _, r := range results {
		if r.Name == name || !strings.HasPrefix(r.Name, parent) {
			continue
		}
		for _, m := range r.Metrics {
			if m.Unit == "x-"+leaf {
				return true
			}
		}
	}
	return false
}

func display(r Result) string {
	name := strings.TrimPrefix(r.Name, "Benchmark")
	if r.Pkg != "" {
		name = r.Pkg[strings.LastIndex(r.Pkg, "/")+1:] + " " + name
	}
	return name
}

// MedianReport picks, of comma-separated cmd/loadgen reports, the one with
// the median checkout rate (of an even number, the lower middle one): on a
// machine whose speed drifts, runs of the two embedded modes taken in turn
// and compared at their medians are steadier than one run of each. One file
// (or none) is returned as it is.
func MedianReport(files string) (string, error) {
	if !strings.Contains(files, ",") {
		return files, nil
	}
	type run struct {
		file string
		rate float64
	}
	var runs []run
	for _, f := range strings.Split(files, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		rep, err := readReport(f)
		if err != nil {
			return "", err
		}
		rate, ok := rep["checkoutsPerSec"].(float64)
		if !ok {
			return "", fmt.Errorf("%s: no checkoutsPerSec", f)
		}
		runs = append(runs, run{f, rate})
	}
	if len(runs) == 0 {
		return "", fmt.Errorf("no report in %q", files)
	}
	slices.SortStableFunc(runs, func(a, b run) int { return cmp.Compare(a.rate, b.rate) })
	return runs[(len(runs)-1)/2].file, nil
}

// LoadgenRows reads the checkout rates of a cmd/loadgen JSON report, and its
// broker deliveries per checkout and OrderPaid → email when it has them. A
// load test has no raw baseline of its own; its figures stand alone.
func LoadgenRows(file string) ([]Row, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var rep map[string]any
	if err := json.Unmarshal(raw, &rep); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var rows []Row
	for _, k := range []struct{ key, unit string }{{"checkoutsPerSec", "checkouts/s"}, {"placedPerSec", "orders-placed/s"}} {
		if v, ok := rep[k.key].(float64); ok {
			rows = append(rows, Row{Benchmark: "loadgen (embedded shop)", Ours: v, OursUnit: k.unit, Baseline: math.NaN()})
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no checkoutsPerSec or placedPerSec", file)
	}
	// Present when loadgen ran with -metrics.
	if bus, ok := rep["bus"].(map[string]any); ok {
		if v, ok := bus["deliveriesPerCheckout"].(float64); ok {
			rows = append(rows, Row{Benchmark: "loadgen (embedded shop)", Ours: v, OursUnit: "deliveries/checkout", Baseline: math.NaN()})
		}
		for _, k := range []struct{ key, unit string }{{"emailP50", "ms OrderPaid→email p50"}, {"emailP99", "ms OrderPaid→email p99"}} {
			if v, ok := bus[k.key].(float64); ok { // a time.Duration: nanoseconds
				rows = append(rows, Row{Benchmark: "loadgen (embedded shop)", Ours: v / 1e6, OursUnit: k.unit, Baseline: math.NaN()})
			}
		}
		// The durable shop's one database writer: the work per checkout
		// (counts, steady whatever the machine's speed) and how busy it was.
		for _, k := range []struct {
			key, unit string
			scale     float64
		}{
			{"writeCallsPerCheckout", "SQLite write calls/checkout", 1},
			{"writeTransactionsPerCheckout", "SQLite transactions/checkout", 1},
			{"writerBusyPerCheckout", "ms SQLite writer busy/checkout", 1e-6},
			{"writerBusyShare", "% SQLite writer busy", 100},
		} {
			if v, ok := bus[k.key].(float64); ok {
				rows = append(rows, Row{Benchmark: "loadgen (embedded shop)", Ours: v * k.scale, OursUnit: k.unit, Baseline: math.NaN()})
			}
		}
	}
	return rows, nil
}

// ServerRows reads a cmd/loadgen JSON report of the server-mode shop. Its
// checkout rate is set beside the embedded shop's of the same run (embedded,
// when given), so the ratio column reads server ÷ embedded; its latencies,
// broker deliveries and OrderPaid → email stand alone.
func ServerRows(file, embedded string) ([]Row, error) {
	return compareRows("loadgen (server mode)", file, embedded, "embedded shop, same run", false)
}

// ClusterRows reads a cmd/loadgen JSON report of the ten-process server-mode
// shop (e2e/load's BenchmarkClusterCheckouts). Its checkout rate is set
// beside the in-memory embedded shop's of the same run (memory, when given):
// the ratio the server-mode target is stated in.
func ClusterRows(file, memory string) ([]Row, error) {
	return compareRows("loadgen (server, ten processes)", file, memory, "in-memory embedded shop, same run", false)
}

// DurableRows sets the durable embedded shop's report (file) beside the
// in-memory embedded shop's of the same run (memory): checkouts/s, and
// place and Paid latencies, each with its in-memory figure as baseline
// (target: at least 0.7× the in-memory checkout rate).
func DurableRows(file, memory string) ([]Row, error) {
	return compareRows("loadgen (embedded, durable)", file, memory, "in-memory embedded shop, same run", true)
}

// compareRows reads a cmd/loadgen report and sets its checkout rate beside
// the base report's (when given); latencies get the base's as baseline too
// when latencyBase is set, and stand alone otherwise.
func compareRows(name, file, baseFile, baseName string, latencyBase bool) ([]Row, error) {
	rep, err := readReport(file)
	if err != nil {
		return nil, err
	}
	rate, ok := rep["checkoutsPerSec"].(float64)
	if !ok {
		return nil, fmt.Errorf("%s: no checkoutsPerSec", file)
	}
	var baseRep map[string]any
	if baseFile != "" {
		if baseRep, err = readReport(baseFile); err != nil {
			return nil, err
		}
	}
	figure := func(r map[string]any, key, field string) float64 {
		if field == "" {
			if v, ok := r[key].(float64); ok {
				return v
			}
			return math.NaN()
		}
		if m, ok := r[key].(map[string]any); ok {
			if v, ok := m[field].(float64); ok { // a time.Duration: nanoseconds
				return v / 1e6
			}
		}
		return math.NaN()
	}
	rows := []Row{{Benchmark: name, Ours: rate, OursUnit: "checkouts/s", Baseline: figure(baseRep, "checkoutsPerSec", ""), BaseUnit: "checkouts/s", BaseName: baseName}}
	for _, k := range []struct{ key, field, unit string }{
		{"placeOrder", "p50", "ms place p50"}, {"placeOrder", "p99", "ms place p99"},
		{"toPaidServer", "p50", "ms Paid p50"}, {"toPaidServer", "p99", "ms Paid p99"},
	} {
		v := figure(rep, k.key, k.field)
		if math.IsNaN(v) {
			continue
		}
		row := Row{Benchmark: name, Ours: v, OursUnit: k.unit, Baseline: math.NaN()}
		if latencyBase {
			row.Baseline, row.BaseUnit, row.BaseName = figure(baseRep, k.key, k.field), k.unit, baseName
		}
		rows = append(rows, row)
	}
	// The durable report is -loadgen's: LoadgenRows shows its bus figures.
	if bus, ok := rep["bus"].(map[string]any); ok && !latencyBase {
		if v, ok := bus["deliveriesPerCheckout"].(float64); ok {
			rows = append(rows, Row{Benchmark: name, Ours: v, OursUnit: "deliveries/checkout", Baseline: math.NaN()})
		}
		for _, k := range []struct{ key, unit string }{{"emailP50", "ms OrderPaid→email p50"}, {"emailP99", "ms OrderPaid→email p99"}} {
			if v, ok := bus[k.key].(float64); ok {
				rows = append(rows, Row{Benchmark: name, Ours: v / 1e6, OursUnit: k.unit, Baseline: math.NaN()})
			}
		}
	}
	return rows, nil
}

func readReport(file string) (map[string]any, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var rep map[string]any
	if err := json.Unmarshal(raw, &rep); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return rep, nil
}

func num(v float64, unit string) string {
	if math.IsNaN(v) {
		return "—"
	}
	var s string
	switch {
	case v >= 100:
		s = group(strconv.FormatFloat(math.Round(v), 'f', 0, 64))
	case v >= 10:
		s = strconv.FormatFloat(v, 'f', 1, 64)
	default:
		s = strconv.FormatFloat(v, 'f', 2, 64)
	}
	if unit != "" {
		s += " " + unit
	}
	return s
}

// group adds thousands separators.
func group(s string) string {
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

func cells(r Row) [4]string {
	ratio := "—"
	if !math.IsNaN(r.Baseline) && r.Baseline != 0 {
		prec := 2
		if r.Ratio() < 0.1 {
			prec = 3 // 0.004× must not read as 0.00×
		}
		ratio = strconv.FormatFloat(r.Ratio(), 'f', prec, 64) + "×"
	}
	base := num(r.Baseline, r.BaseUnit)
	if r.BaseName != "" && base != "—" {
		base += " (" + r.BaseName + ")"
	}
	return [4]string{r.Benchmark, num(r.Ours, r.OursUnit), base, ratio}
}

var header = [4]string{"benchmark", "our figure", "raw baseline (same run)", "ratio"}

// Text renders rows as an aligned table for a terminal.
func Text(rows []Row) string {
	all := [][4]string{header}
	for _, r := range rows {
		all = append(all, cells(r))
	}
	var w [4]int
	for _, c := range all {
		for i, s := range c {
			w[i] = max(w[i], len([]rune(s)))
		}
	}
	var b strings.Builder
	for n, c := range all {
		for i, s := range c {
			pad := w[i] - len([]rune(s))
			if i == 0 {
				b.WriteString(s + strings.Repeat(" ", pad))
			} else {
				b.WriteString("  " + strings.Repeat(" ", pad) + s)
			}
		}
		b.WriteString("\n")
		if n == 0 {
			b.WriteString(strings.Repeat("-", w[0]+w[1]+w[2]+w[3]+6) + "\n")
		}
	}
	return b.String()
}

// Markdown renders rows as a Markdown table (for docs/benchmarks.md).
func Markdown(rows []Row) string {
	var b strings.Builder
	fmt.Fprintf(&b, "| %s | %s | %s | %s |\n|---|--:|--:|--:|\n", header[0], header[1], header[2], header[3])
	for _, r := range rows {
		c := cells(r)
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", c[0], c[1], c[2], c[3])
	}
	return b.String()
}
