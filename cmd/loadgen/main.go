// Command loadgen drives full checkouts through a running shop's gateway
// (register, verify by mail, sign in, add items, check out, wait until Paid)
// and prints checkouts/s, place-order latency, place-order → Paid latency,
// errors by kind and the resident memory of the service processes. It loads
// only http://127.0.0.1 (anything else exits with status 2).
//
// Start the shop with a large RATE_LIMIT first: the gateway limits requests
// per client address and all virtual customers come from 127.0.0.1.
//
//	RATE_LIMIT=100000000 AUTH_BOOTSTRAP_ADMIN_EMAIL=admin@example.com AUTH_BOOTSTRAP_ADMIN_PASSWORD=… shop &
//	LOADGEN_ADMIN_PASSWORD=… loadgen -customers 64 -orders-per-customer 50 -concurrency 64 -duration 60s
//
// See docs/benchmarks-load.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/evshop/shop/cmd/loadgen/load"
	"github.com/evshop/shop/platform/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:]))
}

// run returns the exit status: 0 done, 1 the run failed, 2 bad usage (a
// refused target included).
func run(ctx context.Context, args []string) int {
	cfg := config.New("loadgen")
	url := cfg.String("url", "LOADGEN_URL", "http://127.0.0.1:8080", "the gateway (only http://127.0.0.1)")
	mail := cfg.String("mail", "LOADGEN_MAIL", "", "verification mail source: empty = <url>/dev/mail.json (embedded); server mode: the SES emulator http://127.0.0.1:8005/store")
	customers := cfg.Int("customers", "LOADGEN_CUSTOMERS", 32, "virtual customers (each registers and signs in once, before the clock starts)")
	orders := cfg.Int("orders-per-customer", "LOADGEN_ORDERS_PER_CUSTOMER", 10, "orders each customer places")
	conc := cfg.Int("concurrency", "LOADGEN_CONCURRENCY", 32, "customers checking out at once (each waits for Paid before its next order)")
	dur := cfg.Duration("duration", "LOADGEN_DURATION", 0, "bound on the measured phase (0: until every order is placed)")
	lines := cfg.Int("lines", "LOADGEN_LINES", 2, "distinct products per order")
	skus := cfg.String("skus", "LOADGEN_SKUS", "", "comma-separated SKUs to buy (default: in-stock products of the catalog's first page)")
	clientIPs := cfg.String("client-ips", "LOADGEN_CLIENT_IPS", "198.18.0.0/15",
		"give each customer an X-Forwarded-For address from this prefix so the auth service's per-IP limits apply per customer (believed only when the shop's TRUSTED_PROXIES lists loopback: the embedded default); empty: off")
	adminEmail := cfg.String("admin-email", "LOADGEN_ADMIN_EMAIL", "admin@example.com", "admin who tops up stock (only with a password)")
	adminPassword := cfg.String("admin-password", "LOADGEN_ADMIN_PASSWORD", "", "the admin's password (prefer the env var); empty: stock is only checked")
	poll := cfg.Duration("poll", "LOADGEN_POLL", 0, "order status polling interval, stretched to a tenth of the wait so far (default 20ms)")
	paidTimeout := cfg.Duration("paid-timeout", "LOADGEN_PAID_TIMEOUT", 0, "give up on an order not Paid after this (default 30s)")
	setupConc := cfg.Int("setup-concurrency", "LOADGEN_SETUP_CONCURRENCY", 4, "registrations and sign-ins at once (argon2id is CPU- and memory-heavy)")
	pids := cfg.String("pids", "LOADGEN_PIDS", "", "processes whose memory to report: name=pid,... (default: the process listening on the url's port)")
	procs := cfg.String("procs", "LOADGEN_PROCS", "", "also report every process with one of these command names (e.g. gateway,auth,basket,...)")
	checkReads := cfg.Bool("check-reads", "LOADGEN_CHECK_READS", false, "read every basket write back and each order right after its checkout, counting stale reads, 412s and 404s")
	jsonOut := cfg.String("json", "LOADGEN_JSON", "", "also write the report as JSON to this file")
	metrics := cfg.String("metrics", "LOADGEN_METRICS", "", "comma-separated /metrics URLs of the shop's processes (only http://127.0.0.1): adds broker deliveries per checkout and OrderPaid → email")
	emailWait := cfg.Duration("email-wait", "LOADGEN_EMAIL_WAIT", 0, "with -metrics: wait up to this long after the run for the order confirmations (default 2m)")
	if err := cfg.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		return 2
	}

	c := load.Config{URL: *url, Mail: *mail, Customers: *customers, OrdersPerCustomer: *orders, Concurrency: *conc,
		Duration: *dur, Lines: *lines, Poll: *poll, PaidTimeout: *paidTimeout, SetupConcurrency: *setupConc, CheckReads: *checkReads, Progress: os.Stderr,
		EmailWait: *emailWait}
	for _, m := range strings.Split(*metrics, ",") {
		if m = strings.TrimSpace(m); m != "" {
			c.Metrics = append(c.Metrics, m)
		}
	}
	for _, s := range strings.Split(*skus, ",") {
		if s = strings.TrimSpace(s); s != "" {
			c.SKUs = append(c.SKUs, s)
		}
	}
	if *clientIPs != "" {
		p, err := netip.ParsePrefix(*clientIPs)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadgen: client-ips:", err)
			return 2
		}
		c.ClientIPs = p
	}
	if *adminPassword != "" {
		c.AdminEmail, c.AdminPassword = *adminEmail, *adminPassword
	}
	if err := c.Validate(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		return 2
	}
	procList, err := processes(*url, *pids, *procs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		return 2
	}
	c.Processes = procList

	rep, runErr := load.Run(ctx, c)
	if rep != nil {
		if err := rep.WriteText(os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
		}
		if *jsonOut != "" {
			if err := writeJSON(*jsonOut, rep); err != nil {
				fmt.Fprintln(os.Stderr, "loadgen:", err)
				return 1
			}
		}
	}
	if runErr != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", runErr)
		return 1
	}
	return 0
}

// processes resolves -pids, or the listener of the target's port, plus
// -procs by name.
func processes(target, pids, names string) ([]load.Process, error) {
	if pids != "" {
		return load.ParsePIDs(pids)
	}
	var out []load.Process
	u, err := load.CheckTarget(target)
	if err != nil {
		return nil, err
	}
	port, _ := strconv.Atoi(u.Port())
	if port == 0 {
		port = 80
	}
	if p, err := load.ListenerPID("/proc", port); err == nil {
		out = append(out, p)
	} else {
		fmt.Fprintln(os.Stderr, "loadgen: memory:", err)
	}
	if names != "" {
		found, err := load.FindByName("/proc", strings.Split(names, ","))
		if err != nil {
			return nil, err
		}
		for _, p := range found {
			if len(out) == 0 || p.PID != out[0].PID {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

func writeJSON(path string, rep *load.Report) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
