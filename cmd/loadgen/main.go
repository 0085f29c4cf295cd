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
	var set load.Settings
	if _, err := config.Load(&set, config.Options{Name: "loadgen", Args: args, Lookup: os.LookupEnv, Output: os.Stderr}); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		return 2
	}

	c := load.Config{URL: set.URL, Mail: set.Mail, Customers: set.Customers, OrdersPerCustomer: set.OrdersPerCustomer, Concurrency: set.Concurrency,
		Duration: set.Duration, Lines: set.Lines, Follow: set.Follow, Poll: set.Poll, PaidTimeout: set.PaidTimeout, SetupConcurrency: set.SetupConcurrency,
		CheckReads: set.CheckReads, Progress: os.Stderr, SKUs: set.SKUs, Metrics: set.Metrics, EmailWait: set.EmailWait}
	if set.ClientIPs != "" {
		p, err := netip.ParsePrefix(set.ClientIPs)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadgen: client-ips:", err)
			return 2
		}
		c.ClientIPs = p
	}
	if set.AdminPassword != "" {
		c.AdminEmail, c.AdminPassword = set.AdminEmail, set.AdminPassword
	}
	if err := c.Validate(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		return 2
	}
	procList, err := processes(set.URL, set.PIDs, set.Procs)
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
		if set.JSON != "" {
			if err := writeJSON(set.JSON, rep); err != nil {
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
