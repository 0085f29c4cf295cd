package faults_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/evshop/shop/e2e/harness"
	"github.com/evshop/shop/platform/testenv"
)

// plan sizes the run: customers × orders checkouts with at most workers
// shoppers active at once. The default is the 1,000 checkouts (100
// customers × 10); E2E_FAULTS_CUSTOMERS=30 makes a quicker 300. On this
// 2-core machine the 1,000 are accepted in ~20 s and every order is terminal
// ~2 minutes later, the catalog's stock commands being the slowest step (see
// docs/benchmarks-load.md).
type plan struct {
	customers, orders, workers int
}

func planFromEnv(t *testing.T) plan {
	t.Helper()
	p := plan{customers: 100, orders: 10, workers: 25}
	for _, v := range []struct {
		env      string
		dst      *int
		min, max int
	}{{"E2E_FAULTS_CUSTOMERS", &p.customers, 1, 240}, {"E2E_FAULTS_ORDERS", &p.orders, 1, 50}, {"E2E_FAULTS_WORKERS", &p.workers, 1, 100}} {
		s := os.Getenv(v.env)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < v.min || n > v.max {
			t.Fatalf("%s=%q: must be an integer in %d..%d", v.env, s, v.min, v.max)
		}
		*v.dst = n
	}
	p.workers = min(p.workers, p.customers)
	return p
}

// Products of the run: plentiful ones get extra stock so their orders pay;
// the scarce one keeps its dozen units, so some orders are cancelled for
// stock while others compete for the last units. Orders spread over a dozen
// products, as in a shop: each product's stock is one compare-and-swap chain
// in the catalog, and three hot products would measure only its contention.
var (
	plentiful = []string{"KIT-002", "KIT-003", "KIT-004", "KIT-005", "KIT-006", "KIT-007", "HOM-001", "HOM-002", "HOM-003", "HOM-004", "HOM-005", "HOM-006"}
	scarce    = "OUT-001"
	products  = append(append([]string{}, plentiful...), scarce)
)

const extraStock = 5000

// shopper is one registered customer with its own loopback address.
type shopper struct {
	idx    int
	email  string
	userID string
	b      *harness.Browser
}

// accepted is a checkout the shop answered 202.
type accepted struct {
	orderID  string
	customer int
	declined bool
	attempts int
	latency  time.Duration // of the accepted request
}

// load is the shared state of the load generator.
type load struct {
	mu       sync.Mutex
	accepted []accepted
	failures []string
	retries  atomic.Int64
	done     atomic.Int64 // checkouts finished (accepted or given up)
	started  atomic.Int64 // checkouts begun
	// limit is how many checkouts may begin; the fault runner raises it
	// as each fault fires, so a fast shop cannot finish the load before
	// the last fault has hit it. Zero means no limit.
	limit atomic.Int64
}

// admit waits until the next checkout may begin, or ctx ends.
func (l *load) admit(ctx context.Context) bool {
	n := l.started.Add(1)
	for {
		if lim := l.limit.Load(); lim == 0 || n <= lim {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (l *load) fail(format string, a ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures = append(l.failures, fmt.Sprintf(format, a...))
}

// transient reports whether a failed call is worth retrying: the request
// may have died with a process, or a dependency was briefly away.
func transient(r harness.Response, err error) bool {
	return err != nil || r.Status >= 500 || r.Status == http.StatusTooManyRequests
}

// retry calls fn until it succeeds, fails for good, or the deadline passes.
func retry(ctx context.Context, l *load, fn func() (harness.Response, error)) (harness.Response, error) {
	backoff := 100 * time.Millisecond
	for {
		r, err := fn()
		if !transient(r, err) {
			return r, err
		}
		l.retries.Add(1)
		select {
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("gave up after %s", r)
			}
			return r, errors.Join(err, ctx.Err())
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// register signs up every shopper (verification link from the SES
// emulator), workers at a time. Each shopper gets its own loopback source
// address so the per-IP sign-up limits see a crowd, as they would in life.
func register(ctx context.Context, t *testing.T, c *harness.Cluster, p plan, run string) []*shopper {
	t.Helper()
	mail := c.Mailbox()
	shoppers := make([]*shopper, p.customers)
	errs := make(chan error, p.customers)
	sem := make(chan struct{}, min(p.workers, 12)) // argon2id is the cost here
	var wg sync.WaitGroup
	for i := range shoppers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			ip := fmt.Sprintf("127.0.%d.%d", 1+i/250, 1+i%250)
			b, err := c.NewBrowserOn(i, ip)
			if err != nil {
				errs <- err
				return
			}
			s := &shopper{idx: i, email: testenv.SESRecipient(fmt.Sprintf("%s-c%03d", run, i)), b: b}
			if s.userID, err = b.SignUp(ctx, mail, s.email, "fault tolerant passphrase", fmt.Sprintf("Shopper %d", i)); err != nil {
				errs <- fmt.Errorf("shopper %d: %w", i, err)
				return
			}
			shoppers[i] = s
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return shoppers
}

// shop runs every shopper's orders, workers shoppers at a time. An order
// is a few lines then a checkout; the checkout is retried with the same
// Idempotency-Key while the shop answers 5xx (a process is down, the broker
// restarts), which is what a storefront does. Nobody waits for payment: the
// saga runs behind the 202s, so up to all checkouts are in flight at once.
func shop(ctx context.Context, shoppers []*shopper, p plan, run string, l *load) {
	queue := make(chan *shopper)
	var wg sync.WaitGroup
	for range p.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range queue {
				rng := rand.New(rand.NewPCG(uint64(s.idx), 11))
				for n := range p.orders {
					if !l.admit(ctx) {
						return
					}
					placeOne(ctx, s, rng, fmt.Sprintf("%s-%d-%d", run, s.idx, n), l)
					l.done.Add(1)
				}
			}
		}()
	}
	for _, s := range shoppers {
		select {
		case queue <- s:
		case <-ctx.Done():
		}
	}
	close(queue)
	wg.Wait()
}

func placeOne(ctx context.Context, s *shopper, rng *rand.Rand, key string, l *load) {
	lines := map[string]int{plentiful[rng.IntN(len(plentiful))]: 1 + rng.IntN(3)}
	if rng.IntN(100) < 15 {
		lines[scarce] = 1
	}
	for sku, qty := range lines {
		r, err := retry(ctx, l, func() (harness.Response, error) {
			return s.b.Do(ctx, http.MethodPost, "/api/basket/items", map[string]any{"sku": sku, "quantity": qty}, nil)
		})
		if err != nil || r.Status != http.StatusOK {
			l.fail("%s: add %s: %v %s", key, sku, err, r)
			return
		}
	}
	card := harness.CardSuccess
	declined := rng.IntN(100) < 10
	if declined {
		card = harness.CardDeclined
	}
	attempts := 0
	var orderID string
	var took time.Duration
	r, err := retry(ctx, l, func() (harness.Response, error) {
		attempts++
		start := time.Now()
		id, r, err := s.b.Checkout(ctx, key, harness.SandboxCard(card))
		orderID, took = id, time.Since(start)
		return r, err
	})
	if err != nil || r.Status != http.StatusAccepted || orderID == "" {
		l.fail("%s: checkout: %v %s", key, err, r)
		return
	}
	l.mu.Lock()
	l.accepted = append(l.accepted, accepted{orderID: orderID, customer: s.idx, declined: declined, attempts: attempts, latency: took})
	l.mu.Unlock()
}
