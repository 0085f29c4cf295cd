package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/evshop/shop/eventstore"
	"github.com/evshop/shop/eventstore/memory"
	"github.com/evshop/shop/export"
	"github.com/evshop/shop/messaging"
	"github.com/evshop/shop/messaging/relay"
	"github.com/evshop/shop/projections/baskets"
	"github.com/evshop/shop/projections/orders"
	"github.com/evshop/shop/projections/payments"
	"github.com/evshop/shop/projections/projectionstest"
	"github.com/evshop/shop/projections/rebuild"
	"github.com/evshop/shop/projections/recommendations"
	"github.com/evshop/shop/projections/sales"
)

// memBackend is the embedded wiring: memory event store, swappable memory
// read models, memory dead letters.
type memBackend struct {
	es     *memory.Store
	runner *rebuild.Runner
	dl     *memDeadLetters
	sales  *sales.Memory
}

type memDeadLetters struct {
	*messaging.MemoryDeadLetters
	mu       sync.Mutex
	redriven []string
}

func (m *memDeadLetters) Redrive(ctx context.Context, id string) error {
	if _, err := m.Get(ctx, id); err != nil {
		return err
	}
	m.mu.Lock()
	m.redriven = append(m.redriven, id)
	m.mu.Unlock()
	return m.Delete(ctx, id)
}

func newMemBackend(t *testing.T, es *memory.Store) *memBackend {
	t.Helper()
	ctx := context.Background()
	om, _ := orders.NewSwappable(orders.NewMemory())
	bm, _ := baskets.NewSwappable(baskets.NewMemory())
	pm, rm, sm := payments.NewSwappable(), recommendations.NewSwappable(), sales.NewMemory(time.UTC)
	for _, h := range []interface {
		Handle(context.Context, eventstore.RecordedEvent) error
	}{must(orders.NewProjector(om)), must(baskets.NewProjector(bm)), must(payments.NewProjector(pm)), recommendations.NewProjector(rm), must(sales.NewProjector(sm))} {
		for ev, err := range es.ReadAll(ctx, 0, eventstore.Filter{}) {
			if err == nil {
				err = h.Handle(ctx, ev)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	reg, err := rebuild.NewRegistry(must(om.RebuildTarget()), must(bm.RebuildTarget()), must(pm.RebuildTarget()), must(rm.RebuildTarget()))
	if err != nil {
		t.Fatal(err)
	}
	runner, err := rebuild.NewRunner(rebuild.Config{Events: es, Registry: reg, State: rebuild.NewMemoryState()})
	if err != nil {
		t.Fatal(err)
	}
	return &memBackend{es: es, runner: runner, dl: &memDeadLetters{MemoryDeadLetters: messaging.NewMemoryDeadLetters()}, sales: sm}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func (b *memBackend) Events(context.Context) (export.StreamReader, error) { return b.es, nil }
func (b *memBackend) Runner(context.Context) (*rebuild.Runner, error)     { return b.runner, nil }
func (b *memBackend) DeadLetters(context.Context) (deadLetters, error)    { return b.dl, nil }
func (b *memBackend) Sales(context.Context) (sales.Store, error)          { return b.sales, nil }
func (b *memBackend) Close()                                              {}

type result struct {
	code           int
	stdout, stderr string
}

func (b *memBackend) run(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, env{stdout: &out, stderr: &errOut, lookup: func(string) (string, bool) { return "", false }},
		func(settings) backend { return b })
	return result{code, out.String(), errOut.String()}
}

func seeded(t *testing.T) (*memory.Store, []string) {
	t.Helper()
	es := memory.New()
	ids, err := projectionstest.Seed(context.Background(), es, 9, 12, 6)
	if err != nil {
		t.Fatal(err)
	}
	return es, ids
}

func TestBadUsageExitsTwo(t *testing.T) {
	t.Parallel()
	es, _ := seeded(t)
	b := newMemBackend(t, es)
	for _, args := range [][]string{
		{},
		{"events"},
		{"events", "nope"},
		{"events", "export", "--format", "xml"},
		{"events", "export", "--since", "yesterday"},
		{"events", "export", "--type", "ordering.["},
		{"events", "export", "--from-position", "9", "--to-position", "3"},
		{"events", "export", "--format", "parquet"},
		{"events", "export", "extra"},
		{"events", "stats", "--bogus"},
		{"order", "timeline"},
		{"order", "timeline", "not-a-uuid"},
		{"order", "timeline", uuid.NewString(), "--scan", "everything"},
		{"projections", "status"},
		{"projections", "status", "nope"},
		{"projections", "rebuild"},
		{"projections", "rebuild", "orders", "--all"},
		{"projections", "rebuild", "Bad Name"},
		{"deadletters", "list", "--limit", "0"},
		{"deadletters", "redrive"},
		{"deadletters", "redrive", "--handler", "x", "id1"},
		{"--rebuild-batch", "0", "projections", "list"},
		{"--log-level", "loud", "projections", "list"},
		{"--postgres-url", "mysql://x", "events", "stats"},
		{"events", "stats", "--postgres-url", "mysql://x"},
		{"--bogus", "events", "stats"},
		{"--eventstore", "memory", "events", "stats"},
		{"--eventstore", "esdb", "--esdb-url", "http://x", "events", "stats"},
		{"--mongo-url", "redis://x", "projections", "list"},
		{"completion", "nosuchshell"},
	} {
		if r := b.run(t, args...); r.code != 2 || r.stderr == "" {
			t.Errorf("%q: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"events", "stats"}, env{stdout: &out, stderr: &errOut,
		lookup: func(k string) (string, bool) { return "x", k == "SHOPCTL_REBUILD_BATCH" }}, func(settings) backend { return b })
	if code != 2 || !strings.Contains(errOut.String(), "SHOPCTL_REBUILD_BATCH") {
		t.Fatalf("bad env: %d %q", code, errOut.String())
	}
}

// Help and completion come from cobra: every command documents its flags,
// the settings are flags of every command, and a bad flag says which.
func TestHelpCompletionAndFlagErrors(t *testing.T) {
	t.Parallel()
	es, _ := seeded(t)
	b := newMemBackend(t, es)
	for _, c := range []struct {
		args       []string
		code       int
		out, noErr string
	}{
		{[]string{"--help"}, 0, "projections", ""},
		{[]string{"-h"}, 0, "POSTGRES_URL", ""},
		{[]string{"events", "export", "--help"}, 0, "--include-personal-data", ""},
		{[]string{"projections", "rebuild", "-h"}, 0, "--restart", ""},
		{[]string{"help", "order", "timeline"}, 0, "--scan", ""},
		{[]string{"completion", "bash"}, 0, "bash completion", ""},
		{[]string{"completion", "zsh"}, 0, "compdef", ""},
		{[]string{"events", "stats", "--nope"}, 2, "", "unknown flag: --nope"},
		{[]string{"deadletters", "list", "--limit", "many"}, 2, "", "invalid argument \"many\""},
		{[]string{"events", "stats", "--rebuild-batch", "7"}, 0, "total", ""},
	} {
		r := b.run(t, c.args...)
		if r.code != c.code || !strings.Contains(r.stdout, c.out) || (c.noErr != "" && !strings.Contains(r.stderr, c.noErr)) {
			t.Errorf("%q: exit %d, want %d; stdout %.200q; stderr %.300q", c.args, r.code, c.code, r.stdout, r.stderr)
		}
	}
}

func TestEventsExportFormatsToFiles(t *testing.T) {
	t.Parallel()
	es, _ := seeded(t)
	b := newMemBackend(t, es)
	dir := t.TempDir()

	jl := filepath.Join(dir, "orders.jsonl")
	if r := b.run(t, "events", "export", "--stream-prefix", "order-", "--out", jl); r.code != 0 {
		t.Fatalf("jsonl: %+v", r)
	}
	data, _ := os.ReadFile(jl)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	for _, l := range lines {
		var ev eventstore.RecordedEvent
		if err := json.Unmarshal([]byte(l), &ev); err != nil || !strings.HasPrefix(ev.Stream, "order-") {
			t.Fatalf("line %q: %v", l, err)
		}
	}

	c := filepath.Join(dir, "placed.csv")
	if r := b.run(t, "events", "export", "--type", "ordering.OrderPlaced.v1", "--format", "csv", "--out", c); r.code != 0 {
		t.Fatalf("csv: %+v", r)
	}
	f, _ := os.Open(c)
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) != 13 || !strings.Contains(strings.Join(recs[0], ","), "data.total.amount") {
		t.Fatalf("csv %d records %v: %v", len(recs), recs[0], err)
	}

	pq := filepath.Join(dir, "pq")
	if r := b.run(t, "events", "export", "--type", "payment.*", "--format", "parquet", "--out", pq); r.code != 0 {
		t.Fatalf("parquet: %+v", r)
	}
	files, _ := filepath.Glob(filepath.Join(pq, "*.parquet"))
	if len(files) < 3 {
		t.Fatalf("parquet files %v", files)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(pq, ".*partial")); len(leftovers) != 0 {
		t.Fatalf("partial files left: %v", leftovers)
	}
	// One exact type may go to stdout.
	if r := b.run(t, "events", "export", "--type", "ordering.OrderPaid.v1", "--format", "parquet"); r.code != 0 || !strings.HasPrefix(r.stdout, "PAR1") {
		t.Fatalf("parquet to stdout: %d %q", r.code, r.stderr)
	}
}

func TestStatsTimelineAndProjections(t *testing.T) {
	t.Parallel()
	es, ids := seeded(t)
	b := newMemBackend(t, es)
	r := b.run(t, "events", "stats")
	if r.code != 0 || !strings.Contains(r.stdout, "ordering.OrderPlaced.v1") || !strings.Contains(r.stdout, "total") {
		t.Fatalf("stats: %+v", r)
	}
	r = b.run(t, "order", "timeline", ids[0], "--scan", "none")
	if r.code != 0 || !strings.Contains(r.stdout, "order-"+ids[0]) || !strings.Contains(r.stdout, "checkout-"+ids[0]) || strings.Contains(r.stdout, "tok_") {
		t.Fatalf("timeline: %+v", r)
	}
	if r = b.run(t, "order", "timeline", uuid.NewString()); r.code != 1 {
		t.Fatalf("unknown order: %+v", r)
	}
	if r = b.run(t, "projections", "rebuild", "--all"); r.code != 0 || !strings.Contains(r.stderr, "orders: rebuilt") {
		t.Fatalf("rebuild: %+v", r)
	}
	r = b.run(t, "projections", "list", "--json")
	var sts []rebuild.Status
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &sts) != nil || len(sts) != 4 || sts[0].State != rebuild.StateDone {
		t.Fatalf("list: %+v", r)
	}
	if r = b.run(t, "projections", "status", "orders"); r.code != 0 || !strings.Contains(r.stdout, "done") {
		t.Fatalf("status: %+v", r)
	}
}

func TestDeadLettersListShowRedrive(t *testing.T) {
	t.Parallel()
	es, _ := seeded(t)
	b := newMemBackend(t, es)
	ctx := context.Background()
	for i, h := range []string{"projections.orders", "notifier.send-emails"} {
		if err := b.dl.Add(ctx, messaging.DeadLetter{ID: "dl" + string(rune('1'+i)), MessageID: uuid.NewString(), Handler: h,
			RedriveTo: "shop.redrive." + h, Reason: "boom", Payload: []byte(`{"a":1}`), FailedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if r := b.run(t, "deadletters", "list"); r.code != 0 || !strings.Contains(r.stdout, "dl1") || !strings.Contains(r.stdout, "dl2") {
		t.Fatalf("list: %+v", r)
	}
	if r := b.run(t, "deadletters", "show", "dl1"); r.code != 0 || !strings.Contains(r.stdout, `"a": 1`) {
		t.Fatalf("show: %+v", r)
	}
	if r := b.run(t, "deadletters", "show", "nope"); r.code != 1 {
		t.Fatalf("show unknown: %+v", r)
	}
	if r := b.run(t, "deadletters", "redrive", "--all", "--handler", "notifier.send-emails"); r.code != 0 {
		t.Fatalf("redrive: %+v", r)
	}
	if len(b.dl.redriven) != 1 || b.dl.redriven[0] != "dl2" {
		t.Fatalf("redriven %v", b.dl.redriven)
	}
	if r := b.run(t, "deadletters", "list", "--json"); r.code != 0 || strings.Contains(r.stdout, "dl2") || !strings.Contains(r.stdout, "dl1") {
		t.Fatalf("list after redrive: %+v", r)
	}
}

// Replays never cause side effects: with the embedded shop's pipeline wired
// (relay from the store to a bus with a handler recording every event and
// command), running every read and rebuild command appends nothing and
// delivers nothing. A sentinel append afterwards proves the pipeline was
// live, so the silence is meaningful.
func TestReplaysCauseNoSideEffects(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	es, ids := seeded(t)
	head0, _ := es.HeadPosition(ctx)

	bus, err := messaging.New(messaging.Config{Transport: messaging.TransportGoChannel, Prefix: "noside"})
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	var mu sync.Mutex
	var seen []string
	if err := bus.AddEventHandler(messaging.EventHandler{Name: "recorder", Handle: func(_ context.Context, e eventstore.RecordedEvent) error {
		mu.Lock()
		seen = append(seen, e.Type)
		mu.Unlock()
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	cps := relay.NewMemoryCheckpoints()
	if err := cps.Save(ctx, "events", head0); err != nil { // history was relayed long ago
		t.Fatal(err)
	}
	rl, err := relay.New(relay.Config{Name: "events", Source: es, Checkpoints: cps, Publisher: bus, PollInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	go bus.Run(ctx) //nolint:errcheck
	go rl.Run(ctx)  //nolint:errcheck
	<-bus.Running()

	b := newMemBackend(t, es)
	dir := t.TempDir()
	for _, args := range [][]string{
		{"events", "export", "--out", filepath.Join(dir, "all.jsonl")},
		{"events", "export", "--format", "csv", "--out", filepath.Join(dir, "all.csv")},
		{"events", "export", "--format", "parquet", "--out", filepath.Join(dir, "pq")},
		{"events", "stats"},
		{"order", "timeline", ids[1], "--scan", "all"},
		{"projections", "rebuild", "--all"},
		{"projections", "rebuild", "orders", "--restart"},
		{"projections", "list"},
	} {
		if r := b.run(t, args...); r.code != 0 {
			t.Fatalf("%q: %+v", args, r)
		}
	}
	time.Sleep(200 * time.Millisecond) // several relay polls
	if head, _ := es.HeadPosition(ctx); head != head0 {
		t.Fatalf("shopctl appended %d events", head-head0)
	}
	mu.Lock()
	if len(seen) != 0 {
		t.Fatalf("messages delivered during replay: %v", seen)
	}
	mu.Unlock()

	if _, err := es.Append(ctx, "sentinel-1", eventstore.Any(), eventstore.EventData{ID: uuid.NewString(), Type: "test.Sentinel.v1"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(seen)
		mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the pipeline never delivered the sentinel: the test proves nothing")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
