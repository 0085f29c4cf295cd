package wiring

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/platform/config"
	"github.com/evshop/shop/platform/logging"
	"github.com/evshop/shop/platform/telemetry"
	"github.com/evshop/shop/wiring/settings"
)

// Main is the whole main function of every binary: settings from env and
// flags (exactly the binary's own, see binaries.go), logger,
// infrastructure, build, run until SIGINT/SIGTERM, graceful stop.
// `<binary> healthcheck` probes a running instance (container health checks
// have no curl). build returns the HTTP app to serve (nil for a one-shot
// command that finished, e.g. catalog seed).
func Main[S any, P settings.BinarySettings[S]](name, defaultMode string, build func(ctx context.Context, in *Infra, s P) (*fiber.App, error)) {
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		os.Exit(Healthcheck("ADDR", ":8080"))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, name, defaultMode, build, os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		var usage usageError
		if errors.As(err, &usage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

func run[S any, P settings.BinarySettings[S]](ctx context.Context, name, defaultMode string, build func(context.Context, *Infra, P) (*fiber.App, error), args []string) error {
	s := P(new(S))
	o := settings.Options(name, defaultMode, args, os.LookupEnv)
	o.Output = os.Stderr
	rest, err := config.Load(s, o)
	if err == nil && len(rest) > 0 {
		err = fmt.Errorf("unexpected arguments %q", rest)
	}
	if err != nil {
		return usageError{err}
	}
	c := s.CommonGroup()
	log, err := logging.New(os.Stderr, c.LogFormat, c.LogLevel)
	if err != nil {
		return usageError{err}
	}
	for _, w := range settings.Warnings(s) {
		log.Warn(w, "service", name)
	}
	shutdown, err := telemetry.Setup(ctx, name)
	if err != nil {
		return usageError{err}
	}
	defer shutdown(context.WithoutCancel(ctx)) //nolint:errcheck
	if c.PprofAddr != "" {
		stopPprof := servePprof(c.PprofAddr, log)
		defer stopPprof()
	}
	in := NewInfra(c, log.With("service", name))
	defer in.Close()
	app, err := build(ctx, in, s)
	if err != nil || app == nil {
		return err // nil app: a one-shot command (e.g. catalog seed) finished
	}
	log.Info("starting", "service", name, "mode", c.Mode, "eventstore", c.EventStore, "bus", c.Bus, "addr", c.Addr)
	return in.Run(ctx, app)
}

// Healthcheck probes the /healthz of the instance listening on the address
// in env (def when unset) and returns the process exit code.
func Healthcheck(env, def string) int {
	addr := os.Getenv(env)
	if addr == "" {
		addr = def
	}
	if strings.HasPrefix(addr, ":") {
		addr = "127.0.0.1" + addr
	}
	client := http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://" + addr + "/healthz")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 1
	}
	return 0
}

// servePprof serves the runtime profiles on addr (loopback, checked by
// Common.Validate) until the returned stop is called. Its own mux: nothing else of
// the process is reachable there. It also switches on the block and mutex
// profiles (/debug/pprof/block, /debug/pprof/mutex: where goroutines wait,
// e.g. queued for the embedded database's write connection), which cost a
// little on every contended wait and are therefore off without PPROF_ADDR.
func servePprof(addr string, log *slog.Logger) (stop func()) {
	runtime.SetBlockProfileRate(int(10 * time.Microsecond)) // waits of 10 µs and more, sampled
	runtime.SetMutexProfileFraction(10)
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("pprof server stopped", "addr", addr, "err", err)
		}
	}()
	log.Warn("pprof enabled", "addr", addr)
	return func() { srv.Close() } //nolint:errcheck
}
