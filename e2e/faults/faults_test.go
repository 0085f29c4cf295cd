package faults_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/evshop/shop/e2e/harness"
)

func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }

// fault is one disturbance, fired when this share of the checkouts is done.
type fault struct {
	at   float64
	name string
	do   func(ctx context.Context) error
}

// firedFault is what happened to one fault.
type firedFault struct {
	name       string
	start, end time.Duration // since the load started
	doneBefore int64         // checkouts finished when it fired
	inFlight   int           // accepted orders not yet terminal then
	err        error
}

// gateHeadroom is how many checkouts past a fault's share may begin
// before that fault has fired: enough to keep the shop busy while the
// previous fault (a restart takes seconds) finishes.
const gateHeadroom = 0.1

// admitted is how many checkouts the load may begin before faults[next]
// fires; zero (no limit) once every fault has.
func admitted(faults []fault, next, total int) int64 {
	if next >= len(faults) {
		return 0
	}
	return int64(min(float64(total), (faults[next].at+gateHeadroom)*float64(total)))
}

// runFaults fires each fault once the load has finished its share of
// checkouts, one after the other (each is over before the next starts).
// The load may begin checkouts only up to the next fault's share (plus
// gateHeadroom) until that fault fires, so however fast the shop is, every
// fault finds checkouts still to do. Faults not reached when the load ends
// (it was cancelled) fire afterwards and are reported as such (the test then
// fails: they were meant to hit a busy shop).
func runFaults(ctx context.Context, faults []fault, total int, l *load, loadDone <-chan struct{}, began time.Time, inFlight func() int) []firedFault {
	var out []firedFault
	for i, f := range faults {
		for float64(l.done.Load()) < f.at*float64(total) {
			select {
			case <-loadDone:
			case <-ctx.Done():
				return out
			case <-time.After(50 * time.Millisecond):
				continue
			}
			break
		}
		ff := firedFault{name: f.name, start: time.Since(began), doneBefore: l.done.Load(), inFlight: inFlight()}
		l.limit.Store(admitted(faults, i+1, total))
		ff.err = f.do(ctx)
		ff.end = time.Since(began)
		out = append(out, ff)
	}
	return out
}

// TestCheckoutsSurviveFaults is issue 11's fault test: 1,000 checkouts by
// 100 shoppers through the gateway while RabbitMQ restarts, the payment and
// ordering processes are killed with SIGKILL and restarted, and the relay is
// restarted; then every invariant of the shop is checked (invariants_test).
func TestCheckoutsSurviveFaults(t *testing.T) {
	runFaultTest(t, nil)
}

// TestCheckoutsSurviveFaultsWithReplicas is the same run with two processes
// each of the gateway, ordering, payment, the checkout saga and the relay:
// commands and events go to competing consumers, one relay leads while the
// other stands by, and shoppers spread over both gateways. The faults hit
// the first replica of each (the leading relay among them); the other goes
// on serving.
func TestCheckoutsSurviveFaultsWithReplicas(t *testing.T) {
	runFaultTest(t, map[string]int{"gateway": 2, "ordering": 2, "payment": 2, "checkout": 2, "relay": 2})
}

func runFaultTest(t *testing.T, replicas map[string]int) {
	if testing.Short() {
		t.Skip("fault test: skipped by -short")
	}
	requireRabbitCtl(t)
	p := planFromEnv(t)
	opts := harness.Options{Replicas: replicas}
	if os.Getenv("E2E_FAULTS_DEBUG") != "" {
		opts.Env = map[string]string{"LOG_LEVEL": "debug"}
	}
	c := harness.Start(t, opts)
	// The whole run after start-up is bounded: sign-ups, load with faults,
	// draining and the checks.
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	run := fmt.Sprintf("f%d", time.Now().Unix()%100000)

	staff, err := c.NewBrowser("")
	if err != nil {
		t.Fatal(err)
	}
	defer staff.Close()
	if _, err := staff.Login(ctx, c.AdminEmail, c.AdminPassword); err != nil {
		t.Fatal(err)
	}
	for _, sku := range plentiful {
		if _, err := staff.Expect(ctx, http.StatusOK, http.MethodPost, "/api/catalog/products/"+sku+"/stock",
			map[string]any{"delta": extraStock, "reason": "received", "note": "fault test"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	chk := newChecker(ctx, t, c)
	initial := chk.stock(ctx, t)
	for sku, s := range initial {
		if s.reserved != 0 {
			t.Fatalf("%s starts with %d reserved", sku, s.reserved)
		}
	}

	began := time.Now()
	shoppers := register(ctx, t, c, p, run)
	registered := time.Since(began)
	t.Logf("registered %d shoppers in %s", len(shoppers), registered.Round(time.Millisecond))
	for _, s := range shoppers {
		defer s.b.Close()
	}

	total := p.customers * p.orders
	l := &load{}
	loadCtx, stopLoad := context.WithTimeout(ctx, 150*time.Second)
	defer stopLoad()

	restart := func(name string, kill bool) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			if kill {
				c.Kill(name)
				time.Sleep(time.Second) // let the shop notice it is gone
			} else {
				c.Stop(name)
			}
			return c.Restart(ctx, name)
		}
	}
	// Process faults first (each is over in a second or two), the broker
	// last: stopping RabbitMQ takes tens of seconds on this machine, and the
	// load must still be running when it comes back.
	// The relay that leads: with replicas, the one holding the lease (the
	// other stands by and must take over).
	relay := func(kill bool) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			if replicas["relay"] < 2 {
				return restart("relay", kill)(ctx)
			}
			leaders := c.RelayLeaders(ctx)
			if len(leaders) != 1 {
				return fmt.Errorf("relay leaders before the fault: %v, want exactly one", leaders)
			}
			return restart(leaders[0], kill)(ctx)
		}
	}
	faults := []fault{
		{0.08, "kill -9 payment, restart", restart("payment", true)},
		{0.16, "restart leading relay (SIGTERM)", relay(false)},
		{0.24, "kill -9 ordering, restart", restart("ordering", true)},
		{0.32, "kill -9 leading relay, restart", relay(true)},
		{0.40, "RabbitMQ stop_app 5s, start_app", func(ctx context.Context) error {
			return bounceRabbit(t, 5*time.Second, filepath.Join(c.LogDir(), "rabbitmq-bounce.log"))
		}},
	}
	if replicas["checkout"] > 1 {
		faults = slices.Insert(faults, 3, fault{0.28, "kill -9 checkout saga, restart", restart("checkout", true)})
	}
	// A fault hits the shop "during" the checkouts while shoppers are
	// still checking out or accepted orders are still in the saga.
	inFlight := func() int {
		l.mu.Lock()
		n := len(l.accepted)
		l.mu.Unlock()
		return n - chk.terminal(ctx)
	}
	l.limit.Store(admitted(faults, 0, total))
	loadDone := make(chan struct{})
	loadBegan := time.Now()
	var loadTook time.Duration
	go func() {
		defer close(loadDone)
		shop(loadCtx, shoppers, p, run, l)
		loadTook = time.Since(loadBegan)
	}()
	fired := runFaults(loadCtx, faults, total, l, loadDone, loadBegan, inFlight)
	<-loadDone

	for _, f := range fired {
		during := f.doneBefore < int64(total) || f.inFlight > 0
		t.Logf("fault %-34s at %6.1fs–%6.1fs after %4d/%d checkouts, %4d orders in the saga (during: %v) err=%v",
			f.name, f.start.Seconds(), f.end.Seconds(), f.doneBefore, total, f.inFlight, during, f.err)
		if f.err != nil {
			t.Errorf("fault %q: %v", f.name, f.err)
		}
		if !during {
			t.Errorf("fault %q fired after every checkout was over", f.name)
		}
	}
	if len(fired) != len(faults) {
		t.Errorf("only %d of %d faults fired", len(fired), len(faults))
	}
	c.CheckAlive()
	if replicas["relay"] > 1 {
		// Both relays run again; exactly one may publish.
		var leaders []string
		for range 100 { // the stand-by takes the lease within a few seconds
			if leaders = c.RelayLeaders(ctx); len(leaders) == 1 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if len(leaders) != 1 {
			t.Errorf("relay leaders after the faults: %v, want exactly one", leaders)
		}
	}

	l.mu.Lock()
	acc := slices.Clone(l.accepted)
	failures := slices.Clone(l.failures)
	l.mu.Unlock()
	var latencies []time.Duration
	for _, a := range acc {
		latencies = append(latencies, a.latency)
	}
	slices.Sort(latencies)
	t.Logf("load: %d/%d checkouts accepted in %s (%.1f/s), %d retried requests, %d given up; place-order p50=%s p99=%s",
		len(acc), total, loadTook.Round(time.Millisecond), float64(len(acc))/loadTook.Seconds(), l.retries.Load(), len(failures),
		pct(latencies, 0.50), pct(latencies, 0.99))
	for i, f := range failures {
		if i == 10 {
			t.Logf("… %d more", len(failures)-10)
			break
		}
		t.Logf("given up: %s", f)
	}
	// A storefront retrying through a few seconds of outage gets its 202;
	// a checkout that never got one is a failure of the shop's availability.
	if len(failures) > 0 {
		t.Errorf("%d of %d checkouts were never accepted", len(failures), total)
	}

	drainBegan := time.Now()
	// Whatever the load left of the budget goes to draining, but for the
	// checks after it.
	deadline, _ := ctx.Deadline()
	final := chk.drain(ctx, t, acc, max(30*time.Second, time.Until(deadline)-45*time.Second))
	t.Logf("drained: every accepted order terminal %s after the load", time.Since(drainBegan).Round(time.Millisecond))

	chk.noLostOrders(t, acc, final)
	paid := chk.payments(ctx, t, acc, final)
	chk.stockBalanced(ctx, t, initial, final)
	chk.emails(ctx, t, shoppers, acc, final)
	chk.projections(ctx, t, shoppers)
	chk.deadLetters(ctx, t)
	t.Logf("outcome: %d paid, %d cancelled (of them %d with a declined card); whole run %s",
		paid, len(final)-paid, countDeclined(acc), time.Since(began).Round(time.Millisecond))
}

func countDeclined(acc []accepted) int {
	n := 0
	for _, a := range acc {
		if a.declined {
			n++
		}
	}
	return n
}

func pct(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))].Round(time.Millisecond)
}
