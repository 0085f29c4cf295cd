// Package service gives every binary the same HTTP shell: the problem+json
// error handler, panic recovery, request ids, an access log, Prometheus
// metrics, /healthz and /readyz, a graceful shutdown, and the internal
// listener that serves /metrics away from the public port.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/platform/logging"
	"github.com/evshop/shop/platform/panics"
	"github.com/evshop/shop/platform/promx"
	"github.com/evshop/shop/platform/telemetry"
)

// Check is one readiness probe (a database ping, a broker connection, …).
type Check struct {
	Name string
	Fn   func(ctx context.Context) error
}

// AppConfig configures NewApp.
type AppConfig struct {
	Name      string
	Log       *slog.Logger
	Ready     []Check
	BodyLimit int // bytes; default 1 MiB
	// Registry receives the HTTP metrics (ServeMetrics publishes it); a new
	// one is made when nil. Pass the same registry to other components (bus,
	// relay) so one scrape sees everything.
	Registry *prometheus.Registry
}

// HeaderRequestID is the request id header, accepted from the caller when well
// formed and generated otherwise.
const HeaderRequestID = "X-Request-ID"

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// NewRegistry returns a registry with the Go and process collectors.
func NewRegistry() *prometheus.Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return r
}

// NewApp returns a Fiber app with the shared middleware and probes mounted.
func NewApp(cfg AppConfig) *fiber.App {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = 1 << 20
	}
	if cfg.Registry == nil {
		cfg.Registry = NewRegistry()
	}
	fc := httpx.AppConfig(cfg.Log)
	fc.AppName = cfg.Name
	fc.BodyLimit = cfg.BodyLimit
	fc.DisableStartupMessage = true
	fc.ReadTimeout, fc.WriteTimeout, fc.IdleTimeout = 30*time.Second, 30*time.Second, 120*time.Second
	app := fiber.New(fc)
	m := newMetrics(cfg.Name, cfg.Registry)
	recovered := panics.New(cfg.Registry)
	app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: func(c *fiber.Ctx, v any) {
		// The panic becomes a 500 (the error handler); counting it here
		// lets the ops alerts see it, and the stack goes to the log.
		recovered.Recovered(panics.WhereHTTP)
		cfg.Log.ErrorContext(c.UserContext(), "panic recovered", "where", panics.WhereHTTP, "route", c.Path(),
			"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	}}))
	app.Use(requestID)
	app.Use(telemetry.Middleware(telemetry.MiddlewareConfig{}))
	app.Use(accessLog(cfg.Log, m))

	app.Get("/healthz", func(c *fiber.Ctx) error {
		return c.JSON(fiber.Map{"status": "ok", "service": cfg.Name})
	})
	app.Get("/readyz", func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
		defer cancel()
		failed := map[string]string{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, chk := range cfg.Ready {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := chk.Fn(ctx); err != nil {
					mu.Lock()
					failed[chk.Name] = err.Error()
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(failed) > 0 {
			cfg.Log.WarnContext(c.UserContext(), "not ready", "failed", failed)
			p := httpx.NewProblem(fiber.StatusServiceUnavailable, "not ready")
			for name := range failed {
				p.Errors = append(p.Errors, httpx.FieldError{Field: name, Reason: "failing"})
			}
			return p
		}
		return c.JSON(fiber.Map{"status": "ready", "service": cfg.Name})
	})
	return app
}

// MetricsPath is where ServeMetrics answers.
const MetricsPath = "/metrics"

// MetricsHandler answers GET /metrics with reg and 404 for anything else.
func MetricsHandler(reg prometheus.Gatherer) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+MetricsPath, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}

// ServeMetrics serves reg at /metrics on ln until ctx ends. It is a listener
// of its own, not a route of the app: metrics name routes, queues and error
// rates, which is for Prometheus and the ops watcher, not for the public
// port.
func ServeMetrics(ctx context.Context, ln net.Listener, reg prometheus.Gatherer, log *slog.Logger) error {
	srv := &http.Server{Handler: MetricsHandler(reg), ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("metrics listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func requestID(c *fiber.Ctx) error {
	id := c.Get(HeaderRequestID)
	if id == "" || !requestIDPattern.MatchString(id) {
		id = uuid.NewString()
	}
	c.Request().Header.Set(HeaderRequestID, id)
	c.Set(HeaderRequestID, id)
	ctx := logging.WithRequestID(c.UserContext(), id)
	// A request starts a conversation: every event and command it causes
	// carries its id as correlation id, so logs, events and messages of one
	// checkout can be found together.
	if logging.CorrelationID(ctx) == "" {
		ctx = logging.WithCorrelationID(ctx, id)
	}
	c.SetUserContext(ctx)
	return c.Next()
}

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(service string, reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total", Help: "HTTP requests by route and status.",
			ConstLabels: prometheus.Labels{"service": service},
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "http_request_duration_seconds", Help: "HTTP request latency by route.",
			ConstLabels: prometheus.Labels{"service": service},
			Buckets:     []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method", "route"}),
	}
	// A second app on the same registry (tests, the one-process shop)
	// reuses the already registered collectors.
	m.requests = promx.RegisterOrExisting(reg, m.requests)
	m.duration = promx.RegisterOrExisting(reg, m.duration)
	return m
}

func accessLog(log *slog.Logger, m *metrics) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		status := c.Response().StatusCode()
		if err != nil {
			// The error handler has not run yet; derive the status it will send.
			var p *httpx.Problem
			var fe *fiber.Error
			switch {
			case errors.As(err, &p):
				status = p.Status
			case errors.As(err, &fe):
				status = fe.Code
			default:
				status = fiber.StatusInternalServerError
			}
		}
		route := c.Route().Path
		if status == fiber.StatusNotFound && route == "/" {
			route = "unmatched"
		}
		elapsed := time.Since(start)
		m.requests.WithLabelValues(c.Method(), route, strconv.Itoa(status)).Inc()
		m.duration.WithLabelValues(c.Method(), route).Observe(elapsed.Seconds())
		if c.Path() != "/healthz" {
			log.LogAttrs(c.UserContext(), levelFor(status), "http",
				slog.String("method", c.Method()), slog.String("path", c.Path()),
				slog.Int("status", status), slog.Duration("elapsed", elapsed))
		}
		return err
	}
}

func levelFor(status int) slog.Level {
	switch {
	case status >= 500:
		return slog.LevelError
	case status >= 400:
		return slog.LevelWarn
	default:
		return slog.LevelDebug
	}
}

// Run serves app on addr until ctx ends, then shuts down gracefully: the
// listener closes, in-flight requests get up to grace to finish.
func Run(ctx context.Context, app *fiber.App, addr string, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return Serve(ctx, app, ln, log)
}

// Serve is Run on an existing listener (tests pick a free port this way).
func Serve(ctx context.Context, app *fiber.App, ln net.Listener, log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- app.Listener(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "service", app.Config().AppName)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "service", app.Config().AppName)
	if err := app.ShutdownWithTimeout(15 * time.Second); err != nil {
		return err
	}
	return <-errc
}
