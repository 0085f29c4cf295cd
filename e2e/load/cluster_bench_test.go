// Package load holds the server-mode load benchmark of make bench: the
// ten-process shop on the real servers under cmd/loadgen.
package load_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/evshop/shop/e2e/harness"
)

// BenchmarkClusterCheckouts runs cmd/loadgen against the gateway of the
// ten-process server-mode shop (harness.Start: every service its own
// process, on the local PostgreSQL, RabbitMQ, FerretDB, Redis and SES
// emulator): CLUSTER_CUSTOMERS customers (64) × CLUSTER_ORDERS orders (16,
// so 1,024 checkouts), every process's /metrics scraped for broker
// deliveries and OrderPaid → email. It reports checkouts/s and writes the
// loadgen report to CLUSTER_LOAD_JSON (make bench sets it beside the
// in-memory shop's), and prints the CPU each process and each server used
// from the end of the setup to the end of the run. Timings are reported,
// never asserted.
//
//	CLUSTER_LOAD_JSON=/tmp/cluster.json go test -run XXX -bench ClusterCheckouts -benchtime 1x ./e2e/load
func BenchmarkClusterCheckouts(b *testing.B) {
	customers, orders := envInt(b, "CLUSTER_CUSTOMERS", 64), envInt(b, "CLUSTER_ORDERS", 16)
	out := os.Getenv("CLUSTER_LOAD_JSON")
	if out == "" {
		out = filepath.Join(b.TempDir(), "cluster.json")
	}
	c := harness.Start(b, harness.Options{})
	loadgen := buildLoadgen(b)
	var metrics, pids []string
	for _, n := range c.Instances() {
		metrics = append(metrics, c.MetricsURL(n))
		pids = append(pids, n+"="+strconv.Itoa(c.PID(n)))
	}
	for range b.N {
		cmd := exec.Command(loadgen, "-url", c.GatewayURL, "-mail", c.SESURL+"/store",
			"-metrics", strings.Join(metrics, ","), "-pids", strings.Join(pids, ","),
			"-customers", strconv.Itoa(customers), "-orders-per-customer", strconv.Itoa(orders),
			"-concurrency", strconv.Itoa(customers), "-duration", "180s", "-paid-timeout", "120s",
			"-admin-email", c.AdminEmail, "-json", out)
		cmd.Env = append(os.Environ(), "LOADGEN_ADMIN_PASSWORD="+c.AdminPassword)
		pipe, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		cmd.Stderr = cmd.Stdout // the setup lines come on stderr
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		// The CPU is counted from the end of the setup (sign-ups: argon2 in
		// auth) to the end of the checkouts.
		var stdout bytes.Buffer
		var before map[string]int64
		var start time.Time
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			stdout.WriteString(line + "\n")
			if before == nil && strings.HasPrefix(line, "setup:") && strings.Contains(line, "signed in") {
				before, start = cpuTicks(c), time.Now()
			}
		}
		if err := cmd.Wait(); err != nil {
			b.Fatalf("loadgen: %v\n%s", err, stdout.String())
		}
		if before == nil {
			b.Fatalf("loadgen never reported its setup done:\n%s", stdout.String())
		}
		elapsed := time.Since(start)
		after := cpuTicks(c)
		fmt.Println(stdout.String()) // b.Log would cut it short
		var rep struct {
			CheckoutsPerSecond float64 `json:"checkoutsPerSec"`
			Paid               int     `json:"paid"`
		}
		raw, err := os.ReadFile(out)
		if err != nil {
			b.Fatal(err)
		}
		if err := json.Unmarshal(raw, &rep); err != nil {
			b.Fatalf("loadgen report: %v", err)
		}
		b.ReportMetric(rep.CheckoutsPerSecond, "checkouts/s")
		fmt.Println(cpuTable(before, after, elapsed, rep.Paid))
	}
}

func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 10_000 {
		b.Fatalf("%s=%q: want 1–10000", name, v)
	}
	return n
}

func buildLoadgen(b *testing.B) string {
	b.Helper()
	root, err := harness.ModuleRoot()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", dir+string(filepath.Separator), "./cmd/loadgen")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build ./cmd/loadgen: %v\n%s", err, out)
	}
	return filepath.Join(dir, "loadgen")
}

// servers are the process groups of the shared servers, by command name.
var servers = []struct{ comm, label string }{
	{"postgres", "PostgreSQL (all backends)"}, {"beam.smp", "RabbitMQ"}, {"ferretdb", "FerretDB"},
	{"redis-server", "Redis"}, {"node", "SES emulator"},
}

// cpuTicks reads the user + system clock ticks of every instance of the
// cluster and of each server group.
func cpuTicks(c *harness.Cluster) map[string]int64 {
	out := map[string]int64{}
	for _, n := range c.Instances() {
		if pid := c.PID(n); pid > 0 {
			out[n] = procTicks(strconv.Itoa(pid))
		}
	}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		comm, _, _ := strings.Cut(string(stat[bytes.IndexByte(stat, '(')+1:]), ") ")
		for _, s := range servers {
			if comm == s.comm {
				out[s.label] += ticksOf(stat)
			}
		}
	}
	return out
}

func procTicks(pid string) int64 {
	stat, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return 0
	}
	return ticksOf(stat)
}

// ticksOf is utime + stime of a /proc/<pid>/stat line (fields 14 and 15;
// counted after the command name, which may hold spaces).
func ticksOf(stat []byte) int64 {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return u + s
}

// cpuTable shows each process's share of one core over the run and its CPU
// milliseconds per paid checkout (USER_HZ is 100 on Linux).
func cpuTable(before, after map[string]int64, elapsed time.Duration, paid int) string {
	const hz = 100.0
	names := make([]string, 0, len(after))
	for n := range after {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int { return int(after[b] - before[b] - (after[a] - before[a])) })
	var sb strings.Builder
	fmt.Fprintf(&sb, "CPU over the checkouts (%.0f s, after the setup), paid %d\n%-28s %8s %14s\n", elapsed.Seconds(), paid, "process", "% core", "ms/checkout")
	var total float64
	for _, n := range names {
		sec := float64(after[n]-before[n]) / hz
		total += sec
		perCheckout := 0.0
		if paid > 0 {
			perCheckout = 1000 * sec / float64(paid)
		}
		fmt.Fprintf(&sb, "%-28s %7.0f%% %14.2f\n", n, 100*sec/elapsed.Seconds(), perCheckout)
	}
	if paid > 0 {
		fmt.Fprintf(&sb, "%-28s %7.0f%% %14.2f\n", "total", 100*total/elapsed.Seconds(), 1000*total/float64(paid))
	}
	return sb.String()
}
