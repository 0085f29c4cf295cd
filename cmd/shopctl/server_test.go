package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evshop/shop/eventstore/postgres"
	"github.com/evshop/shop/platform/pg"
	"github.com/evshop/shop/platform/testenv"
	"github.com/evshop/shop/projections/projectionstest"
	"github.com/evshop/shop/projections/readmodels"
	"github.com/evshop/shop/projections/rebuild"
	"github.com/evshop/shop/projections/sales"
)

// The server wiring, from settings to real PostgreSQL and Redis.
func TestServerBackendAgainstRealServers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := testenv.PostgresURL(t)
	_, prefix := testenv.Redis(t)
	mdb := testenv.Mongo(t)
	redisURL := testenv.URL(testenv.RedisURLEnv)
	pool, err := pg.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	es, err := postgres.New(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := projectionstest.Seed(ctx, es, 21, 15, 8)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{
		"POSTGRES_URL": dbURL, "REDIS_URL": redisURL, "BUS_PREFIX": prefix,
		"MONGO_URL": testenv.URL(testenv.MongoURLEnv), "MONGO_DB": mdb.Name(), "EVENTSTORE": "postgres",
	}
	sh := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(ctx, args, env{stdout: &out, stderr: &errOut, lookup: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }}, nil)
		return code, out.String(), errOut.String()
	}
	code, out, stderr := sh("projections", "list", "--json")
	var sts []rebuild.Status
	if code != 0 || json.Unmarshal([]byte(out), &sts) != nil || len(sts) != len(readmodels.List()) {
		t.Fatalf("list: %d %s %s", code, out, stderr)
	}
	for _, s := range sts {
		if s.Checkpoint != 0 || s.LagEvents == 0 || s.State != rebuild.StateIdle {
			t.Fatalf("before rebuild: %+v", s)
		}
	}
	if code, _, stderr = sh("projections", "rebuild", "--all"); code != 0 {
		t.Fatalf("rebuild: %s", stderr)
	}
	code, out, _ = sh("projections", "list", "--json")
	if json.Unmarshal([]byte(out), &sts) != nil || code != 0 {
		t.Fatal(out)
	}
	for _, s := range sts {
		if s.Checkpoint == 0 || s.LagEvents != 0 || s.State != rebuild.StateDone {
			t.Fatalf("after rebuild: %+v", s)
		}
	}
	// The rebuilt sales model answers the report: the history was appended
	// today, so the default period holds every paid order.
	code, out, stderr = sh("report", "sales", "--by", "product", "--format", "json")
	var rep sales.Report
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || len(rep.Totals) != 1 || rep.Totals[0].Orders == 0 || len(rep.Products) == 0 {
		t.Fatalf("report sales: %d %s %s", code, out, stderr)
	}
	dir := t.TempDir()
	if code, _, stderr = sh("events", "export", "--type", "ordering.*", "--format", "parquet", "--out", filepath.Join(dir, "pq")); code != 0 {
		t.Fatalf("export: %s", stderr)
	}
	if code, out, _ = sh("order", "timeline", ids[0]); code != 0 || !strings.Contains(out, "payment-") && !strings.Contains(out, "stock-") {
		t.Fatalf("timeline: %s", out)
	}
	if code, out, stderr = sh("deadletters", "list"); code != 0 || !strings.HasPrefix(out, "ID") {
		t.Fatalf("deadletters: %d %s %s", code, out, stderr)
	}
}
