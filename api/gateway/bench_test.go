package gateway_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	apicatalog "github.com/evshop/shop/api/catalog"
	"github.com/evshop/shop/api/gateway"
	"github.com/evshop/shop/catalog"
	"github.com/evshop/shop/catalog/kvcache"
	catalogmem "github.com/evshop/shop/catalog/memory"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/ratelimit"
	"github.com/evshop/shop/platform/service"
	"github.com/evshop/shop/platform/testenv"
)

// BenchmarkGatewayCatalog measures the catalog's cached product list and
// product detail through the whole gateway, beside a bare Fiber handler that
// returns the same bytes, in the same run and over the same kind of loopback
// connection, so the ratio is the price of the gateway's edge (request id,
// access log and metrics, security headers, CORS, rate limit, CSRF check, JWT
// middleware) plus the catalog's cache read and JSON rendering.
//
//	bare               fiber.New() + one handler sending the captured body
//	embedded           gateway with the catalog mounted in process, memory cache (cmd/shop)
//	upstream-redis     the catalog service alone with the Redis cache (what the proxy calls)
//	proxied-redis      gateway (in-process rate limiter) → HTTP → that catalog service
//	proxied-redis-rl   the same with the Redis rate limiter, as the server-mode gateway runs
//	                   (the test Redis of testenv: skipped locally without it, fails under CI)
//
// Each reports req/s and x-bare (req/s ÷ the bare handler's req/s of the
// same page). The proxied variants also report what each hop adds per
// request, from the rates measured in the same run: us-proxy-hop (proxied −
// upstream: the gateway's edge plus the HTTP hop) and us-ratelimit-hop
// (proxied-rl − proxied: the Redis rate-limit call). Concurrency: 16 client
// goroutines per core over up to 64 keep-alive connections. Timings are
// reported, never asserted.
//
//	TEST_REDIS_URL=redis://127.0.0.1:6379/0 go test -run XXX -bench GatewayCatalog -benchtime 2s ./api/gateway/
func BenchmarkGatewayCatalog(b *testing.B) {
	pages := []struct{ name, path string }{
		{"list", "/api/catalog/products"},
		{"detail", "/api/catalog/products/KIT-001"},
	}
	embedded := benchGateway(b, gateway.Route{Prefix: "/api/catalog", Mount: benchSeededCatalog(b, kvcache.NewMemory(0)).Mount}, nil)
	rdb, prefix := testenv.Redis(b)
	upstream := benchCatalogService(b, kvcache.NewRedis(rdb, prefix))
	route := gateway.Route{Prefix: "/api/catalog", Target: upstream}
	proxied := benchGateway(b, route, nil)
	proxiedRL := benchGateway(b, route, ratelimit.NewRedis(rdb, prefix+"ratelimit:"))
	perReq := func(rate float64) float64 { return 1e6 / rate } // µs of the loaded machine per request
	for _, page := range pages {
		body := benchFetch(b, embedded, page.path)
		bare := benchBare(b, body)
		var bareRate, upRate, proxRate float64
		b.Run(page.name+"/bare", func(b *testing.B) { bareRate = benchLoad(b, bare, page.path, len(body), 0) })
		b.Run(page.name+"/embedded", func(b *testing.B) { benchLoad(b, embedded, page.path, len(body), bareRate) })
		b.Run(page.name+"/upstream-redis", func(b *testing.B) {
			upRate = benchLoad(b, strings.TrimPrefix(upstream, "http://"), page.path, len(body), bareRate)
		})
		b.Run(page.name+"/proxied-redis", func(b *testing.B) {
			proxRate = benchLoad(b, proxied, page.path, len(body), bareRate)
			b.ReportMetric(perReq(proxRate)-perReq(upRate), "us-proxy-hop")
		})
		b.Run(page.name+"/proxied-redis-rl", func(b *testing.B) {
			rate := benchLoad(b, proxiedRL, page.path, len(body), bareRate)
			b.ReportMetric(perReq(rate)-perReq(proxRate), "us-ratelimit-hop")
		})
	}
}

// benchLoad sends b.N GETs of path to addr from many goroutines and reports
// req/s and, when bare > 0, the ratio to it. It returns req/s.
func benchLoad(b *testing.B, addr, path string, wantLen int, bare float64) float64 {
	client := &fasthttp.HostClient{Addr: addr, MaxConns: 64, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	var failures atomic.Int64
	var firstFailure atomic.Value
	b.SetParallelism(16)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		defer fasthttp.ReleaseRequest(req)
		defer fasthttp.ReleaseResponse(res)
		req.SetRequestURI("http://" + addr + path)
		req.Header.SetMethod(fasthttp.MethodGet)
		req.Header.Set(fasthttp.HeaderAccept, "application/json")
		for pb.Next() {
			err := client.Do(req, res)
			if err != nil || res.StatusCode() != fasthttp.StatusOK || len(res.Body()) != wantLen {
				if failures.Add(1) == 1 {
					firstFailure.Store([]any{err, res.StatusCode(), len(res.Body())})
				}
			}
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failures.Load(); n > 0 {
		b.Fatalf("%d of %d requests failed; first: %v", n, b.N, firstFailure.Load())
	}
	rate := float64(b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "req/s")
	if bare > 0 {
		b.ReportMetric(rate/bare, "x-bare")
	}
	return rate
}

// benchSeededCatalog is the catalog service with the demo products.
func benchSeededCatalog(b *testing.B, cache catalog.Cache) *apicatalog.API {
	b.Helper()
	log := slog.New(slog.DiscardHandler)
	svc, err := catalog.New(catalog.Config{Store: catalogmem.New(), Cache: cache, Log: log})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.SeedDemo(context.Background()); err != nil {
		b.Fatal(err)
	}
	api, err := apicatalog.New(apicatalog.Deps{Catalog: svc, Log: log})
	if err != nil {
		b.Fatal(err)
	}
	return api
}

// benchCatalogService serves the catalog as its own service (as cmd/catalog
// does) and returns its base URL.
func benchCatalogService(b *testing.B, cache catalog.Cache) string {
	b.Helper()
	api := benchSeededCatalog(b, cache)
	app := service.NewApp(service.AppConfig{Name: "catalog", Log: slog.New(slog.DiscardHandler), Registry: service.NewRegistry()})
	api.Mount(app.Group("/api/catalog"))
	return "http://" + benchListen(b, app)
}

// benchGateway builds the gateway over route and returns its host:port;
// limiter nil is the in-process one.
func benchGateway(b *testing.B, route gateway.Route, limiter ratelimit.Limiter) string {
	b.Helper()
	if limiter == nil {
		limiter = ratelimit.NewMemory(time.Now)
	}
	keys, err := authn.GenerateKeySet()
	if err != nil {
		b.Fatal(err)
	}
	verifier, err := authn.NewVerifier(authn.VerifierConfig{Keys: keys, Issuer: issuer, Audience: audience})
	if err != nil {
		b.Fatal(err)
	}
	app, err := gateway.New(gateway.Config{
		Log: slog.New(slog.DiscardHandler), Verifier: verifier, CSRFKey: randomKey(b), Routes: []gateway.Route{route},
		Limiter: limiter, RateLimit: ratelimit.Limit{Events: 1 << 30, Window: time.Minute},
		Registry: service.NewRegistry(),
	})
	if err != nil {
		b.Fatal(err)
	}
	return benchListen(b, app)
}

// benchBare is the baseline: plain Fiber, one handler, the same bytes.
func benchBare(b *testing.B, body []byte) string {
	b.Helper()
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/*", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Send(body)
	})
	return benchListen(b, app)
}

func benchListen(b *testing.B, app *fiber.App) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go app.Listener(ln)                                            //nolint:errcheck // ends with Shutdown below
	b.Cleanup(func() { app.ShutdownWithTimeout(5 * time.Second) }) //nolint:errcheck
	return ln.Addr().String()
}

// benchFetch returns the body of GET path (the bytes the bare handler sends).
func benchFetch(b *testing.B, addr, path string) []byte {
	b.Helper()
	status, body, err := fasthttp.Get(nil, "http://"+addr+path)
	if err != nil || status != fasthttp.StatusOK || !bytes.HasPrefix(body, []byte("{")) {
		b.Fatalf("GET %s: %d %v %.200s", path, status, err, body)
	}
	return body
}
