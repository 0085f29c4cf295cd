package durable_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/evshop/shop/e2e/harness"
	essqlite "github.com/evshop/shop/eventstore/sqlite"
	relaysqlite "github.com/evshop/shop/messaging/relay/sqlite"
	"github.com/evshop/shop/platform/sqlite/sqlitedriver"
	"github.com/evshop/shop/projections/projectionstest"
)

// BenchmarkStartup: how long the durable embedded shop takes to start on a
// data directory holding SHOP_BENCH_EVENTS events (default 100,000: orders
// with their checkout, stock and payment streams, appended through the
// event store; the relay to the bus is marked as done with them, as on a
// shop that ran), measured on the separate process from exec to:
//
//   - ready: /readyz answers 200 (the read models catch up behind it);
//   - caught-up: every read model's lag (projection_lag_events on
//     METRICS_ADDR) is 0.
//
// Twice: nocheckpoints is the first start, on read models without
// checkpoints (a full catch-up of every read model from position 0, what a
// start after deleting them does); checkpoints is the second start, every
// read model where the first left it. Reported in seconds (unit -sec).
func BenchmarkStartup(b *testing.B) {
	total := 100_000
	if v := os.Getenv("SHOP_BENCH_EVENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1000 || n > 10_000_000 {
			b.Fatalf("SHOP_BENCH_EVENTS=%q must be an integer in 1000..10000000", v)
		}
		total = n
	}
	harness.Build(b)
	ctx := context.Background()
	dir := b.TempDir()
	db, err := sqlitedriver.Open(ctx, filepath.Join(dir, "shop.db"))
	if err != nil {
		b.Fatal(err)
	}
	es, err := essqlite.New(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	n, err := projectionstest.Bulk(ctx, es, 1, total, 4)
	if err != nil {
		b.Fatal(err)
	}
	head, err := es.HeadPosition(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if err := relaysqlite.Migrate(ctx, db); err != nil {
		b.Fatal(err)
	}
	if err := relaysqlite.NewCheckpoints(db).Save(ctx, "events", head); err != nil {
		b.Fatal(err)
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "shop.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("setup: appended %d events (head %d, shop.db %d MiB) in %s", n, head, st.Size()>>20, time.Since(start).Round(time.Second))

	for _, run := range []string{"nocheckpoints", "checkpoints"} {
		metrics := freeAddr(b)
		t0 := time.Now()
		shop := harness.StartEmbedded(b, harness.EmbeddedOptions{DataDir: dir, Env: []string{"METRICS_ADDR=" + metrics, "LOG_LEVEL=warn"}})
		ready := time.Since(t0)
		if err := waitCaughtUp(ctx, "http://"+metrics+"/metrics", 10*time.Minute); err != nil {
			b.Fatalf("%s: %v\n%s", run, err, shop.Log(30))
		}
		caughtUp := time.Since(t0)
		shop.Stop()
		b.Logf("%s: ready after %s, read models caught up after %s", run, ready.Round(time.Millisecond), caughtUp.Round(time.Millisecond))
		b.ReportMetric(ready.Seconds(), run+"-ready-sec")
		b.ReportMetric(caughtUp.Seconds(), run+"-caught-up-sec")
	}
	b.ReportMetric(float64(n), "events")
}

// freeAddr is a loopback address nobody listens on now.
func freeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitCaughtUp polls the shop's metrics until every read model's
// projection_lag_events is 0.
func waitCaughtUp(ctx context.Context, url string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	last := "no scrape yet"
	for {
		lags, err := scrapeLags(ctx, url)
		switch {
		case err != nil:
			last = err.Error()
		case len(lags) == 0:
			last = "no projection_lag_events in the metrics"
		default:
			behind := 0
			for _, v := range lags {
				if v > 0 {
					behind++
				}
			}
			if behind == 0 {
				return nil
			}
			last = fmt.Sprintf("%d of %d read models behind: %v", behind, len(lags), lags)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("read models not caught up within %s: %s", limit, last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func scrapeLags(ctx context.Context, url string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	lags := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "projection_lag_events{") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			return nil, fmt.Errorf("metrics line %q: %v", line, err)
		}
		lags[line[:i]] = v
	}
	return lags, sc.Err()
}
