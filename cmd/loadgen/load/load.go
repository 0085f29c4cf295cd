// Package load drives full checkouts through the shop's gateway the way the
// storefront does — CSRF token, cookies, register, verify by the emailed
// link, sign in, add items, check out with an Idempotency-Key, poll the order
// until the read model shows it Paid — and measures what a customer would
// feel: checkouts per second, place-order latency, and how long after placing
// an order it is visible as Paid. It only ever talks to 127.0.0.1.
//
// Accounts are made once per virtual customer before the clock starts
// (argon2id makes registering and signing in deliberately slow), so the
// measured phase is checkouts only.
package load

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config is one run.
type Config struct {
	// URL is the gateway, e.g. http://127.0.0.1:8080.
	URL string
	// Mail is where the verification mails are read: the SES emulator's
	// store (http://127.0.0.1:8005/store) in server mode; empty means the
	// embedded shop's outbox at URL/dev/mail.json.
	Mail string

	Customers         int
	OrdersPerCustomer int
	// Concurrency is the number of customers checking out at once; each
	// waits for its order to be Paid before the next (a closed loop).
	Concurrency int
	// Duration bounds the measured phase; orders in flight at the end are
	// still followed to their outcome. Zero: until every order is placed.
	Duration time.Duration
	// Lines is the number of distinct products per order.
	Lines int
	// SKUs to buy; empty: in-stock products of the first catalog page.
	SKUs []string
	// ClientIPs, when set, gives every virtual customer its own address from
	// this prefix in X-Forwarded-For. The shop believes it only from a
	// trusted proxy (the shop's TRUSTED_PROXIES must list loopback: the embedded
	// default; server mode opts in explicitly), which
	// lets many customers register within the auth service's per-IP limits.
	ClientIPs netip.Prefix
	// AdminEmail and AdminPassword, when set, top up the stock of the SKUs so
	// that the run cannot sell out (orders would be cancelled, not Paid).
	AdminEmail, AdminPassword string

	// Follow is how an order is followed to Paid: FollowWait (the default)
	// holds a read until the order changes (If-None-Match with Prefer:
	// wait), one request per change; FollowPoll reads it every Poll,
	// stretched (pollWait). A shop that does not wait is polled either way.
	Follow           string
	Poll             time.Duration // order status polling interval
	PaidTimeout      time.Duration // give up waiting for Paid after this
	SetupConcurrency int           // registrations/sign-ins at once
	RequestTimeout   time.Duration
	MailTimeout      time.Duration // wait for every verification mail

	// CheckReads makes every customer read its own writes back: after each
	// basket write a GET /api/basket must show that write (its revision and
	// lines), whose revision is then sent as If-Match on the next write (a
	// 412 means a stale read); right after checkout GET /api/orders/{id}
	// must find the order. Counted in Report.Reads.
	CheckReads bool
	// Metrics are the shop's Prometheus endpoints (only http://127.0.0.1):
	// when set, the report adds broker deliveries and events per checkout
	// and OrderPaid → email, after waiting up to EmailWait (default 2m) for
	// the confirmations of the paid orders.
	Metrics   []string
	EmailWait time.Duration

	// Processes whose memory is reported (read from ProcRoot, default /proc).
	Processes []Process
	ProcRoot  string
	// Progress receives a line every few seconds; nil: silent.
	Progress io.Writer
}

// Follow modes (Config.Follow).
const (
	FollowWait = "wait"
	FollowPoll = "poll"
)

// followWait is the Prefer: wait asked of the shop per read (it caps it
// at 10 s itself).
const followWait = 10 * time.Second

// Limits of the inputs (the generator is run by people; keep it bounded).
const (
	MaxCustomers   = 100_000
	MaxOrders      = 1_000_000
	MaxConcurrency = 10_000
	MaxDuration    = time.Hour
)

func (c *Config) defaults() {
	if c.Lines == 0 {
		c.Lines = 2
	}
	if c.Follow == "" {
		c.Follow = FollowWait
	}
	if c.Poll == 0 {
		c.Poll = 20 * time.Millisecond
	}
	if c.PaidTimeout == 0 {
		c.PaidTimeout = 30 * time.Second
	}
	if c.SetupConcurrency == 0 {
		c.SetupConcurrency = 4
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = 30 * time.Second
	}
	if c.MailTimeout == 0 {
		c.MailTimeout = 2 * time.Minute
	}
	if c.ProcRoot == "" {
		c.ProcRoot = "/proc"
	}
	if c.EmailWait == 0 {
		c.EmailWait = 2 * time.Minute
	}
}

// Validate checks the configuration (after defaults).
func (c *Config) Validate() error {
	c.defaults()
	var errs []error
	if _, err := CheckTarget(c.URL); err != nil {
		errs = append(errs, fmt.Errorf("url: %w", err))
	}
	if c.Mail != "" {
		if _, err := CheckTarget(c.Mail); err != nil {
			errs = append(errs, fmt.Errorf("mail: %w", err))
		}
	}
	for _, m := range c.Metrics {
		if _, err := CheckTarget(m); err != nil {
			errs = append(errs, fmt.Errorf("metrics: %w", err))
		}
	}
	if c.EmailWait < 0 || c.EmailWait > MaxDuration {
		errs = append(errs, fmt.Errorf("email wait %s must be between 0 and %s", c.EmailWait, MaxDuration))
	}
	within := func(name string, v, lo, hi int) {
		if v < lo || v > hi {
			errs = append(errs, fmt.Errorf("%s=%d: must be %d..%d", name, v, lo, hi))
		}
	}
	within("customers", c.Customers, 1, MaxCustomers)
	within("orders-per-customer", c.OrdersPerCustomer, 1, MaxOrders)
	within("concurrency", c.Concurrency, 1, MaxConcurrency)
	within("lines", c.Lines, 1, 20)
	within("setup-concurrency", c.SetupConcurrency, 1, 256)
	if c.Customers*c.OrdersPerCustomer > MaxOrders {
		errs = append(errs, fmt.Errorf("customers × orders-per-customer = %d: at most %d", c.Customers*c.OrdersPerCustomer, MaxOrders))
	}
	if c.Duration < 0 || c.Duration > MaxDuration {
		errs = append(errs, fmt.Errorf("duration %s: must be 0..%s", c.Duration, MaxDuration))
	}
	for name, d := range map[string]time.Duration{"poll": c.Poll, "paid-timeout": c.PaidTimeout, "request-timeout": c.RequestTimeout, "mail-timeout": c.MailTimeout} {
		if d <= 0 || d > MaxDuration {
			errs = append(errs, fmt.Errorf("%s %s: must be positive and at most %s", name, d, MaxDuration))
		}
	}
	if c.Follow != FollowWait && c.Follow != FollowPoll {
		errs = append(errs, fmt.Errorf("follow %q: must be %s or %s", c.Follow, FollowWait, FollowPoll))
	}
	if len(c.SKUs) > 0 && c.Lines > len(c.SKUs) {
		errs = append(errs, fmt.Errorf("lines=%d: needs at least as many SKUs (%d given)", c.Lines, len(c.SKUs)))
	}
	if c.ClientIPs.IsValid() {
		// Every customer needs its own address (the first one, the network
		// address, goes to the catalog and admin calls).
		if host := c.ClientIPs.Addr().BitLen() - c.ClientIPs.Bits(); host < 20 && 1<<host <= c.Customers+1 {
			errs = append(errs, fmt.Errorf("client-ips %s has %d addresses for %d customers", c.ClientIPs, 1<<host, c.Customers))
		}
	}
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		errs = append(errs, errors.New("admin email and password go together"))
	}
	return errors.Join(errs...)
}

// ErrTarget is returned for a URL the generator refuses to load.
var ErrTarget = errors.New("only http://127.0.0.1[:port] targets are allowed")

// CheckTarget accepts only plain-HTTP URLs whose host is the literal
// 127.0.0.1: load is never sent to another machine, not even by a name that
// resolves to loopback today and elsewhere tomorrow.
func CheckTarget(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", raw, ErrTarget)
	}
	if u.Scheme != "http" || u.User != nil || u.Hostname() != "127.0.0.1" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q: %w", raw, ErrTarget)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%q: bad port: %w", raw, ErrTarget)
		}
	}
	return u, nil
}

// customer is one virtual customer; a worker holds it exclusively while it
// checks out, because a basket is per customer.
type customer struct {
	idx   int
	email string
	s     *session
	done  int // orders finished
	// rev is the basket revision the customer last read (CheckReads).
	rev *uint64
}

// runner is one run's shared state.
type runner struct {
	cfg      Config
	base     string
	mail     string
	runID    string
	password string
	rec      *recorder
	tr       *http.Transport
	skus     []string
	placed   atomic.Int64
	paid     atomic.Int64
	cancel   atomic.Int64

	// CheckReads counters.
	staleReads, preconditionFailed, orderNotFound atomic.Int64
	statusMu                                      sync.Mutex
	firstStatus                                   map[string]int // status of the first read after check-out
}

// Run executes the run and returns its report. A report is returned with
// the error when the measured phase ran (e.g. everything failed).
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	u, _ := CheckTarget(cfg.URL)
	r := &runner{cfg: cfg, base: strings.TrimRight(u.String(), "/"), rec: newRecorder(), firstStatus: map[string]int{}}
	r.mail = cfg.Mail
	if r.mail == "" {
		r.mail = r.base + "/dev/mail.json"
	}
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	r.runID = hex.EncodeToString(b)
	r.password = "Load-" + hex.EncodeToString(b) + "-correct-horse-battery"
	r.tr = &http.Transport{
		Proxy:               nil, // never an environment proxy: the target is 127.0.0.1
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        cfg.Concurrency + cfg.SetupConcurrency + 8,
		MaxIdleConnsPerHost: cfg.Concurrency + cfg.SetupConcurrency + 8,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	defer r.tr.CloseIdleConnections()

	rep := &Report{Target: r.base, Mail: r.mail, RunID: r.runID, Customers: cfg.Customers, OrdersPerCustomer: cfg.OrdersPerCustomer,
		Concurrency: cfg.Concurrency, Lines: cfg.Lines, Follow: cfg.Follow, Poll: cfg.Poll, Duration: cfg.Duration}
	if cfg.ClientIPs.IsValid() {
		rep.ClientIPs = cfg.ClientIPs.String()
	}

	setupStart := time.Now()
	if err := r.chooseSKUs(ctx); err != nil {
		return nil, err
	}
	rep.SKUs = r.skus
	stockNote, err := r.restock(ctx)
	if err != nil {
		return nil, err
	}
	rep.Stock = stockNote
	customers, err := r.setupCustomers(ctx)
	rep.SetupDuration = time.Since(setupStart)
	rep.CustomersReady = len(customers)
	if err != nil {
		rep.Errors = r.rec.errors()
		return rep, err
	}

	rep.Memory = make([]ProcessMemory, len(cfg.Processes))
	for i, p := range cfg.Processes {
		rep.Memory[i].Process = p
		rep.Memory[i].Start, _ = ReadMemory(cfg.ProcRoot, p.PID)
	}

	start := time.Now()
	if len(cfg.Metrics) > 0 {
		if err := r.measureBus(ctx, rep, func() {
			r.measure(ctx, customers)
			rep.Elapsed = time.Since(start)
		}); err != nil {
			r.progress("bus figures: %v", err)
		}
	} else {
		r.measure(ctx, customers)
		rep.Elapsed = time.Since(start)
	}

	for i, p := range cfg.Processes {
		m, err := ReadMemory(cfg.ProcRoot, p.PID)
		rep.Memory[i].End = m
		if err != nil {
			rep.Memory[i].Err = err.Error()
		}
	}
	rep.Placed, rep.Paid, rep.Cancelled = int(r.placed.Load()), int(r.paid.Load()), int(r.cancel.Load())
	if s := rep.Elapsed.Seconds(); s > 0 {
		rep.CheckoutsPerSec = float64(rep.Paid) / s
		rep.PlacedPerSec = float64(rep.Placed) / s
	}
	rep.AddItem, rep.PlaceOrder = r.rec.summary(seriesAddItem), r.rec.summary(seriesPlace)
	rep.ToPaid, rep.ToPaidServer = r.rec.summary(seriesPaid), r.rec.summary(seriesPaidServer)
	rep.OrderPolls = r.rec.count(seriesPoll)
	rep.PollLatency = r.rec.summary(seriesPoll)
	if cfg.CheckReads {
		rep.Reads = &ReadChecks{BasketReads: r.rec.count(seriesBasketRead), Stale: int(r.staleReads.Load()),
			PreconditionFailed: int(r.preconditionFailed.Load()), OrderReads: r.rec.count(seriesOrderRead),
			OrderNotFound: int(r.orderNotFound.Load()), FirstOrderStatus: r.firstStatus,
			BasketRead: r.rec.summary(seriesBasketRead), OrderRead: r.rec.summary(seriesOrderRead)}
	}
	rep.Errors = r.rec.errors()
	if rep.Paid == 0 {
		return rep, errors.New("no order reached Paid")
	}
	return rep, nil
}

// Series names of the recorder.
const (
	seriesAddItem    = "add-item"
	seriesPlace      = "place-order"
	seriesPaid       = "to-paid"
	seriesPaidServer = "to-paid-server"
	seriesPoll       = "poll"
	seriesBasketRead = "basket-read"
	seriesOrderRead  = "order-read"
)

func (r *runner) progress(format string, args ...any) {
	if r.cfg.Progress != nil {
		fmt.Fprintf(r.cfg.Progress, format+"\n", args...)
	}
}

func (r *runner) newSession(idx int) (*session, error) {
	ip := ""
	if r.cfg.ClientIPs.IsValid() {
		ip = nthAddr(r.cfg.ClientIPs, uint64(idx+1)).String() // idx < Customers, checked against the prefix size
	}
	return newSession(r.base, r.tr, ip, r.cfg.RequestTimeout)
}

// nthAddr is the n-th address of prefix p (0: the network address).
func nthAddr(p netip.Prefix, n uint64) netip.Addr {
	b := p.Masked().Addr().As16()
	lo := binary.BigEndian.Uint64(b[8:]) + n
	binary.BigEndian.PutUint64(b[8:], lo)
	a := netip.AddrFrom16(b)
	if p.Addr().Is4() {
		return a.Unmap()
	}
	return a
}

type productDTO struct {
	SKU      string `json:"sku"`
	Stock    int    `json:"stock"`
	Archived bool   `json:"archived"`
	OnHand   *int   `json:"onHand"`
	Price    struct {
		Currency string `json:"currency"`
	} `json:"price"`
}

// chooseSKUs takes the configured SKUs or in-stock products of one currency
// (a basket holds one currency) from the first catalog page.
func (r *runner) chooseSKUs(ctx context.Context) error {
	if len(r.cfg.SKUs) > 0 {
		r.skus = r.cfg.SKUs
		return nil
	}
	s, err := r.newSession(-1)
	if err != nil {
		return err
	}
	var page struct {
		Items []productDTO `json:"items"`
	}
	if err := s.do(ctx, http.MethodGet, "/api/catalog/products?pageSize=100&sort=price_asc", nil, nil, &page); err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	currency := ""
	for _, p := range page.Items {
		if p.Archived || p.Stock <= 0 || (currency != "" && p.Price.Currency != currency) {
			continue
		}
		currency = p.Price.Currency
		r.skus = append(r.skus, p.SKU)
	}
	if len(r.skus) < r.cfg.Lines {
		return fmt.Errorf("catalog: %d products in stock in one currency; %d lines per order need more", len(r.skus), r.cfg.Lines)
	}
	return nil
}

// sku is the product of line l of a customer's n-th order: rotating over
// the SKUs spreads the stock reservations evenly.
func (r *runner) sku(c *customer, l int) string {
	return r.skus[(c.idx+c.done*r.cfg.Lines+l)%len(r.skus)]
}

// restock makes sure the run cannot sell out: with admin credentials it adds
// stock; without, it only warns when the stock looks too small.
func (r *runner) restock(ctx context.Context) (string, error) {
	total := r.cfg.Customers * r.cfg.OrdersPerCustomer * r.cfg.Lines
	need := total/len(r.skus) + 1
	s, err := r.newSession(-1)
	if err != nil {
		return "", err
	}
	if r.cfg.AdminEmail == "" {
		short := []string{}
		for _, sku := range r.skus {
			var p productDTO
			if err := s.do(ctx, http.MethodGet, "/api/catalog/products/"+url.PathEscape(sku), nil, nil, &p); err != nil {
				return "", fmt.Errorf("catalog %s: %w", sku, err)
			}
			if p.Stock < need {
				short = append(short, fmt.Sprintf("%s (%d)", sku, p.Stock))
			}
		}
		if len(short) == 0 {
			return "enough stock", nil
		}
		note := fmt.Sprintf("stock may run out (need about %d per SKU): %s; orders beyond it are cancelled, not Paid — give admin credentials to top it up", need, strings.Join(short, ", "))
		r.progress("warning: %s", note)
		return note, nil
	}
	if err := s.fetchCSRF(ctx); err != nil {
		return "", fmt.Errorf("admin: %w", err)
	}
	if err := s.do(ctx, http.MethodPost, "/api/auth/login", map[string]string{"email": r.cfg.AdminEmail, "password": r.cfg.AdminPassword}, nil, nil); err != nil {
		return "", fmt.Errorf("admin sign-in: %w", err)
	}
	const maxStock = 1_000_000 // domain/catalog.MaxStock
	added := 0
	for _, sku := range r.skus {
		var p productDTO
		if err := s.do(ctx, http.MethodGet, "/api/catalog/products/"+url.PathEscape(sku), nil, nil, &p); err != nil {
			return "", fmt.Errorf("catalog %s: %w", sku, err)
		}
		onHand := p.Stock
		if p.OnHand != nil {
			onHand = *p.OnHand
		}
		delta := min(need-p.Stock, maxStock-onHand)
		if delta <= 0 {
			continue
		}
		body := map[string]any{"delta": delta, "reason": "received", "note": "load generator run " + r.runID}
		if err := s.do(ctx, http.MethodPost, "/api/catalog/products/"+url.PathEscape(sku)+"/stock", body, nil, nil); err != nil {
			return "", fmt.Errorf("restock %s: %w", sku, err)
		}
		added += delta
	}
	return fmt.Sprintf("topped up by %d units over %d SKUs (need about %d each)", added, len(r.skus), need), nil
}

// setupCustomers registers every customer, verifies each through its mail
// and signs it in. Customers that fail are left out (and counted).
func (r *runner) setupCustomers(ctx context.Context) ([]*customer, error) {
	all := make([]*customer, r.cfg.Customers)
	for i := range all {
		s, err := r.newSession(i)
		if err != nil {
			return nil, err
		}
		all[i] = &customer{idx: i, s: s, email: fmt.Sprintf("load-%s-%d@example.com", r.runID, i)}
	}
	registered := r.parallel(ctx, all, func(c *customer) error {
		if err := c.s.fetchCSRF(ctx); err != nil {
			return stepErr{"csrf", err}
		}
		body := map[string]string{"email": c.email, "password": r.password, "name": fmt.Sprintf("Load Customer %d", c.idx)}
		if err := c.s.do(ctx, http.MethodPost, "/api/auth/register", body, nil, nil); err != nil {
			return stepErr{"register", err}
		}
		return nil
	})
	r.progress("setup: %d/%d registered; reading verification mail from %s", len(registered), len(all), r.mail)
	tokens, err := r.awaitMail(ctx, registered)
	if err != nil {
		return nil, err
	}
	ready := r.parallel(ctx, registered, func(c *customer) error {
		tok, ok := tokens[c.email]
		if !ok {
			return stepErr{"verify", errors.New("no verification mail")}
		}
		if err := c.s.do(ctx, http.MethodPost, "/api/auth/verify", map[string]string{"token": tok}, nil, nil); err != nil {
			return stepErr{"verify", err}
		}
		if err := c.s.do(ctx, http.MethodPost, "/api/auth/login", map[string]string{"email": c.email, "password": r.password}, nil, nil); err != nil {
			return stepErr{"login", err}
		}
		return nil
	})
	r.progress("setup: %d/%d customers signed in", len(ready), len(all))
	if len(ready) == 0 {
		return nil, errors.New("setup: no customer could sign in (see the errors)")
	}
	return ready, nil
}

type stepErr struct {
	op  string
	err error
}

func (e stepErr) Error() string { return e.op + ": " + e.err.Error() }

// parallel runs fn for each customer, SetupConcurrency at a time, and
// returns those that succeeded (in their order).
func (r *runner) parallel(ctx context.Context, cs []*customer, fn func(*customer) error) []*customer {
	ok := make([]bool, len(cs))
	sem := make(chan struct{}, r.cfg.SetupConcurrency)
	var wg sync.WaitGroup
	for i, c := range cs {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			err := fn(c)
			if err == nil {
				ok[i] = true
				return
			}
			var se stepErr
			if errors.As(err, &se) {
				r.rec.fail("setup "+kindOf(se.op, se.err), err.Error())
			} else {
				r.rec.fail("setup: "+err.Error(), err.Error())
			}
		})
	}
	wg.Wait()
	var out []*customer
	for i, c := range cs {
		if ok[i] {
			out = append(out, c)
		}
	}
	return out
}

// awaitMail polls the mail source until every registered customer's
// verification mail is there (one read serves all customers).
func (r *runner) awaitMail(ctx context.Context, cs []*customer) (map[string]string, error) {
	wanted := map[string]bool{}
	for _, c := range cs {
		wanted[c.email] = true
	}
	client := &http.Client{Transport: r.tr, Timeout: r.cfg.RequestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	deadline := time.Now().Add(r.cfg.MailTimeout)
	var tokens map[string]string
	for {
		mails, err := fetchMail(ctx, client, r.mail)
		if err != nil {
			return nil, fmt.Errorf("mail: %w", err)
		}
		tokens = verificationTokens(mails, wanted)
		if len(tokens) == len(wanted) || time.Now().After(deadline) {
			return tokens, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// measure runs the checkouts: Concurrency workers take a free customer,
// check out one order and wait until it is Paid, and hand the customer back
// until each has placed OrdersPerCustomer orders or the Duration is over.
func (r *runner) measure(ctx context.Context, customers []*customer) {
	stop, cancel := context.WithCancel(ctx)
	defer cancel()
	if r.cfg.Duration > 0 {
		stop, cancel = context.WithTimeout(ctx, r.cfg.Duration)
		defer cancel()
	}
	pool := make(chan *customer, len(customers))
	for _, c := range customers {
		pool <- c
	}
	var left atomic.Int64
	left.Store(int64(len(customers)))
	finished := make(chan struct{})

	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	start := time.Now()
	go func() {
		for {
			select {
			case <-finished:
				return
			case <-stop.Done():
				return
			case <-tick.C:
				r.progress("t=%4.0fs placed=%d paid=%d cancelled=%d paid/s=%.1f", time.Since(start).Seconds(),
					r.placed.Load(), r.paid.Load(), r.cancel.Load(), float64(r.paid.Load())/time.Since(start).Seconds())
			}
		}
	}()

	var wg sync.WaitGroup
	for range min(r.cfg.Concurrency, len(customers)) {
		wg.Go(func() {
			for {
				select {
				case <-stop.Done():
					return
				case <-finished:
					return
				case c := <-pool:
					if stop.Err() != nil {
						return
					}
					r.checkout(ctx, c)
					c.done++
					if c.done < r.cfg.OrdersPerCustomer {
						pool <- c
					} else if left.Add(-1) == 0 {
						close(finished)
					}
				}
			}
		})
	}
	wg.Wait()
}

// checkout is one order: add Lines products, place it, follow it to its
// outcome. Failures are counted by kind; the basket is cleared after a
// failed step so the customer's next order starts empty.
func (r *runner) checkout(ctx context.Context, c *customer) {
	if r.cfg.CheckReads && c.rev == nil {
		var b basketDTO
		if err := c.s.do(ctx, http.MethodGet, "/api/basket", nil, nil, &b); err != nil {
			r.rec.fail(kindOf("read-basket", err), err.Error())
			return
		}
		c.rev = &b.Revision
	}
	for l := range r.cfg.Lines {
		var hdr map[string]string
		if r.cfg.CheckReads {
			hdr = map[string]string{"If-Match": `"` + strconv.FormatUint(*c.rev, 10) + `"`}
		}
		var wrote basketDTO
		t0 := time.Now()
		err := c.s.do(ctx, http.MethodPost, "/api/basket/items", map[string]any{"sku": r.sku(c, l), "quantity": 1}, hdr, &wrote)
		if err != nil {
			if he := (*httpError)(nil); errors.As(err, &he) && he.Status == http.StatusPreconditionFailed {
				r.preconditionFailed.Add(1)
			}
			r.rec.fail(kindOf("add-item", err), err.Error())
			c.rev = nil
			r.clearBasket(ctx, c)
			return
		}
		r.rec.add(seriesAddItem, time.Since(t0))
		if r.cfg.CheckReads && !r.readBack(ctx, c, wrote) {
			r.clearBasket(ctx, c)
			return
		}
	}
	body := map[string]any{
		"shippingAddress": map[string]string{"name": "Load Customer", "line1": "1 Bench Street", "city": "Berlin", "postalCode": "10115", "country": "DE"},
		"payment":         map[string]string{"method": "sandbox", "cardNumber": "4242424242424242"},
		"shippingMethod":  "standard",
	}
	key := fmt.Sprintf("load-%s-%d-%d", r.runID, c.idx, c.done)
	var res struct {
		OrderID string `json:"orderId"`
	}
	t0 := time.Now()
	err := c.s.do(ctx, http.MethodPost, "/api/basket/checkout", body, map[string]string{"Idempotency-Key": key}, &res)
	placeTook := time.Since(t0)
	if err == nil && res.OrderID == "" {
		err = errors.New("202 without an orderId")
	}
	if err != nil {
		r.rec.fail(kindOf("place-order", err), err.Error())
		r.clearBasket(ctx, c)
		return
	}
	r.rec.add(seriesPlace, placeTook)
	r.placed.Add(1)
	if r.cfg.CheckReads {
		c.rev = nil // the check-out changed the basket: read it afresh
		r.readOrder(ctx, c, res.OrderID)
	}
	r.follow(ctx, c, res.OrderID, t0)
}

// basketDTO is what GET /api/basket and every basket write answer.
type basketDTO struct {
	Revision uint64 `json:"revision"`
	Lines    []struct {
		SKU      string `json:"sku"`
		Quantity int    `json:"quantity"`
	} `json:"lines"`
}

func (b basketDTO) same(o basketDTO) bool {
	return b.Revision == o.Revision && fmt.Sprint(b.Lines) == fmt.Sprint(o.Lines)
}

// readBack reads the basket after a write and checks it shows the write; it
// remembers the revision read for the next write's If-Match.
func (r *runner) readBack(ctx context.Context, c *customer, wrote basketDTO) bool {
	var got basketDTO
	t0 := time.Now()
	err := c.s.do(ctx, http.MethodGet, "/api/basket", nil, nil, &got)
	if err != nil {
		r.rec.fail(kindOf("read-basket", err), err.Error())
		c.rev = nil
		return false
	}
	r.rec.add(seriesBasketRead, time.Since(t0))
	if !got.same(wrote) {
		r.staleReads.Add(1)
		r.rec.fail("read-basket: stale", fmt.Sprintf("wrote revision %d %v, read revision %d %v", wrote.Revision, wrote.Lines, got.Revision, got.Lines))
	}
	c.rev = &got.Revision
	return true
}

// readOrder reads the order right after its check-out: it must be there.
func (r *runner) readOrder(ctx context.Context, c *customer, orderID string) {
	var o orderDTO
	t0 := time.Now()
	err := c.s.do(ctx, http.MethodGet, "/api/orders/"+url.PathEscape(orderID), nil, nil, &o)
	r.rec.add(seriesOrderRead, time.Since(t0))
	var he *httpError
	switch {
	case errors.As(err, &he) && he.Status == http.StatusNotFound:
		r.orderNotFound.Add(1)
		r.rec.fail("read-order: 404 after checkout", orderID)
	case err != nil:
		r.rec.fail(kindOf("read-order", err), err.Error())
	default:
		r.statusMu.Lock()
		r.firstStatus[o.Status]++
		r.statusMu.Unlock()
	}
}

func (r *runner) clearBasket(ctx context.Context, c *customer) {
	_ = c.s.do(ctx, http.MethodDelete, "/api/basket", nil, nil, nil) // best effort; the next add shows any lasting fault
}

type orderDTO struct {
	Status       string    `json:"status"`
	PlacedAt     time.Time `json:"placedAt"`
	CancelReason string    `json:"cancelReason"`
	History      []struct {
		Status string    `json:"status"`
		At     time.Time `json:"at"`
	} `json:"history"`
}

// pollWait is the pause before the next status poll: the configured
// interval, stretched to a tenth of the time waited so far (at most a
// second). Fixed fast polling of every waiting order would be most of the
// shop's traffic when orders are slow and would slow them further; this way
// the overshoot of the measured place → Paid time stays within ~10%.
func pollWait(interval, waited time.Duration) time.Duration {
	return max(interval, min(waited/10, time.Second))
}

// follow reads the order until it is Paid or Cancelled. With FollowWait a
// read holds until the order moves past the version the runner holds
// (first 1: OrderPlaced is an order's first event), so each change costs
// one request; a shop that ignores the version held (answers it again, or
// 304 at once without Preference-Applied) is polled, and a failed read is
// tried again after a poll interval. The client-side figure (placed →
// seen Paid) includes the wait for the next poll when polling (see
// pollWait); the server-side one (the Paid event's time − the order's
// placedAt) does not include the projection's lag.
func (r *runner) follow(ctx context.Context, c *customer, orderID string, placed time.Time) {
	deadline := placed.Add(r.cfg.PaidTimeout)
	last := "not visible"
	waiting, held := r.cfg.Follow == FollowWait, `W/"1"`
	pause := time.Duration(0)
	if !waiting {
		pause = pollWait(r.cfg.Poll, 0)
	}
	for {
		select {
		case <-ctx.Done():
			r.rec.fail("paid: cancelled", ctx.Err().Error())
			return
		case <-time.After(pause):
		}
		var header map[string]string
		if waiting {
			header = map[string]string{"If-None-Match": held, "Prefer": "wait=" + strconv.Itoa(int(followWait/time.Second))}
		}
		var o orderDTO
		t0 := time.Now()
		h, err := c.s.exchange(ctx, http.MethodGet, "/api/orders/"+url.PathEscape(orderID), nil, header, &o)
		r.rec.add(seriesPoll, time.Since(t0))
		pause = pollWait(r.cfg.Poll, time.Since(placed))
		var he *httpError
		switch {
		case errors.As(err, &he) && he.Status == http.StatusNotModified:
			if h.Get("Preference-Applied") != "" {
				pause = 0 // unchanged all the wait: ask again
			} else {
				waiting = false // answered at once: poll
			}
		case errors.As(err, &he) && he.Status == http.StatusNotFound:
			// Not placed yet.
		case err != nil:
			r.rec.fail(kindOf("poll", err), err.Error())
		case o.Status == "Paid":
			r.rec.add(seriesPaid, time.Since(placed))
			for _, h := range o.History {
				if h.Status == "Paid" && !o.PlacedAt.IsZero() {
					r.rec.add(seriesPaidServer, h.At.Sub(o.PlacedAt))
					break
				}
			}
			r.paid.Add(1)
			return
		case o.Status == "Cancelled":
			r.cancel.Add(1)
			r.rec.fail("order: Cancelled", o.CancelReason)
			return
		default:
			last = o.Status
			if tag := h.Get("ETag"); waiting && tag != "" && tag != held {
				held, pause = tag, 0 // changed: wait for the next change
			} else {
				waiting = false // the shop ignores the version held: poll
			}
		}
		if time.Now().After(deadline) {
			r.rec.fail("paid: timeout", fmt.Sprintf("order %s still %s after %s", orderID, last, r.cfg.PaidTimeout))
			return
		}
	}
}
